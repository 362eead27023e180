//! What the benchmarks share: the seeded data set and timing helpers.

#![allow(dead_code)] // each bench uses its part

use std::process::Command;
use std::time::{Duration, Instant};

/// Hot keys seeded with known counters.
pub const HOT: usize = 16;

/// The i-th hot key is accessed `200 - 10 i` times on top of the initial counter of 5.
pub fn hot_freq(i: usize) -> u32 {
    5 + 200 - 10 * i as u32
}

/// Redis's own replication and persistence defaults, which the test servers change (they start
/// a snapshot at once and save nothing): a diskless snapshot waits 5 s for other replicas, and
/// the server has save points, so fast mode may ask for a snapshot on its disk (`source.rs`).
pub const REDIS_DEFAULTS: [&str; 4] = [
    "--repl-diskless-sync-delay",
    "5",
    "--save",
    "3600 1 300 100 60 10000",
];

/// Saves the seeded data at once (`SAVE`), so the save points do not fire during a measurement:
/// nothing is written afterwards.
pub fn save_now(port: &str) {
    redis_cli_ok(port, &["SAVE"]);
}

/// Runs `command` by `redis-cli` against the server at `port`, which must answer `OK`.
pub fn redis_cli_ok(port: &str, command: &[&str]) {
    let out = Command::new("redis-cli")
        .args(["-p", port])
        .args(command)
        .output()
        .expect("redis-cli");
    assert!(
        out.status.success() && out.stdout.starts_with(b"OK"),
        "redis-cli {command:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `keys` keys of every type, half of them with a day's expiry, the last [`HOT`] the hot ones.
pub async fn seed(url: &str, keys: usize) {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for chunk in (0..keys - HOT).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            let k = format!("key:{i:07}");
            match i % 10 {
                0..=5 => pipe.cmd("SET").arg(&k).arg("value"),
                6 => pipe.cmd("RPUSH").arg(&k).arg(&["a", "b", "c"]),
                7 => pipe.cmd("SADD").arg(&k).arg(&["a", "b"]),
                8 => pipe.cmd("HSET").arg(&k).arg(&["f", "v"]),
                _ => pipe.cmd("ZADD").arg(&k).arg(1).arg("m"),
            }
            .ignore();
            // Half the keys expire in a day, as a cache's do: none is past it during a run, but
            // the expired-key scan has every database to read (a database with no expiry it
            // skips).
            if i % 2 == 1 {
                pipe.cmd("EXPIRE").arg(&k).arg(86_400).ignore();
            }
        }
        let _: () = pipe.query_async(&mut conn).await.unwrap();
    }
    for i in 0..HOT {
        let k = format!("hot:{i:02}");
        let mut pipe = redis::pipe();
        pipe.cmd("SET").arg(&k).arg("hot value").ignore();
        for _ in 0..hot_freq(i) - 5 {
            pipe.cmd("TOUCH").arg(&k).ignore();
        }
        let _: () = pipe.query_async(&mut conn).await.unwrap();
    }
}

/// `n` keys already past their expiry (`gone:NNNNNNN`), on a server whose active expiry is off
/// (`DEBUG SET-ACTIVE-EXPIRE 0`): they stay until something touches them, as the expired keys
/// a busy cache's active expiry has not reached yet do. Returns once every one is past it.
pub async fn seed_past_expiry(url: &str, n: usize) {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            let k = format!("gone:{i:07}");
            pipe.cmd("SET")
                .arg(k)
                .arg("value")
                .arg("PX")
                .arg(1)
                .ignore();
        }
        let _: () = pipe.query_async(&mut conn).await.unwrap();
    }
    // Set after all of them, the last expires after them: once it has (the server's own clock
    // says so: `PTTL` -2), so has every one.
    let last = redis::cmd("SET")
        .arg("gone:last")
        .arg("value")
        .arg("PX")
        .arg(1)
        .to_owned();
    let _: () = last.query_async(&mut conn).await.unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let ttl: i64 = redis::cmd("PTTL")
            .arg("gone:last")
            .query_async(&mut conn)
            .await
            .unwrap();
        if ttl == -2 {
            return;
        }
        assert!(Instant::now() < until, "a 1 ms expiry not past in 10 s");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The server's count of keys it has reclaimed as expired (`INFO stats` `expired_keys`).
pub fn expired_keys(port: &str) -> u64 {
    let out = Command::new("redis-cli")
        .args(["-p", port, "INFO", "stats"])
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("expired_keys:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("INFO stats has expired_keys")
}

pub fn timed(cmd: &mut Command) -> (Duration, String) {
    let start = Instant::now();
    let out = cmd.output().expect("run");
    let t = start.elapsed();
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    (t, String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Seconds the server on `port` spent running commands since its last `CONFIG RESETSTAT`
/// (`INFO commandstats`); `scripted`: only the scripts' (`EVAL`, `EVALSHA`), which hold the
/// commands they ran. A floor: reading requests and writing replies cost the server more.
pub fn command_seconds(port: &str, scripted: bool) -> f64 {
    let out = Command::new("redis-cli")
        .args(["-p", port, "INFO", "commandstats"])
        .output()
        .expect("redis-cli");
    let text = String::from_utf8_lossy(&out.stdout);
    let usec = |line: &str| -> f64 {
        line.split([':', ','])
            .find_map(|kv| kv.strip_prefix("usec="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let total: f64 = text
        .lines()
        .filter(|l| l.starts_with("cmdstat_"))
        // A script's own line counts the commands it ran (EVALSHA since the script is loaded
        // once; EVAL where digests are refused).
        .filter(|l| {
            !scripted || l.starts_with("cmdstat_eval:") || l.starts_with("cmdstat_evalsha:")
        })
        .map(usec)
        .sum();
    total / 1e6
}

/// `CONFIG RESETSTAT` on the server at `port`.
pub fn reset_stats(port: &str) {
    redis_cli_ok(port, &["CONFIG", "RESETSTAT"]);
}
