//! Tasks of every kind: start, list, show and stop, answered as the wire records of `dcs-api`
//! with live progress merged in. A task's truth is its stored row, overlaid by the runner with
//! what only it knows (progress while it runs, an end the store could not record); this is the
//! one place that joins the two.

use crate::config::InstanceConfig;
use crate::error::internal;
use crate::records::{analysis_task, expire_task, keyspace_record, keyspace_task, task_record};
use crate::runner::Job;
use crate::services::{backups, nodes, schedules};
use crate::state::AppState;
use crate::store::TaskRow;
use dcs_api::expire::{ExpireScanHistory, ExpireScanTask};
use dcs_api::keyspace::{CreateKeyAnalysis, KeyAnalysisList, KeyAnalysisTask};
use dcs_api::task::{AnalysisTask, BigkeyEntry, HotkeyEntry, TaskList};
use dcs_api::validate::ListQuery;
use dcs_api::{DcsError, ErrorCode, Pace, ScanType, TaskKind};
use serde::Serialize;
use std::time::Duration;

/// How long stopping waits for a task to stop (it stops at its next batch) before answering.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// One task as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Record {
    Hotkey(AnalysisTask<HotkeyEntry>),
    Bigkey(AnalysisTask<BigkeyEntry>),
    Expire(ExpireScanTask),
    Keyspace(Box<KeyAnalysisTask>),
}

/// A page of the history as the API shows it (DCS shapes the two differently).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Page {
    Analyses(TaskList),
    Expire(ExpireScanHistory),
    Keyspace(KeyAnalysisList),
}

fn record(state: &AppState, row: &TaskRow) -> Record {
    let progress = state.runner.progress(&row.instance_id, row.kind, &row.id);
    // The instance's thresholds, so every reader flags keys alike.
    let thresholds = state.instance(&row.instance_id).ok().map(|i| i.thresholds);
    match row.kind {
        TaskKind::Hotkey => Record::Hotkey(AnalysisTask {
            thresholds,
            ..analysis_task(row, progress)
        }),
        TaskKind::Bigkey => Record::Bigkey(AnalysisTask {
            thresholds,
            ..analysis_task(row, progress)
        }),
        TaskKind::Expire => Record::Expire(expire_task(row, progress)),
        TaskKind::Keyspace => Record::Keyspace(Box::new(keyspace_task(row, progress, |addr| {
            nodes::node_id(&row.instance_id, addr)
        }))),
    }
}

/// Starts a task a person asked for. What would fail at once is refused up front, without a
/// record: another task of the kind running (DCS.4918), an unreachable instance (DCS.4049) or
/// one the analysis cannot run on (hot keys without LFU: DCS.4922), the fast pace asked where
/// the instance does not allow it (DCS.2003). The check's masters go to the run, so the
/// instance is probed once.
pub async fn start(
    state: &AppState,
    inst: &InstanceConfig,
    kind: TaskKind,
    pace: Option<Pace>,
) -> Result<Record, DcsError> {
    if pace == Some(Pace::Fast) && inst.pace != Pace::Fast && !inst.allow_fast {
        return Err(DcsError::with_message(
            ErrorCode::Forbidden,
            "Fast analyses are off for this instance; set allow_fast = true (or pace = \"fast\") in its [[instances]] section to allow them.",
        ));
    }
    state.runner.ensure_idle(&inst.id, kind)?;
    let mut opts = schedules::run_options(state, inst, kind, ScanType::Manual)?;
    opts.pace = pace.unwrap_or(opts.pace);
    let masters = dcs_analyzer::prepare(kind, &inst.target, &opts)
        .await
        .map_err(|e| e.to_dcs(kind))?;
    let job = Job {
        kind,
        target: inst.target.clone(),
        opts,
        masters: Some(masters),
        backup: None,
    };
    let row = state.runner.start(&inst.id, ScanType::Manual, job)?;
    Ok(record(state, &row))
}

