//! `make bench`: 1,000,000 keys of mixed types in a fresh `allkeys-lfu` server with a known hot
//! set; then, on the same data in the same run, `redis-cli --hotkeys` and `dcs-analyze hotkeys`
//! several times each. Prints both medians, their ratio, whether both found the same top keys,
//! and keys/s of `dcs-analyze expired` (COUNT 1000) and `dcs-analyze bigkeys`.
//!
//! `BENCH_KEYS` and `BENCH_RUNS` override the size (for a quick look).

use dcs_analyzer::server::RedisProcess;
use std::process::Command;
use std::time::{Duration, Instant};

const HOT: usize = 16;

fn main() {
    let keys: usize = std::env::var("BENCH_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    // lfu-log-factor 0 makes each access add exactly 1, so the hot set's order is known.
    let server =
        RedisProcess::start(&dcs_analyzer::server::DETERMINISTIC_LFU).expect("redis-server");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seeded = Instant::now();
    rt.block_on(seed(&server.url(), keys));
    println!(
        "seeded {keys} keys ({HOT} hot) in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    let bin = env!("CARGO_BIN_EXE_dcs-analyze");
    let port = server.port.to_string();
    let url = server.url();
    let mut cli_times = Vec::new();
    let mut our_times = Vec::new();
    let (mut cli_top, mut our_top) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let (t, out) = timed(Command::new("redis-cli").args(["-p", &port, "--hotkeys"]));
        cli_times.push(t);
        let (t2, out2) = timed(Command::new(bin).args([
            "hotkeys",
            "--url",
            &url,
            "--top",
            &HOT.to_string(),
            "--json",
        ]));
        our_times.push(t2);
        // Compare the first run's findings: on Redis < 7.2 reading a winner's size counts as an
        // access, so later runs see counters one higher (same order).
        if run == 0 {
            cli_top = parse_redis_cli(&out);
            our_top = parse_ours(&out2);
        }
    }
    let (cli, ours) = (median(&mut cli_times), median(&mut our_times));
    println!(
        "redis-cli --hotkeys   median {:>8.3} s  ({:>9.0} keys/s)",
        cli.as_secs_f64(),
        keys as f64 / cli.as_secs_f64()
    );
    println!(
        "dcs-analyze hotkeys   median {:>8.3} s  ({:>9.0} keys/s)",
        ours.as_secs_f64(),
        keys as f64 / ours.as_secs_f64()
    );
    println!(
        "ratio ours / redis-cli: {:.3}  (target <= 0.2; {:.1}x faster)",
        ours.as_secs_f64() / cli.as_secs_f64(),
        cli.as_secs_f64() / ours.as_secs_f64()
    );
    let expected: Vec<(String, u32)> = (0..HOT)
        .map(|i| (format!("hot:{i:02}"), hot_freq(i)))
        .collect();
    println!("same top {HOT} as redis-cli: {}", cli_top == our_top);
    println!(
        "top {HOT} equals the seeded hot set: {}",
        our_top == expected
    );
    if our_top != expected {
        println!("  found:    {our_top:?}\n  expected: {expected:?}");
    }

    let mut exp = Vec::new();
    let mut big = Vec::new();
    for _ in 0..runs.min(3) {
        exp.push(
            timed(Command::new(bin).args(["expired", "--url", &url, "--count", "1000", "--json"]))
                .0,
        );
        big.push(timed(Command::new(bin).args(["bigkeys", "--url", &url, "--json"])).0);
    }
    let (exp, big) = (median(&mut exp), median(&mut big));
    println!(
        "dcs-analyze expired (COUNT 1000) median {:.3} s ({:.0} keys/s)",
        exp.as_secs_f64(),
        keys as f64 / exp.as_secs_f64()
    );
    println!(
        "dcs-analyze bigkeys                median {:.3} s ({:.0} keys/s)",
        big.as_secs_f64(),
        keys as f64 / big.as_secs_f64()
    );
}

/// The i-th hot key is accessed `200 - 10 i` times on top of the initial counter of 5.
fn hot_freq(i: usize) -> u32 {
    5 + 200 - 10 * i as u32
}

async fn seed(url: &str, keys: usize) {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for chunk in (0..keys - HOT).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            let k = format!("key:{i:07}");
            match i % 10 {
                0..=5 => pipe.cmd("SET").arg(k).arg("value"),
                6 => pipe.cmd("RPUSH").arg(k).arg(&["a", "b", "c"]),
                7 => pipe.cmd("SADD").arg(k).arg(&["a", "b"]),
                8 => pipe.cmd("HSET").arg(k).arg(&["f", "v"]),
                _ => pipe.cmd("ZADD").arg(k).arg(1).arg("m"),
            }
            .ignore();
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

fn timed(cmd: &mut Command) -> (Duration, String) {
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

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `hot key found with counter: 205\tkeyname: "hot:00"` lines of redis-cli's summary.
fn parse_redis_cli(out: &str) -> Vec<(String, u32)> {
    out.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("hot key found with counter: ")?;
            let (n, name) = rest.split_once("keyname: ")?;
            Some((
                name.trim().trim_matches('"').to_string(),
                n.trim().parse().ok()?,
            ))
        })
        .collect()
}

fn parse_ours(out: &str) -> Vec<(String, u32)> {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_string(),
                k["freq"].as_u64().unwrap() as u32,
            )
        })
        .collect()
}
