//! DCS's offline key analysis, locally: `logical-nodes` lists the master and its replica as the
//! servers report them; a key analysis of the replica reads its snapshot by replication and
//! reports what was seeded (types, the biggest key, the top prefix, TTL bands); list, show and
//! delete behave as DCS's; a missing or unknown node is an error naming the nodes there are.
//! Backups keep an instance's data as it was, for a later analysis, within their limits.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use dcs_analyzer::server::RedisProcess;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_analysis_of_a_node_reports_what_was_seeded() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    snapshots_at_once(&mut c).await;
    let mut pipe = redis::pipe();
    for i in 0..300 {
        pipe.cmd("SET").arg(format!("order:{i}")).arg("o").ignore();
    }
    for i in 0..40 {
        pipe.cmd("SET")
            .arg(format!("session:{i}"))
            .arg("s")
            .arg("EX")
            .arg(600)
            .ignore();
    }
    let fields: Vec<(String, String)> = (0..2000)
        .map(|i| (format!("f{i}"), "x".repeat(20)))
        .collect();
    pipe.cmd("HSET").arg("cart:big").arg(&fields).ignore();
    let _: () = pipe.query_async(&mut c).await.unwrap();
    let replica = RedisProcess::start_replica_of(&f.lfu, &[]).unwrap();
    replica.wait_in_sync().unwrap();

    // The nodes: the master, then its replica, in one group.
    let (status, nodes) = f.get("/instances/lfu/logical-nodes").await;
    assert_eq!(status, StatusCode::OK, "{nodes}");
    assert_eq!(nodes["total"], 2);
    let roles: Vec<(&str, &str)> = nodes["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["node_role"].as_str().unwrap(),
                n["node_port"].as_str().unwrap(),
            )
        })
        .collect();
    let (master_port, replica_port) = (f.lfu.port.to_string(), replica.port.to_string());
    assert_eq!(
        roles,
        [
            ("master", master_port.as_str()),
            ("slave", replica_port.as_str())
        ]
    );
    assert_eq!(
        nodes["nodes"][0]["group_name"],
        nodes["nodes"][1]["group_name"]
    );
    let replica_id = nodes["nodes"][1]["node_id"].as_str().unwrap().to_string();

    // No node, an unknown one, a backup: refused, saying what there is.
    let path = "/instances/lfu/offline/key-analysis";
    for (body, says) in [
        (json!({}), "node_id is required"),
        (json!({"node_id": "no-such-node"}), "names no node"),
        (
            json!({"node_id": replica_id, "backup_id": "b-1"}),
            "no backup b-1",
        ),
    ] {
        let (status, e) = f.call(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {e}");
        assert_eq!(e["error_code"], "DCS.4800");
        let msg = e["error_msg"].as_str().unwrap();
        assert!(msg.contains(says), "{body}: {msg}");
        if !says.contains("backup") {
            assert!(
                msg.contains(&replica_id) && msg.contains(&replica_port),
                "{msg}"
            );
        }
    }

    let (status, created) = f
        .call(Method::POST, path, Some(json!({"node_id": replica_id})))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["task_id"].as_str().unwrap().to_string();
    let done = f.wait_terminal(&format!("{path}/{id}")).await;
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(
        (
            done["node_id"].as_str(),
            done["node_ip"].as_str(),
            done["analysis_type"].as_str()
        ),
        (
            Some(replica_id.as_str()),
            Some("127.0.0.1"),
            Some("new_backup")
        )
    );
    assert_eq!(done["total_num"], 341);
    assert_eq!(done["largest_keys"][0]["key"], "cart:big");
    assert_eq!(done["largest_keys"][0]["num_of_elem"], 2000);
    // The tree by memory: the one big hash outweighs the 300 small orders.
    let tree = done["prefix_tree"].as_array().unwrap();
    let node = |i: usize| (tree[i]["prefix"].as_str(), tree[i]["num"].as_u64());
    assert_eq!(
        [node(0), node(1), node(2)],
        [
            (Some("cart:"), Some(1)),
            (Some("order:"), Some(300)),
            (Some("session:"), Some(40))
        ]
    );
    let band = |name: &str| {
        done["ttl"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["ttl"] == name)
            .map_or(0, |b| b["num"].as_u64().unwrap())
    };
    assert_eq!((band("none"), band("<1h")), (301, 40));
    let types: Vec<(String, u64)> = done["type_num"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["type"].as_str().unwrap().into(),
                t["num"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(types, [("string".into(), 340), ("hash".into(), 1)]);

    // The history, then DELETE: answered with the id, and the record is gone.
    let (_, list) = f.get(path).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["records"][0]["id"], id.as_str());
    assert_eq!(list["records"][0]["status"], "success");
    let (status, deleted) = f.call(Method::DELETE, &format!("{path}/{id}"), None).await;
    assert_eq!(
        (status, deleted["task_id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    let (status, _) = f.get(&format!("{path}/{id}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, list) = f.get(path).await;
    assert_eq!(list["total"], 0);
}

/// Waits (with a deadline) until `path` is gone; `what` says what it is. A pruned backup's
/// record goes in the write of the new one's outcome, its files right after.
async fn wait_gone(path: &std::path::Path, what: &str) {
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while path.exists() {
        assert!(
            tokio::time::Instant::now() < until,
            "{what} stays: {}",
            path.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Polls the backup list until `id` leaves `backuping` (with a deadline).
async fn wait_backup(f: &Fixture, id: &str) -> serde_json::Value {
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, list) = f.get("/instances/lfu/backups?limit=100").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let b = list["backup_record_response"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["backup_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("backup {id} not listed: {list}"));
        if b["status"] != "backuping" {
            return b;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "backup did not finish: {b}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Backs the instance up and waits for it to succeed; returns its id.
async fn backup(f: &Fixture, remark: &str) -> String {
    let body = json!({"remark": remark, "backup_format": "rdb"});
    let (status, created) = f
        .call(Method::POST, "/instances/lfu/backups", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["backup_id"].as_str().unwrap().to_string();
    let b = wait_backup(f, &id).await;
    assert_eq!(b["status"], "succeed", "{b}");
    assert!(b["size"].as_u64().unwrap() > 100, "{b}");
    assert_eq!(b["remark"], remark);
    id
}

/// Runs a key analysis of `node_id` (of a backup when given) to its end.
async fn analyse(f: &Fixture, node_id: &str, backup_id: Option<String>) -> serde_json::Value {
    let path = "/instances/lfu/offline/key-analysis";
    let body = json!({"node_id": node_id, "backup_id": backup_id});
    let (status, created) = f.call(Method::POST, path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["task_id"].as_str().unwrap().to_string();
    f.wait_terminal(&format!("{path}/{id}")).await
}

/// A backup keeps the data as it was: analysed after the keys are gone, it still reports them
/// (`old_backup`). Beyond `[backups] max_count` the oldest is removed with its files; bad
/// bodies and unknown backups are refused saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_is_analysed_as_it_was_and_the_oldest_are_pruned() {
    let mut f = Fixture::new();
    f.state.backup_limits = dcs_proxy::config::BackupLimits {
        max_count: 2,
        max_bytes: 1 << 30,
    };
    let mut c = f.redis(&f.lfu.url()).await;
    snapshots_at_once(&mut c).await;
    let mut pipe = redis::pipe();
    for i in 0..100 {
        pipe.cmd("SET").arg(format!("then:{i}")).arg(i).ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();

    for (body, says) in [
        (json!({"backup_format": "aof"}), "only \"rdb\""),
        (json!({"remark": "x".repeat(256)}), "at most 255"),
        (json!({"remark": "a", "extra": 1}), "unknown field"),
    ] {
        let (status, e) = f
            .call(Method::POST, "/instances/lfu/backups", Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            e["error_msg"].as_str().unwrap().contains(says),
            "{body}: {e}"
        );
    }

    let first = backup(&f, "with 100 keys").await;
    let _: () = redis::cmd("FLUSHALL").query_async(&mut c).await.unwrap();
    let _: () = redis::cmd("SET")
        .arg("now:1")
        .arg(1)
        .query_async(&mut c)
        .await
        .unwrap();

    let (_, nodes) = f.get("/instances/lfu/logical-nodes").await;
    let node_id = nodes["nodes"][0]["node_id"].as_str().unwrap().to_string();
    let path = "/instances/lfu/offline/key-analysis";
    for (backup_id, says) in [("no-such-backup", "no backup"), ("bad id!", "backup_id")] {
        let body = json!({"node_id": node_id, "backup_id": backup_id});
        let (status, e) = f.call(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(e["error_msg"].as_str().unwrap().contains(says), "{e}");
    }
    let then = analyse(&f, &node_id, Some(first.clone())).await;
    assert_eq!(
        (
            then["status"].as_str(),
            then["total_num"].as_u64(),
            then["analysis_type"].as_str(),
            then["backup_id"].as_str()
        ),
        (
            Some("success"),
            Some(100),
            Some("old_backup"),
            Some(first.as_str())
        )
    );
    let now = analyse(&f, &node_id, None).await;
    assert_eq!(
        (now["total_num"].as_u64(), now["analysis_type"].as_str()),
        (Some(1), Some("new_backup"))
    );

    // Two more: the first is pruned, files and all.
    let folder = f.dir.path().join("data/backups/lfu");
    assert!(folder.join(&first).is_dir());
    let second = backup(&f, "second").await;
    let third = backup(&f, "third").await;
    let (_, list) = f.get("/instances/lfu/backups").await;
    let ids: Vec<&str> = list["backup_record_response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["backup_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [third.as_str(), second.as_str()]);
    assert_eq!(list["total_num"], 2);
    wait_gone(&folder.join(&first), "the pruned backup's folder").await;
    let body = json!({"node_id": node_id, "backup_id": first});
    let (status, _) = f.call(Method::POST, path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// One key analysis at a time per instance (DCS.4918 naming it), and `DELETE` stops a running
/// one — here held by the server's wait before a diskless transfer — freeing the slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_analysis_at_a_time_and_delete_stops_it() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("repl-diskless-sync-delay")
        .arg(3)
        .query_async(&mut c)
        .await
        .unwrap();
    let (_, nodes) = f.get("/instances/lfu/logical-nodes").await;
    let body = json!({"node_id": nodes["nodes"][0]["node_id"]});
    let path = "/instances/lfu/offline/key-analysis";
    let (status, first) = f.call(Method::POST, path, Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let id = first["task_id"].as_str().unwrap().to_string();
    let (status, e) = f.call(Method::POST, path, Some(body.clone())).await;
    assert_eq!(
        (status, e["error_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("DCS.4918"))
    );
    let msg = e["error_msg"].as_str().unwrap();
    assert!(
        msg.contains("key-space analysis") && msg.contains(&id),
        "{msg}"
    );

    let (status, deleted) = f.call(Method::DELETE, &format!("{path}/{id}"), None).await;
    assert_eq!(
        (status, deleted["task_id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    // The slot frees once the run has stopped (within the server's next keep-alive line).
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, next) = f.call(Method::POST, path, Some(body.clone())).await;
        if status == StatusCode::OK {
            assert!(next["task_id"].as_str().is_some_and(|n| n != id));
            break;
        }
        assert_eq!(next["error_code"], "DCS.4918", "{next}");
        assert!(
            tokio::time::Instant::now() < until,
            "the deleted analysis kept its slot"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Beyond `[backups] max_mb` the oldest go (the newest always stays, however large).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_beyond_the_size_cap_are_pruned() {
    let mut f = Fixture::new();
    f.state.backup_limits = dcs_proxy::config::BackupLimits {
        max_count: 10,
        max_bytes: 1,
    };
    let mut c = f.redis(&f.lfu.url()).await;
    snapshots_at_once(&mut c).await;
    let mut pipe = redis::pipe();
    pipe.cmd("SET").arg("k").arg("v").ignore();
    let _: () = pipe.query_async(&mut c).await.unwrap();
    let older = backup(&f, "older").await;
    let newer = backup(&f, "newer").await;
    let (_, list) = f.get("/instances/lfu/backups").await;
    assert_eq!(list["total_num"], 1, "{list}");
    assert_eq!(
        list["backup_record_response"][0]["backup_id"],
        newer.as_str()
    );
    let folder = f.dir.path().join("data/backups/lfu");
    wait_gone(&folder.join(&older), "the pruned backup's folder").await;
    assert!(folder.join(&newer).is_dir());
}

/// A master that writes a replica's snapshot to its disk (`repl-diskless-sync no`) and neither
/// persists nor removes that file would load it on its next start: a backup and a key analysis
/// of it are refused at once (DCS.4919, saying why and what to do) and nothing is written on
/// it. Told to remove such files (`rdb-del-sync-files yes`), it is backed up and keeps none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_that_would_stay_on_the_server_is_refused() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    let admin = c.clone();
    let config_set = |name: &'static str, value: &'static str| {
        let mut c = admin.clone();
        async move {
            let _: () = redis::cmd("CONFIG")
                .arg("SET")
                .arg(name)
                .arg(value)
                .query_async(&mut c)
                .await
                .unwrap();
        }
    };
    config_set("repl-diskless-sync", "no").await;
    let _: () = redis::cmd("SET")
        .arg("a")
        .arg("1")
        .query_async(&mut c)
        .await
        .unwrap();
    let (_, nodes) = f.get("/instances/lfu/logical-nodes").await;
    let node_id = nodes["nodes"][0]["node_id"].as_str().unwrap().to_string();
    let dump = f.lfu.dir().join("dump.rdb");
    let refusals = [
        ("/instances/lfu/backups", json!({"backup_format": "rdb"})),
        (
            "/instances/lfu/offline/key-analysis",
            json!({"node_id": node_id}),
        ),
    ];
    for (path, body) in &refusals {
        let (status, e) = f.call(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {e}");
        assert_eq!(e["error_code"], "DCS.4919", "{path}: {e}");
        let msg = e["error_msg"].as_str().unwrap();
        for words in [
            "would stay there",
            "rdb-del-sync-files yes",
            "repl-diskless-sync yes",
        ] {
            assert!(msg.contains(words), "{path}: {words}: {msg}");
        }
    }
    let (_, list) = f.get("/instances/lfu/backups").await;
    assert_eq!(list["total_num"], 0, "{list}");
    let (_, tasks) = f.get("/instances/lfu/offline/key-analysis").await;
    assert_eq!(tasks["total"], 0, "{tasks}");
    assert!(!dump.exists());

    config_set("rdb-del-sync-files", "yes").await;
    backup(&f, "removed after").await;
    wait_gone(&dump, "the file the server wrote for us").await;
}
