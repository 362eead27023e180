//! Schedules: the daily hot/big-key scans and the expired-key auto-scan — their defaults, their
//! validation, saving them, when they are due, and the settings a scan of each kind runs with.

use crate::config::InstanceConfig;
use crate::error::internal;
use crate::state::AppState;
use crate::store::ScheduleRow;
use chrono::{DateTime, NaiveTime, Utc};
use dcs_analyzer::ScanOptions;
use dcs_api::expire::{ExpireAutoscanConfig, ExpireAutoscanUpdate};
use dcs_api::schedule::{validate_schedule_at, AutoscanConfig, AutoscanConfigRequest, TimeOfDay};
use dcs_api::{DcsError, ScanType, TaskKind, Timestamp};
use serde::Serialize;
use std::time::Duration;

/// A manual expired-key scan on an instance without a saved schedule stops after this long: at
/// COUNT 10, 100M keys take hours, and nobody should have to remember a scan they started.
pub const MANUAL_SCAN_DEADLINE: Duration = Duration::from_secs(3600);

/// A schedule as the API shows it: daily times (hot and big keys) or an interval (expired keys).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Schedule {
    Daily(AutoscanConfig),
    Interval(ExpireAutoscanConfig),
}

/// The stored schedule of `kind`, or its disabled default.
pub fn show(state: &AppState, instance_id: &str, kind: TaskKind) -> Result<Schedule, DcsError> {
    Ok(match kind {
        TaskKind::Expire => Schedule::Interval(expire(state, instance_id)?),
        TaskKind::Hotkey | TaskKind::Bigkey => Schedule::Daily(daily(state, instance_id, kind)?),
        TaskKind::Keyspace => {
            return Err(DcsError::with_message(
                dcs_api::ErrorCode::InvalidParameter,
                "A key-space analysis has no schedule: it is started by hand.",
            ))
        }
    })
}

fn stored<T: serde::de::DeserializeOwned>(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
) -> Result<Option<T>, DcsError> {
    let row = state.store.schedule(instance_id, kind).map_err(internal)?;
    Ok(row.and_then(|r| serde_json::from_str(&r.json).ok()))
}

/// The daily schedule of hot or big keys.
pub fn daily(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
) -> Result<AutoscanConfig, DcsError> {
    Ok(stored(state, instance_id, kind)?.unwrap_or_else(|| AutoscanConfig::disabled(instance_id)))
}

/// The expired-key schedule.
pub fn expire(state: &AppState, instance_id: &str) -> Result<ExpireAutoscanConfig, DcsError> {
    Ok(stored(state, instance_id, TaskKind::Expire)?
        .unwrap_or_else(|| ExpireAutoscanConfig::disabled(instance_id)))
}

fn save<T: Serialize>(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
    config: &T,
    now: i64,
) -> Result<(), DcsError> {
    let json = serde_json::to_string(config).map_err(internal)?;
    let row = ScheduleRow {
        json,
        updated_at: now,
    };
    state
        .store
        .put_schedule(instance_id, kind, &row)
        .map_err(internal)
}

/// [`save_daily`], refusing to switch on a hot-key schedule that could only fail: an instance
/// that answers and is not on an LFU policy gets DCS.4922 with the setting to change. An
/// instance that cannot be reached now is not judged (its runs will say why they failed).
pub async fn save_daily_checked(
    state: &AppState,
    inst: &InstanceConfig,
    kind: TaskKind,
    body: &AutoscanConfigRequest,
) -> Result<AutoscanConfig, DcsError> {
    if kind == TaskKind::Hotkey && body.enable_auto_scan {
        let opts = inst.options(&state.opts);
        if let Err(e @ dcs_analyzer::AnalyzerError::Unsupported { .. }) =
            dcs_analyzer::prepare(kind, &inst.target, &opts).await
        {
            return Err(e.to_dcs(kind));
        }
    }
    save_daily(state, &inst.id, kind, body)
}

/// Validates (DCS.4800 for times) and saves a daily schedule.
pub fn save_daily(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
    body: &AutoscanConfigRequest,
) -> Result<AutoscanConfig, DcsError> {
    let times = validate_schedule_at(body.enable_auto_scan, &body.schedule_at)?;
    let now = state.clock.now();
    let config = AutoscanConfig {
        instance_id: instance_id.to_string(),
        enable_auto_scan: body.enable_auto_scan,
        schedule_at: times.iter().map(ToString::to_string).collect(),
        updated_at: Some(Timestamp(now)),
    };
    save(state, instance_id, kind, &config, now.timestamp_millis())?;
    Ok(config)
}

/// Validates (DCS.4819–4822) and saves the expired-key schedule.
pub fn save_expire(
    state: &AppState,
    instance_id: &str,
    body: &ExpireAutoscanUpdate,
) -> Result<ExpireAutoscanConfig, DcsError> {
    let now = state.clock.now();
    let s = body.validate(Timestamp(now))?;
    let config = ExpireAutoscanConfig {
        instance_id: instance_id.to_string(),
        enable_auto_scan: s.enable_auto_scan,
        first_scan_at: Some(s.first_scan_at),
        interval: s.interval,
        timeout: s.timeout,
        scan_keys_count: s.scan_keys_count,
        updated_at: Some(Timestamp(now)),
    };
    let now = now.timestamp_millis();
    save(state, instance_id, TaskKind::Expire, &config, now)?;
    Ok(config)
}

