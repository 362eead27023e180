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

/// Every backup of `instance_id`, newest first.
fn of_instance(c: &Connection, instance_id: &str) -> StoreResult<Vec<BackupRow>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM backups WHERE instance_id = ?1 ORDER BY created_at DESC, rowid DESC"
    ))?;
    let rows = stmt
        .query_map(params![instance_id], from_row)?
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(rows)
}

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

/// Backups a previous run was writing are failed (their partial files are removed at start:
/// `services::backups::remove_unkept`).
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

    /// Records how a backup ended and, in the same transaction, deletes the records `beyond`
    /// picks from the instance's backups as they are then (newest first, this one ended): a
    /// list never shows one more than the limits allow. Returns the ids deleted (their files
    /// are the caller's to remove).
    pub fn finish_backup(
        &self,
        b: &BackupRow,
        beyond: impl FnOnce(&[BackupRow]) -> Vec<String>,
    ) -> StoreResult<Vec<String>> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE backups SET status = ?2, size = ?3, updated_at = ?4, error_msg = ?5 WHERE id = ?1",
                params![b.id, b.status, b.size as i64, b.updated_at, b.error_msg],
            )?;
            let dropped = beyond(&of_instance(&tx, &b.instance_id)?);
            for id in &dropped {
                tx.execute("DELETE FROM backups WHERE id = ?1", params![id])?;
            }
            tx.commit()?;
            Ok(dropped)
        })
    }

    /// Every backup of the instance, newest first.
    pub fn backups(&self, instance_id: &str) -> StoreResult<Vec<BackupRow>> {
        self.with(|c| of_instance(c, instance_id))
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

    #[test]
    fn a_backup_ends_and_the_oldest_go_in_one_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), 0).unwrap();
        for (id, at) in [("old", 1), ("mid", 2)] {
            store
                .insert_backup(&BackupRow {
                    created_at: at,
                    ..row(id, status::BACKING_UP)
                })
                .unwrap();
            store
                .finish_backup(&row(id, status::SUCCEEDED), |_| Vec::new())
                .unwrap();
        }
        let new = BackupRow {
            created_at: 3,
            ..row("new", status::BACKING_UP)
        };
        store.insert_backup(&new).unwrap();
        let ended = BackupRow {
            size: 7,
            ..new.clone()
        };
        let ended = BackupRow {
            status: status::SUCCEEDED.into(),
            ..ended
        };
        let mut seen = Vec::new();
        let dropped = store
            .finish_backup(&ended, |all| {
                seen = all
                    .iter()
                    .map(|b| (b.id.clone(), b.status.clone()))
                    .collect();
                vec!["old".to_string()]
            })
            .unwrap();
        // The choice sees this backup ended, newest first; what it drops is gone with it.
        assert_eq!(
            seen,
            [
                ("new", status::SUCCEEDED),
                ("mid", status::SUCCEEDED),
                ("old", status::SUCCEEDED)
            ]
            .map(|(i, s)| (i.to_string(), s.to_string()))
        );
        assert_eq!(dropped, ["old"]);
        let ids: Vec<String> = store
            .backups("i1")
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(ids, ["new", "mid"]);
        assert_eq!(store.backup("i1", "new").unwrap().unwrap().size, 7);
    }
}
