//! A proxy wired to real `redis-server` processes, a real SQLite file and a controllable clock.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use dcs_analyzer::server::RedisProcess;
use dcs_analyzer::Target;
use dcs_proxy::clock::ManualClock;
use dcs_proxy::config::{AccessKey, Config, ConsoleSource, InstanceConfig};
use dcs_proxy::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

pub const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
pub const TOKEN: &str = "test-token-0123456789";
pub const AK: &str = "TESTACCESSKEY";
pub const SK: &str = "test-secret-key-0123";

pub struct Fixture {
    pub state: AppState,
    pub clock: ManualClock,
    pub lfu: RedisProcess,
    pub lru: RedisProcess,
    pub dir: tempfile::TempDir,
}

/// `/v2/{PROJECT}{path}` with the console token, through `state`'s router.
pub async fn call(
    state: &AppState,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(format!("/v2/{PROJECT}{path}"))
        .header("X-Auth-Token", TOKEN);
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    send(state, req).await
}

/// Any request through `state`'s router; the body as JSON (or as a string, or null).
pub async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let resp = dcs_proxy::app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, json)
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn config(dir: &std::path::Path, lfu: &RedisProcess, lru: &RedisProcess) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join("data"),
        console: ConsoleSource::Dir(dir.join("dist")),
        allowed_origins: vec![],
        limits: Default::default(),
        backups: Default::default(),
        project_id: PROJECT.into(),
        token: Some(TOKEN.into()),
        token_file: None,
        access_keys: vec![AccessKey {
            ak: AK.into(),
            sk: SK.into(),
        }],
        instances: vec![
            InstanceConfig {
                id: "lfu".into(),
                name: "lfu-cache".into(),
                target: Target::Standalone(lfu.url()),
                tls_ca: None,
                allow_config_changes: false,
                allow_key_actions: false,
                allow_fast: false,
                pace: Default::default(),
                analyze_on: Default::default(),
                source: Default::default(),
                snapshot_max_memory: dcs_analyzer::source::SNAPSHOT_MAX_MEMORY,
                thresholds: Default::default(),
            },
            InstanceConfig {
                id: "lru".into(),
                name: "lru-cache".into(),
                target: Target::Standalone(lru.url()),
                tls_ca: None,
                allow_config_changes: true,
                allow_key_actions: true,
                allow_fast: true,
                pace: Default::default(),
                analyze_on: Default::default(),
                source: Default::default(),
                snapshot_max_memory: dcs_analyzer::source::SNAPSHOT_MAX_MEMORY,
                thresholds: Default::default(),
            },
        ],
        cloud: None,
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        let mut lfu_args = dcs_analyzer::server::DETERMINISTIC_LFU.to_vec();
        lfu_args.extend(["--enable-debug-command", "yes"]);
        let lfu = RedisProcess::start(&lfu_args).unwrap();
        let lru = RedisProcess::start(&["--maxmemory-policy", "allkeys-lru"]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(
            dir.path().join("dist/index.html"),
            "<!doctype html><title>console</title>",
        )
        .unwrap();
        let clock = ManualClock::new(now());
        let state = dcs_proxy::open_state(
            &config(dir.path(), &lfu, &lru),
            TOKEN.into(),
            Arc::new(clock.clone()),
        )
        .unwrap();
        Fixture {
            state,
            clock,
            lfu,
            lru,
            dir,
        }
    }

    /// Analyses from now on scan 10 keys per batch with 10 ms between batches.
    pub fn slow_down(&mut self) {
        self.state.opts = dcs_analyzer::ScanOptions {
            count: 10,
            pause: Duration::from_millis(10),
            ..Default::default()
        };
    }

    /// Instance `id` flags big and hot keys by `t` from now on (as its configuration would).
    pub fn set_thresholds(&mut self, id: &str, t: dcs_api::task::KeyThresholds) {
        let mut instances = (*self.state.instances).clone();
        for i in instances.iter_mut().filter(|i| i.id == id) {
            i.thresholds = t;
        }
        self.state.instances = std::sync::Arc::new(instances);
    }

    /// A request with the console token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.state, method, path, body).await
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        send(&self.state, req).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// Polls a task until it leaves waiting/running (with a deadline; never a fixed sleep).
    pub async fn wait_terminal(&self, path: &str) -> Value {
        let until = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = self.get(path).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if matches!(body["status"].as_str(), Some("success" | "failed")) {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "task did not finish: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn redis(&self, url: &str) -> redis::aio::MultiplexedConnection {
        redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

/// Turns active expiry off on the server behind `conn`, so keys that expire stay until touched.
pub async fn freeze_expiry(conn: &mut redis::aio::MultiplexedConnection) {
    let _: () = redis::cmd("DEBUG")
        .arg("SET-ACTIVE-EXPIRE")
        .arg(0)
        .query_async(conn)
        .await
        .unwrap();
}

/// Waits (on the condition, with a deadline) until the server's clock is 5 ms past now, so that
/// keys set with `PX 1` have expired; reading `TIME` touches no key.
pub async fn wait_keys_expired(conn: &mut redis::aio::MultiplexedConnection) {
    let micros = |t: Vec<u64>| t[0] * 1_000_000 + t[1];
    let start = micros(redis::cmd("TIME").query_async(conn).await.unwrap());
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    while micros(redis::cmd("TIME").query_async(conn).await.unwrap()) <= start + 5000 {
        assert!(
            tokio::time::Instant::now() < until,
            "the server clock did not advance"
        );
    }
}

/// Asserts a DCS error body.
pub fn assert_dcs(got: (StatusCode, Value), status: u16, code: &str) {
    assert_eq!(
        (got.0.as_u16(), got.1["error_code"].as_str()),
        (status, Some(code)),
        "{}",
        got.1
    );
    assert!(
        got.1["error_msg"].is_string() && got.1["error_ext_msg"].is_null(),
        "{}",
        got.1
    );
}

/// `n` keys `{prefix}{i}` with a 1 ms TTL, once they are past it (with expiry frozen by
/// [`freeze_expiry`], they stay in memory until something touches them).
pub async fn seed_expired(conn: &mut redis::aio::MultiplexedConnection, prefix: &str, n: usize) {
    let mut pipe = redis::pipe();
    for i in 0..n {
        pipe.cmd("SET")
            .arg(format!("{prefix}{i}"))
            .arg("v")
            .arg("PX")
            .arg(1)
            .ignore();
    }
    let _: () = pipe.query_async(conn).await.unwrap();
    wait_keys_expired(conn).await;
}

/// A child process killed (and reaped) when the test ends, however it ends.
pub struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real `dcs-proxy serve --config config`, in a mount namespace of its own (`unshare`),
/// after `mounts` — a shell line given the data folder as `$1` — has arranged its data folder
/// there (read-only, a tiny tmpfs…). Killed when the guard drops.
pub fn serve_in_namespace(
    mounts: &str,
    data: &std::path::Path,
    config: &std::path::Path,
) -> Killed {
    let script = format!(r#"{mounts} && exec "$2" serve --config "$3""#);
    Killed(
        std::process::Command::new("unshare")
            .args(["--map-root-user", "--mount", "sh", "-c", &script, "sh"])
            .arg(data)
            .arg(env!("CARGO_BIN_EXE_dcs-proxy"))
            .arg(config)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("unshare (util-linux)"),
    )
}

/// Snapshots by replication start at once (Redis 7.0 waits 5 s for other replicas by default).
pub async fn snapshots_at_once(conn: &mut redis::aio::MultiplexedConnection) {
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("repl-diskless-sync-delay")
        .arg(0)
        .query_async(conn)
        .await
        .unwrap();
}
