//! Task history and schedules in SQLite (the data folder's `dcs-proxy.db`).
//!
//! Every write is one transaction. At most [`MAX_RECORDS`] tasks are kept per instance and kind;
//! older ones are dropped in the same transaction that adds a new one. [`Store::open`] marks
//! tasks that were waiting or running when the proxy stopped as failed, so none is lost or stuck.

mod backups;
mod key_actions;

pub use backups::BackupRow;
use dcs_api::validate::ListQuery;
use dcs_api::{Pace, ScanType, TaskKind, TaskStatus};
pub use key_actions::KeyActionRow;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::Path;
use std::sync::Mutex;

/// Records kept per instance and kind (DCS keeps 100).
pub const MAX_RECORDS: i64 = 100;
/// `error_msg` of tasks the proxy was running when it stopped.
pub const INTERRUPTED: &str = "interrupted by proxy restart";

/// One task as stored. Times are milliseconds since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRow {
    pub id: String,
    pub instance_id: String,
    pub kind: TaskKind,
    pub status: TaskStatus,
    pub scan_type: ScanType,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub num: Option<u64>,
    pub scanned_keys: Option<u64>,
    pub error_msg: Option<String>,
    /// The result's `keys` array, as JSON.
    pub keys_json: Option<String>,
    /// Where each shard was read (`dcs_api::task::AnalyzedNode`s), as JSON.
    pub nodes_json: Option<String>,
    /// The pace it ran at (absent on tasks from before it was recorded).
    pub pace: Option<Pace>,
}

/// A stored schedule (JSON of the wire config) and when it changed.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleRow {
    pub json: String,
    pub updated_at: i64,
}

pub type StoreResult<T> = Result<T, rusqlite::Error>;

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tasks (
    id           TEXT PRIMARY KEY,
    instance_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    scan_type    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER,
    num          INTEGER,
    scanned_keys INTEGER,
    error_msg    TEXT,
    keys_json    TEXT,
    nodes_json   TEXT,
    pace         TEXT
);
CREATE INDEX IF NOT EXISTS tasks_by_instance ON tasks (instance_id, kind, created_at);
CREATE TABLE IF NOT EXISTS schedules (
    instance_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    json        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (instance_id, kind)
);
CREATE TABLE IF NOT EXISTS backups (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    remark      TEXT NOT NULL,
    status      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    error_msg   TEXT
);
";

const COLUMNS: &str =
    "id, instance_id, kind, status, scan_type, created_at, started_at, finished_at, num, scanned_keys, error_msg, keys_json, nodes_json, pace";

/// [`COLUMNS`] without the results: a list is polled every second while a task runs and shows
/// no keys, so it does not read up to 100 results each time.
const LIST_COLUMNS: &str =
    "id, instance_id, kind, status, scan_type, created_at, started_at, finished_at, num, scanned_keys, error_msg, NULL, nodes_json, pace";

fn from_row(r: &Row<'_>) -> rusqlite::Result<TaskRow> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let kind = text(2)?.parse().map_err(|_| bad(2, "unknown kind"))?;
    Ok(TaskRow {
        id: text(0)?,
        instance_id: text(1)?,
        kind,
        status: text(3)?.parse().map_err(|_| bad(3, "unknown status"))?,
        scan_type: text(4)?.parse().map_err(|_| bad(4, "unknown scan type"))?,
        created_at: r.get(5)?,
        started_at: r.get(6)?,
        finished_at: r.get(7)?,
        num: r.get::<_, Option<i64>>(8)?.map(|n| n as u64),
        scanned_keys: r.get::<_, Option<i64>>(9)?.map(|n| n as u64),
        error_msg: r.get(10)?,
        keys_json: r.get(11)?,
        nodes_json: r.get(12)?,
        pace: r.get::<_, Option<String>>(13)?.and_then(|p| p.parse().ok()),
    })
}

/// Columns added to `tasks` since its first version, each empty for the tasks before it.
const ADDED_COLUMNS: [&str; 2] = ["nodes_json", "pace"];

fn has_column(conn: &Connection, column: &str) -> bool {
    conn.prepare(&format!("SELECT {column} FROM tasks LIMIT 0"))
        .is_ok()
}

