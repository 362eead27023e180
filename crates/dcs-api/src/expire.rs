//! Expired-key scans: the task, its history and the auto-scan configuration.

use crate::error::{DcsError, ErrorCode};
use crate::kinds::{ScanType, TaskStatus};
use crate::time::{parse_timestamp, Timestamp};
use serde::{Deserialize, Serialize};

/// An expired-key scan as create returns it (`num` absent) and as history lists it (`num` = keys
/// reclaimed). `scanned_keys`, `progress` and `error_msg` are additive extensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpireScanTask {
    pub id: String,
    pub instance_id: String,
    pub status: TaskStatus,
    pub scan_type: ScanType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num: Option<u64>,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_keys: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// As [`crate::task::AnalysisTask::pace`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<crate::Pace>,
    /// As [`crate::task::AnalysisTask::analyzed_on`]: each master, and whether its expired keys
    /// were found from its snapshot (`source: "snapshot"`) or by SCAN (`"online"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzed_on: Option<Vec<crate::task::AnalyzedNode>>,
}

/// `GET …/auto-expire/histories`: `total` records match the filter, `count` are in this page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpireScanHistory {
    pub instance_id: String,
    pub total: u64,
    pub count: u64,
    pub records: Vec<ExpireScanTask>,
}

/// `GET …/scan-expire-keys/autoscan-config`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpireAutoscanConfig {
    pub instance_id: String,
    pub enable_auto_scan: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_scan_at: Option<Timestamp>,
    /// Seconds between scans; 0 = scan once.
    pub interval: u64,
    /// Seconds a scan may run.
    pub timeout: u64,
    /// `COUNT` of each `SCAN` call (10–1000).
    pub scan_keys_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

impl ExpireAutoscanConfig {
    /// An instance's schedule until one is saved: off, daily, a 2-day timeout, and COUNT 10 —
    /// DCS's gentlest, which a manual scan uses too.
    pub fn disabled(instance_id: &str) -> ExpireAutoscanConfig {
        ExpireAutoscanConfig {
            instance_id: instance_id.to_string(),
            enable_auto_scan: false,
            first_scan_at: None,
            interval: 86_400,
            timeout: 172_800,
            scan_keys_count: 10,
            updated_at: None,
        }
    }
}

/// `PUT …/scan-expire-keys/autoscan-config` body. Fields are loose on purpose (strings, signed
/// numbers, optional) so that bad values reach [`ExpireAutoscanUpdate::validate`] and get DCS's
/// specific error codes instead of a generic parse error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpireAutoscanUpdate {
    pub enable_auto_scan: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_scan_at: Option<String>,
    /// Seconds between scans, 0 (once) to 604800 (7 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 604800))]
    pub interval: Option<i64>,
    /// Seconds a scan may run: at least 2 × interval (more than 1 when interval is 0), at most
    /// 604800 (7 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 604800))]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 10, maximum = 1000))]
    pub scan_keys_count: Option<i64>,
}

/// A validated expired-key schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpireSchedule {
    pub enable_auto_scan: bool,
    pub first_scan_at: Timestamp,
    pub interval: u64,
    pub timeout: u64,
    pub scan_keys_count: u32,
}

/// Largest `interval` and `timeout` of an expired-key schedule, and deadline of any scan: 7 days
/// in seconds. Larger values are refused (a scan that may run for weeks is a mistake, and a
/// duration near `i64::MAX` seconds overflows every clock).
pub const MAX_SCAN_SECONDS: u64 = 7 * 24 * 3600;

/// `scan_keys_count` bounds (DCS.4822).
pub const SCAN_KEYS_COUNT_RANGE: std::ops::RangeInclusive<i64> = 10..=1000;

