//! Runs analyses as tasks: `waiting → running → success | failed`, at most one of each kind per
//! instance, progress readable while they run, cancellation on delete.

use crate::clock::Clock;
use crate::config::InstanceConfig;
use crate::store::{Kind, Store, TaskRow};
use dcs_analyzer::error::AnalysisKind;
use dcs_analyzer::{bigkeys, expired, hotkeys, Control, Progress, ScanOptions};
use dcs_api::{DcsError, ErrorCode, ScanType, TaskStatus};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// (num, scanned keys, keys JSON, why it stopped early with a result that still counts).
type Outcome = (u64, u64, Option<String>, Option<String>);

/// Largest result a task record holds. Names are cut at `dcs_api::task::MAX_NAME_CHARS`, so
/// 100 keys stay far below it; this is the bound should that ever change.
pub const MAX_RESULT_BYTES: usize = 1024 * 1024;

/// Per-run settings of an expired-key scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpireParams {
    pub scan_keys_count: u32,
    pub timeout: Option<Duration>,
}

struct Active {
    id: String,
    control: Control,
}

#[derive(Clone)]
pub struct Runner {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    opts: ScanOptions,
    active: Arc<Mutex<HashMap<(String, Kind), Active>>>,
    /// Final states the store refused to record (read-only or full disk), by task id: reads show
    /// them instead of the stale row, and the next start writes them once the store accepts
    /// writes again.
    unrecorded: Arc<Mutex<HashMap<String, TaskRow>>>,
}

fn analysis_kind(kind: Kind) -> AnalysisKind {
    match kind {
        Kind::Hotkey => AnalysisKind::Hotkeys,
        Kind::Bigkey => AnalysisKind::Bigkeys,
        Kind::Expire => AnalysisKind::Expired,
    }
}

