//! Backups: an RDB snapshot of every master of an instance, taken by replication and written to
//! `data_dir/backups/{instance}/{backup}/{group_id}.rdb` (checked by parsing it on the way), one
//! at a time per instance. When one succeeds, the oldest beyond `[backups]` (count, then total
//! size) are removed: their records in the same write as its outcome, their files right after,
//! so no record points at files being removed. A write that fails (a full disk) fails the
//! backup and removes its files, so nothing half-written is ever offered for analysis; at start
//! the folders of no succeeded backup (one being written when the proxy stopped, or pruned as
//! it stopped) are removed ([`remove_unkept`]). A master that should not be asked for a
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

/// Writes every master's snapshot, then records the outcome and prunes ([`beyond_limits`]).
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
    // The outcome and the pruning are one write: a list never shows more than the limits.
    let limits = state.backup_limits;
    match state
        .store
        .finish_backup(&row, |all| beyond_limits(all, limits))
    {
        // Their records are gone first: no record ever points at files being removed.
        Ok(dropped) => {
            for id in dropped {
                let _ = std::fs::remove_dir_all(folder(&state, &row.instance_id, &id));
            }
        }
        Err(e) => tracing::error!(backup = %row.id, "cannot record the backup: {e}"),
    }
}

/// At start, before any backup is written: removes the folders under `backup_dir`
/// (`{instance}/{backup}`) of no succeeded backup — a backup a stopped proxy was writing (its
/// record failed by [`crate::store::Store::open`]), or one pruned just before it stopped (its
/// record gone, its files not yet). Only real folders are touched; what cannot be read or
/// removed is logged and left.
pub fn remove_unkept(store: &crate::store::Store, backup_dir: &Path) {
    let dirs = |at: &Path| -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(at) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .collect()
    };
    for (instance, at) in dirs(backup_dir) {
        for (id, folder) in dirs(&at) {
            let kept = match store.backup(&instance, &id) {
                Ok(b) => b.is_some_and(|b| b.status == status::SUCCEEDED),
                Err(e) => {
                    tracing::warn!(folder = %folder.display(), "cannot tell whether it is kept: {e}");
                    true
                }
            };
            if !kept {
                match std::fs::remove_dir_all(&folder) {
                    Ok(()) => {
                        tracing::info!(folder = %folder.display(), "removed the files of no kept backup")
                    }
                    Err(e) => tracing::warn!(folder = %folder.display(), "cannot remove: {e}"),
                }
            }
        }
    }
}

fn folder(state: &AppState, instance_id: &str, backup_id: &str) -> PathBuf {
    state.backup_dir.join(instance_id).join(backup_id)
}

/// A master's file in a backup: named by its group (the master's node id).
fn file_name(instance_id: &str, master_addr: &str) -> String {
    format!("{}.rdb", nodes::node_id(instance_id, master_addr))
}

/// The backups beyond the limits, of an instance's `all` (newest first): succeeded ones are kept
/// while fewer than `max_count` and (after the newest) within `max_bytes` together; failed
/// records up to `max_count`; one being written always.
fn beyond_limits(all: &[BackupRow], limits: crate::config::BackupLimits) -> Vec<String> {
    let (mut kept, mut bytes, mut failed) = (0usize, 0u64, 0usize);
    let mut beyond = Vec::new();
    for b in all {
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
            beyond.push(b.id.clone());
        }
    }
    beyond
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BackupLimits;

    fn b(id: &str, status: &str, size: u64) -> BackupRow {
        BackupRow {
            id: id.into(),
            instance_id: "i".into(),
            remark: String::new(),
            status: status.into(),
            size,
            created_at: 0,
            updated_at: 0,
            error_msg: None,
        }
    }

    #[test]
    fn beyond_the_limits_are_the_oldest_by_count_then_size() {
        let (ok, failed, writing) = (status::SUCCEEDED, status::FAILED, status::BACKING_UP);
        let limits = BackupLimits {
            max_count: 2,
            max_bytes: 10,
        };
        let all = [
            b("w", writing, 0),
            b("s1", ok, 8),
            b("f1", failed, 0),
            b("s2", ok, 2),
            b("f2", failed, 0),
            b("s3", ok, 1),
            b("f3", failed, 0),
        ];
        // Two succeeded at most, failed records up to two; one being written stays.
        assert_eq!(beyond_limits(&all, limits), ["s3", "f3"]);
        // The newest stays whatever its size; the next only if both fit.
        let big = [b("s1", ok, 50), b("s2", ok, 1), b("s3", ok, 1)];
        assert_eq!(beyond_limits(&big, limits), ["s2", "s3"]);
        let fits = [b("s1", ok, 9), b("s2", ok, 1)];
        assert!(beyond_limits(&fits, limits).is_empty());
    }

    #[test]
    fn at_start_only_succeeded_backups_keep_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("t.db"), 0).unwrap();
        let row = |id: &str, at| BackupRow {
            created_at: at,
            ..b(id, status::BACKING_UP, 0)
        };
        // "kept" succeeded; "cut" was being written when the proxy stopped.
        store.insert_backup(&row("kept", 1)).unwrap();
        store
            .finish_backup(&b("kept", status::SUCCEEDED, 9), |_| Vec::new())
            .unwrap();
        store.insert_backup(&row("cut", 2)).unwrap();
        drop(store);
        let store = crate::store::Store::open(&dir.path().join("t.db"), 5).unwrap();
        let backups = dir.path().join("backups");
        let folder = |id: &str| backups.join("i").join(id);
        for id in ["kept", "cut", "pruned"] {
            std::fs::create_dir_all(folder(id)).unwrap();
            std::fs::write(folder(id).join("g.rdb"), b"REDIS").unwrap();
        }
        // Not a backup's folder: a file beside them, and a link to a folder elsewhere.
        std::fs::write(backups.join("i").join("note"), b"x").unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, backups.join("i").join("link")).unwrap();
        remove_unkept(&store, &backups);
        assert!(folder("kept").join("g.rdb").is_file());
        assert!(!folder("cut").exists() && !folder("pruned").exists());
        assert!(backups.join("i").join("note").is_file() && elsewhere.is_dir());
        // Nothing there at all: nothing to do.
        remove_unkept(&store, &dir.path().join("none"));
    }
}
