//! Runs analyses as tasks: `waiting → running → success | failed`, at most one of each kind per
//! instance, progress readable while they run, cancellation on request. The runner knows the
//! engine and the store, not HTTP: the `tasks` service decides what to start and turns its rows
//! into wire records.

use crate::clock::Clock;
use crate::error::{internal, storage};
use crate::store::{Store, TaskRow};
use dcs_analyzer::conn::Node;
use dcs_analyzer::{Control, Progress, Report, ScanOptions, Target};
use dcs_api::{DcsError, ScanType, TaskKind, TaskStatus};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a finished analysis leaves in its record.
struct Outcome {
    num: u64,
    scanned: u64,
    keys_json: Option<String>,
    /// Why it stopped before covering every key, when its partial result still counts (stopped
    /// on request, or at its time limit): the task is then `failed` with this and its `num`.
    cut_short: Option<String>,
    /// Where each shard was read.
    nodes_json: Option<String>,
}

/// Largest result a task record holds. Names are cut at `dcs_api::task::MAX_NAME_CHARS`, so
/// 100 keys stay far below it; this is the bound should that ever change.
pub const MAX_RESULT_BYTES: usize = 1024 * 1024;

/// Largest key-space report a task record holds: top 500 keys, 500 prefixes per type and 500
/// tree nodes per level, names cut at 1,024 characters, stay below it.
pub const MAX_REPORT_BYTES: usize = 8 * 1024 * 1024;

/// One analysis to run: its kind, where, with which settings, and the masters a check before
/// the start returned (none: the run checks, and a failure is recorded with the task).
pub struct Job {
    pub kind: TaskKind,
    pub target: Target,
    pub opts: ScanOptions,
    pub masters: Option<Vec<Node>>,
    /// A key-space analysis of a stored backup: its id and the node's snapshot file in it.
    pub backup: Option<(String, std::path::PathBuf)>,
}

struct Active {
    id: String,
    control: Control,
}

#[derive(Clone)]
pub struct Runner {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    active: Arc<Mutex<HashMap<(String, TaskKind), Active>>>,
    /// Final states the store refused to record (read-only or full disk), by task id: reads show
    /// them instead of the stale row, and the next start writes them once the store accepts
    /// writes again.
    unrecorded: Arc<Mutex<HashMap<String, TaskRow>>>,
}

impl Runner {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Runner {
        Runner {
            store,
            clock,
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
        kind: TaskKind,
        id: &str,
    ) -> Result<Option<TaskRow>, DcsError> {
        let row = self.store.get(instance_id, kind, id).map_err(internal)?;
        Ok(row.map(|r| self.overlay(r)))
    }

