//! `allowed_origins`: CORS on `/v2` for exactly the configured origins, through the real router
//! over real Redis. (The browser's side of it is the e2e static-hosting flow.)

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use common::{Fixture, PROJECT, TOKEN};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const CONSOLE: &str = "https://console.example.com";

fn fixture(origins: &[&str]) -> Fixture {
    let mut f = Fixture::new();
    f.state.allowed_origins = Arc::new(origins.iter().map(|o| o.to_string()).collect());
    f
}

async fn send(
    f: &Fixture,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = dcs_proxy::app(f.state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into(),
    )
}

fn preflight<'a>(origin: &'a str, method: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("origin", origin),
        ("access-control-request-method", method),
        (
            "access-control-request-headers",
            "x-auth-token,content-type",
        ),
    ]
}

fn cors_headers(h: &HeaderMap) -> Vec<String> {
    h.keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

fn varies_on_origin(h: &HeaderMap) -> bool {
    h.get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().split(',').any(|p| p.trim() == "Origin"))
}

#[tokio::test]
async fn allowed_origin_gets_preflight_and_readable_answers() {
    let f = fixture(&[CONSOLE, "http://127.0.0.1:8081"]);
    let instances = format!("/v2/{PROJECT}/instances");
    let task = format!("/v2/{PROJECT}/instances/lfu/hotkey-task");
    for (path, method) in [
        (instances.as_str(), "GET"),
        (task.as_str(), "POST"),
        ("/v2/nowhere", "DELETE"),
    ] {
        let (status, h, _) = send(&f, Method::OPTIONS, path, &preflight(CONSOLE, method)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(
            h["access-control-allow-origin"], CONSOLE,
            "exactly the origin"
        );
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        for m in ["GET", "POST", "PUT", "DELETE"] {
            assert!(methods.contains(m), "{methods}");
        }
        let allowed = h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_lowercase();
        for header in [
            "x-auth-token",
            "content-type",
            "authorization",
            "x-sdk-date",
        ] {
            assert!(allowed.contains(header), "{allowed}");
        }
        assert!(h.contains_key("access-control-max-age"));
        assert!(!h.contains_key("access-control-allow-credentials"));
        assert!(varies_on_origin(&h));
    }

    let (status, h, body) = send(
        &f,
        Method::GET,
        &instances,
        &[("origin", CONSOLE), ("x-auth-token", TOKEN)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(h["access-control-allow-origin"], CONSOLE);
    assert!(body.contains("lfu-cache"));
    assert!(varies_on_origin(&h));

    // The sign-in prompt needs to read a 401 cross-origin.
    let (status, h, body) = send(&f, Method::GET, &instances, &[("origin", CONSOLE)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h["access-control-allow-origin"], CONSOLE);
    assert!(body.contains("DCS.1003"), "{body}");

    // The second configured origin is its own answer, not the first's.
    let (_, h, _) = send(
        &f,
        Method::OPTIONS,
        &instances,
        &preflight("http://127.0.0.1:8081", "GET"),
    )
    .await;
    assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:8081");
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let f = fixture(&[CONSOLE]);
    let instances = format!("/v2/{PROJECT}/instances");
    for other in [
        "https://evil.example.com",
        "https://console.example.com.evil.example.com",
        "http://console.example.com",
        "null",
    ] {
        let (status, h, body) =
            send(&f, Method::OPTIONS, &instances, &preflight(other, "GET")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
        assert!(
            cors_headers(&h).is_empty(),
            "{other}: {:?}",
            cors_headers(&h)
        );
        assert!(
            body.contains("DCS.2003") && body.contains("allowed_origins"),
            "{body}"
        );
        // A simple request is answered (the server cannot stop it being sent) but unreadable
        // to that page: no CORS header.
        let (status, h, _) = send(
            &f,
            Method::GET,
            &instances,
            &[("origin", other), ("x-auth-token", TOKEN)],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            cors_headers(&h).is_empty(),
            "{other}: {:?}",
            cors_headers(&h)
        );
    }
}

#[tokio::test]
async fn config_json_and_console_stay_same_origin() {
    let f = fixture(&[CONSOLE]);
    for path in [
        "/config.json",
        "/",
        "/instances/lfu/hotkeys",
        "/openapi.json",
    ] {
        let (_, h, _) = send(&f, Method::GET, path, &[("origin", CONSOLE)]).await;
        assert!(
            cors_headers(&h).is_empty(),
            "{path}: {:?}",
            cors_headers(&h)
        );
        let (_, h, _) = send(&f, Method::OPTIONS, path, &preflight(CONSOLE, "GET")).await;
        assert!(
            cors_headers(&h).is_empty(),
            "{path}: {:?}",
            cors_headers(&h)
        );
    }
}

#[tokio::test]
async fn without_allowed_origins_there_is_no_cors() {
    let f = fixture(&[]);
    let instances = format!("/v2/{PROJECT}/instances");
    let (status, h, _) = send(&f, Method::OPTIONS, &instances, &preflight(CONSOLE, "GET")).await;
    assert_ne!(status, StatusCode::NO_CONTENT);
    assert!(cors_headers(&h).is_empty(), "{:?}", cors_headers(&h));
    let (_, h, _) = send(
        &f,
        Method::GET,
        &instances,
        &[("origin", CONSOLE), ("x-auth-token", TOKEN)],
    )
    .await;
    assert!(cors_headers(&h).is_empty());
}