/// The settings a scan of `kind` runs with. Expired-key scans use the saved schedule's COUNT
/// (10 until one is saved, DCS's gentlest) and its timeout; a manual scan without a saved
/// schedule stops after [`MANUAL_SCAN_DEADLINE`].
pub fn run_options(
    state: &AppState,
    inst: &InstanceConfig,
    kind: TaskKind,
    scan_type: ScanType,
) -> Result<ScanOptions, DcsError> {
    let opts = inst.options(&state.opts);
    if kind != TaskKind::Expire {
        return Ok(opts);
    }
    let saved = expire(state, &inst.id)?;
    let deadline = match (saved.updated_at, scan_type) {
        (None, ScanType::Manual) => MANUAL_SCAN_DEADLINE,
        _ => Duration::from_secs(saved.timeout),
    };
    Ok(ScanOptions {
        count: saved.scan_keys_count,
        deadline: Some(deadline),
        ..opts
    })
}

/// Whether the schedule of `kind` fires in `(from, to]`.
pub fn due(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<bool, DcsError> {
    if kind.schedule_path().is_none() {
        return Ok(false);
    }
    Ok(match show(state, instance_id, kind)? {
        Schedule::Interval(c) => {
            c.enable_auto_scan
                && c.first_scan_at
                    .is_some_and(|first| interval_due(first.0, c.interval, from, to))
        }
        Schedule::Daily(c) => {
            let times: Vec<TimeOfDay> = c
                .schedule_at
                .iter()
                .filter_map(|t| TimeOfDay::parse(t))
                .collect();
            c.enable_auto_scan && daily_due(&times, from, to)
        }
    })
}

/// True when a daily time in `times` falls in `(from, to]`.
pub fn daily_due(times: &[TimeOfDay], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    if to <= from {
        return false;
    }
    let from = from.max(to - chrono::Duration::days(1));
    let mut day = from.date_naive();
    while day <= to.date_naive() {
        for t in times {
            let at = day
                .and_time(
                    NaiveTime::from_hms_opt(t.hour as u32, t.minute as u32, 0).expect("valid time"),
                )
                .and_utc();
            if from < at && at <= to {
                return true;
            }
        }
        day = day.succ_opt().expect("date in range");
    }
    false
}

/// True when `first + k * interval` (k ≥ 0; only k = 0 when `interval` is 0) falls in `(from, to]`.
pub fn interval_due(
    first: DateTime<Utc>,
    interval_secs: u64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    if to < first || to <= from {
        return false;
    }
    if interval_secs == 0 {
        return from < first;
    }
    let elapsed = (to - first).num_seconds() as u64;
    let last = first + chrono::Duration::seconds((elapsed - elapsed % interval_secs) as i64);
    last > from
}
#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        dcs_api::time::parse_timestamp(s).unwrap()
    }

    #[test]
    fn daily_times_fire_once_in_their_window() {
        let t = [
            TimeOfDay::parse("21:00").unwrap(),
            TimeOfDay::parse("03:15").unwrap(),
        ];
        assert!(daily_due(
            &t,
            at("2026-01-01T20:59:59Z"),
            at("2026-01-01T21:00:00Z")
        ));
        assert!(
            !daily_due(&t, at("2026-01-01T21:00:00Z"), at("2026-01-01T21:00:01Z")),
            "already fired"
        );
        assert!(!daily_due(
            &t,
            at("2026-01-01T04:00:00Z"),
            at("2026-01-01T20:59:59Z")
        ));
        assert!(
            daily_due(&t, at("2026-01-01T23:59:00Z"), at("2026-01-02T03:15:00Z")),
            "across midnight"
        );
        assert!(!daily_due(
            &t,
            at("2026-01-01T21:00:00Z"),
            at("2026-01-01T21:00:00Z")
        ));
        assert!(!daily_due(
            &[],
            at("2026-01-01T00:00:00Z"),
            at("2026-01-03T00:00:00Z")
        ));
    }

    #[test]
    fn intervals_fire_from_the_first_scan() {
        let first = at("2026-01-01T10:00:00Z");
        assert!(!interval_due(
            first,
            3600,
            at("2026-01-01T09:00:00Z"),
            at("2026-01-01T09:59:59Z")
        ));
        assert!(interval_due(
            first,
            3600,
            at("2026-01-01T09:59:59Z"),
            at("2026-01-01T10:00:00Z")
        ));
        assert!(!interval_due(
            first,
            3600,
            at("2026-01-01T10:00:00Z"),
            at("2026-01-01T10:59:59Z")
        ));
        assert!(interval_due(
            first,
            3600,
            at("2026-01-01T10:59:59Z"),
            at("2026-01-01T11:00:01Z")
        ));
        assert!(interval_due(
            first,
            0,
            at("2026-01-01T09:00:00Z"),
            at("2026-01-01T10:00:00Z")
        ));
        assert!(
            !interval_due(
                first,
                0,
                at("2026-01-01T10:00:00Z"),
                at("2026-01-02T10:00:00Z")
            ),
            "interval 0: once"
        );
    }
}