impl Store {
    /// Opens (creating) the database and fails every task a previous run left unfinished.
    pub fn open(path: &Path, now_ms: i64) -> StoreResult<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Another process holding the write lock briefly (a backup) is waited for; longer, the
        // write fails and the runner keeps the outcome in memory (see `runner.rs`).
        conn.busy_timeout(std::time::Duration::from_secs(1))?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(key_actions::SCHEMA)?;
        // Databases from before a column get it, empty for their tasks.
        for column in ADDED_COLUMNS {
            if !has_column(&conn, column) {
                conn.execute_batch(&format!("ALTER TABLE tasks ADD COLUMN {column} TEXT"))?;
            }
        }
        conn.execute(
            "UPDATE tasks SET status = 'failed', error_msg = ?1, finished_at = ?2 WHERE status IN ('waiting', 'running')",
            params![INTERRUPTED, now_ms],
        )?;
        backups::fail_interrupted(&conn, now_ms)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Opens an existing database that cannot be written (its folder is read-only): reads work,
    /// every write fails with SQLite's "readonly" error, which callers report. `immutable`, so
    /// SQLite needs no lock or `-shm` file beside it; a `-wal` file a crash left is not read.
    pub fn open_read_only(path: &Path) -> StoreResult<Store> {
        let uri = format!("file:{}?immutable=1", path.display());
        let conn = Connection::open_with_flags(
            uri,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )?;
        // Fails here, not at the first read, when there is no history to serve.
        conn.query_row("SELECT COUNT(*) FROM tasks", [], |r| r.get::<_, i64>(0))?;
        // One from before an added column cannot be altered: a view of its own (temporary, so
        // in memory) shows the columns it lacks, empty.
        let missing: Vec<String> = ADDED_COLUMNS
            .iter()
            .filter(|c| !has_column(&conn, c))
            .map(|c| format!(", NULL AS {c}"))
            .collect();
        if !missing.is_empty() {
            conn.execute_batch(&format!(
                "CREATE TEMP VIEW tasks AS SELECT *{} FROM main.tasks",
                missing.concat()
            ))?;
        }
        // One from before backups lists none.
        if conn.prepare("SELECT id FROM backups LIMIT 0").is_err() {
            conn.execute_batch(&SCHEMA.replace("IF NOT EXISTS backups", "TEMP backups"))?;
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Adds a task and drops the oldest beyond [`MAX_RECORDS`] of its instance and kind.
    pub fn insert(&self, t: &TaskRow) -> StoreResult<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                &format!("INSERT INTO tasks ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                params![
                    t.id,
                    t.instance_id,
                    t.kind.as_str(),
                    t.status.as_str(),
                    t.scan_type.as_str(),
                    t.created_at,
                    t.started_at,
                    t.finished_at,
                    t.num.map(|n| n as i64),
                    t.scanned_keys.map(|n| n as i64),
                    t.error_msg,
                    t.keys_json,
                    t.nodes_json,
                    t.pace.map(|p| p.as_str())
                ],
            )?;
            tx.execute(
                "DELETE FROM tasks WHERE instance_id = ?1 AND kind = ?2 AND id NOT IN (
                     SELECT id FROM tasks WHERE instance_id = ?1 AND kind = ?2
                     ORDER BY created_at DESC, rowid DESC LIMIT ?3)",
                params![t.instance_id, t.kind.as_str(), MAX_RECORDS],
            )?;
            tx.commit()
        })
    }

    /// `waiting → running`. False when the task is gone (deleted meanwhile).
    pub fn set_running(&self, id: &str, started_at: i64) -> StoreResult<bool> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE tasks SET status = 'running', started_at = ?2 WHERE id = ?1 AND status = 'waiting'",
                params![id, started_at],
            )?;
            Ok(n == 1)
        })
    }

    /// Records the end of a task (its result or its error) in one write.
    pub fn finish(&self, t: &TaskRow) -> StoreResult<bool> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE tasks SET status = ?2, finished_at = ?3, num = ?4, scanned_keys = ?5, error_msg = ?6, keys_json = ?7, nodes_json = ?8
                 WHERE id = ?1 AND status IN ('waiting', 'running')",
                params![
                    t.id,
                    t.status.as_str(),
                    t.finished_at,
                    t.num.map(|n| n as i64),
                    t.scanned_keys.map(|n| n as i64),
                    t.error_msg,
                    t.keys_json,
                    t.nodes_json
                ],
            )?;
            Ok(n == 1)
        })
    }

    pub fn get(&self, instance_id: &str, kind: TaskKind, id: &str) -> StoreResult<Option<TaskRow>> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM tasks WHERE id = ?1 AND instance_id = ?2 AND kind = ?3"
                ),
                params![id, instance_id, kind.as_str()],
                from_row,
            )
            .optional()
        })
    }

    /// Newest first, filtered by status; returns (matching total, page).
    pub fn list(
        &self,
        instance_id: &str,
        kind: TaskKind,
        q: &ListQuery,
    ) -> StoreResult<(u64, Vec<TaskRow>)> {
        self.with(|c| {
            let status = q.status.map(|s| s.as_str());
            let total: i64 = c.query_row(
                "SELECT COUNT(*) FROM tasks WHERE instance_id = ?1 AND kind = ?2 AND (?3 IS NULL OR status = ?3)",
                params![instance_id, kind.as_str(), status],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT {LIST_COLUMNS} FROM tasks WHERE instance_id = ?1 AND kind = ?2 AND (?3 IS NULL OR status = ?3)
                 ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5"
            ))?;
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let rows = stmt
                .query_map(params![instance_id, kind.as_str(), status, q.limit as i64, offset], from_row)?
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((total as u64, rows))
        })
    }

    /// Deletes a task, returning it as it was.
    pub fn delete(
        &self,
        instance_id: &str,
        kind: TaskKind,
        id: &str,
    ) -> StoreResult<Option<TaskRow>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let row = tx
                .query_row(
                    &format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1 AND instance_id = ?2 AND kind = ?3"),
                    params![id, instance_id, kind.as_str()],
                    from_row,
                )
                .optional()?;
            if row.is_some() {
                tx.execute("DELETE FROM tasks WHERE id = ?1", params![id])?;
            }
            tx.commit()?;
            Ok(row)
        })
    }

    pub fn schedule(&self, instance_id: &str, kind: TaskKind) -> StoreResult<Option<ScheduleRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT json, updated_at FROM schedules WHERE instance_id = ?1 AND kind = ?2",
                params![instance_id, kind.as_str()],
                |r| {
                    Ok(ScheduleRow {
                        json: r.get(0)?,
                        updated_at: r.get(1)?,
                    })
                },
            )
            .optional()
        })
    }

    pub fn put_schedule(
        &self,
        instance_id: &str,
        kind: TaskKind,
        row: &ScheduleRow,
    ) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO schedules (instance_id, kind, json, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (instance_id, kind) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at",
                params![instance_id, kind.as_str(), row.json, row.updated_at],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, created_at: i64, status: TaskStatus) -> TaskRow {
        TaskRow {
            id: id.into(),
            instance_id: "i1".into(),
            kind: TaskKind::Hotkey,
            status,
            scan_type: ScanType::Manual,
            created_at,
            started_at: None,
            finished_at: None,
            num: None,
            scanned_keys: None,
            error_msg: None,
            keys_json: None,
            nodes_json: None,
            pace: None,
        }
    }

    #[test]
    fn keeps_the_newest_hundred_and_lists_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), 0).unwrap();
        for i in 0..105 {
            let mut done = row(&format!("t{i}"), 1000 + i, TaskStatus::Success);
            done.keys_json = Some("[{\"name\":\"k\"}]".into());
            s.insert(&done).unwrap();
        }
        let all = ListQuery {
            offset: 0,
            limit: 1000,
            status: None,
        };
        let (total, rows) = s.list("i1", TaskKind::Hotkey, &all).unwrap();
        assert_eq!((total, rows.len()), (100, 100));
        assert_eq!(rows[0].id, "t104");
        assert_eq!(rows[99].id, "t5");
        assert!(
            rows.iter().all(|r| r.keys_json.is_none()),
            "a list does not read the results"
        );
        assert!(s
            .get("i1", TaskKind::Hotkey, "t104")
            .unwrap()
            .unwrap()
            .keys_json
            .is_some());
        assert!(
            s.get("i1", TaskKind::Hotkey, "t4").unwrap().is_none(),
            "oldest dropped"
        );
        assert!(
            s.get("i1", TaskKind::Bigkey, "t104").unwrap().is_none(),
            "kinds are separate"
        );
        let page = ListQuery {
            offset: 10,
            limit: 5,
            status: Some(TaskStatus::Success),
        };
        let (_, rows) = s.list("i1", TaskKind::Hotkey, &page).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["t94", "t93", "t92", "t91", "t90"]
        );
    }

    #[test]
    fn restart_fails_unfinished_tasks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let s = Store::open(&path, 0).unwrap();
            s.insert(&row("a", 1, TaskStatus::Waiting)).unwrap();
            s.insert(&row("b", 2, TaskStatus::Waiting)).unwrap();
            assert!(s.set_running("b", 3).unwrap());
            s.insert(&row("c", 4, TaskStatus::Success)).unwrap();
        }
        let s = Store::open(&path, 99).unwrap();
        for id in ["a", "b"] {
            let r = s.get("i1", TaskKind::Hotkey, id).unwrap().unwrap();
            assert_eq!(
                (r.status, r.error_msg.as_deref(), r.finished_at),
                (TaskStatus::Failed, Some(INTERRUPTED), Some(99))
            );
        }
        assert_eq!(
            s.get("i1", TaskKind::Hotkey, "c").unwrap().unwrap().status,
            TaskStatus::Success
        );
    }

    #[test]
    fn finish_does_not_resurrect_a_deleted_task() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), 0).unwrap();
        s.insert(&row("a", 1, TaskStatus::Waiting)).unwrap();
        assert!(s.delete("i1", TaskKind::Hotkey, "a").unwrap().is_some());
        let mut done = row("a", 1, TaskStatus::Success);
        done.finished_at = Some(5);
        assert!(!s.finish(&done).unwrap());
        assert!(s.get("i1", TaskKind::Hotkey, "a").unwrap().is_none());
        assert!(!s.set_running("a", 2).unwrap());
    }
}
