//! Scheduled scans (`scan_type` `auto`): hot/big keys daily at each `schedule_at` time (UTC);
//! expired keys from `first_scan_at` every `interval` seconds, bounded by `timeout`, with
//! `scan_keys_count`. Each tick fires what fell due since the previous tick; runs missed while
//! the proxy was down are not made up. Time comes from the state's clock, so tests drive it.

use crate::api::autoscan::{daily_config, expire_config};
use crate::runner::ExpireParams;
use crate::state::AppState;
use crate::store::Kind;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use dcs_api::schedule::TimeOfDay;
use dcs_api::ScanType;
use std::sync::Mutex;

/// True when a daily time in `times` falls in `(from, to]`.
pub fn daily_due(times: &[TimeOfDay], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    if to <= from {
        return false;
    }
    let from = from.max(to - Duration::days(1));
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
    let last = first + Duration::seconds((elapsed - elapsed % interval_secs) as i64);
    last > from
}

pub struct Scheduler {
    state: AppState,
    last: Mutex<DateTime<Utc>>,
}

impl Scheduler {
    /// Starts counting from the state's clock now.
    pub fn new(state: AppState) -> Scheduler {
        let now = state.clock.now();
        Scheduler {
            state,
            last: Mutex::new(now),
        }
    }

    /// Starts whatever fell due since the last tick; returns what it started.
    pub fn tick(&self) -> Vec<(String, Kind)> {
        let now = self.state.clock.now();
        let from = std::mem::replace(
            &mut *self.last.lock().unwrap_or_else(|p| p.into_inner()),
            now,
        );
        let mut started = Vec::new();
        for inst in self.state.instances.iter() {
            for kind in [Kind::Hotkey, Kind::Bigkey, Kind::Expire] {
                let params = match self.due(&inst.id, kind, from, now) {
                    Ok(Some(p)) => p,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::error!(instance = %inst.id, "cannot read the schedule: {e}");
                        continue;
                    }
                };
                match self.state.runner.start(inst, kind, ScanType::Auto, params) {
                    Ok(task) => {
                        tracing::info!(instance = %inst.id, kind = kind.as_str(), task = %task.id, "scheduled scan started");
                        started.push((inst.id.clone(), kind));
                    }
                    Err(e) => {
                        tracing::warn!(instance = %inst.id, kind = kind.as_str(), "scheduled scan skipped: {}", e.message)
                    }
                }
            }
        }
        started
    }

    fn due(
        &self,
        instance_id: &str,
        kind: Kind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Option<ExpireParams>, dcs_api::DcsError> {
        if kind == Kind::Expire {
            let c = expire_config(&self.state, instance_id)?;
            let due = c.enable_auto_scan
                && c.first_scan_at
                    .is_some_and(|first| interval_due(first.0, c.interval, from, to));
            let params = ExpireParams {
                scan_keys_count: c.scan_keys_count,
                timeout: Some(std::time::Duration::from_secs(c.timeout)),
            };
            return Ok(due.then_some(params));
        }
        let c = daily_config(&self.state, instance_id, kind)?;
        let times: Vec<TimeOfDay> = c
            .schedule_at
            .iter()
            .filter_map(|t| TimeOfDay::parse(t))
            .collect();
        let due = c.enable_auto_scan && daily_due(&times, from, to);
        Ok(due.then_some(ExpireParams {
            scan_keys_count: 1000,
            timeout: None,
        }))
    }

    /// Ticks every second until the process ends.
    pub async fn run(self) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            self.tick();
        }
    }
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