/// Starts a key-space analysis of the node `body` names: of its stored snapshot in backup
/// `backup_id`, or of a fresh one when there is none. Refused up front: another one running
/// (DCS.4918), a missing or unknown node (DCS.4800 listing the nodes), an unknown or unfinished
/// backup or one without the node's shard (DCS.4800 saying which), a node that should not be
/// asked for a snapshot (the analysis's unsupported code saying why).
pub async fn start_key_analysis(
    state: &AppState,
    inst: &InstanceConfig,
    body: &CreateKeyAnalysis,
) -> Result<TaskRow, DcsError> {
    let kind = TaskKind::Keyspace;
    state.runner.ensure_idle(&inst.id, kind)?;
    if let Some(id) = &body.node_id {
        dcs_api::validate::validate_id("node_id", id)?;
    }
    let node = nodes::find(state, inst, body.node_id.as_deref()).await?;
    let backup = match body.backup_id.as_deref().filter(|b| !b.is_empty()) {
        Some(id) => Some((
            id.to_string(),
            backups::snapshot_file(state, &inst.id, id, &node)?,
        )),
        None => None,
    };
    let opts = schedules::run_options(state, inst, kind, ScanType::Manual)?;
    if backup.is_none() {
        // Refused now rather than as a failed task: a node that should not be asked for a
        // snapshot (it would keep the file it writes).
        dcs_analyzer::source::check_snapshot(&node, &opts, kind)
            .await
            .map_err(|e| e.to_dcs(kind))?;
    }
    let job = Job {
        kind,
        target: inst.target.clone(),
        opts,
        masters: Some(vec![node]),
        backup,
    };
    state.runner.start(&inst.id, ScanType::Manual, job)
}

/// Starts a task a schedule fired. Nothing is checked first: whatever stops it is recorded with
/// the task, for the operator to read later.
pub fn start_scheduled(
    state: &AppState,
    inst: &InstanceConfig,
    kind: TaskKind,
) -> Result<TaskRow, DcsError> {
    let job = Job {
        kind,
        target: inst.target.clone(),
        opts: schedules::run_options(state, inst, kind, ScanType::Auto)?,
        masters: None,
        backup: None,
    };
    state.runner.start(&inst.id, ScanType::Auto, job)
}

/// A page of the history, newest first.
pub fn list(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
    q: &ListQuery,
) -> Result<Page, DcsError> {
    let (total, rows) = state.runner.list(instance_id, kind, q)?;
    let progress = |r: &TaskRow| state.runner.progress(&r.instance_id, kind, &r.id);
    Ok(match kind {
        TaskKind::Expire => {
            let records: Vec<ExpireScanTask> =
                rows.iter().map(|r| expire_task(r, progress(r))).collect();
            Page::Expire(ExpireScanHistory {
                instance_id: instance_id.to_string(),
                total,
                count: records.len() as u64,
                records,
            })
        }
        TaskKind::Keyspace => Page::Keyspace(KeyAnalysisList {
            instance_id: instance_id.to_string(),
            total,
            records: rows
                .iter()
                .map(|r| keyspace_record(r, progress(r)))
                .collect(),
        }),
        TaskKind::Hotkey | TaskKind::Bigkey => Page::Analyses(TaskList {
            instance_id: instance_id.to_string(),
            count: total,
            records: rows.iter().map(|r| task_record(r, progress(r))).collect(),
        }),
    })
}

/// One task; `None` when the id names no task of the kind on the instance.
pub fn show(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
    id: &str,
) -> Result<Option<Record>, DcsError> {
    dcs_api::validate::validate_id(kind.id_param(), id)?;
    let row = state.runner.get(instance_id, kind, id)?;
    Ok(row.map(|r| record(state, &r)))
}

/// Stops a waiting or running task. Hot and big keys: the record goes too, as DCS's `DELETE`
/// does, and the answer is the record as it was. Expired-key scans: the record stays, `failed`
/// with "Stopped on request" and the keys reclaimed until then, and the answer is that record
/// once the scan has stopped, unless `delete_record` (then it goes as for the other kinds). A
/// finished task is answered as it is; `None`: no such task.
pub async fn stop(
    state: &AppState,
    instance_id: &str,
    kind: TaskKind,
    id: &str,
    delete_record: bool,
) -> Result<Option<Record>, DcsError> {
    dcs_api::validate::validate_id(kind.id_param(), id)?;
    let cancelled = state.runner.cancel(instance_id, kind, id);
    if kind.stop_deletes() || delete_record {
        let row = state
            .store
            .delete(instance_id, kind, id)
            .map_err(internal)?;
        return Ok(row.map(|r| record(state, &r)));
    }
    if cancelled {
        let until = tokio::time::Instant::now() + STOP_WAIT;
        while state.runner.is_active(instance_id, kind, id) && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    show(state, instance_id, kind, id)
}
