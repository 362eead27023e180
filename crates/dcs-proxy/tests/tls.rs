//! An instance behind TLS (`rediss://`, a private CA in `ca_file`, the password from the
//! environment), configured as an operator would, analysed through the real router.

mod common;

use axum::http::Method;
use common::*;
use dcs_analyzer::server::{RedisProcess, TestCertificates};
use dcs_proxy::config::Config;
use std::path::Path;

const PASSWORD: &str = "tls-instance-password-0123";

fn parse(text: &str, dir: &Path) -> Result<Config, String> {
    Config::parse(text, "proxy.toml", dir, &|k| {
        (k == "TLS_PW").then(|| PASSWORD.to_string())
    })
    .map_err(|e| e.0)
}

#[tokio::test]
async fn rediss_instances_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certs = TestCertificates::create(dir.path()).unwrap();
    let server = RedisProcess::start_tls(&certs, &["--requirepass", PASSWORD]).unwrap();
    let mut c = redis::Client::open(format!("redis://:{PASSWORD}@127.0.0.1:{}", server.port))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("over-tls")
        .arg("x".repeat(2048))
        .query_async(&mut c)
        .await
        .unwrap();
    let head = format!("project_id = \"{PROJECT}\"\n[auth]\ntoken = \"{TOKEN}\"\n");
    let instance = |url: &str, ca: &str| {
        format!(
            "{head}[[instances]]\nid = \"tls\"\nname = \"tls-cache\"\nurl = \"{url}\"\n\
             password_env = \"TLS_PW\"\n{ca}"
        )
    };
    let tls = server.tls_url().unwrap();
    let config = parse(&instance(&tls, "ca_file = \"ca.crt\"\n"), dir.path()).unwrap();
    assert!(
        !format!("{config:?}").contains(PASSWORD),
        "no password in Debug"
    );

    let state = dcs_proxy::open_state(
        &config,
        TOKEN.into(),
        std::sync::Arc::new(dcs_proxy::clock::ManualClock::new(now())),
    )
    .unwrap();
    let (status, inst) = call(&state, Method::GET, "/instances/tls", None).await;
    assert_eq!(
        (status.as_u16(), inst["status"].as_str()),
        (200, Some("RUNNING")),
        "{inst}"
    );
    let (status, task) = call(&state, Method::POST, "/instances/tls/bigkey-task", None).await;
    assert_eq!(status, 200, "{task}");
    let path = format!(
        "/instances/tls/bigkey-task/{}",
        task["id"].as_str().unwrap()
    );
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let done = loop {
        let (_, t) = call(&state, Method::GET, &path, None).await;
        if matches!(t["status"].as_str(), Some("success" | "failed")) {
            break t;
        }
        assert!(tokio::time::Instant::now() < until, "{t}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(done["keys"][0]["name"], "over-tls");

    // Checked at load, with the file and line.
    std::fs::write(dir.path().join("not-a-cert.pem"), "hello").unwrap();
    for (text, want) in [
        (instance(&tls, "ca_file = \"missing.crt\"\n"), "ca_file "),
        (
            instance(&tls, "ca_file = \"not-a-cert.pem\"\n"),
            "holds no PEM certificate",
        ),
        (
            instance(
                &tls.replace("rediss://", "redis://"),
                "ca_file = \"ca.crt\"\n",
            ),
            "ca_file is for rediss:// URLs",
        ),
    ] {
        let e = parse(&text, dir.path()).unwrap_err();
        assert!(e.starts_with("proxy.toml:5: ") && e.contains(want), "{e}");
    }
}
