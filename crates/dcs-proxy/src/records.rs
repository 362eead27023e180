//! Stored tasks as the wire types of `dcs-api`, with live progress while they run.

use crate::store::TaskRow;
use dcs_analyzer::Progress;
use dcs_api::expire::ExpireScanTask;
use dcs_api::keyspace::{KeyAnalysisRecord, KeyAnalysisTask};
use dcs_api::task::{AnalysisTask, AnalyzedNode, TaskRecord};
use dcs_api::Timestamp;
use serde::de::DeserializeOwned;

/// A stored time (ms since the epoch) as sent; one out of range (a damaged row) is the epoch.
pub fn ts(ms: i64) -> Timestamp {
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
        analyzed_on: analyzed_on(row),
        thresholds: None,
        pace: row.pace,
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
        pace: row.pace,
        analyzed_on: analyzed_on(row),
    }
}

/// Where each shard was read, as recorded (none for a damaged row).
fn analyzed_on(row: &TaskRow) -> Option<Vec<AnalyzedNode>> {
    row.nodes_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
}

/// A key-space analysis: the node it reads (recorded when it starts) and, once it has
/// succeeded, the report. `node_id` turns a node's `ip:port` into its id.
pub fn keyspace_task(
    row: &TaskRow,
    progress: Option<Progress>,
    node_id: impl Fn(&str) -> String,
) -> KeyAnalysisTask {
    let node: Option<AnalyzedNode> = row
        .nodes_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<Vec<AnalyzedNode>>(j).ok())
        .and_then(|n| n.into_iter().next());
    let (addr, group, backup_id) =
        node.map_or(Default::default(), |n| (n.node, n.shard, n.backup_id));
    let live = (!row.status.is_terminal()).then(|| progress.unwrap_or_default());
    KeyAnalysisTask {
        id: row.id.clone(),
        instance_id: row.instance_id.clone(),
        node_id: node_id(&addr),
        analysis_type: if backup_id.is_some() {
            "old_backup"
        } else {
            "new_backup"
        }
        .into(),
        backup_id: backup_id.unwrap_or_default(),
        group_name: group,
        node_ip: addr
            .rsplit_once(':')
            .map_or(addr.clone(), |(ip, _)| ip.into()),
        node_type: "redis-server".into(),
        status: row.status,
        created_at: ts(row.created_at),
        started_at: row.started_at.map(ts),
        finished_at: row.finished_at.map(ts),
        progress: live.map(|p| p.percent()),
        bytes_parsed: live.map(|p| p.scanned),
        error_msg: row.error_msg.clone(),
        report: row
            .keys_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default(),
    }
}

/// A key-space analysis as its list shows it.
pub fn keyspace_record(row: &TaskRow, progress: Option<Progress>) -> KeyAnalysisRecord {
    KeyAnalysisRecord {
        id: row.id.clone(),
        status: row.status,
        created_at: ts(row.created_at),
        started_at: row.started_at.map(ts),
        finished_at: row.finished_at.map(ts),
        progress: live(row, progress).0,
        error_msg: row.error_msg.clone(),
    }
}
