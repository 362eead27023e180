//! Backups: an RDB snapshot of every master of an instance, taken by replication and written to
//! `data_dir/backups/{instance}/{backup}/{group_id}.rdb` (checked by parsing it on the way), one
//! at a time per instance. When one succeeds, the oldest beyond `[backups]` (count, then total
//! size) are removed. A write that fails (a full disk) fails the backup and removes its files,
//! so nothing half-written is ever offered for analysis. A master that should not be asked for a
//! snapshot (it would keep the file it writes for us, or its disk failed its last save:
//! `dcs_analyzer::source::check_snapshot`) is refused before anything starts.

use crate::config::InstanceConfig;
use crate::error::{internal, storage};
use crate::services::nodes;
use crate::state::AppState;
use crate::store::BackupRow;
use dcs_analyzer::conn::Node;
use dcs_api::backup::{
    status, BackupList, BackupRecord, CopyInstanceBody, CopyInstanceResponse, MAX_REMARK_CHARS,
};
use dcs_api::validate::ListQuery;
use dcs_api::{DcsError, ErrorCode, Timestamp};
use std::path::{Path, PathBuf};

fn invalid(message: String) -> DcsError {
    DcsError::with_message(ErrorCode::InvalidParameter, message)
}

/// `POST …/backups`: starts a backup and answers its id at once; it is written in the
/// background (`GET …/backups` shows `backuping`, then `succeed` or `failed` saying why).
pub async fn create(
    state: &AppState,
    inst: &InstanceConfig,
    body: &CopyInstanceBody,
) -> Result<CopyInstanceResponse, DcsError> {
    if let Some(format) = body.backup_format.as_deref() {
        if format != "rdb" {
            return Err(invalid(format!(
                "Invalid backup_format in the request: {format:?}; only \"rdb\" is offered."
            )));
        }
    }
    let remark = body.remark.clone().unwrap_or_default();
    if remark.chars().count() > MAX_REMARK_CHARS || remark.chars().any(char::is_control) {
        return Err(invalid(format!(
            "Invalid remark in the request: at most {MAX_REMARK_CHARS} characters, no control characters."
        )));
    }
    let opts = inst.options(&state.opts);
    let masters = inst
        .target
        .masters(&opts)
        .await
        .map_err(|e| e.to_dcs(dcs_api::TaskKind::Keyspace))?;
    // Refused now, not as a failed backup later: a master that would keep the file it writes.
    for master in &masters {
        dcs_analyzer::source::check_snapshot(master, &opts, dcs_api::TaskKind::Keyspace)
            .await
            .map_err(|e| e.to_dcs(dcs_api::TaskKind::Keyspace))?;
    }
    let now = state.clock.now_ms();
    let row = BackupRow {
        id: uuid::Uuid::new_v4().to_string(),
        instance_id: inst.id.clone(),
        remark,
        status: status::BACKING_UP.into(),
        size: 0,
        created_at: now,
        updated_at: now,
        error_msg: None,
    };
    if let Some(running) = state.store.insert_backup(&row).map_err(storage)? {
        return Err(DcsError::with_message(
            ErrorCode::AnalysisRunning,
            format!("A backup of this instance is being written (backup {running}); wait for it to finish."),
        ));
    }
    let id = row.id.clone();
    let state = state.clone();
    tokio::spawn(async move { write(state, row, masters, opts).await });
    Ok(CopyInstanceResponse { backup_id: id })
}

/// Writes every master's snapshot, records the outcome, then prunes.
async fn write(
    state: AppState,
    mut row: BackupRow,
    masters: Vec<Node>,
    opts: dcs_analyzer::ScanOptions,
) {
    let dir = folder(&state, &row.instance_id, &row.id);
    let (instance, target) = (row.instance_id.clone(), dir.clone());
    let written = tokio::task::spawn_blocking(move || -> Result<u64, String> {
        crate::files::private_dir(&target).map_err(|e| format!("creating the folder: {e}"))?;
        let mut size = 0;
        for master in &masters {
            let path = target.join(file_name(&instance, &master.addr));
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| format!("creating the file: {e}"))?;
            let _ = crate::files::set_mode(&path, 0o600);
            size += dcs_analyzer::snapshot::save_to(
                master,
                &opts,
                &mut file,
                &dcs_analyzer::Control::default(),
            )
            .map_err(|e| e.to_string())?;
        }
        Ok(size)
    })
    .await
    .unwrap_or_else(|e| Err(format!("the backup stopped unexpectedly: {e}")));
    row.updated_at = state.clock.now_ms();
    match written {
        Ok(size) => (row.status, row.size) = (status::SUCCEEDED.into(), size),
        Err(why) => {
            tracing::warn!(instance = %row.instance_id, backup = %row.id, "backup failed: {why}");
            let _ = std::fs::remove_dir_all(&dir);
            (row.status, row.error_msg) = (status::FAILED.into(), Some(why));
        }
    }
    if let Err(e) = state.store.finish_backup(&row) {
        tracing::error!(backup = %row.id, "cannot record the backup: {e}");
    }
    if let Err(e) = prune(&state, &row.instance_id) {
        tracing::error!(instance = %row.instance_id, "cannot prune backups: {}", e.message);
    }
}

