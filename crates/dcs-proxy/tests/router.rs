//! Every API call and error path through the router (`oneshot`), over real Redis and SQLite.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn instances_report_live_facts() {
    let f = Fixture::new();
    let (status, body) = f.get("/instances").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["instance_num"], 2);
    let lfu = &body["instances"][0];
    assert_eq!(
        (
            lfu["instance_id"].as_str(),
            lfu["status"].as_str(),
            lfu["engine"].as_str()
        ),
        (Some("lfu"), Some("RUNNING"), Some("Redis"))
    );
    assert!(lfu["engine_version"].as_str().unwrap().starts_with("7."));
    assert_eq!(lfu["port"], f.lfu.port);
    let (status, show) = f.get("/instances/lru").await;
    assert_eq!(
        (status, show["cache_mode"].as_str(), show["name"].as_str()),
        (StatusCode::OK, Some("single"), Some("lru-cache"))
    );
    assert_dcs(f.get("/instances/nope").await, 404, "DCS.3022");
    assert_dcs(f.get("/instances/bad_id").await, 400, "DCS.4800");
}

#[tokio::test]
async fn unreachable_instance_is_error_status_and_refuses_tasks() {
    let mut f = Fixture::new();
    f.lru.kill();
    let (_, body) = f.get("/instances").await;
    assert_eq!(body["instances"][1]["status"], "ERROR");
    // The list carries each reachable instance's policy, so the console needs no more requests.
    assert_eq!(body["instances"][0]["maxmemory_policy"], "allkeys-lfu");
    assert!(
        body["instances"][1].get("maxmemory_policy").is_none(),
        "{body}"
    );
    assert_dcs(
        f.call(Method::POST, "/instances/lru/bigkey-task", None)
            .await,
        400,
        "DCS.4049",
    );
    assert_dcs(f.get("/instances/lru/configs").await, 400, "DCS.4049");
}

#[tokio::test]
async fn configs_are_live_and_changes_are_gated() {
    let f = Fixture::new();
    let (status, body) = f.get("/instances/lfu/configs").await;
    assert_eq!(status, StatusCode::OK);
    let param = |b: &serde_json::Value, n: &str| {
        b["redis_config"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["param_name"] == n)
            .map(|c| c["param_value"].clone())
    };
    assert_eq!(param(&body, "maxmemory-policy"), Some(json!("allkeys-lfu")));
    assert_eq!(param(&body, "lfu-log-factor"), Some(json!("0")));
    let enable = json!({"redis_config":[{"param_id":"1","param_name":"maxmemory-policy","param_value":"allkeys-lfu"}]});
    assert_dcs(
        f.call(Method::PUT, "/instances/lfu/configs", Some(enable.clone()))
            .await,
        403,
        "DCS.2003",
    );
    let (status, _) = f
        .call(Method::PUT, "/instances/lru/configs", Some(enable))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = f.get("/instances/lru/configs").await;
    assert_eq!(param(&body, "maxmemory-policy"), Some(json!("allkeys-lfu")));
    let bad =
        json!({"redis_config":[{"param_name":"maxmemory-policy","param_value":"everything-lfu"}]});
    assert_dcs(
        f.call(Method::PUT, "/instances/lru/configs", Some(bad))
            .await,
        400,
        "DCS.4800",
    );
    let other = json!({"redis_config":[{"param_name":"save","param_value":"60 1"}]});
    assert_dcs(
        f.call(Method::PUT, "/instances/lru/configs", Some(other))
            .await,
        400,
        "DCS.4800",
    );
}

