//! The scheduler with a controlled clock: runs fire at their times, with `scan_type` auto.

mod common;

use axum::http::Method;
use common::*;
use dcs_proxy::scheduler::Scheduler;
use dcs_proxy::store::Kind;
use serde_json::json;

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    dcs_api::time::parse_timestamp(s).unwrap()
}

#[tokio::test]
async fn daily_and_interval_schedules_fire_on_time() {
    let f = Fixture::new();
    f.clock.set(at("2030-05-01T09:00:00Z"));
    let put = |path: &'static str, body| f.call(Method::PUT, path, Some(body));
    assert_eq!(
        put(
            "/instances/lfu/hotkey/autoscan",
            json!({"enable_auto_scan":true,"schedule_at":["10:00"]})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        put(
            "/instances/lru/bigkey/autoscan",
            json!({"enable_auto_scan":false,"schedule_at":["10:00"]})
        )
        .await
        .0,
        200
    );
    let expire = json!({"enable_auto_scan":true,"first_scan_at":"2030-05-01T09:30:00.000Z","interval":3600,"timeout":7200,"scan_keys_count":100});
    assert_eq!(
        put("/instances/lfu/scan-expire-keys/autoscan-config", expire)
            .await
            .0,
        200
    );

    let s = Scheduler::new(f.state.clone());
    f.clock.set(at("2030-05-01T09:29:59Z"));
    assert_eq!(s.tick(), vec![]);
    f.clock.set(at("2030-05-01T09:30:00Z"));
    assert_eq!(s.tick(), vec![("lfu".to_string(), Kind::Expire)]);
    f.clock.set(at("2030-05-01T09:59:59Z"));
    assert_eq!(s.tick(), vec![]);
    f.clock.set(at("2030-05-01T10:00:00Z"));
    assert_eq!(
        s.tick(),
        vec![("lfu".to_string(), Kind::Hotkey)],
        "disabled schedules never fire"
    );
    f.clock.set(at("2030-05-01T10:00:01Z"));
    assert_eq!(s.tick(), vec![], "each time fires once");

    let task = &f.get("/instances/lfu/hotkey-tasks").await.1["records"][0];
    assert_eq!(task["scan_type"], "auto");
    let expired = &f.get("/instances/lfu/auto-expire/histories").await.1["records"][0];
    assert_eq!(expired["scan_type"], "auto");
    f.wait_terminal(&format!(
        "/instances/lfu/hotkey-task/{}",
        task["id"].as_str().unwrap()
    ))
    .await;
    // The expired scan must have ended too, or the next run would be refused as "running".
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !matches!(
        f.get("/instances/lfu/auto-expire/histories").await.1["records"][0]["status"].as_str(),
        Some("success" | "failed")
    ) {
        assert!(
            tokio::time::Instant::now() < until,
            "expired scan did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    f.clock.set(at("2030-05-01T10:30:00Z"));
    assert_eq!(
        s.tick(),
        vec![("lfu".to_string(), Kind::Expire)],
        "every interval after the first"
    );
}
