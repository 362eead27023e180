//! Stored tasks as the wire types of `dcs-api`, with live progress while they run.

use crate::store::TaskRow;
use dcs_analyzer::Progress;
use dcs_api::expire::ExpireScanTask;
use dcs_api::task::{AnalysisTask, TaskRecord};
use dcs_api::Timestamp;
use serde::de::DeserializeOwned;

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms).unwrap_or(Timestamp::from_millis(0).expect("epoch"))
}

/// Extension fields of an active task: `progress` 0–100 and `scanned_keys`.
fn live(row: &TaskRow, progress: Option<Progress>) -> (Option<u8>, Option<u64>) {
    match (row.status.is_terminal(), progress) {
        (true, _) => (None, row.scanned_keys),
        (false, Some(p)) => (Some(p.percent()), Some(p.scanned)),
        (false, None) => (Some(0), None),
    }
}

/// A hot-key or big-key task; `keys` only once it has succeeded.
pub fn analysis_task<K: DeserializeOwned>(
    row: &TaskRow,
    progress: Option<Progress>,
) -> AnalysisTask<K> {
    let (progress, scanned_keys) = live(row, progress);
    AnalysisTask {
        id: row.id.clone(),
        instance_id: row.instance_id.clone(),
        status: row.status,
        scan_type: row.scan_type,
        created_at: ts(row.created_at),
        started_at: row.started_at.map(ts),
        finished_at: row.finished_at.map(ts),
        num: row.num,
        keys: row
            .keys_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        progress,
        scanned_keys,
        error_msg: row.error_msg.clone(),
        analyzed_on: row
            .nodes_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
    }
}

/// A list row.
pub fn task_record(row: &TaskRow, progress: Option<Progress>) -> TaskRecord {
    TaskRecord {
        id: row.id.clone(),
        instance_id: Some(row.instance_id.clone()),
        scan_type: row.scan_type,
        status: row.status,
        created_at: ts(row.created_at),
        started_at: row.started_at.map(ts),
        finished_at: row.finished_at.map(ts),
        progress: live(row, progress).0,
        error_msg: row.error_msg.clone(),
    }
}

/// An expired-key scan (`num` = keys reclaimed, once finished).
pub fn expire_task(row: &TaskRow, progress: Option<Progress>) -> ExpireScanTask {
    let (progress, scanned_keys) = live(row, progress);
    ExpireScanTask {
        id: row.id.clone(),
        instance_id: row.instance_id.clone(),
        status: row.status,
        scan_type: row.scan_type,
        num: row.num,
        created_at: ts(row.created_at),
        started_at: row.started_at.map(ts),
        finished_at: row.finished_at.map(ts),
        progress,
        scanned_keys,
        error_msg: row.error_msg.clone(),
    }
}
