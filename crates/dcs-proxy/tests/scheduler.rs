//! The scheduler with a controlled clock: runs fire at their times, with `scan_type` auto.

mod common;

use axum::http::Method;
use common::*;
use dcs_api::TaskKind;
use dcs_proxy::scheduler::Scheduler;
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
    assert_eq!(s.tick(), vec![("lfu".to_string(), TaskKind::Expire)]);
    f.clock.set(at("2030-05-01T09:59:59Z"));
    assert_eq!(s.tick(), vec![]);
    f.clock.set(at("2030-05-01T10:00:00Z"));
    assert_eq!(
        s.tick(),
        vec![("lfu".to_string(), TaskKind::Hotkey)],
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
        vec![("lfu".to_string(), TaskKind::Expire)],
        "every interval after the first"
    );
}

/// An expired-key schedule with an absurd timeout — refused by the API now, but stored by older
/// versions — once panicked its task at every run and left the instance "running" forever. Now
/// the API refuses it with the range, and a stored one ends its task as failed with the reason,
/// so the next scan starts.
#[tokio::test]
async fn an_absurd_timeout_cannot_wedge_the_instance() {
    let f = Fixture::new();
    f.clock.set(at("2030-05-01T09:00:00Z"));
    let path = "/instances/lfu/scan-expire-keys/autoscan-config";
    let absurd = json!({"enable_auto_scan":true,"first_scan_at":"2030-05-01T09:30:00.000Z","interval":60,"timeout":9_223_372_036_854_775_807_i64,"scan_keys_count":100});
    let (status, body) = f.call(Method::PUT, path, Some(absurd)).await;
    assert_eq!(
        (status.as_u16(), body["error_code"].as_str()),
        (400, Some("DCS.4821"))
    );
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap()
            .contains("at most 604800 seconds"),
        "{body}"
    );

    // As an older version stored it.
    let sane = json!({"enable_auto_scan":true,"first_scan_at":"2030-05-01T09:30:00.000Z","interval":60,"timeout":120,"scan_keys_count":100});
    assert_eq!(f.call(Method::PUT, path, Some(sane.clone())).await.0, 200);
    let mut row = f
        .state
        .store
        .schedule("lfu", TaskKind::Expire)
        .unwrap()
        .unwrap();
    row.json = row
        .json
        .replace("\"timeout\":120", "\"timeout\":9223372036854775807");
    assert!(row.json.contains("9223372036854775807"), "{}", row.json);
    f.state
        .store
        .put_schedule("lfu", TaskKind::Expire, &row)
        .unwrap();

    let s = Scheduler::new(f.state.clone());
    f.clock.set(at("2030-05-01T09:30:00Z"));
    assert_eq!(s.tick(), vec![("lfu".to_string(), TaskKind::Expire)]);
    let history = "/instances/lfu/auto-expire/histories";
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let record = loop {
        let record = f.get(history).await.1["records"][0].clone();
        if matches!(record["status"].as_str(), Some("success" | "failed")) {
            break record;
        }
        assert!(tokio::time::Instant::now() < until, "still {record}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(record["status"], "failed", "{record}");
    assert!(
        record["error_msg"].as_str().unwrap().contains("604800"),
        "{record}"
    );
    // The instance is free again: a manual scan is not refused as running (DCS.4918), but
    // for the stored timeout, with its range, until the schedule is saved again.
    let manual = "/instances/lfu/scan-expire-keys-task";
    let (status, body) = f.call(Method::POST, manual, None).await;
    assert_eq!(
        (status.as_u16(), body["error_code"].as_str()),
        (400, Some("DCS.4800")),
        "{body}"
    );
    assert!(
        body["error_msg"].as_str().unwrap().contains("604800"),
        "{body}"
    );
    let mut off = sane;
    off["enable_auto_scan"] = json!(false);
    assert_eq!(f.call(Method::PUT, path, Some(off)).await.0, 200);
    let (status, body) = f.call(Method::POST, manual, None).await;
    assert_eq!(status, 200, "{body}");
}
