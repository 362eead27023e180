//! Storage faults lose nothing silently: while the database refuses writes (here: another
//! process holds SQLite's write lock, as a backup tool or an `sqlite3` shell can), a running task
//! still ends — as failed, saying why — the instance is freed, reads keep working and show it,
//! and once writes are accepted again the outcome is written to the database.

mod common;

use axum::http::Method;
use common::*;
use std::time::Duration;

async fn wait_status(f: &Fixture, path: &str, done: impl Fn(&str) -> bool) -> serde_json::Value {
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = f.get(path).await;
        if body["status"].as_str().is_some_and(&done) {
            return body;
        }
        assert!(tokio::time::Instant::now() < until, "{path}: still {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_refuses_writes_loses_nothing() {
    let mut f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    let mut pipe = redis::pipe();
    for i in 0..3000 {
        pipe.cmd("SET").arg(format!("k:{i}")).arg("v").ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    let (status, first) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_eq!(status, 200, "{first}");
    let first_path = format!(
        "/instances/lfu/bigkey-task/{}",
        first["id"].as_str().unwrap()
    );
    wait_status(&f, &first_path, |s| s == "success").await;

    // Slow, so that the next task is running when the database stops taking writes.
    f.slow_down();
    let (status, task) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_eq!(status, 200, "{task}");
    let path = format!(
        "/instances/lfu/bigkey-task/{}",
        task["id"].as_str().unwrap()
    );
    let db = f.dir.path().join("data/dcs-proxy.db");
    let locker = rusqlite::Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let ended = wait_status(&f, &path, |s| s == "failed").await;
    let why = ended["error_msg"].as_str().unwrap();
    assert!(
        why.contains("could not be recorded") && why.contains("locked"),
        "{why}"
    );
    let (status, list) = f.get("/instances/lfu/bigkey-tasks").await;
    assert_eq!(status, 200, "reads keep working: {list}");
    let statuses: Vec<&str> = list["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "success"], "nothing recorded is lost");
    let (status, earlier) = f.get(&first_path).await;
    assert_eq!(
        (status.as_u16(), earlier["status"].as_str()),
        (200, Some("success"))
    );
    assert!(earlier["keys"].as_array().is_some_and(|k| !k.is_empty()));

    // A new task cannot be recorded either: refused, saying why — not "already running".
    let (status, refused) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_eq!(status.as_u16(), 500, "{refused}");
    assert_eq!(refused["error_code"], "DCS.5000");
    assert!(
        refused["error_msg"]
            .as_str()
            .unwrap()
            .contains("database refused the write"),
        "{refused}"
    );

    // Writes accepted again: the next task starts and the failure reaches the database.
    locker.execute_batch("COMMIT").unwrap();
    let (status, next) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_eq!(status, 200, "{next}");
    let (stored_status, stored_why): (String, String) = locker
        .query_row(
            "SELECT status, error_msg FROM tasks WHERE id = ?1",
            [task["id"].as_str().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (stored_status.as_str(), stored_why.as_str()),
        ("failed", why)
    );
}
