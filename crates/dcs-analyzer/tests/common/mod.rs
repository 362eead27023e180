//! Helpers for tests against real `redis-server` processes.
#![allow(dead_code)]

use dcs_analyzer::server::{RedisCluster, RedisProcess};
use redis::aio::MultiplexedConnection;
use redis::Value;
use std::time::{Duration, Instant};

/// A standalone LFU server whose counters are deterministic: with `lfu-log-factor 0` every access
/// adds exactly 1 to the counter (which starts at 5), and `lfu-decay-time 0` never decays it.
pub fn lfu_server(extra: &[&str]) -> RedisProcess {
    let mut args = dcs_analyzer::server::DETERMINISTIC_LFU.to_vec();
    args.extend_from_slice(extra);
    RedisProcess::start(&args).expect("start redis-server")
}

pub fn lfu_cluster() -> RedisCluster {
    RedisCluster::start(3, &dcs_analyzer::server::DETERMINISTIC_LFU).expect("start cluster")
}

pub async fn connect(url: &str, db: i64) -> MultiplexedConnection {
    let mut info: redis::ConnectionInfo =
        redis::IntoConnectionInfo::into_connection_info(url).unwrap();
    info.redis.db = db;
    redis::Client::open(info)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Runs `cmd` and panics with the server's message on failure.
pub async fn run(conn: &mut MultiplexedConnection, cmd: &mut redis::Cmd) -> Value {
    cmd.query_async(conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Accesses `key` `n` times with `TOUCH`, which, like a read, bumps its LFU counter by 1.
pub async fn touch(conn: &mut MultiplexedConnection, key: &[u8], n: usize) {
    let mut pipe = redis::pipe();
    for _ in 0..n {
        pipe.cmd("TOUCH").arg(key).ignore();
    }
    let _: () = pipe.query_async(conn).await.unwrap();
}

/// Writes `cmd` for `key` on whichever cluster master owns it (following `MOVED`), returning that
/// master's address.
pub async fn cluster_write(cluster: &RedisCluster, build: impl Fn(&mut redis::Cmd)) -> String {
    let mut addr = cluster.nodes[0].addr();
    for _ in 0..2 {
        let mut conn = connect(&format!("redis://{addr}"), 0).await;
        let mut cmd = redis::Cmd::new();
        build(&mut cmd);
        match cmd.query_async::<Value>(&mut conn).await {
            Ok(_) => return addr,
            Err(e) if e.code() == Some("MOVED") => {
                addr = e.redirect_node().expect("MOVED target").0.to_string();
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("no master accepted the key")
}

/// Waits until the server's clock has passed `ms` milliseconds after now — so that keys set with
/// `PX ms` are expired — without touching the keys (touching would reclaim them).
pub async fn wait_server_clock_past(conn: &mut MultiplexedConnection, ms: u64) {
    let now_ms = |v: Vec<u64>| v[0] * 1000 + v[1] / 1000;
    let start: Vec<u64> = redis::cmd("TIME").query_async(conn).await.unwrap();
    let target = now_ms(start) + ms;
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let t: Vec<u64> = redis::cmd("TIME").query_async(conn).await.unwrap();
        if now_ms(t) > target {
            return;
        }
        assert!(Instant::now() < until, "server clock did not advance");
        tokio::task::yield_now().await;
    }
}

/// Script runs (`EVAL` and `EVALSHA`) on this server so far, and how many of them it refused
/// or failed.
pub async fn eval_calls(conn: &mut redis::aio::MultiplexedConnection) -> (u64, u64) {
    let (eval, sha) = (
        command_calls(conn, "eval").await,
        command_calls(conn, "evalsha").await,
    );
    (eval.0 + sha.0, eval.1 + sha.1)
}

/// Calls of one command (`INFO commandstats` name: `eval`, `script|load`…) on this server so
/// far, and how many of them it refused or failed.
pub async fn command_calls(conn: &mut redis::aio::MultiplexedConnection, name: &str) -> (u64, u64) {
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .unwrap();
    let field = |line: &str, name: &str| -> u64 {
        line.split([':', ','])
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .map_or(0, |n| n.parse().unwrap())
    };
    let prefix = format!("cmdstat_{name}:");
    stats
        .lines()
        .find(|l| l.starts_with(&prefix))
        .map_or((0, 0), |l| {
            (
                field(l, "calls"),
                field(l, "rejected_calls") + field(l, "failed_calls"),
            )
        })
}