impl Runner {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>, opts: ScanOptions) -> Runner {
        Runner {
            store,
            clock,
            opts,
            active: Arc::default(),
            unrecorded: Arc::default(),
        }
    }

    fn unrecorded(&self) -> std::sync::MutexGuard<'_, HashMap<String, TaskRow>> {
        self.unrecorded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A stored task, as it really ended where the store could not record that.
    pub fn get(
        &self,
        instance_id: &str,
        kind: Kind,
        id: &str,
    ) -> Result<Option<TaskRow>, DcsError> {
        let row = self.store.get(instance_id, kind, id).map_err(internal)?;
        Ok(row.map(|r| self.overlay(r)))
    }

    /// A page of stored tasks (newest first), each as it really ended; returns (total, page).
    pub fn list(
        &self,
        instance_id: &str,
        kind: Kind,
        q: &dcs_api::validate::ListQuery,
    ) -> Result<(u64, Vec<TaskRow>), DcsError> {
        let (total, rows) = self.store.list(instance_id, kind, q).map_err(internal)?;
        Ok((total, rows.into_iter().map(|r| self.overlay(r)).collect()))
    }

    fn overlay(&self, row: TaskRow) -> TaskRow {
        match self.unrecorded().get(&row.id) {
            Some(ended) => TaskRow {
                keys_json: row.keys_json.clone(),
                ..ended.clone()
            },
            None => row,
        }
    }

    /// Writes what could not be recorded before, now that the store may accept it.
    fn flush_unrecorded(&self) {
        let mut pending = self.unrecorded();
        pending.retain(|_, row| self.store.finish(row).is_err());
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Kind), Active>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a waiting task and starts it. Refused with DCS.4918 while another task of the
    /// same kind is waiting or running on the instance (DCS has no code of its own for hot keys
    /// and expired scans; 4918 is the closest, and the message names the kind).
    pub fn start(
        &self,
        inst: &InstanceConfig,
        kind: Kind,
        scan_type: ScanType,
        expire: ExpireParams,
    ) -> Result<TaskRow, DcsError> {
        self.flush_unrecorded();
        let mut active = self.active();
        let key = (inst.id.clone(), kind);
        if let Some(a) = active.get(&key) {
            return Err(busy(kind, &a.id));
        }
        let row = TaskRow {
            id: uuid::Uuid::new_v4().to_string(),
            instance_id: inst.id.clone(),
            kind,
            status: TaskStatus::Waiting,
            scan_type,
            created_at: self.clock.now_ms(),
            started_at: None,
            finished_at: None,
            num: (kind != Kind::Expire).then_some(0),
            scanned_keys: None,
            error_msg: None,
            keys_json: None,
        };
        self.store.insert(&row).map_err(storage)?;
        let (control, _) = Control::new();
        active.insert(
            key,
            Active {
                id: row.id.clone(),
                control: control.clone(),
            },
        );
        let runner = self.clone();
        let (inst, task) = (inst.clone(), row.clone());
        tokio::spawn(async move { runner.run(inst, task, control, expire).await });
        Ok(row)
    }

    async fn run(self, inst: InstanceConfig, task: TaskRow, ctl: Control, expire: ExpireParams) {
        // From here on, however this ends (a panic included), the slot is freed and the record
        // leaves `running`.
        let mut guard = RunGuard {
            runner: self.clone(),
            task,
            recorded: false,
        };
        let started = self.clock.now_ms();
        match self.store.set_running(&guard.task.id, started) {
            Ok(true) => {}
            Ok(false) => {
                guard.recorded = true; // deleted before it started: nothing to record
                return;
            }
            Err(e) => {
                guard.task.error_msg = Some(format!("the task could not be recorded: {e}"));
                return;
            }
        }
        let analysis = {
            let (runner, inst, ctl) = (self.clone(), inst.clone(), ctl.clone());
            let kind = guard.task.kind;
            // Its own task, so that a panic in the engine arrives here as an error.
            tokio::spawn(async move { runner.analyse(&inst, kind, &ctl, expire).await })
        };
        let outcome = match analysis.await {
            Ok(Ok((_, _, Some(keys), _))) if keys.len() > MAX_RESULT_BYTES => Err(format!(
                "the result is {} bytes, more than the {MAX_RESULT_BYTES} a task record may hold",
                keys.len()
            )),
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => Err(e.to_dcs(analysis_kind(guard.task.kind)).message),
            Err(e) => Err(format!(
                "the analysis stopped unexpectedly: {}",
                panic_text(e)
            )),
        };
        let task = &mut guard.task;
        task.finished_at = Some(self.clock.now_ms());
        match outcome {
            Ok((num, scanned, keys_json, stopped)) => {
                // Stopped on request: not a success, but what it did (keys reclaimed) is kept.
                task.status = if stopped.is_some() {
                    TaskStatus::Failed
                } else {
                    TaskStatus::Success
                };
                (task.num, task.scanned_keys, task.keys_json, task.error_msg) =
                    (Some(num), Some(scanned), keys_json, stopped);
            }
            Err(why) => {
                tracing::warn!(instance = %inst.id, task = %task.id, kind = task.kind.as_str(), "analysis failed: {why}");
                task.status = TaskStatus::Failed;
                task.scanned_keys = Some(ctl.progress().scanned);
                task.error_msg = Some(why);
            }
        }
        match self.store.finish(task) {
            Ok(_) => guard.recorded = true,
            Err(e) => {
                tracing::error!(task = %task.id, "cannot record the result: {e}");
                let finished = task.status == TaskStatus::Success;
                let why = if finished {
                    format!("the analysis finished but its result could not be recorded: {e}")
                } else {
                    format!(
                        "{} (and this could not be recorded: {e})",
                        task.error_msg.as_deref().unwrap_or("the analysis failed")
                    )
                };
                task.error_msg = Some(why);
                task.keys_json = None;
            }
        }
    }

    /// Runs the analysis; returns (num, scanned keys, keys JSON, why it stopped early when it
    /// did and its partial result still counts).
    async fn analyse(
        &self,
        inst: &InstanceConfig,
        kind: Kind,
        ctl: &Control,
        expire: ExpireParams,
    ) -> Result<Outcome, dcs_analyzer::AnalyzerError> {
        match kind {
            Kind::Hotkey => {
                let r = hotkeys::analyze(&inst.target, &inst.options(&self.opts), ctl).await?;
                Ok((
                    r.keys.len() as u64,
                    r.scanned_keys,
                    serde_json::to_string(&r.keys).ok(),
                    None,
                ))
            }
            Kind::Bigkey => {
                let r = bigkeys::analyze(&inst.target, &inst.options(&self.opts), ctl).await?;
                Ok((
                    r.keys.len() as u64,
                    r.scanned_keys,
                    serde_json::to_string(&r.keys).ok(),
                    None,
                ))
            }
            Kind::Expire => {
                let opts = ScanOptions {
                    count: expire.scan_keys_count,
                    deadline: expire.timeout,
                    ..inst.options(&self.opts)
                };
                let r = expired::analyze(&inst.target, &opts, ctl).await?;
                let stopped = r.cancelled.then(|| {
                    format!(
                        "Stopped on request after scanning {} keys; {} expired keys were reclaimed until then.",
                        r.scanned_keys, r.num
                    )
                });
                Ok((r.num, r.scanned_keys, None, stopped))
            }
        }
    }

    /// DCS.4918 while a task of `kind` is waiting or running on the instance.
    pub fn ensure_idle(&self, instance_id: &str, kind: Kind) -> Result<(), DcsError> {
        match self.active().get(&(instance_id.to_string(), kind)) {
            Some(a) => Err(busy(kind, &a.id)),
            None => Ok(()),
        }
    }

    /// Progress of a task that is waiting or running.
    pub fn progress(&self, instance_id: &str, kind: Kind, id: &str) -> Option<Progress> {
        let active = self.active();
        active
            .get(&(instance_id.to_string(), kind))
            .filter(|a| a.id == id)
            .map(|a| a.control.progress())
    }

    /// Whether the task is waiting or running.
    pub fn is_active(&self, instance_id: &str, kind: Kind, id: &str) -> bool {
        self.active()
            .get(&(instance_id.to_string(), kind))
            .is_some_and(|a| a.id == id)
    }

    /// Cancels a waiting or running task; false when it is not active.
    pub fn cancel(&self, instance_id: &str, kind: Kind, id: &str) -> bool {
        let active = self.active();
        match active
            .get(&(instance_id.to_string(), kind))
            .filter(|a| a.id == id)
        {
            Some(a) => {
                a.control.cancel();
                true
            }
            None => false,
        }
    }
}

