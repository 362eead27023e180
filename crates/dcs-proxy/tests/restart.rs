//! The real `dcs-proxy serve` binary over real HTTP: killed during a long analysis and
//! restarted, the task shows failed with the interruption message and the history is intact.

use dcs_analyzer::server::RedisProcess;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROJECT: &str = "p-restart";
const TOKEN: &str = "restart-token-0123456789";

struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_proxy(config: &std::path::Path) -> Proxy {
    Proxy(
        Command::new(env!("CARGO_BIN_EXE_dcs-proxy"))
            .args(["serve", "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    base: &str,
    path: &str,
) -> Option<(u16, Value)> {
    let resp = client
        .request(method, format!("{base}/v2/{PROJECT}{path}"))
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.json().await.unwrap_or(Value::Null)))
}

/// Waits until `f` returns Some, polling with a deadline.
async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    mut f: impl FnMut() -> F,
) -> T {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn killed_proxy_marks_running_tasks_failed_and_keeps_history() {
    let redis = RedisProcess::start(&["--maxmemory-policy", "allkeys-lfu"]).unwrap();
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    // Enough keys that an analysis takes far longer than the step between creating it and
    // freezing the server (freezing then keeps it running as long as needed); few enough that
    // the first, unfrozen gentle scan in a debug build ends well inside its wait beside other
    // tests (200,000 overran 30 s in CI).
    for chunk in 0..3 {
        let mut pipe = redis::pipe();
        for i in 0..10_000 {
            pipe.cmd("SET")
                .arg(format!("k{chunk}:{i}"))
                .arg("v")
                .ignore();
        }
        let _: () = pipe.query_async(&mut conn).await.unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    let port = dcs_analyzer::server::free_port().unwrap();
    let config = dir.path().join("proxy.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nproject_id = \"{PROJECT}\"\n[auth]\ntoken = \"{TOKEN}\"\n\
             [[instances]]\nid = \"cache\"\nname = \"cache\"\nurl = \"{}\"\n",
            redis.url()
        ),
    )
    .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    let mut proxy = start_proxy(&config);
    wait_for("the proxy", || {
        call(&client, get.clone(), &base, "/instances")
    })
    .await;
    let (_, done) = call(&client, post.clone(), &base, "/instances/cache/bigkey-task")
        .await
        .unwrap();
    let done_id = done["id"].as_str().unwrap().to_string();
    wait_for("the first task", || async {
        let (_, t) = call(
            &client,
            get.clone(),
            &base,
            &format!("/instances/cache/bigkey-task/{done_id}"),
        )
        .await?;
        (t["status"] == "success").then_some(())
    })
    .await;

    // Freeze Redis so the next task stays running, then kill the proxy under it.
    let (_, running) = call(&client, post.clone(), &base, "/instances/cache/hotkey-task")
        .await
        .unwrap();
    let running_id = running["id"].as_str().unwrap().to_string();
    Command::new("kill")
        .args(["-STOP", &redis.pid().to_string()])
        .status()
        .unwrap();
    wait_for("the task to run", || async {
        let (_, t) = call(
            &client,
            get.clone(),
            &base,
            &format!("/instances/cache/hotkey-task/{running_id}"),
        )
        .await?;
        (t["status"] == "running").then_some(())
    })
    .await;
    let _ = proxy.0.kill();
    let _ = proxy.0.wait();
    Command::new("kill")
        .args(["-CONT", &redis.pid().to_string()])
        .status()
        .unwrap();
    drop(proxy);

    let _proxy = start_proxy(&config);
    wait_for("the restarted proxy", || {
        call(&client, get.clone(), &base, "/instances")
    })
    .await;
    let (_, t) = call(
        &client,
        get.clone(),
        &base,
        &format!("/instances/cache/hotkey-task/{running_id}"),
    )
    .await
    .unwrap();
    assert_eq!(
        (t["status"].as_str(), t["error_msg"].as_str()),
        (Some("failed"), Some("interrupted by proxy restart")),
        "{t}"
    );
    assert!(t["finished_at"].is_string());
    let (_, history) = call(&client, get.clone(), &base, "/instances/cache/bigkey-tasks")
        .await
        .unwrap();
    assert_eq!(
        (
            history["count"].as_u64(),
            history["records"][0]["id"].as_str()
        ),
        (Some(1), Some(done_id.as_str()))
    );
    let (_, old) = call(
        &client,
        get,
        &base,
        &format!("/instances/cache/bigkey-task/{done_id}"),
    )
    .await
    .unwrap();
    assert_eq!(old["status"], "success");
    assert!(
        old["keys"].as_array().is_some_and(|k| !k.is_empty()),
        "results survive the restart"
    );
}
