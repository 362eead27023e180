//! The official Huawei Cloud Python SDK (`huaweicloudsdkdcs`, installed by `scripts/setup` into
//! `tools/sdk-venv`) signs with AK/SK and drives the proxy over real HTTP, unchanged: create →
//! show → list → delete for hot and big keys, expired scans and history, both schedule kinds, and
//! logical-nodes → backup → create → show → list → delete for the offline key analysis.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn official_python_sdk_drives_the_proxy() {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/sdk-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup",
        python.display()
    );
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    freeze_expiry(&mut c).await;
    snapshots_at_once(&mut c).await;
    let mut pipe = redis::pipe();
    pipe.cmd("SET").arg("sdk:hot").arg("v").ignore();
    pipe.cmd("SET")
        .arg("sdk:big")
        .arg("b".repeat(5000))
        .ignore();
    for _ in 0..10 {
        pipe.cmd("TOUCH").arg("sdk:hot").ignore();
    }
    for i in 0..7 {
        pipe.cmd("SET")
            .arg(format!("sdk:ttl:{i}"))
            .arg("v")
            .arg("PX")
            .arg(1)
            .ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    wait_keys_expired(&mut c).await;
    // The SDK signs with the real clock; the proxy's must agree.
    f.clock.set(chrono::Utc::now());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(dcs_proxy::serve(
        listener,
        f.state.clone(),
        std::future::pending(),
    ));

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/official_sdk_client.py");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("DCS_ENDPOINT", endpoint)
            .env("DCS_AK", AK)
            .env("DCS_SK", SK)
            .env("DCS_PROJECT", PROJECT)
            .env("DCS_LFU", "lfu")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("SDK CLIENT PASSED"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}
