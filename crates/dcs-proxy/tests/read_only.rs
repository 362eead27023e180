//! A data folder mounted read-only (an old one brought up for inspection): the real binary, in a
//! mount namespace of its own (`unshare`) where its data folder is a read-only bind mount, serves
//! the recorded history and refuses new tasks saying why. (A folder cannot turn read-only under
//! a running proxy: Linux refuses to remount while SQLite holds files open for writing; that
//! case — the database refusing writes — is `storage.rs`.)

mod common;

use axum::http::Method;
use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_folder_serves_its_history() {
    let f = Fixture::new();
    let (status, task) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_eq!(status, 200, "{task}");
    let id = task["id"].as_str().unwrap().to_string();
    let done = f
        .wait_terminal(&format!("/instances/lfu/bigkey-task/{id}"))
        .await;
    assert_eq!(done["status"], "success", "{done}");
    let Fixture {
        state,
        lfu,
        lru,
        dir,
        ..
    } = f;
    drop(state); // closes the database: its write-ahead log is folded in and removed
    let data = dir.path().join("data");
    assert!(
        !data.join("dcs-proxy.db-wal").exists(),
        "the database was not closed"
    );

    let port = dcs_analyzer::server::free_port().unwrap();
    let config = dir.path().join("proxy.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nproject_id = \"{PROJECT}\"\ndata_dir = {data:?}\n\
             console_dir = {dist:?}\n[auth]\ntoken = \"{TOKEN}\"\n\
             [[instances]]\nid = \"lfu\"\nname = \"lfu-cache\"\nurl = \"{}\"\n\
             [[instances]]\nid = \"lru\"\nname = \"lru-cache\"\nurl = \"{}\"\n",
            lfu.url(),
            lru.url(),
            dist = dir.path().join("dist"),
        ),
    )
    .unwrap();
    let _proxy = serve_in_namespace(
        r#"mount --bind "$1" "$1" && mount -o remount,ro,bind "$1""#,
        &data,
        &config,
    );
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/v2/{PROJECT}");
    let get = |path: &str| {
        client
            .get(format!("{base}{path}"))
            .header("X-Auth-Token", TOKEN)
            .send()
    };
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    let list = loop {
        if let Ok(resp) = get("/instances/lfu/bigkey-tasks").await {
            break resp.json::<serde_json::Value>().await.unwrap();
        }
        assert!(
            tokio::time::Instant::now() < until,
            "the proxy did not start on a read-only data folder"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(list["records"][0]["id"], id.as_str(), "{list}");
    assert_eq!(list["records"][0]["status"], "success", "{list}");
    let shown: serde_json::Value = get(&format!("/instances/lfu/bigkey-task/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["keys"], done["keys"], "the whole result is served");

    let refused = client
        .post(format!("{base}/instances/lfu/bigkey-task"))
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 500);
    let body: serde_json::Value = refused.json().await.unwrap();
    let why = body["error_msg"].as_str().unwrap();
    assert!(
        why.contains("database refused the write") && why.contains("readonly"),
        "{why}"
    );
    // The bind mount lived in the proxy's own namespace: here the folder is writable as before.
    assert!(std::fs::write(data.join("still-writable"), b"").is_ok());
}
