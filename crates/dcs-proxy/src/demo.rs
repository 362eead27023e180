//! `dcs-proxy demo` (what `make run` starts): two loopback `redis-server` children with
//! realistic data and live traffic, served by the proxy. Ctrl-C stops everything, children too.
//!
//! * `orders-lfu` — `allkeys-lfu`, so every analysis works. 100,000 ordinary keys of all types
//!   (`user:session:*` strings, two in three expiring within six hours, the rest never);
//!   the big keys `demo:big:string` (1 MiB), `demo:big:list` (100,000 elements), `demo:big:hash`
//!   (50,000 fields), `demo:big:set` (30,000), `demo:big:zset` (20,000), `demo:big:stream`
//!   (5,000 entries); 5,000 `cache:expired:*` keys already expired and 20,000 `cache:tmp:*` keys
//!   with TTLs of 30–120 s that expire during the demo (active expiry is off on this server, so
//!   they wait for an expired-key scan); and a client
//!   that reads `product:1` … `product:10` with Zipf-like skew (`product:1` hottest).
//! * `sessions-lru` — `allkeys-lru` with 10,000 keys, to show why hot-key analysis is refused.

use dcs_analyzer::server::RedisProcess;
use dcs_analyzer::Target;
use dcs_proxy::config::{Config, ConsoleSource, InstanceConfig};
use redis::aio::MultiplexedConnection;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The demo's project id (any valid id works).
const PROJECT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Hot keys the demo traffic reads, hottest first.
const HOT_KEYS: usize = 10;

pub(crate) async fn run(
    listen: SocketAddr,
    data_dir: PathBuf,
    console_dir: PathBuf,
) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    let lfu = RedisProcess::start(&[
        "--maxmemory-policy",
        "allkeys-lfu",
        "--maxmemory",
        "512mb",
        "--enable-debug-command",
        "local",
        // A key-space analysis's snapshot at once (Redis 7.0 waits 5 s for other replicas).
        "--repl-diskless-sync-delay",
        "0",
    ])
    .map_err(io)?;
    let lru = RedisProcess::start(&["--maxmemory-policy", "allkeys-lru", "--maxmemory", "128mb"])
        .map_err(io)?;
    println!(
        "dcs-proxy demo: seeding redis-server {} (allkeys-lfu) and {} (allkeys-lru)…",
        lfu.addr(),
        lru.addr()
    );
    let redis_err = |e: redis::RedisError| e.to_string();
    let mut conn = connect(&lfu.url()).await.map_err(redis_err)?;
    seed_lfu(&mut conn).await.map_err(redis_err)?;
    seed_lru(&mut connect(&lru.url()).await.map_err(redis_err)?)
        .await
        .map_err(redis_err)?;
    let traffic = tokio::spawn(skewed_traffic(conn));

    let config = Config {
        listen,
        data_dir,
        console: ConsoleSource::Dir(console_dir),
        allowed_origins: vec![],
        limits: Default::default(),
        backups: Default::default(),
        project_id: PROJECT_ID.into(),
        token: None,
        token_file: None,
        access_keys: vec![],
        instances: vec![
            InstanceConfig {
                id: "orders-lfu".into(),
                name: "orders-cache".into(),
                target: Target::Standalone(lfu.url()),
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
            InstanceConfig {
                id: "sessions-lru".into(),
                name: "sessions-cache".into(),
                target: Target::Standalone(lru.url()),
                tls_ca: None,
                allow_config_changes: true,
                allow_key_actions: false,
                allow_fast: false,
                pace: Default::default(),
                analyze_on: Default::default(),
                source: Default::default(),
                snapshot_max_memory: dcs_analyzer::source::SNAPSHOT_MAX_MEMORY,
                thresholds: Default::default(),
            },
        ],
        cloud: None,
    };
    // The demo is a local sandbox: the sign-in link is shown every time.
    let result = crate::run(config, true).await;
    traffic.abort();
    drop((lfu, lru));
    result
}

async fn connect(url: &str) -> redis::RedisResult<MultiplexedConnection> {
    redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await
}

