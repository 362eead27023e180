//! DCS's offline key analysis, locally: `logical-nodes` lists the master and its replica as the
//! servers report them; a key analysis of the replica reads its snapshot by replication and
//! reports what was seeded (types, the biggest key, the top prefix, TTL bands); list, show and
//! delete behave as DCS's; a missing or unknown node is an error naming the nodes there are.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use dcs_analyzer::server::RedisProcess;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_analysis_of_a_node_reports_what_was_seeded() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    let mut pipe = redis::pipe();
    // Snapshots without the 5 s wait Redis 7.0 leaves for other replicas to join a transfer.
    pipe.cmd("CONFIG")
        .arg("SET")
        .arg("repl-diskless-sync-delay")
        .arg(0)
        .ignore();
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
            "keeps no backups",
        ),
    ] {
        let (status, e) = f.call(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {e}");
        assert_eq!(e["error_code"], "DCS.4800");
        let msg = e["error_msg"].as_str().unwrap();
        assert!(msg.contains(says), "{body}: {msg}");
        if says != "keeps no backups" {
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
