//! Daily auto-scan of hot keys and big keys (`GET/PUT …/hotkey/autoscan`, `…/bigkey/autoscan`).

use crate::error::DcsError;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The stored schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutoscanConfig {
    pub instance_id: String,
    pub enable_auto_scan: bool,
    /// `HH:MM` times of day, UTC.
    #[serde(default)]
    pub schedule_at: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

impl AutoscanConfig {
    /// An instance's schedule until one is saved: off, no times.
    pub fn disabled(instance_id: &str) -> AutoscanConfig {
        AutoscanConfig {
            instance_id: instance_id.to_string(),
            enable_auto_scan: false,
            schedule_at: vec![],
            updated_at: None,
        }
    }
}

/// The PUT body (`AutoscanConfigRequest`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutoscanConfigRequest {
    pub enable_auto_scan: bool,
    #[serde(default)]
    pub schedule_at: Vec<String>,
}

/// A time of day in UTC, minutes precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    /// Parses exactly `HH:MM` (two digits each), 00:00–23:59.
    pub fn parse(s: &str) -> Option<TimeOfDay> {
        let b = s.as_bytes();
        if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
            return None;
        }
        let hour = (b[0] - b'0') * 10 + (b[1] - b'0');
        let minute = (b[3] - b'0') * 10 + (b[4] - b'0');
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }

    /// Minutes after midnight.
    pub fn minutes(self) -> u32 {
        self.hour as u32 * 60 + self.minute as u32
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// At most one scan per hour of the day.
pub const MAX_SCHEDULE_TIMES: usize = 24;

/// Validates `schedule_at`: each entry `HH:MM` in 00:00–23:59, no duplicates, at most 24; an
/// enabled schedule needs at least one time. Returns the times sorted.
pub fn validate_schedule_at(enable: bool, times: &[String]) -> Result<Vec<TimeOfDay>, DcsError> {
    let bad = || DcsError::invalid("schedule_at");
    if times.len() > MAX_SCHEDULE_TIMES || (enable && times.is_empty()) {
        return Err(bad());
    }
    let mut parsed = times
        .iter()
        .map(|t| TimeOfDay::parse(t))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)?;
    parsed.sort();
    if parsed.windows(2).any(|w| w[0] == w[1]) {
        return Err(bad());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn v(enable: bool, times: &[&str]) -> Result<Vec<String>, ErrorCode> {
        let owned: Vec<String> = times.iter().map(|s| s.to_string()).collect();
        validate_schedule_at(enable, &owned)
            .map(|t| t.iter().map(|t| t.to_string()).collect())
            .map_err(|e| e.code)
    }

    #[test]
    fn schedule_at_rules_table() {
        let all_hours: Vec<String> = (0..24).map(|h| format!("{h:02}:00")).collect();
        let refs: Vec<&str> = all_hours.iter().map(String::as_str).collect();
        assert_eq!(v(true, &refs).map(|t| t.len()), Ok(24));
        let mut too_many = refs.clone();
        too_many.push("00:30");
        assert_eq!(v(true, &too_many), Err(ErrorCode::InvalidParameter));

        assert_eq!(
            v(true, &["21:00", "03:15"]),
            Ok(vec!["03:15".into(), "21:00".into()])
        );
        assert_eq!(v(true, &["00:00"]), Ok(vec!["00:00".into()]));
        assert_eq!(v(true, &["23:59"]), Ok(vec!["23:59".into()]));
        assert_eq!(v(false, &[]), Ok(vec![]));
        for bad in [
            &["24:00"][..],
            &["23:60"],
            &["9:00"],
            &["09:0"],
            &["09-00"],
            &["09:00:00"],
            &[""],
            &["ab:cd"],
            &["+9:00"],
            &["21:00", "21:00"],
        ] {
            assert_eq!(v(true, bad), Err(ErrorCode::InvalidParameter), "{bad:?}");
        }
        assert_eq!(v(true, &[]), Err(ErrorCode::InvalidParameter));
    }

    #[test]
    fn error_names_the_parameter() {
        let e = validate_schedule_at(true, &["25:00".into()]).unwrap_err();
        assert_eq!(e.message, "Invalid schedule_at in the request.");
    }
}
