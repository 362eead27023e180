//! Backups as stored: one row per backup of an instance; its files live in the data folder
//! (see `services::backups`).

use super::{Store, StoreResult, INTERRUPTED};
use dcs_api::backup::status;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// One backup. Times are milliseconds since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct BackupRow {
    pub id: String,
    pub instance_id: String,
    pub remark: String,
    /// `backuping`, `succeed` or `failed` (`dcs_api::backup::status`).
    pub status: String,
    pub size: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub error_msg: Option<String>,
}

const COLUMNS: &str = "id, instance_id, remark, status, size, created_at, updated_at, error_msg";

fn from_row(r: &Row<'_>) -> rusqlite::Result<BackupRow> {
    Ok(BackupRow {
        id: r.get(0)?,
        instance_id: r.get(1)?,
        remark: r.get(2)?,
        status: r.get(3)?,
        size: r.get::<_, i64>(4)? as u64,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        error_msg: r.get(7)?,
    })
}

/// Backups a previous run was writing are failed (their partial files are removed with them).
pub(super) fn fail_interrupted(conn: &Connection, now_ms: i64) -> StoreResult<()> {
    conn.execute(
        "UPDATE backups SET status = ?1, error_msg = ?2, updated_at = ?3 WHERE status = ?4",
        params![status::FAILED, INTERRUPTED, now_ms, status::BACKING_UP],
    )?;
    Ok(())
}

impl Store {
    /// Adds a backup unless one of the instance is being written; returns that one's id then.
    pub fn insert_backup(&self, b: &BackupRow) -> StoreResult<Option<String>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let running: Option<String> = tx
                .query_row(
                    "SELECT id FROM backups WHERE instance_id = ?1 AND status = ?2",
                    params![b.instance_id, status::BACKING_UP],
                    |r| r.get(0),
                )
                .optional()?;
            if running.is_some() {
                return Ok(running);
            }
            tx.execute(
                &format!("INSERT INTO backups ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    b.id,
                    b.instance_id,
                    b.remark,
                    b.status,
                    b.size as i64,
                    b.created_at,
                    b.updated_at,
                    b.error_msg
                ],
            )?;
            tx.commit()?;
            Ok(None)
        })
    }

    /// Records how a backup ended.
    pub fn finish_backup(&self, b: &BackupRow) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE backups SET status = ?2, size = ?3, updated_at = ?4, error_msg = ?5 WHERE id = ?1",
                params![b.id, b.status, b.size as i64, b.updated_at, b.error_msg],
            )?;
            Ok(())
        })
    }

    /// Every backup of the instance, newest first.
    pub fn backups(&self, instance_id: &str) -> StoreResult<Vec<BackupRow>> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM backups WHERE instance_id = ?1 ORDER BY created_at DESC, rowid DESC"
            ))?;
            let rows = stmt
                .query_map(params![instance_id], from_row)?
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(rows)
        })
    }

    pub fn backup(&self, instance_id: &str, id: &str) -> StoreResult<Option<BackupRow>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM backups WHERE instance_id = ?1 AND id = ?2"),
                params![instance_id, id],
                from_row,
            )
            .optional()
        })
    }

    pub fn delete_backup(&self, id: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute("DELETE FROM backups WHERE id = ?1", params![id])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: &str) -> BackupRow {
        BackupRow {
            id: id.into(),
            instance_id: "i1".into(),
            remark: String::new(),
            status: status.into(),
            size: 0,
            created_at: 1,
            updated_at: 1,
            error_msg: None,
        }
    }

    #[test]
    fn one_backup_at_a_time_and_a_restart_fails_the_one_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path, 0).unwrap();
        assert_eq!(
            store.insert_backup(&row("b1", status::BACKING_UP)).unwrap(),
            None
        );
        assert_eq!(
            store.insert_backup(&row("b2", status::BACKING_UP)).unwrap(),
            Some("b1".into()),
            "refused while b1 is written"
        );
        assert_eq!(store.backups("i1").unwrap().len(), 1);
        drop(store);
        let store = Store::open(&path, 5).unwrap();
        let b1 = store.backup("i1", "b1").unwrap().unwrap();
        assert_eq!(
            (b1.status.as_str(), b1.error_msg.as_deref(), b1.updated_at),
            (status::FAILED, Some(INTERRUPTED), 5)
        );
        assert_eq!(
            store.insert_backup(&row("b2", status::BACKING_UP)).unwrap(),
            None
        );
    }
}
