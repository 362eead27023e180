//! Scheduled scans (`scan_type` `auto`): every second, whatever schedule fell due since the
//! previous tick is started through the `tasks` service (when a schedule is due is the
//! `schedules` service's to say). Runs missed while the proxy was down are not made up. Time
//! comes from the state's clock, so tests drive it.

use crate::services::{schedules, tasks};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use dcs_api::TaskKind;
use std::sync::Mutex;

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
    pub fn tick(&self) -> Vec<(String, TaskKind)> {
        let now = self.state.clock.now();
        let from = std::mem::replace(
            &mut *self.last.lock().unwrap_or_else(|p| p.into_inner()),
            now,
        );
        let mut started = Vec::new();
        for inst in self.state.instances.iter() {
            for &kind in TaskKind::ALL {
                match schedules::due(&self.state, &inst.id, kind, from, now) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => {
                        tracing::error!(instance = %inst.id, "cannot read the schedule: {}", e.message);
                        continue;
                    }
                }
                match tasks::start_scheduled(&self.state, inst, kind) {
                    Ok(task) => {
                        tracing::info!(instance = %inst.id, %kind, task = %task.id, "scheduled scan started");
                        started.push((inst.id.clone(), kind));
                    }
                    Err(e) => {
                        tracing::warn!(instance = %inst.id, %kind, "scheduled scan skipped: {}", e.message)
                    }
                }
            }
        }
        started
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