/// Owns a started task until its outcome is recorded. Dropped without that (a panic, or the
/// store refusing the result), it records the task as failed, best effort; either way it frees
/// the instance's slot for the kind, so no later task is refused with DCS.4918 forever.
struct RunGuard {
    runner: Runner,
    task: TaskRow,
    recorded: bool,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if !self.recorded {
            let mut task = self.task.clone();
            task.status = TaskStatus::Failed;
            task.finished_at = Some(self.runner.clock.now_ms());
            task.error_msg.get_or_insert_with(|| {
                if std::thread::panicking() {
                    "the analysis stopped unexpectedly".into()
                } else {
                    // Dropped without a panic: the proxy is shutting down.
                    crate::store::INTERRUPTED.into()
                }
            });
            if let Err(e) = self.runner.store.finish(&task) {
                tracing::error!(task = %task.id, "cannot record the failure: {e}");
                // Reads show it as it ended; the next start writes it if it can.
                self.runner.unrecorded().insert(task.id.clone(), task);
            }
        }
        let key = (self.task.instance_id.clone(), self.task.kind);
        let mut active = self.runner.active();
        if active.get(&key).is_some_and(|a| a.id == self.task.id) {
            active.remove(&key);
        }
    }
}

/// What a panicking analysis said, for the task's `error_msg`.
fn panic_text(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return "cancelled".into();
    }
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

fn busy(kind: Kind, id: &str) -> DcsError {
    let what = match kind {
        Kind::Hotkey => "hot-key analysis",
        Kind::Bigkey => "big-key analysis",
        Kind::Expire => "expired-key scan",
    };
    DcsError::with_message(
        ErrorCode::AnalysisRunning,
        format!("Instance {what} is running (task {id}); wait for it to finish or delete it."),
    )
}

/// The store refusing a write (read-only or full disk): DCS.5000 that says so, since only the
/// operator can fix it.
pub fn storage(e: impl std::fmt::Display) -> DcsError {
    tracing::error!("cannot write the database: {e}");
    DcsError::with_message(
        ErrorCode::Internal,
        format!("The proxy cannot record the task: its database refused the write ({e})."),
    )
}

/// A storage failure: logged, answered as DCS.5000 without details.
pub fn internal(e: impl std::fmt::Display) -> DcsError {
    tracing::error!("internal error: {e}");
    DcsError::new(ErrorCode::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    /// A run that panics (anywhere: in the engine or in the runner itself) still ends its task
    /// as failed and frees the slot.
    #[tokio::test]
    async fn a_panicking_run_fails_its_task_and_frees_the_slot() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("t.db"), 0).unwrap());
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(chrono::Utc::now()));
        let runner = Runner::new(store.clone(), clock, ScanOptions::default());
        let task = TaskRow {
            id: "t1".into(),
            instance_id: "i1".into(),
            kind: Kind::Bigkey,
            status: TaskStatus::Running,
            scan_type: ScanType::Manual,
            created_at: 1,
            started_at: Some(2),
            finished_at: None,
            num: Some(0),
            scanned_keys: None,
            error_msg: None,
            keys_json: None,
        };
        store.insert(&task).unwrap();
        runner.active().insert(
            ("i1".into(), Kind::Bigkey),
            Active {
                id: "t1".into(),
                control: Control::new().0,
            },
        );
        assert!(runner.ensure_idle("i1", Kind::Bigkey).is_err());
        let guard = RunGuard {
            runner: runner.clone(),
            task,
            recorded: false,
        };
        let run = tokio::spawn(async move {
            let _guard = guard;
            panic!("boom");
        });
        let e = run.await.unwrap_err();
        let stored = store.get("i1", Kind::Bigkey, "t1").unwrap().unwrap();
        assert_eq!(stored.status, TaskStatus::Failed);
        assert_eq!(
            stored.error_msg.as_deref(),
            Some("the analysis stopped unexpectedly")
        );
        assert!(runner.ensure_idle("i1", Kind::Bigkey).is_ok(), "slot freed");
        assert_eq!(panic_text(e), "boom");

        // Dropped without a panic (the proxy shutting down): interrupted, as after a restart.
        let mut second = store.get("i1", Kind::Bigkey, "t1").unwrap().unwrap();
        second.id = "t2".into();
        second.status = TaskStatus::Running;
        (second.error_msg, second.finished_at) = (None, None);
        store.insert(&second).unwrap();
        drop(RunGuard {
            runner: runner.clone(),
            task: second,
            recorded: false,
        });
        let stored = store.get("i1", Kind::Bigkey, "t2").unwrap().unwrap();
        assert_eq!(
            (stored.status, stored.error_msg.as_deref()),
            (TaskStatus::Failed, Some(crate::store::INTERRUPTED))
        );
    }
}