async fn seed_lfu(c: &mut MultiplexedConnection) -> redis::RedisResult<()> {
    let _: () = redis::cmd("DEBUG")
        .arg("SET-ACTIVE-EXPIRE")
        .arg(0)
        .query_async(c)
        .await?;
    for chunk in (0..100_000u32).collect::<Vec<_>>().chunks(10_000) {
        let mut p = redis::pipe();
        for &i in chunk {
            match i % 10 {
                // Two in three sessions expire within the day; the rest were written without a
                // TTL (the key-space page's findings point at them).
                0..=5 => {
                    let set = p
                        .cmd("SET")
                        .arg(format!("user:session:{i}"))
                        .arg(format!("{{\"user\":{i},\"cart\":[]}}"));
                    if i % 3 != 0 {
                        set.arg("EX").arg(6 * 3600);
                    }
                    set
                }
                6 => p
                    .cmd("RPUSH")
                    .arg(format!("queue:jobs:{i}"))
                    .arg(&["a", "b", "c"]),
                7 => p
                    .cmd("SADD")
                    .arg(format!("tags:item:{i}"))
                    .arg(&["red", "sale"]),
                8 => p
                    .cmd("HSET")
                    .arg(format!("profile:{i}"))
                    .arg(&["name", "demo", "tier", "gold"]),
                _ => p
                    .cmd("ZADD")
                    .arg(format!("rank:board:{i}"))
                    .arg(i)
                    .arg("player"),
            }
            .ignore();
        }
        p.query_async::<()>(c).await?;
    }
    let mut p = redis::pipe();
    p.cmd("SET")
        .arg("demo:big:string")
        .arg(vec![b'x'; 1 << 20])
        .ignore();
    for (key, n, cmd) in [
        ("demo:big:list", 100_000, "RPUSH"),
        ("demo:big:set", 30_000, "SADD"),
    ] {
        for chunk in (0..n).collect::<Vec<u32>>().chunks(5000) {
            p.cmd(cmd)
                .arg(key)
                .arg(chunk.iter().map(|i| format!("m{i}")).collect::<Vec<_>>())
                .ignore();
        }
    }
    for chunk in (0..50_000u32).collect::<Vec<_>>().chunks(5000) {
        p.cmd("HSET")
            .arg("demo:big:hash")
            .arg(
                chunk
                    .iter()
                    .flat_map(|i| [format!("f{i}"), "v".into()])
                    .collect::<Vec<_>>(),
            )
            .ignore();
    }
    for chunk in (0..20_000u32).collect::<Vec<_>>().chunks(5000) {
        p.cmd("ZADD")
            .arg("demo:big:zset")
            .arg(
                chunk
                    .iter()
                    .flat_map(|i| [i.to_string(), format!("m{i}")])
                    .collect::<Vec<_>>(),
            )
            .ignore();
    }
    for i in 0..5000 {
        p.cmd("XADD")
            .arg("demo:big:stream")
            .arg("*")
            .arg("event")
            .arg(i)
            .ignore();
    }
    for i in 0..20_000u32 {
        p.cmd("SET")
            .arg(format!("cache:tmp:{i}"))
            .arg("v")
            .arg("EX")
            .arg(30 + i % 91)
            .ignore();
    }
    // Already expired, waiting for a scan (active expiry is off): the first expired-key scan
    // has something to reclaim however soon it runs.
    for i in 0..5_000u32 {
        p.cmd("SET")
            .arg(format!("cache:expired:{i}"))
            .arg("v")
            .arg("PX")
            .arg(1)
            .ignore();
    }
    for i in 1..=HOT_KEYS {
        p.cmd("SET")
            .arg(format!("product:{i}"))
            .arg(format!("{{\"id\":{i},\"price\":{}}}", i * 10))
            .ignore();
    }
    p.query_async::<()>(c).await
}

async fn seed_lru(c: &mut MultiplexedConnection) -> redis::RedisResult<()> {
    let mut p = redis::pipe();
    for i in 0..10_000 {
        p.cmd("SET")
            .arg(format!("session:{i}"))
            .arg("token")
            .arg("EX")
            .arg(3600)
            .ignore();
    }
    p.query_async::<()>(c).await
}

/// Reads `product:i` `100 / i` times per round, ten rounds a second (~3k reads/s): within half a
/// minute `product:1` … `product:10` outrank even the keys written thousands of times while seeding.
async fn skewed_traffic(mut c: MultiplexedConnection) {
    let mut every = tokio::time::interval(Duration::from_millis(100));
    loop {
        every.tick().await;
        let mut p = redis::pipe();
        for i in 1..=HOT_KEYS {
            for _ in 0..100 / i {
                p.cmd("GET").arg(format!("product:{i}")).ignore();
            }
        }
        if p.query_async::<()>(&mut c).await.is_err() {
            return;
        }
    }
}
