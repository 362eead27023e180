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
    assert!(lines.last().unwrap().contains("2 keys scanned"));
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
    ] {
        let out = analyze(&["expired", "--url", "redis://127.0.0.1:1", flag, value]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(2) && err.contains(flag) && !err.contains("panicked"),
            "{flag} {value}: {err}"
        );
    }
}
