//! The console host: static files, SPA fallback for deep links, `/config.json`, DCS 404s.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dcs_proxy::{app, Settings};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn settings() -> (tempfile::TempDir, Settings) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>console</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app-1a2b.js"), "console.log(1)").unwrap();
    let s = Settings {
        console_dir: dir.path().to_path_buf(),
        project_id: "p-1".into(),
    };
    (dir, s)
}

async fn get(s: &Settings, uri: &str) -> (StatusCode, String) {
    let resp = app(s.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn serves_files_and_falls_back_to_index_for_deep_links() {
    let (_dir, s) = settings();
    assert_eq!(
        get(&s, "/app-1a2b.js").await,
        (StatusCode::OK, "console.log(1)".into())
    );
    for deep in ["/", "/instances/x/hotkeys/y", "/settings"] {
        let (status, body) = get(&s, deep).await;
        assert_eq!(status, StatusCode::OK, "{deep}");
        assert!(body.contains("<title>console</title>"), "{deep}: {body}");
    }
}

#[tokio::test]
async fn config_json_names_the_project() {
    let (_dir, s) = settings();
    let (status, body) = get(&s, "/config.json").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["project_id"], "p-1");
    assert_eq!(v["api_base"], "");
}

#[tokio::test]
async fn unknown_api_paths_are_dcs_404s() {
    let (_dir, s) = settings();
    let (status, body) = get(&s, "/v2/p-1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error_code"], "DCS.4001");
    assert!(v["error_ext_msg"].is_null());
}