#[tokio::test]
async fn hotkey_task_lifecycle() {
    let mut f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    let _: () = redis::cmd("SET")
        .arg("hot")
        .arg("abcdef")
        .query_async(&mut c)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("cold")
        .arg("x")
        .query_async(&mut c)
        .await
        .unwrap();
    for _ in 0..20 {
        let _: i64 = redis::cmd("TOUCH")
            .arg("hot")
            .query_async(&mut c)
            .await
            .unwrap();
    }
    let (status, created) = f
        .call(Method::POST, "/instances/lfu/hotkey-task", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        (
            created["status"].as_str(),
            created["scan_type"].as_str(),
            created["num"].as_u64()
        ),
        (Some("waiting"), Some("manual"), Some(0))
    );
    assert!(created.get("keys").is_none() && created.get("started_at").is_none());
    let id = created["id"].as_str().unwrap().to_string();
    let done = f
        .wait_terminal(&format!("/instances/lfu/hotkey-task/{id}"))
        .await;
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(
        done["keys"][0],
        json!({"name":"hot","type":"string","shard":f.lfu.addr(),"db":0,"size":6,"unit":"byte","freq":25})
    );
    // `cold` was never read: at the initial counter it is not hot, and not reported.
    assert_eq!(
        (done["num"].as_u64(), done["scanned_keys"].as_u64()),
        (Some(1), Some(2))
    );
    // What counts as big or hot on the instance travels with the task: DCS's defaults here.
    assert_eq!(
        done["thresholds"],
        json!({"big_string_bytes": 10240, "big_elements": 5000, "hot_min_freq": 6})
    );
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());

    let (_, list) = f.get("/instances/lfu/hotkey-tasks").await;
    assert_eq!(
        (list["instance_id"].as_str(), list["count"].as_u64()),
        (Some("lfu"), Some(1))
    );
    assert_eq!(list["records"][0]["id"], id.as_str());
    assert!(list["records"][0].get("keys").is_none());
    let (_, filtered) = f
        .get("/instances/lfu/hotkey-tasks?status=failed&offset=0&limit=5")
        .await;
    assert_eq!(filtered["count"], 0);
    assert_dcs(
        f.get("/instances/lfu/hotkey-tasks?limit=0").await,
        400,
        "DCS.4800",
    );
    assert_dcs(
        f.get("/instances/lfu/hotkey-tasks?offset=-1").await,
        400,
        "DCS.4800",
    );
    assert_dcs(
        f.get("/instances/lfu/hotkey-tasks?status=done").await,
        400,
        "DCS.4800",
    );

    let (status, deleted) = f
        .call(
            Method::DELETE,
            &format!("/instances/lfu/hotkey-task/{id}"),
            None,
        )
        .await;
    assert_eq!(
        (status, deleted["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    assert_dcs(
        f.get(&format!("/instances/lfu/hotkey-task/{id}")).await,
        400,
        "DCS.4941",
    );
    let (status, _) = f
        .call(
            Method::DELETE,
            &format!("/instances/lfu/hotkey-task/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // An instance whose hot_key_min_freq is above `hot`'s counter (about 25) reports no hot key, and
    // says which minimum it used.
    f.set_thresholds(
        "lfu",
        dcs_api::task::KeyThresholds {
            hot_min_freq: 200,
            ..Default::default()
        },
    );
    let (_, again) = f
        .call(Method::POST, "/instances/lfu/hotkey-task", None)
        .await;
    let again = f
        .wait_terminal(&format!(
            "/instances/lfu/hotkey-task/{}",
            again["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (
            again["num"].as_u64(),
            again["thresholds"]["hot_min_freq"].as_u64()
        ),
        (Some(0), Some(200)),
        "{again}"
    );
}

#[tokio::test]
async fn hotkeys_on_lru_are_refused_with_4922() {
    let f = Fixture::new();
    let got = f
        .call(Method::POST, "/instances/lru/hotkey-task", None)
        .await;
    assert!(
        got.1["error_msg"].as_str().unwrap().contains("allkeys-lfu"),
        "{}",
        got.1
    );
    assert_dcs(got, 400, "DCS.4922");
    let (_, list) = f.get("/instances/lru/hotkey-tasks").await;
    assert_eq!(list["count"], 0, "nothing started");
}

#[tokio::test]
async fn one_running_analysis_per_kind_and_delete_cancels() {
    let mut f = Fixture::new();
    // Small batches with a pause between them keep the first task running for seconds.
    f.slow_down();
    let mut c = f.redis(&f.lfu.url()).await;
    let mut pipe = redis::pipe();
    for i in 0..20_000 {
        pipe.cmd("SET").arg(format!("k{i}")).arg("v").ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    let (status, first) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    assert_dcs(second, 400, "DCS.4918");
    let id = first["id"].as_str().unwrap();
    let (status, deleted) = f
        .call(
            Method::DELETE,
            &format!("/instances/lfu/bigkey-task/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        matches!(deleted["status"].as_str(), Some("waiting" | "running")),
        "{deleted}"
    );
    // The slot frees once the cancelled analysis stops.
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, body) = f
            .call(Method::POST, "/instances/lfu/bigkey-task", None)
            .await;
        if status == StatusCode::OK {
            let (status, _) = f
                .call(
                    Method::DELETE,
                    &format!(
                        "/instances/lfu/bigkey-task/{}",
                        body["id"].as_str().unwrap()
                    ),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            break;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "cancelled task never released its slot: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (_, list) = f.get("/instances/lfu/bigkey-tasks").await;
    assert_eq!(list["count"], 0, "deleted tasks are gone: {list}");
}

#[tokio::test]
async fn expired_scan_reclaims_and_lists_history() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    freeze_expiry(&mut c).await;
    let _: () = redis::cmd("SET")
        .arg("keep")
        .arg("v")
        .query_async(&mut c)
        .await
        .unwrap();
    seed_expired(&mut c, "ttl", 321).await;
    let (status, created) = f
        .call(Method::POST, "/instances/lfu/scan-expire-keys-task", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        (created["status"].as_str(), created.get("num")),
        (Some("waiting"), None)
    );
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let record = loop {
        let (_, h) = f.get("/instances/lfu/auto-expire/histories").await;
        if h["records"][0]["status"] == "success" {
            assert_eq!(
                (h["total"].as_u64(), h["count"].as_u64()),
                (Some(1), Some(1))
            );
            break h["records"][0].clone();
        }
        assert!(tokio::time::Instant::now() < until, "{h}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(record["num"], 321);
    let (status, _) = f
        .call(Method::POST, "/instances/lfu/auto-expire/scan", None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the second documented path creates a scan too"
    );
}

/// A running expired-key scan stops on `DELETE` (a local extension) and keeps what it reclaimed;
/// a manual scan stops by itself at its schedule's timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_scans_can_be_stopped_and_have_a_deadline() {
    let mut f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    freeze_expiry(&mut c).await;
    seed_expired(&mut c, "ttl", 10_000).await;
    f.slow_down(); // COUNT 10 and 10 ms between batches: 1,000 batches, 10 s and more
    let (_, task) = f
        .call(Method::POST, "/instances/lfu/scan-expire-keys-task", None)
        .await;
    let stop = format!(
        "/instances/lfu/scan-expire-keys-task/{}",
        task["id"].as_str().unwrap()
    );
    // SCAN reclaims expired keys without returning them: watch Redis's own counter.
    let expired_keys = |info: String| -> u64 {
        info.lines()
            .find_map(|l| l.strip_prefix("expired_keys:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let stats = redis::cmd("INFO").arg("stats").clone();
    let before = expired_keys(stats.query_async(&mut c).await.unwrap());
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while expired_keys(stats.query_async(&mut c).await.unwrap()) < before + 100 {
        assert!(
            tokio::time::Instant::now() < until,
            "the scan did not get going"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (status, stopped) = f.call(Method::DELETE, &stop, None).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped["status"], "failed", "{stopped}");
    assert!(stopped["error_msg"]
        .as_str()
        .unwrap()
        .starts_with("Stopped on request"));
    let reclaimed = stopped["num"].as_u64().unwrap();
    assert!(
        reclaimed > 0 && reclaimed < 10_000,
        "reclaimed until then: {reclaimed}"
    );
    let (_, again) = f.call(Method::DELETE, &stop, None).await;
    assert_eq!(again, stopped, "stopping a stopped scan changes nothing");
    // Its record is deleted only when asked for by name (the console's Delete); a bad value is
    // refused and deletes nothing.
    let (status, body) = f
        .call(Method::DELETE, &format!("{stop}?delete_record=yes"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_code"], "DCS.4800", "{body}");
    let listed = |h: &serde_json::Value| {
        h["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == task["id"])
    };
    let (_, h) = f.get("/instances/lfu/auto-expire/histories").await;
    assert!(
        listed(&h),
        "still listed after a stop and a refused delete: {h}"
    );
    let (status, deleted) = f
        .call(Method::DELETE, &format!("{stop}?delete_record=true"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    let (_, h) = f.get("/instances/lfu/auto-expire/histories").await;
    assert!(!listed(&h), "deleted on request: {h}");
    let (status, _) = f
        .call(
            Method::DELETE,
            "/instances/lfu/scan-expire-keys-task/no-such-task",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The saved schedule's timeout bounds a manual scan too.
    let schedule = json!({"enable_auto_scan":false,"first_scan_at":"2030-05-01T09:30:00.000Z","interval":0,"timeout":2,"scan_keys_count":10});
    let (status, body) = f
        .call(
            Method::PUT,
            "/instances/lfu/scan-expire-keys/autoscan-config",
            Some(schedule),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, task) = f
        .call(Method::POST, "/instances/lfu/scan-expire-keys-task", None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the stopped scan freed the instance: {task}"
    );
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let ended = loop {
        let (_, h) = f.get("/instances/lfu/auto-expire/histories").await;
        let r = h["records"][0].clone();
        if r["id"] == task["id"] && matches!(r["status"].as_str(), Some("success" | "failed")) {
            break r;
        }
        assert!(tokio::time::Instant::now() < until, "{h}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let left = 10_000 - reclaimed;
    assert!(
        ended["num"].as_u64().unwrap() < left,
        "stopped at its 2 s timeout before reclaiming all {left}: {ended}"
    );
    // Recorded as cut short, not as a scan that covered every key.
    assert_eq!(ended["status"], "failed", "{ended}");
    let why = ended["error_msg"].as_str().unwrap();
    assert!(
        why.starts_with("Stopped at its time limit of 2 s after scanning")
            && why.contains(&format!("; {} expired keys were reclaimed", ended["num"])),
        "{why}"
    );
}

#[tokio::test]
async fn schedules_validate_and_persist() {
    let f = Fixture::new();
    let (_, empty) = f.get("/instances/lfu/hotkey/autoscan").await;
    assert_eq!(
        (
            empty["enable_auto_scan"].as_bool(),
            empty["schedule_at"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    let (status, saved) = f
        .call(
            Method::PUT,
            "/instances/lfu/hotkey/autoscan",
            Some(json!({"enable_auto_scan":true,"schedule_at":["21:00","03:15"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["schedule_at"], json!(["03:15", "21:00"]));
    assert_eq!(
        f.get("/instances/lfu/hotkey/autoscan").await.1["schedule_at"],
        json!(["03:15", "21:00"])
    );
    assert_eq!(
        f.get("/instances/lfu/bigkey/autoscan").await.1["enable_auto_scan"],
        false,
        "kinds are separate"
    );
    // A hot-key schedule on an LRU instance could only fail: refused, saying what to change;
    // switched off it is saved as asked, and big keys do not care about the policy.
    let (status, refused) = f
        .call(
            Method::PUT,
            "/instances/lru/hotkey/autoscan",
            Some(json!({"enable_auto_scan":true,"schedule_at":["21:00"]})),
        )
        .await;
    assert_eq!(
        (status, refused["error_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("DCS.4922")),
        "{refused}"
    );
    assert!(
        refused["error_msg"].as_str().unwrap().contains("lfu"),
        "{refused}"
    );
    for path in [
        "/instances/lru/hotkey/autoscan",
        "/instances/lru/bigkey/autoscan",
    ] {
        let on = !path.contains("hotkey");
        let body = json!({"enable_auto_scan": on, "schedule_at":["21:00"]});
        let (status, saved) = f.call(Method::PUT, path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {saved}");
    }
    assert_dcs(
        f.call(
            Method::PUT,
            "/instances/lfu/bigkey/autoscan",
            Some(json!({"enable_auto_scan":true,"schedule_at":["24:00"]})),
        )
        .await,
        400,
        "DCS.4800",
    );

    let future = (f.clock_now() + chrono::Duration::hours(1)).to_rfc3339();
    let good = json!({"enable_auto_scan":true,"first_scan_at":future,"interval":3600,"timeout":7200,"scan_keys_count":50});
    let (status, saved) = f
        .call(
            Method::PUT,
            "/instances/lfu/scan-expire-keys/autoscan-config",
            Some(good.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        (
            saved["interval"].as_u64(),
            saved["scan_keys_count"].as_u64()
        ),
        (Some(3600), Some(50))
    );
    for (field, value, code) in [
        ("first_scan_at", json!("2001-01-01T00:00:00Z"), "DCS.4819"),
        ("interval", json!(-1), "DCS.4820"),
        ("timeout", json!(7199), "DCS.4821"),
        ("scan_keys_count", json!(5), "DCS.4822"),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        assert_dcs(
            f.call(
                Method::PUT,
                "/instances/lfu/scan-expire-keys/autoscan-config",
                Some(bad),
            )
            .await,
            400,
            code,
        );
    }
    assert_eq!(
        f.get("/instances/lfu/scan-expire-keys/autoscan-config")
            .await
            .1["scan_keys_count"],
        50,
        "refused updates change nothing"
    );
}

#[tokio::test]
async fn malformed_requests_get_dcs_errors() {
    let f = Fixture::new();
    let raw = |method: &str, path: &str, body: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("X-Auth-Token", TOKEN)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    assert_dcs(
        f.send(raw(
            "PUT",
            &format!("/v2/{PROJECT}/instances/lfu/hotkey/autoscan"),
            "{not json",
        ))
        .await,
        400,
        "DCS.4800",
    );
    assert_dcs(
        f.send(raw(
            "PUT",
            &format!("/v2/{PROJECT}/instances/lfu/hotkey/autoscan"),
            &"x".repeat(100_000),
        ))
        .await,
        400,
        "DCS.4800",
    );
    assert_dcs(
        f.send(raw(
            "GET",
            &format!("/v2/{PROJECT}/instances/lfu/nothing"),
            "",
        ))
        .await,
        404,
        "DCS.4001",
    );
    assert_dcs(
        f.send(raw("PATCH", &format!("/v2/{PROJECT}/instances"), ""))
            .await,
        405,
        "DCS.4001",
    );
    assert_dcs(
        f.send(raw(
            "GET",
            &format!("/v2/{PROJECT}/instances/lfu/hotkey-task/not_an_id"),
            "",
        ))
        .await,
        400,
        "DCS.4800",
    );
}

#[tokio::test]
async fn console_is_served_with_spa_fallback_and_config() {
    let f = Fixture::new();
    let get = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
    let (status, body) = f.send(get("/instances/lfu/hotkeys/abc")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.as_str().unwrap().contains("<title>console</title>"));
    std::fs::write(
        f.dir.path().join("dist/app-0123456789abcdef.js"),
        "x".repeat(4096),
    )
    .unwrap();
    let resp = tower::ServiceExt::oneshot(
        dcs_proxy::app(f.state.clone()),
        Request::builder()
            .uri("/app-0123456789abcdef.js")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        resp.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let index = tower::ServiceExt::oneshot(dcs_proxy::app(f.state.clone()), get("/"))
        .await
        .unwrap();
    assert_eq!(index.headers()["cache-control"], "no-cache");
    // Dotfiles are never served, and not answered with the console either.
    std::fs::write(f.dir.path().join("dist/.env"), "SECRET=1").unwrap();
    std::fs::create_dir_all(f.dir.path().join("dist/.git")).unwrap();
    std::fs::write(f.dir.path().join("dist/.git/config"), "[core]").unwrap();
    for path in [
        "/.env",
        "/.git/config",
        "/.git/",
        "/deep/.htpasswd",
        "/%2Eenv",
    ] {
        let (status, body) = f.send(get(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (_, config) = f.send(get("/config.json")).await;
    assert_eq!(
        (config["project_id"].as_str(), config["mode"].as_str()),
        (Some(PROJECT), Some("local"))
    );
}

/// A missing asset is a 404 (once: `index.html` with a year of `immutable` caching); every
/// answer says nosniff and no-referrer; pages carry a CSP that allows their inline script.
#[tokio::test]
async fn static_answers_are_safe() {
    let f = Fixture::new();
    let script = "\nimport init from '/app-0123456789abcdef.js';\nawait init();\n";
    std::fs::write(
        f.dir.path().join("dist/index.html"),
        format!("<!doctype html><script src=\"/i18n/t.js\"></script><script type=\"module\">{script}</script>"),
    )
    .unwrap();
    let app = || dcs_proxy::app(f.state.clone());
    let get = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
    for missing in [
        "/app-0123456789abcdef.js",
        "/dcs-console-848021fac735de9_bg.wasm",
        "/favicon.ico",
    ] {
        let resp = tower::ServiceExt::oneshot(app(), get(missing))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{missing}");
        assert_ne!(
            resp.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("public, max-age=31536000, immutable"),
            "{missing}"
        );
    }
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    };
    for page in ["/", "/instances/lfu/hotkeys/abc"] {
        let resp = tower::ServiceExt::oneshot(app(), get(page)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        for part in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            &format!("'sha256-{hash}'"),
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(part), "{page}: {part} not in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }
    let api = Request::builder()
        .uri(format!("/v2/{PROJECT}/instances"))
        .header("X-Auth-Token", TOKEN)
        .body(Body::empty())
        .unwrap();
    let unauthenticated = Request::builder()
        .uri(format!("/v2/{PROJECT}/instances"))
        .body(Body::empty())
        .unwrap();
    for req in [
        get("/"),
        get("/config.json"),
        get("/nothing.js"),
        get("/openapi.json"),
        api,
        unauthenticated,
    ] {
        let uri = req.uri().to_string();
        let resp = tower::ServiceExt::oneshot(app(), req).await.unwrap();
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(resp.headers()["referrer-policy"], "no-referrer", "{uri}");
    }
}

/// The data folder is created 0700 and the database is 0600: the history names keys.
#[test]
fn data_dir_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let data = f.dir.path().join("data");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("dcs-proxy.db")), 0o600);
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl ClockNow for Fixture {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use dcs_proxy::clock::Clock;
        self.clock.now()
    }
}

/// Big keys read a healthy replica and the record says so; hot keys read the master; both say
/// how (the node's snapshot).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_records_say_where_each_shard_was_read() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    let _: () = redis::cmd("RPUSH")
        .arg("big:list")
        .arg(vec!["x"; 100])
        .query_async(&mut c)
        .await
        .unwrap();
    let replica = dcs_analyzer::server::RedisProcess::start_replica_of(&f.lfu, &[]).unwrap();
    let read_on = |task: &serde_json::Value| {
        let on = &task["analyzed_on"][0];
        (
            on["role"].as_str().unwrap_or("").to_string(),
            on["node"].as_str().unwrap_or("").to_string(),
            on["shard"].as_str().unwrap_or("").to_string(),
        )
    };
    for (kind, role, node) in [
        ("bigkey", "replica", replica.addr()),
        ("hotkey", "master", f.lfu.addr()),
    ] {
        let (status, task) = f
            .call(Method::POST, &format!("/instances/lfu/{kind}-task"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{task}");
        let id = task["id"].as_str().unwrap();
        let done = f
            .wait_terminal(&format!("/instances/lfu/{kind}-task/{id}"))
            .await;
        assert_eq!(done["status"], "success", "{done}");
        assert_eq!(
            read_on(&done),
            (role.to_string(), node, f.lfu.addr()),
            "{kind}: {done}"
        );
        // And how the node was read: by default (gentle) its snapshot.
        let source = done["analyzed_on"][0]["source"].as_str();
        assert_eq!(source, Some("snapshot"), "{kind}: {done}");
    }
}
