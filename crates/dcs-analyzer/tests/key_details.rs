//! One key looked at closely on a cluster: each key is read on the master that owns it (the
//! others answer MOVED), actions reach that master, and a key no master has is `None`.

mod common;

use common::*;
use dcs_analyzer::{key_details, ScanOptions, Target};

#[tokio::test]
async fn on_a_cluster_each_key_is_read_and_changed_on_its_own_master() {
    let cluster = lfu_cluster();
    let target = Target::Cluster(cluster.urls());
    let opts = ScanOptions::default();
    let mut owners = Vec::new();
    for i in 0..6 {
        let key = format!("user:{i}");
        let owner = cluster_write(&cluster, |c| {
            c.arg("RPUSH").arg(&key).arg(vec!["a", "b", "c"]);
        })
        .await;
        owners.push((key, owner));
    }
    let distinct: std::collections::BTreeSet<&String> = owners.iter().map(|(_, o)| o).collect();
    assert!(distinct.len() > 1, "the keys span masters: {owners:?}");
    for (key, owner) in &owners {
        let d = key_details::details(&target, &opts, 0, key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{key} not found"));
        assert_eq!((&d.shard, d.size), (owner, 3), "{key}");
        assert_eq!(d.elements, ["a", "b", "c"]);
    }
    assert!(key_details::details(&target, &opts, 0, "nobody")
        .await
        .unwrap()
        .is_none());

    let (key, owner) = &owners[0];
    let mut found = key_details::find(&target, &opts, 0, key)
        .await
        .unwrap()
        .unwrap();
    assert!(key_details::expire(&mut found, 50).await.unwrap());
    let mut conn = connect(&format!("redis://{owner}"), 0).await;
    let ttl: i64 = redis::cmd("TTL")
        .arg(key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((1..=50).contains(&ttl), "{ttl}");
    assert!(key_details::unlink(&mut found).await.unwrap());
    assert!(
        !key_details::unlink(&mut found).await.unwrap(),
        "gone already"
    );
}

/// Valkey 8.1 (a second server implementation) answers the same reads: every type's details and
/// first elements, and `UNLINK`.
#[tokio::test]
async fn valkey_keys_read_as_redis_keys_do() {
    let server = dcs_analyzer::server::RedisProcess::start_valkey(&[]).unwrap();
    let target = Target::Standalone(server.url());
    let opts = ScanOptions::default();
    let mut c = connect(&server.url(), 0).await;
    let _: () = redis::pipe()
        .cmd("SET")
        .arg("s")
        .arg("x".repeat(300))
        .ignore()
        .cmd("RPUSH")
        .arg("l")
        .arg(vec!["a", "b"])
        .ignore()
        .cmd("HSET")
        .arg("h")
        .arg("f")
        .arg("v")
        .ignore()
        .cmd("ZADD")
        .arg("z")
        .arg(2)
        .arg("m")
        .ignore()
        .cmd("SADD")
        .arg("set")
        .arg("only")
        .ignore()
        .cmd("XADD")
        .arg("x")
        .arg("1-1")
        .arg("k")
        .arg("v")
        .ignore()
        .query_async(&mut c)
        .await
        .unwrap();
    let cut = format!("{}{}", "x".repeat(200), dcs_api::task::CUT_MARK);
    for (key, size, first) in [
        ("s", 300, cut.as_str()),
        ("l", 2, "a"),
        ("h", 1, "f = v"),
        ("z", 1, "m (2)"),
        ("set", 1, "only"),
        ("x", 1, "1-1 k v"),
    ] {
        let d = key_details::details(&target, &opts, 0, key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{key} not found"));
        assert_eq!(
            (d.size, d.elements[0].as_str()),
            (size, first),
            "{key}: {d:?}"
        );
        assert!(
            !d.encoding.is_empty() && d.memory_usage.is_some(),
            "{key}: {d:?}"
        );
    }
    let mut found = key_details::find(&target, &opts, 0, "l")
        .await
        .unwrap()
        .unwrap();
    assert!(key_details::unlink(&mut found).await.unwrap());
    assert!(key_details::details(&target, &opts, 0, "l")
        .await
        .unwrap()
        .is_none());
}
