//! Key actions as recorded: each is written before it is done (so none happens unrecorded, even
//! when the database then refuses the outcome) and completed with what happened. At most
//! [`MAX_ACTION_RECORDS`] are kept per instance.

use super::{Store, StoreResult};
use dcs_api::key::MAX_ACTION_RECORDS;
use rusqlite::{params, Row};

/// One key action. `created_at` is milliseconds since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyActionRow {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    pub db: u32,
    /// `unlink` or `expire` (`dcs_api::KeyActionKind`).
    pub action: String,
    pub ttl: Option<u64>,
    pub outcome: String,
    pub created_at: i64,
}

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS key_actions (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    db          INTEGER NOT NULL,
    action      TEXT NOT NULL,
    ttl         INTEGER,
    outcome     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS key_actions_by_instance ON key_actions (instance_id, created_at);
";

const COLUMNS: &str = "id, instance_id, name, db, action, ttl, outcome, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<KeyActionRow> {
    Ok(KeyActionRow {
        id: r.get(0)?,
        instance_id: r.get(1)?,
        name: r.get(2)?,
        db: r.get(3)?,
        action: r.get(4)?,
        ttl: r.get::<_, Option<i64>>(5)?.map(|t| t as u64),
        outcome: r.get(6)?,
        created_at: r.get(7)?,
    })
}

impl Store {
    /// Records an action about to be done, dropping the instance's oldest beyond the cap.
    pub fn insert_key_action(&self, a: &KeyActionRow) -> StoreResult<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                &format!(
                    "INSERT INTO key_actions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ),
                params![
                    a.id,
                    a.instance_id,
                    a.name,
                    a.db,
                    a.action,
                    a.ttl.map(|t| t as i64),
                    a.outcome,
                    a.created_at
                ],
            )?;
            tx.execute(
                "DELETE FROM key_actions WHERE instance_id = ?1 AND id NOT IN (
                     SELECT id FROM key_actions WHERE instance_id = ?1
                     ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
                params![a.instance_id, MAX_ACTION_RECORDS],
            )?;
            tx.commit()
        })
    }

    /// What the action did.
    pub fn finish_key_action(&self, id: &str, outcome: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE key_actions SET outcome = ?2 WHERE id = ?1",
                params![id, outcome],
            )?;
            Ok(())
        })
    }

    /// The instance's key actions, newest first: `offset`/`limit` of them, and how many there are.
    pub fn key_actions(
        &self,
        instance_id: &str,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(u64, Vec<KeyActionRow>)> {
        self.with(|c| {
            // A database from a read-only folder, made before key actions, has no table: none.
            if c.prepare("SELECT id FROM key_actions LIMIT 0").is_err() {
                return Ok((0, Vec::new()));
            }
            let total: i64 = c.query_row(
                "SELECT COUNT(*) FROM key_actions WHERE instance_id = ?1",
                params![instance_id],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM key_actions WHERE instance_id = ?1
                 ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3"
            ))?;
            let rows = stmt
                .query_map(params![instance_id, limit, offset as i64], from_row)?
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((total as u64, rows))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: i64) -> KeyActionRow {
        KeyActionRow {
            id: format!("a{i}"),
            instance_id: "i".into(),
            name: format!("k{i}"),
            db: 0,
            action: "unlink".into(),
            ttl: None,
            outcome: "pending".into(),
            created_at: i,
        }
    }

    #[test]
    fn recorded_then_finished_newest_first_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), 0).unwrap();
        for i in 0..MAX_ACTION_RECORDS + 3 {
            store.insert_key_action(&row(i)).unwrap();
        }
        store.finish_key_action("a1002", "done").unwrap();
        let (total, rows) = store.key_actions("i", 0, 2).unwrap();
        assert_eq!(total, MAX_ACTION_RECORDS as u64);
        assert_eq!(
            rows.iter()
                .map(|r| (r.id.as_str(), r.outcome.as_str()))
                .collect::<Vec<_>>(),
            [("a1002", "done"), ("a1001", "pending")]
        );
        assert_eq!(store.key_actions("other", 0, 10).unwrap(), (0, Vec::new()));
    }
}