impl ExpireAutoscanUpdate {
    /// Applies DCS's rules 4819–4822 in that order. `first_scan_at` must lie in the future only
    /// when the schedule is being enabled: saving a disabled schedule keeps an old start time.
    pub fn validate(&self, now: Timestamp) -> Result<ExpireSchedule, DcsError> {
        let first_scan_at = self
            .first_scan_at
            .as_deref()
            .and_then(parse_timestamp)
            .map(Timestamp)
            .filter(|t| !self.enable_auto_scan || *t > now)
            .ok_or(DcsError::new(ErrorCode::InvalidFirstScanAt))?;
        let max = MAX_SCAN_SECONDS as i64;
        let too_long = |code: ErrorCode| {
            DcsError::with_message(
                code,
                format!(
                    "{} It must be at most {max} seconds (7 days).",
                    code.default_message()
                ),
            )
        };
        let interval = self
            .interval
            .filter(|i| *i >= 0)
            .ok_or(DcsError::new(ErrorCode::InvalidInterval))?;
        if interval > max {
            return Err(too_long(ErrorCode::InvalidInterval));
        }
        let timeout = self
            .timeout
            .filter(|t| {
                if interval == 0 {
                    *t > 1
                } else {
                    interval.checked_mul(2).is_some_and(|min| *t >= min)
                }
            })
            .ok_or(DcsError::new(ErrorCode::InvalidTimeout))?;
        if timeout > max {
            return Err(too_long(ErrorCode::InvalidTimeout));
        }
        let scan_keys_count = self
            .scan_keys_count
            .filter(|c| SCAN_KEYS_COUNT_RANGE.contains(c))
            .ok_or(DcsError::new(ErrorCode::InvalidScanKeysCount))?;
        Ok(ExpireSchedule {
            enable_auto_scan: self.enable_auto_scan,
            first_scan_at,
            interval: interval as u64,
            timeout: timeout as u64,
            scan_keys_count: scan_keys_count as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn now() -> Timestamp {
        Timestamp(parse_timestamp("2023-06-15T06:20:13.283Z").unwrap())
    }

    fn update(
        first: Option<&str>,
        interval: Option<i64>,
        timeout: Option<i64>,
        count: Option<i64>,
    ) -> ExpireAutoscanUpdate {
        ExpireAutoscanUpdate {
            enable_auto_scan: true,
            first_scan_at: first.map(str::to_string),
            interval,
            timeout,
            scan_keys_count: count,
        }
    }

    #[test]
    fn expire_schedule_rules_table() {
        let future = Some("2023-07-07T15:00:05.000Z");
        let cases: &[(ExpireAutoscanUpdate, Result<(), ErrorCode>)] = &[
            (update(future, Some(86400), Some(172800), Some(50)), Ok(())),
            // first_scan_at: 4819 — missing, malformed, past, equal to now.
            (
                update(None, Some(60), Some(120), Some(10)),
                Err(ErrorCode::InvalidFirstScanAt),
            ),
            (
                update(Some("tomorrow"), Some(60), Some(120), Some(10)),
                Err(ErrorCode::InvalidFirstScanAt),
            ),
            (
                update(
                    Some("2023-06-15T06:20:13.282Z"),
                    Some(60),
                    Some(120),
                    Some(10),
                ),
                Err(ErrorCode::InvalidFirstScanAt),
            ),
            (
                update(
                    Some("2023-06-15T06:20:13.283Z"),
                    Some(60),
                    Some(120),
                    Some(10),
                ),
                Err(ErrorCode::InvalidFirstScanAt),
            ),
            (
                update(
                    Some("2023-06-15T06:20:13.284Z"),
                    Some(60),
                    Some(120),
                    Some(10),
                ),
                Ok(()),
            ),
            (
                update(Some("2023-07-07T15:00:05"), Some(60), Some(120), Some(10)),
                Ok(()),
            ),
            // interval: 4820 — negative or missing; 0 allowed.
            (
                update(future, Some(-1), Some(120), Some(10)),
                Err(ErrorCode::InvalidInterval),
            ),
            (
                update(future, None, Some(120), Some(10)),
                Err(ErrorCode::InvalidInterval),
            ),
            (update(future, Some(0), Some(2), Some(10)), Ok(())),
            // timeout: 4821 — >= 2*interval; > 1 when interval is 0.
            (
                update(future, Some(0), Some(1), Some(10)),
                Err(ErrorCode::InvalidTimeout),
            ),
            (
                update(future, Some(60), Some(119), Some(10)),
                Err(ErrorCode::InvalidTimeout),
            ),
            (update(future, Some(60), Some(120), Some(10)), Ok(())),
            (
                update(future, Some(60), None, Some(10)),
                Err(ErrorCode::InvalidTimeout),
            ),
            // At most 7 days each (MAX_SCAN_SECONDS); checked before any arithmetic.
            (
                update(future, Some(i64::MAX), Some(i64::MAX), Some(10)),
                Err(ErrorCode::InvalidInterval),
            ),
            (
                update(future, Some(60), Some(i64::MAX), Some(10)),
                Err(ErrorCode::InvalidTimeout),
            ),
            (
                update(future, Some(0), Some(604_801), Some(10)),
                Err(ErrorCode::InvalidTimeout),
            ),
            (
                update(future, Some(604_801), Some(604_800), Some(10)),
                Err(ErrorCode::InvalidInterval),
            ),
            (
                update(future, Some(302_400), Some(604_800), Some(10)),
                Ok(()),
            ),
            // scan_keys_count: 4822 — 10..=1000.
            (
                update(future, Some(60), Some(120), Some(9)),
                Err(ErrorCode::InvalidScanKeysCount),
            ),
            (update(future, Some(60), Some(120), Some(1000)), Ok(())),
            (
                update(future, Some(60), Some(120), Some(1001)),
                Err(ErrorCode::InvalidScanKeysCount),
            ),
            (
                update(future, Some(60), Some(120), None),
                Err(ErrorCode::InvalidScanKeysCount),
            ),
        ];
        for (i, (u, want)) in cases.iter().enumerate() {
            let got = u.validate(now()).map(|_| ()).map_err(|e| e.code);
            assert_eq!(&got, want, "case {i}: {u:?}");
        }
    }

    #[test]
    fn too_long_says_the_range() {
        let e = update(
            Some("2030-01-01T00:00:00.000Z"),
            Some(60),
            Some(9_223_372_036_854_775_807),
            Some(10),
        )
        .validate(now())
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTimeout);
        assert!(
            e.message.ends_with("at most 604800 seconds (7 days)."),
            "{}",
            e.message
        );
    }

    #[test]
    fn past_start_is_fine_when_disabled() {
        let mut u = update(
            Some("2020-01-01T00:00:00.000Z"),
            Some(60),
            Some(120),
            Some(10),
        );
        u.enable_auto_scan = false;
        let s = u.validate(now()).unwrap();
        assert!(!s.enable_auto_scan);
        assert_eq!((s.interval, s.timeout, s.scan_keys_count), (60, 120, 10));
    }
}
