//! The `dcs-analyze` command line against a real server.

mod common;

use common::*;
use std::process::Command;

fn analyze(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dcs-analyze"))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn json_uses_dcs_field_names() {
    let server = lfu_server(&[]);
    let mut c = connect(&server.url(), 0).await;
    run(&mut c, redis::cmd("SET").arg("hot").arg("abc")).await;
    run(&mut c, redis::cmd("SET").arg("cold").arg("x")).await;
    touch(&mut c, b"hot", 10).await;
    let out = analyze(&["hotkeys", "--url", &server.url(), "--top", "1", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["keys"],
        serde_json::json!([{"name":"hot","type":"string","shard":server.addr(),"db":0,"size":3,"unit":"byte","freq":15}])
    );
    assert_eq!(v["scanned_keys"], 2);
    assert!(v["duration_ms"].is_u64());
    // Gentle, on a node this small: a snapshot, and the record says so.
    assert_eq!(v["analyzed_on"][0]["source"], "snapshot", "{v}");
    assert_eq!(v["analyzed_on"][0]["role"], "master", "{v}");
    // Over --snapshot-max-mb: online, the same keys (a value that is not hot makes it 2 MB more).
    run(
        &mut c,
        redis::cmd("SET").arg("filler").arg("f".repeat(2 << 20)),
    )
    .await;
    let out = analyze(&[
        "hotkeys",
        "--url",
        &server.url(),
        "--top",
        "1",
        "--json",
        "--snapshot-max-mb",
        "1",
    ]);
    let limited: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(limited["analyzed_on"][0]["source"], "online", "{limited}");
    assert_eq!(limited["keys"], v["keys"]);
}

#[tokio::test]
async fn tables_are_aligned() {
    let server = lfu_server(&[]);
    let mut c = connect(&server.url(), 0).await;
    run(
        &mut c,
        redis::cmd("RPUSH").arg("a-long-list-name").arg(&["1", "2"]),
    )
    .await;
    run(&mut c, redis::cmd("SET").arg("s").arg("12345")).await;
    let out = analyze(&["bigkeys", "--url", &server.url()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("#  NAME"), "{text}");
    let type_col = lines[0].find("TYPE").unwrap();
    assert_eq!(
        lines[1].find("string"),
        Some(type_col),
        "TYPE column aligned:\n{text}"
    );
    assert_eq!(
        lines[2].find(" list ").map(|i| i + 1),
        Some(type_col),
        "TYPE column aligned:\n{text}"
    );
    assert!(lines[lines.len() - 2].contains("2 keys scanned"), "{text}");
    assert_eq!(
        lines.last().copied(),
        Some(format!("read from a snapshot of {}", server.addr()).as_str()),
        "says how the keys were read"
    );
}

#[test]
fn errors_go_to_stderr_with_failure_status() {
    let port = dcs_analyzer::server::free_port().unwrap();
    let out = analyze(&["expired", "--url", &format!("redis://127.0.0.1:{port}")]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{err}"
    );
    let bad = analyze(&["hotkeys", "--url", "redis://127.0.0.1:1", "--count", "5"]);
    assert!(!bad.status.success(), "COUNT below 10 is refused");
    // Numbers that become durations are bounded (once: a panic at the deadline's addition).
    for (flag, value) in [
        ("--timeout", "9223372036854775807"),
        ("--timeout", "604801"),
        ("--timeout", "0"),
        ("--pause-ms", "60001"),
        ("--snapshot-max-mb", "0"),
        ("--snapshot-max-mb", "1048577"),
    ] {
        let out = analyze(&["expired", "--url", "redis://127.0.0.1:1", flag, value]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(2) && err.contains(flag) && !err.contains("panicked"),
            "{flag} {value}: {err}"
        );
    }
}

/// `keyspace` from a node (its snapshot by replication) and from a saved RDB file: the same
/// report, as JSON with DCS's field names and as text sections.
#[tokio::test]
async fn keyspace_from_a_node_or_a_file() {
    let server = lfu_server(&[]);
    let mut c = connect(&server.url(), 0).await;
    for i in 0..50 {
        run(
            &mut c,
            redis::cmd("SET").arg(format!("user/{}:{i}", i % 2)).arg(i),
        )
        .await;
    }
    run(&mut c, redis::cmd("HSET").arg("cart:1").arg("a").arg("b")).await;
    let out = analyze(&[
        "keyspace",
        "--url",
        &server.url(),
        "--delimiters",
        ":/",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(live["total_num"], 51);
    for field in [
        "total_bytes",
        "type_num",
        "type_bytes",
        "largest_keys",
        "largest_key_prefixes",
    ] {
        assert!(!live[field].is_null(), "{field}: {live}");
    }
    let prefixes: Vec<&str> = live["prefix_tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prefix"].as_str().unwrap())
        .collect();
    assert!(
        prefixes.contains(&"user/") && prefixes.contains(&"user/1:"),
        "{prefixes:?}"
    );

    // The snapshot the replication asked for may still be finishing: SAVE once it has.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let info: String = redis::cmd("INFO")
            .arg("persistence")
            .query_async(&mut c)
            .await
            .unwrap();
        if info.contains("rdb_bgsave_in_progress:0") {
            break;
        }
        assert!(std::time::Instant::now() < until, "{info}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    run(&mut c, &mut redis::cmd("SAVE")).await;
    let file = server.dir().join("dump.rdb");
    let out = analyze(&["keyspace", "--rdb", file.to_str().unwrap(), "--json"]);
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(saved["total_bytes"], live["total_bytes"]);
    assert_eq!(saved["largest_keys"], live["largest_keys"]);

    let out = analyze(&["keyspace", "--rdb", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    for section in ["TYPES", "PREFIXES", "LARGEST KEYS", "TTL", "FINDINGS"] {
        assert!(text.contains(section), "{section}: {text}");
    }
    let bad = analyze(&["keyspace", "--rdb", "/nonexistent/dump.rdb"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/dump.rdb"));
}
