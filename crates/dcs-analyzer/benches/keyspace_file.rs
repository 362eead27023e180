//! `make bench`: the key-space report of one snapshot file against the classic tool, same file,
//! same run. 1,000,000 keys of mixed types (`BENCH_KEYS`), the snapshot written by
//! `redis-cli --rdb` as an operator would take it; then `dcs-analyze keyspace --rdb` (the full
//! report: types, memory estimate, prefix tree, TTL bands, top 500 keys) `BENCH_RUNS` times, a
//! bare parse of the same file in this process (the floor: every key read, nothing reported),
//! and redis-rdb-tools' `rdb -c memory` (installed by `scripts/setup` in tools/rdbtools-venv).
//! Prints a Markdown table for BENCHMARKS.md.

mod common;

use common::{median, seed, timed};
use dcs_analyzer::server::RedisProcess;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let keys: usize = env_or("BENCH_KEYS", 1_000_000);
    let runs: usize = env_or("BENCH_RUNS", 3);
    let server = RedisProcess::start(&[]).expect("redis-server");
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(seed(&server.url(), keys));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.rdb");
    timed(
        Command::new("redis-cli")
            .args(["-p", &server.port.to_string(), "--rdb"])
            .arg(&file),
    );
    let size = std::fs::metadata(&file).unwrap().len();

    let bin = env!("CARGO_BIN_EXE_dcs-analyze");
    let mut ours = Vec::new();
    for _ in 0..runs {
        let (t, out) = timed(
            Command::new(bin)
                .args(["keyspace", "--json", "--rdb"])
                .arg(&file),
        );
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["total_num"], keys as u64, "every key reported");
        ours.push(t);
    }
    // The largest resident set of any child waited for so far: ours (redis-cli's is smaller;
    // the server is still running, so not counted).
    let rss_mb = peak_child_rss_kb() as f64 / 1024.0;

    let mut bare = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut n = 0u64;
        let input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&file).unwrap());
        dcs_analyzer::rdb::parse(input, |_| n += 1).unwrap();
        assert_eq!(n, keys as u64);
        bare.push(start.elapsed());
    }

    let rdbtools =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/rdbtools-venv/bin/rdb");
    let peer = if rdbtools.exists() {
        let start = Instant::now();
        let out = Command::new(&rdbtools)
            .args(["-c", "memory", "-f", "/dev/null"])
            .arg(&file)
            .output()
            .expect("rdb");
        let t = start.elapsed();
        if out.status.success() {
            format!("the memory CSV | {}", secs(t))
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            format!("fails: \"{}\" | —", last.trim())
        }
    } else {
        "not installed (run scripts/setup) | —".to_string()
    };

    drop(server);
    let (ours, bare) = (median(&mut ours), median(&mut bare));
    println!(
        "{keys} keys, snapshot {:.1} MB from redis-cli --rdb, medians of {runs}\n",
        size as f64 / 1e6
    );
    println!("| tool | result | time | memory |\n|---|---|---|---|");
    println!(
        "| `dcs-analyze keyspace --rdb dump.rdb --json` | the full report | **{}** ({:.1}× the bare parse) | {rss_mb:.1} MB peak RSS |",
        secs(ours),
        ours.as_secs_f64() / bare.as_secs_f64()
    );
    println!(
        "| bare parse (`rdb::parse`, in process, nothing reported) | every key read | {} | — |",
        secs(bare)
    );
    println!("| redis-rdb-tools `rdb -c memory dump.rdb` | {peer} | — |");
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn peak_child_rss_kb() -> i64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}
