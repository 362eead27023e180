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
    run_result(conn, cmd)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

pub async fn run_result(
    conn: &mut MultiplexedConnection,
    cmd: &mut redis::Cmd,
) -> redis::RedisResult<Value> {
    cmd.query_async(conn).await
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

/// One field of `INFO section` (`rdb_saves` of `persistence`…), as the server reports it.
pub async fn info_field(conn: &mut MultiplexedConnection, section: &str, name: &str) -> String {
    let info: String = redis::cmd("INFO")
        .arg(section)
        .query_async(conn)
        .await
        .unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {name} in INFO {section}"))
        .to_string()
}

/// Snapshots this server wrote to its disk so far (its own saves and those made for replicas).
pub async fn disk_saves(conn: &mut MultiplexedConnection) -> u64 {
    info_field(conn, "persistence", "rdb_saves")
        .await
        .parse()
        .unwrap()
}

/// Waits (with a deadline) until `path` is gone: Redis removes a file it wrote for a replica in
/// its once-a-second replication cron.
pub async fn wait_gone(path: &std::path::Path, why: &str) {
    let until = Instant::now() + Duration::from_secs(5);
    while path.exists() {
        assert!(Instant::now() < until, "{why}: {} stays", path.display());
        tokio::time::sleep(Duration::from_millis(20)).await;
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

/// Logs every command the server runs from now on (the slow log at a threshold of 0, emptied), so
/// a test can read what was sent with which arguments ([`logged`]).
pub async fn log_every_command(conn: &mut MultiplexedConnection) {
    let set = |name: &str, value: i64| redis::cmd("CONFIG").arg("SET").arg(name).arg(value).clone();
    run(conn, &mut set("slowlog-max-len", 100_000)).await;
    run(conn, &mut set("slowlog-log-slower-than", 0)).await;
    run(conn, redis::cmd("SLOWLOG").arg("RESET")).await;
}

/// The arguments (upper-cased, the command's name first) of every logged call whose name is one
/// of `commands`, then empties the log ([`log_every_command`]).
pub async fn logged(conn: &mut MultiplexedConnection, commands: &[&str]) -> Vec<Vec<String>> {
    let entries = run(conn, redis::cmd("SLOWLOG").arg("GET").arg(-1)).await;
    run(conn, redis::cmd("SLOWLOG").arg("RESET")).await;
    let text = |v: &Value| match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).to_uppercase(),
        _ => String::new(),
    };
    let Value::Array(entries) = entries else {
        panic!("SLOWLOG GET replied {entries:?}");
    };
    entries
        .iter()
        .filter_map(|entry| match entry {
            Value::Array(fields) => match fields.get(3) {
                Some(Value::Array(args)) => Some(args.iter().map(text).collect::<Vec<_>>()),
                _ => None,
            },
            _ => None,
        })
        .filter(|args| {
            args.first()
                .is_some_and(|name| commands.contains(&name.as_str()))
        })
        .collect()
}

/// The `COUNT` each logged batch asked for: of `SCAN`, and of a batch script (`EVAL` or `EVALSHA`
/// with the cursor then the count after its script and `numkeys`).
pub async fn batch_counts(conn: &mut MultiplexedConnection) -> Vec<u64> {
    logged(conn, &["SCAN", "EVAL", "EVALSHA"])
        .await
        .iter()
        .filter_map(|args| match args[0].as_str() {
            "SCAN" => args.get(3),
            _ => args.get(4),
        })
        .map(|n| n.parse().unwrap())
        .collect()
}