fn folder(state: &AppState, instance_id: &str, backup_id: &str) -> PathBuf {
    state.backup_dir.join(instance_id).join(backup_id)
}

/// A master's file in a backup: named by its group (the master's node id).
fn file_name(instance_id: &str, master_addr: &str) -> String {
    format!("{}.rdb", nodes::node_id(instance_id, master_addr))
}

/// Keeps the newest backups within the limits: succeeded ones while fewer than `max_count` and
/// (after the newest) within `max_bytes` together; failed records up to `max_count`.
fn prune(state: &AppState, instance_id: &str) -> Result<(), DcsError> {
    let limits = state.backup_limits;
    let (mut kept, mut bytes, mut failed) = (0usize, 0u64, 0usize);
    for b in state.store.backups(instance_id).map_err(internal)? {
        let keep = match b.status.as_str() {
            status::SUCCEEDED => {
                let fits =
                    kept < limits.max_count && (kept == 0 || bytes + b.size <= limits.max_bytes);
                if fits {
                    (kept, bytes) = (kept + 1, bytes + b.size);
                }
                fits
            }
            status::FAILED => {
                failed += 1;
                failed <= limits.max_count
            }
            _ => true,
        };
        if !keep {
            let _ = std::fs::remove_dir_all(folder(state, instance_id, &b.id));
            state.store.delete_backup(&b.id).map_err(storage)?;
        }
    }
    Ok(())
}

fn record(b: BackupRow) -> BackupRecord {
    let ts = |ms| Timestamp::from_millis(ms).unwrap_or(Timestamp::from_millis(0).expect("epoch"));
    BackupRecord {
        backup_name: format!("backup-{}", &b.id[..8.min(b.id.len())]),
        backup_id: b.id,
        instance_id: b.instance_id,
        size: b.size,
        backup_type: "manual".into(),
        created_at: ts(b.created_at),
        updated_at: ts(b.updated_at),
        status: b.status,
        remark: b.remark,
        error_msg: b.error_msg,
        is_support_restore: "FALSE".into(),
        backup_format: "rdb".into(),
    }
}

/// `GET …/backups`: newest first, paged by `offset` and `limit`.
pub fn list(state: &AppState, instance_id: &str, q: &ListQuery) -> Result<BackupList, DcsError> {
    let all = state.store.backups(instance_id).map_err(internal)?;
    Ok(BackupList {
        total_num: all.len() as u64,
        backup_record_response: all
            .into_iter()
            .skip(usize::try_from(q.offset).unwrap_or(usize::MAX))
            .take(q.limit as usize)
            .map(record)
            .collect(),
    })
}

/// The file of `node`'s shard in backup `backup_id`; an unknown, unfinished or failed backup,
/// or one without that shard, is DCS.4800 saying so.
pub fn snapshot_file(
    state: &AppState,
    instance_id: &str,
    backup_id: &str,
    node: &Node,
) -> Result<PathBuf, DcsError> {
    dcs_api::validate::validate_id("backup_id", backup_id)?;
    let b = state
        .store
        .backup(instance_id, backup_id)
        .map_err(internal)?
        .ok_or_else(|| {
            invalid(format!(
                "Invalid backup_id in the request: no backup {backup_id} of this instance (GET …/backups lists them)."
            ))
        })?;
    if b.status != status::SUCCEEDED {
        return Err(invalid(format!(
            "Invalid backup_id in the request: backup {backup_id} is {}, not succeed.",
            b.status
        )));
    }
    let path = folder(state, instance_id, backup_id).join(file_name(instance_id, &node.shard));
    if !Path::new(&path).is_file() {
        return Err(invalid(format!(
            "Invalid backup_id in the request: backup {backup_id} holds no snapshot of {}'s shard {}.",
            node.addr, node.shard
        )));
    }
    Ok(path)
}
