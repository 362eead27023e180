//! `dcs-proxy demo` (what `make run` starts): it serves two instances with the documented data,
//! refuses hot keys on the LRU one, has expired keys for the first scan and telling prefixes for
//! key space, and SIGTERM stops it with its Redis children.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn demo_serves_both_instances_and_stops_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let port = dcs_analyzer::server::free_port().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_dcs-proxy"))
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--console-dir",
        ])
        .arg(dir.path())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let origin = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs(120);
    let mut base = None;
    let list: serde_json::Value = loop {
        if base.is_none() {
            // The demo's project, as the console learns it.
            if let Ok(resp) = client.get(format!("{origin}/config.json")).send().await {
                let config: serde_json::Value = resp.json().await.unwrap();
                base = Some(format!(
                    "{origin}/v2/{}",
                    config["project_id"].as_str().unwrap()
                ));
            }
        }
        if let (Some(base), Ok(token)) = (
            &base,
            std::fs::read_to_string(dir.path().join("data/console-token")),
        ) {
            if let Ok(resp) = client
                .get(format!("{base}/instances"))
                .header("X-Auth-Token", token.trim())
                .send()
                .await
            {
                break resp.json().await.unwrap();
            }
        }
        assert!(Instant::now() < until, "the demo did not come up");
        assert!(demo.try_wait().unwrap().is_none(), "the demo exited early");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let token = std::fs::read_to_string(dir.path().join("data/console-token")).unwrap();
    let base = base.expect("read with the list");
    let ids: Vec<&str> = list["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["instance_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["orders-lfu", "sessions-lru"]);
    assert!(
        list["instances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "RUNNING"),
        "{list}"
    );
    let ports: Vec<u64> = list["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["port"].as_u64().unwrap())
        .collect();

    let refused: serde_json::Value = client
        .post(format!("{base}/instances/sessions-lru/hotkey-task"))
        .header("X-Auth-Token", token.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["error_code"], "DCS.4922");

    // The first expired-key scan reclaims what the demo left expired, and a key-space analysis
    // shows its prefixes: the first look at each page is telling.
    let call = |method: reqwest::Method, path: &str, body: Option<serde_json::Value>| {
        let mut req = client
            .request(method, format!("{base}/instances/orders-lfu{path}"))
            .header("X-Auth-Token", token.trim());
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            req.send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    call(reqwest::Method::POST, "/scan-expire-keys-task", None).await;
    let until = Instant::now() + Duration::from_secs(60);
    let scan = loop {
        let h = call(reqwest::Method::GET, "/auto-expire/histories", None).await;
        if h["records"][0]["status"] == "success" {
            break h["records"][0].clone();
        }
        assert!(Instant::now() < until, "the scan did not finish: {h}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(scan["num"].as_u64().unwrap() >= 5_000, "{scan}");
    let nodes = call(reqwest::Method::GET, "/logical-nodes", None).await;
    let body = serde_json::json!({"node_id": nodes["nodes"][0]["node_id"]});
    let created = call(reqwest::Method::POST, "/offline/key-analysis", Some(body)).await;
    let id = created["task_id"].as_str().unwrap().to_string();
    let report = loop {
        let t = call(
            reqwest::Method::GET,
            &format!("/offline/key-analysis/{id}"),
            None,
        )
        .await;
        if t["status"] == "success" {
            break t;
        }
        assert!(
            Instant::now() < until,
            "the key analysis did not finish: {t}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let findings = report["findings"].to_string();
    assert!(findings.contains("prefix `user:` holds"), "{findings}");
    assert!(findings.contains("prefix `demo:` holds"), "{findings}");

    Command::new("kill")
        .args(["-TERM", &demo.id().to_string()])
        .status()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while demo.try_wait().unwrap().is_none() {
        assert!(Instant::now() < until, "the demo did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for p in ports {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", p as u16)).is_err(),
            "redis on {p} outlived the demo"
        );
    }
}