    /// A page of stored tasks (newest first), each as it really ended; returns (total, page).
    pub fn list(
        &self,
        instance_id: &str,
        kind: TaskKind,
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

    fn active(&self) -> std::sync::MutexGuard<'_, HashMap<(String, TaskKind), Active>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a waiting task and starts it. Refused with DCS.4918 while another task of the
    /// same kind is waiting or running on the instance.
    pub fn start(
        &self,
        instance_id: &str,
        scan_type: ScanType,
        job: Job,
    ) -> Result<TaskRow, DcsError> {
        self.flush_unrecorded();
        let mut active = self.active();
        let kind = job.kind;
        let key = (instance_id.to_string(), kind);
        if let Some(id) = self.holding(&active, &key) {
            return Err(kind.already_running(&id));
        }
        let row = TaskRow {
            id: uuid::Uuid::new_v4().to_string(),
            instance_id: instance_id.to_string(),
            kind,
            status: TaskStatus::Waiting,
            scan_type,
            created_at: self.clock.now_ms(),
            started_at: None,
            finished_at: None,
            num: (kind != TaskKind::Expire).then_some(0),
            scanned_keys: None,
            error_msg: None,
            keys_json: None,
            // A key-space analysis names its node from the start.
            nodes_json: match (&job.masters, kind) {
                (Some(nodes), TaskKind::Keyspace) => {
                    let mut on = dcs_analyzer::analysis::analyzed_on(nodes);
                    for n in &mut on {
                        n.backup_id = job.backup.as_ref().map(|(id, _)| id.clone());
                    }
                    serde_json::to_string(&on).ok()
                }
                _ => None,
            },
            // What the record shows of how it ran (a key-space analysis reads a snapshot).
            pace: (kind != TaskKind::Keyspace).then_some(job.opts.pace),
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
        let task = row.clone();
        tokio::spawn(async move { runner.run(task, control, job).await });
        Ok(row)
    }

    async fn run(self, task: TaskRow, ctl: Control, job: Job) {
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
        let kind = job.kind;
        let analysis = {
            let ctl = ctl.clone();
            // Its own task, so that a panic in the engine arrives here as an error.
            tokio::spawn(async move { analyse(job, &ctl).await })
        };
        let outcome = match analysis.await {
            Ok(Ok(Outcome {
                keys_json: Some(keys),
                ..
            })) if keys.len() > max_result(kind) => Err(format!(
                "the result is {} bytes, more than the {} a task record may hold",
                keys.len(),
                max_result(kind)
            )),
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => Err(e.to_dcs(kind).message),
            Err(e) => Err(format!(
                "the analysis stopped unexpectedly: {}",
                panic_text(e)
            )),
        };
        let task = &mut guard.task;
        task.finished_at = Some(self.clock.now_ms());
        match outcome {
            Ok(done) => {
                // Cut short: not a success, but what it did (keys reclaimed) is kept.
                task.status = if done.cut_short.is_some() {
                    TaskStatus::Failed
                } else {
                    TaskStatus::Success
                };
                (task.num, task.scanned_keys, task.keys_json, task.error_msg) = (
                    Some(done.num),
                    Some(done.scanned),
                    done.keys_json,
                    done.cut_short,
                );
                // Where it read, when the run says; else as recorded at the start.
                task.nodes_json = done.nodes_json.or(task.nodes_json.take());
            }
            Err(why) => {
                tracing::warn!(instance = %task.instance_id, task = %task.id, kind = %task.kind, "analysis failed: {why}");
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

    /// DCS.4918 while a task of `kind` is waiting or running on the instance.
    pub fn ensure_idle(&self, instance_id: &str, kind: TaskKind) -> Result<(), DcsError> {
        let active = self.active();
        match self.holding(&active, &(instance_id.to_string(), kind)) {
            Some(id) => Err(kind.already_running(&id)),
            None => Ok(()),
        }
    }

    /// The task holding the slot, if one does. A run that has recorded its end lets go of its
    /// slot a moment later: a reader who saw the end may start the next at once.
    fn holding(
        &self,
        active: &HashMap<(String, TaskKind), Active>,
        key: &(String, TaskKind),
    ) -> Option<String> {
        let a = active.get(key)?;
        match self.store.get(&key.0, key.1, &a.id) {
            Ok(Some(row)) if row.status.is_terminal() => None,
            _ => Some(a.id.clone()),
        }
    }

    /// Progress of a task that is waiting or running.
    pub fn progress(&self, instance_id: &str, kind: TaskKind, id: &str) -> Option<Progress> {
        let active = self.active();
        active
            .get(&(instance_id.to_string(), kind))
            .filter(|a| a.id == id)
            .map(|a| a.control.progress())
    }

    /// Whether the task is waiting or running.
    pub fn is_active(&self, instance_id: &str, kind: TaskKind, id: &str) -> bool {
        self.active()
            .get(&(instance_id.to_string(), kind))
            .is_some_and(|a| a.id == id)
    }

    /// Cancels a waiting or running task; false when it is not active.
    pub fn cancel(&self, instance_id: &str, kind: TaskKind, id: &str) -> bool {
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

/// Checks the target where no check preceded the start, then runs the engine of the job's kind.
async fn analyse(job: Job, ctl: &Control) -> Result<Outcome, dcs_analyzer::AnalyzerError> {
    if let Some((_, file)) = job.backup {
        // A stored snapshot: read from the data folder, the server untouched.
        let ctl = ctl.clone();
        let keyspace = dcs_analyzer::keyspace::KeyspaceOptions {
            now_ms: dcs_analyzer::keyspace::now_ms(),
            ..Default::default()
        };
        let report = tokio::task::spawn_blocking(move || {
            dcs_analyzer::keyspace::from_file(&file, keyspace, &ctl)
        })
        .await
        .map_err(|e| dcs_analyzer::AnalyzerError::Storage(format!("reading the backup: {e}")))??;
        return Ok(outcome(Report::Keyspace(Box::new(report)), &job.opts));
    }
    let masters = match job.masters {
        Some(m) => m,
        None => dcs_analyzer::prepare(job.kind, &job.target, &job.opts).await?,
    };
    let report = dcs_analyzer::run(job.kind, &masters, &job.opts, ctl).await?;
    let nodes = dcs_analyzer::analysis::analyzed_on_after(&masters, &report);
    Ok(Outcome {
        nodes_json: serde_json::to_string(&nodes).ok(),
        ..outcome(report, &job.opts)
    })
}

fn max_result(kind: TaskKind) -> usize {
    if kind == TaskKind::Keyspace {
        MAX_REPORT_BYTES
    } else {
        MAX_RESULT_BYTES
    }
}

/// A report as the record keeps it.
fn outcome(report: Report, opts: &ScanOptions) -> Outcome {
    let scanned = report.scanned_keys();
    match report {
        Report::Hotkey(r) => Outcome {
            num: r.keys.len() as u64,
            scanned,
            keys_json: serde_json::to_string(&r.keys).ok(),
            cut_short: None,
            nodes_json: None,
        },
        Report::Bigkey(r) => Outcome {
            num: r.keys.len() as u64,
            scanned,
            keys_json: serde_json::to_string(&r.keys).ok(),
            cut_short: None,
            nodes_json: None,
        },
        Report::Keyspace(r) => Outcome {
            num: r.total_num,
            scanned,
            keys_json: serde_json::to_string(&r).ok(),
            cut_short: None,
            nodes_json: None,
        },
        Report::Expire(r) => {
            let why = if r.cancelled {
                Some("Stopped on request".to_string())
            } else if r.timed_out {
                let limit = opts.deadline.map_or(0, |d| d.as_secs());
                Some(format!("Stopped at its time limit of {limit} s"))
            } else {
                None
            };
            Outcome {
                num: r.num,
                scanned,
                keys_json: None,
                cut_short: why.map(|why| {
                    format!(
                        "{why} after scanning {} keys; {} expired keys were reclaimed until then.",
                        r.scanned_keys, r.num
                    )
                }),
                nodes_json: None,
            }
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
        let runner = Runner::new(store.clone(), clock);
        let task = TaskRow {
            id: "t1".into(),
            instance_id: "i1".into(),
            kind: TaskKind::Bigkey,
            status: TaskStatus::Running,
            scan_type: ScanType::Manual,
            created_at: 1,
            started_at: Some(2),
            finished_at: None,
            num: Some(0),
            scanned_keys: None,
            error_msg: None,
            keys_json: None,
            nodes_json: None,
            pace: None,
        };
        store.insert(&task).unwrap();
        runner.active().insert(
            ("i1".into(), TaskKind::Bigkey),
            Active {
                id: "t1".into(),
                control: Control::new().0,
            },
        );
        assert!(runner.ensure_idle("i1", TaskKind::Bigkey).is_err());
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
        let stored = store.get("i1", TaskKind::Bigkey, "t1").unwrap().unwrap();
        assert_eq!(stored.status, TaskStatus::Failed);
        assert_eq!(
            stored.error_msg.as_deref(),
            Some("the analysis stopped unexpectedly")
        );
        assert!(
            runner.ensure_idle("i1", TaskKind::Bigkey).is_ok(),
            "slot freed"
        );
        assert_eq!(panic_text(e), "boom");

        // Dropped without a panic (the proxy shutting down): interrupted, as after a restart.
        let mut second = store.get("i1", TaskKind::Bigkey, "t1").unwrap().unwrap();
        second.id = "t2".into();
        second.status = TaskStatus::Running;
        (second.error_msg, second.finished_at) = (None, None);
        store.insert(&second).unwrap();
        drop(RunGuard {
            runner: runner.clone(),
            task: second,
            recorded: false,
        });
        let stored = store.get("i1", TaskKind::Bigkey, "t2").unwrap().unwrap();
        assert_eq!(
            (stored.status, stored.error_msg.as_deref()),
            (TaskStatus::Failed, Some(crate::store::INTERRUPTED))
        );
    }
}
