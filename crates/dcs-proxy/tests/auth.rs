//! Authentication: console token, AK/SK signatures (signed here with our signer, whose
//! SIGNING.md vectors are unit tests), skew, project id.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use dcs_proxy::clock::Clock;
use dcs_proxy::signing::{format_sdk_date, parse_query, sha256_hex, SignedRequest};

fn signed(
    method: &str,
    path_and_query: &str,
    body: &str,
    date: &str,
    ak: &str,
    sk: &str,
) -> Request<Body> {
    sign(method, path_and_query, body, date, ak, sk, false)
}

/// Signed with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (the body is not covered).
fn unsigned_payload(method: &str, path_and_query: &str, body: &str, date: &str) -> Request<Body> {
    sign(method, path_and_query, body, date, AK, SK, true)
}

fn sign(
    method: &str,
    path_and_query: &str,
    body: &str,
    date: &str,
    ak: &str,
    sk: &str,
    unsigned_body: bool,
) -> Request<Body> {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut headers = vec![
        ("host".to_string(), "127.0.0.1:8080".to_string()),
        ("x-sdk-date".to_string(), date.to_string()),
        ("x-project-id".to_string(), PROJECT.to_string()),
    ];
    let body_hash = if unsigned_body {
        headers.push((
            "x-sdk-content-sha256".to_string(),
            dcs_proxy::signing::UNSIGNED_PAYLOAD.to_string(),
        ));
        dcs_proxy::signing::UNSIGNED_PAYLOAD.to_string()
    } else {
        sha256_hex(body.as_bytes())
    };
    let req = SignedRequest {
        method,
        path,
        query: parse_query(query),
        headers: headers.clone(),
        signed_headers: vec!["host".into(), "x-project-id".into(), "x-sdk-date".into()],
        body_hash,
    };
    let mut b = Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("Authorization", req.authorization(ak, sk, date));
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn token_rules() {
    let f = Fixture::new();
    let plain = |token: Option<&str>, project: &str| {
        let b = Request::builder().uri(format!("/v2/{project}/instances"));
        let b = match token {
            Some(t) => b.header("X-Auth-Token", t),
            None => b,
        };
        b.body(Body::empty()).unwrap()
    };
    assert_dcs(f.send(plain(None, PROJECT)).await, 401, "DCS.1003");
    assert_dcs(f.send(plain(Some("wrong"), PROJECT)).await, 401, "DCS.1001");
    assert_dcs(
        f.send(plain(Some(&TOKEN[..TOKEN.len() - 1]), PROJECT))
            .await,
        401,
        "DCS.1001",
    );
    assert_dcs(
        f.send(plain(Some(TOKEN), "another-project")).await,
        401,
        "DCS.1004",
    );
    assert_eq!(f.send(plain(Some(TOKEN), PROJECT)).await.0, StatusCode::OK);
    // Unknown paths are not revealed to strangers either.
    let b = Request::builder()
        .uri(format!("/v2/{PROJECT}/secret"))
        .body(Body::empty())
        .unwrap();
    assert_dcs(f.send(b).await, 401, "DCS.1003");
}

#[tokio::test]
async fn signature_rules() {
    let f = Fixture::new();
    let date = format_sdk_date(f.clock.now());
    let list = format!("/v2/{PROJECT}/instances/lfu/hotkey-tasks?limit=5&offset=0");
    assert_eq!(
        f.send(signed("GET", &list, "", &date, AK, SK)).await.0,
        StatusCode::OK
    );

    let put = format!("/v2/{PROJECT}/instances/lfu/hotkey/autoscan");
    let body = "{\"enable_auto_scan\":true,\"schedule_at\":[\"21:00\"]}\n";
    let (status, saved) = f.send(signed("PUT", &put, body, &date, AK, SK)).await;
    assert_eq!(
        (status, saved["schedule_at"][0].as_str()),
        (StatusCode::OK, Some("21:00")),
        "signed body reaches the handler"
    );

    assert_dcs(
        f.send(signed("GET", &list, "", &date, AK, "wrong-secret"))
            .await,
        401,
        "DCS.1001",
    );
    assert_dcs(
        f.send(signed("GET", &list, "", &date, "UNKNOWNAK", SK))
            .await,
        401,
        "DCS.1001",
    );
    // Tampering: signed for one query, sent with another.
    let mut tampered = signed("GET", &list, "", &date, AK, SK);
    *tampered.uri_mut() = format!("/v2/{PROJECT}/instances/lfu/hotkey-tasks?limit=6&offset=0")
        .parse()
        .unwrap();
    assert_dcs(f.send(tampered).await, 401, "DCS.1001");
    let stale = format_sdk_date(f.clock.now() - chrono::Duration::minutes(16));
    assert_dcs(
        f.send(signed("GET", &list, "", &stale, AK, SK)).await,
        401,
        "DCS.1002",
    );
    let fresh_enough = format_sdk_date(f.clock.now() + chrono::Duration::minutes(14));
    assert_eq!(
        f.send(signed("GET", &list, "", &fresh_enough, AK, SK))
            .await
            .0,
        StatusCode::OK
    );
    // An unknown AK and a wrong signature are the same answer, word for word.
    let wrong_sig = f
        .send(signed(
            "GET",
            &list,
            "",
            &date,
            AK,
            "wrong-secret-0123456789",
        ))
        .await;
    let unknown_ak = f
        .send(signed("GET", &list, "", &date, "UNKNOWNAK", SK))
        .await;
    assert_eq!(wrong_sig, unknown_ak);
    assert_eq!(
        f.send(signed("GET", &list, "", &stale, "UNKNOWNAK", SK))
            .await,
        f.send(signed("GET", &list, "", &stale, AK, SK)).await,
        "a stale date is answered alike for known and unknown keys"
    );
    // UNSIGNED-PAYLOAD: fine without a body, refused with one (it could be swapped).
    assert_eq!(
        f.send(unsigned_payload("GET", &list, "", &date)).await.0,
        StatusCode::OK
    );
    let (status, refused) = f.send(unsigned_payload("PUT", &put, body, &date)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        refused["error_msg"]
            .as_str()
            .unwrap()
            .contains("UNSIGNED-PAYLOAD"),
        "{refused}"
    );
    let other_project = "/v2/other/instances";
    assert_dcs(
        f.send(signed("GET", other_project, "", &date, AK, SK))
            .await,
        401,
        "DCS.1004",
    );
}
