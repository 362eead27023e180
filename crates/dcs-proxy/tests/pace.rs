//! A task may ask for the fast pace (`?pace=fast`) only where the instance allows it
//! (`allow_fast`); every hot-, big- and expired-key record says the pace it ran at, and the
//! instance says which paces a task may ask for.

mod common;

use axum::http::{Method, StatusCode};
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_only_where_allowed_and_every_record_says_its_pace() {
    let f = Fixture::new();

    // What each instance allows, as the console reads it.
    let (_, lfu) = f.get("/instances/lfu").await;
    let (_, lru) = f.get("/instances/lru").await;
    assert_eq!(
        (&lfu["pace"], &lfu["fast_allowed"], &lru["fast_allowed"]),
        (&"gentle".into(), &false.into(), &true.into())
    );

    // Not allowed on lfu: refused before anything runs or is recorded; a wrong word is 4800.
    let refused = f
        .call(Method::POST, "/instances/lfu/bigkey-task?pace=fast", None)
        .await;
    assert!(refused.1["error_msg"]
        .as_str()
        .unwrap()
        .contains("allow_fast = true"));
    assert_dcs(refused, 403, "DCS.2003");
    assert_dcs(
        f.call(Method::POST, "/instances/lfu/bigkey-task?pace=slow", None)
            .await,
        400,
        "DCS.4800",
    );
    assert_eq!(f.get("/instances/lfu/bigkey-tasks").await.1["count"], 0);

    // Asked for and allowed: fast, and the record says so while it runs and after.
    for (path, list) in [
        ("/instances/lru/bigkey-task?pace=fast", "bigkey-task"),
        ("/instances/lru/scan-expire-keys-task?pace=fast", ""),
    ] {
        let (status, started) = f.call(Method::POST, path, None).await;
        assert_eq!(status, StatusCode::OK, "{started}");
        assert_eq!(started["pace"], "fast", "{started}");
        if !list.is_empty() {
            let done = f
                .wait_terminal(&format!(
                    "/instances/lru/{list}/{}",
                    started["id"].as_str().unwrap()
                ))
                .await;
            assert_eq!(
                (&done["status"], &done["pace"]),
                (&"success".into(), &"fast".into())
            );
        }
    }
    // Not asked: the instance's pace; asked for gentle: gentle, anywhere.
    for path in [
        "/instances/lfu/bigkey-task",
        "/instances/lfu/hotkey-task?pace=gentle",
    ] {
        let (status, started) = f.call(Method::POST, path, None).await;
        assert_eq!(status, StatusCode::OK, "{started}");
        assert_eq!(started["pace"], "gentle", "{path}: {started}");
    }
}
