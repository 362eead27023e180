//! `make bench` (second part): what an analysis costs the application. A `redis-benchmark` GET
//! workload (20 clients, random keys) runs against the seeded server alone, then while each of
//! `redis-cli --hotkeys` / `--bigkeys`, `dcs-analyze` (default, gentle) and `dcs-analyze --fast`
//! (and the key-space report, beside `redis-cli --rdb`: both take one snapshot by replication)
//! runs; the workload is measured in back-to-back slices of `SLICE` requests, and only slices that
//! ran entirely during the analysis count. Prints, per analysis, medians over `BENCH_RUNS`:
//! the analysis's time (and its ratio to redis-cli's), the workload's p50 and p99 (and p99 as a
//! multiple of alone) and its throughput (as a share of alone), as a Markdown table for
//! BENCHMARKS.md.
//!
//! `BENCH_KEYS` (default 1,000,000) and `BENCH_RUNS` (default 3) override the size; for a quick
//! look at some analyses, `BENCH_ONLY=hotkeys,bigkeys` (any of hotkeys, bigkeys, expired,
//! keyspace), `BENCH_MODES=gentle|fast` and `BENCH_NO_PEER=1` (no redis-cli run).

mod common;

use common::{median, seed};
use dcs_analyzer::server::RedisProcess;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Requests per workload slice (a fraction of a second each).
const SLICE: &str = "20000";
const CLIENTS: &str = "20";

/// One slice of the workload: (p50 ms, p99 ms, requests/s).
#[derive(Clone, Copy, Debug)]
struct Slice {
    p50: f64,
    p99: f64,
    rps: f64,
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs one slice of the workload; `None` if redis-benchmark failed.
fn slice(port: &str, keys: usize) -> Option<Slice> {
    let out = Command::new("redis-benchmark")
        .args(["-p", port, "-t", "get", "-c", CLIENTS, "-n", SLICE, "--csv"])
        .args(["-r", &keys.to_string(), "--precision", "3"])
        .output()
        .ok()?;
    // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("\"GET\""))?
        .to_string();
    let f: Vec<f64> = line
        .split(',')
        .skip(1)
        .filter_map(|v| v.trim_matches('"').parse().ok())
        .collect();
    Some(Slice {
        rps: f[0],
        p50: f[3],
        p99: f[5],
    })
}

/// The workload's slices while `analysis` runs (all slices for `None`, for `alone` seconds),
/// and how long the analysis took.
fn measure(
    port: &str,
    keys: usize,
    analysis: Option<&mut Command>,
    alone: Duration,
) -> (Vec<Slice>, Duration) {
    let started = Instant::now();
    let mut child: Option<Child> = analysis.map(|c| {
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the analysis")
    });
    let mut slices = Vec::new();
    let took = loop {
        let s = slice(port, keys);
        let done = match &mut child {
            Some(c) => c.try_wait().expect("wait").map(|st| {
                assert!(st.success(), "the analysis failed");
                started.elapsed()
            }),
            None => (started.elapsed() >= alone).then(|| started.elapsed()),
        };
        match done {
            // The slice that straddles the end does not count.
            Some(t) if child.is_some() => break t,
            Some(t) => {
                slices.extend(s);
                break t;
            }
            None => slices.extend(s),
        }
    };
    (slices, took)
}

/// Medians of a set of slices.
fn summary(slices: &[Slice]) -> Slice {
    let med = |f: fn(&Slice) -> f64| {
        let mut v: Vec<f64> = slices.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    Slice {
        p50: med(|s| s.p50),
        p99: med(|s| s.p99),
        rps: med(|s| s.rps),
    }
}

fn main() {
    let keys = env("BENCH_KEYS", 1_000_000);
    let runs = env("BENCH_RUNS", 3);
    let server =
        RedisProcess::start(&dcs_analyzer::server::DETERMINISTIC_LFU).expect("redis-server");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(seed(&server.url(), keys));
    let port = server.port.to_string();
    let url = server.url();
    let bin = env!("CARGO_BIN_EXE_dcs-analyze");
    println!("impact on a GET workload ({CLIENTS} clients) of {keys} keys, medians of {runs} runs");
    println!();
    println!("| analysis | time | × redis-cli | workload p50 | workload p99 | p99 × alone | throughput | of alone |");
    println!("|---|---|---|---|---|---|---|---|");

    let mut alone_slices = Vec::new();
    let (cpu_before, alone_started) = (cpu_seconds(server.pid()), Instant::now());
    for _ in 0..runs {
        alone_slices.extend(measure(&port, keys, None, Duration::from_secs(4)).0);
    }
    // How busy the workload alone keeps the server's thread: whatever an analysis takes of a
    // thread that is always busy, the workload loses.
    let busy = (cpu_seconds(server.pid()) - cpu_before) / alone_started.elapsed().as_secs_f64();
    let alone = summary(&alone_slices);
    let row = |name: &str, time: Option<Duration>, peer: Option<Duration>, s: Slice| {
        let time_text = time.map_or("—".into(), |t| format!("{:.2} s", t.as_secs_f64()));
        let ratio = match (time, peer) {
            (Some(t), Some(p)) => format!("{:.2}", t.as_secs_f64() / p.as_secs_f64()),
            _ => "—".into(),
        };
        println!(
            "| {name} | {time_text} | {ratio} | {:.3} ms | {:.3} ms | {:.2}× | {:.1}k/s | {:.0} % |",
            s.p50,
            s.p99,
            s.p99 / alone.p99,
            s.rps / 1000.0,
            100.0 * s.rps / alone.rps
        );
    };
    row("nothing (the workload alone)", None, None, alone);

    let only = std::env::var("BENCH_ONLY").ok();
    let modes: Vec<bool> = match std::env::var("BENCH_MODES").ok().as_deref() {
        Some("gentle") => vec![false],
        Some("fast") => vec![true],
        _ => vec![false, true],
    };
    // The key-space report reads a snapshot by replication, as `redis-cli --rdb` does: the same
    // fork on the server, so that is its peer (it has no pace of its own).
    let snapshot = std::env::temp_dir().join(format!("impact-{}.rdb", std::process::id()));
    let rdb_peer = format!("--rdb {}", snapshot.display());
    for (kind, peer) in [
        ("hotkeys", Some("--hotkeys")),
        ("bigkeys", Some("--bigkeys")),
        ("expired", None),
        ("keyspace", Some(rdb_peer.as_str())),
    ] {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|o| o == kind))
        {
            continue;
        }
        let peer = peer.filter(|_| std::env::var("BENCH_NO_PEER").is_err());
        let mut cli_times = Vec::new();
        let mut cli_slices = Vec::new();
        if let Some(flag) = peer {
            for _ in 0..runs {
                let (s, t) = measure(
                    &port,
                    keys,
                    Some(
                        Command::new("redis-cli")
                            .args(["-p", &port])
                            .args(flag.split(' ')),
                    ),
                    Duration::ZERO,
                );
                cli_slices.extend(s);
                cli_times.push(t);
            }
        }
        let cli_time = (!cli_times.is_empty()).then(|| median(&mut cli_times));
        if let Some(flag) = peer {
            row(
                &format!("`redis-cli {flag}`"),
                cli_time,
                cli_time,
                summary(&cli_slices),
            );
        }
        let modes: &[bool] = if kind == "keyspace" { &[false] } else { &modes };
        for &fast in modes {
            let mut times = Vec::new();
            let mut slices = Vec::new();
            for _ in 0..runs {
                let mut cmd = Command::new(bin);
                cmd.args([kind, "--url", &url, "--json"]);
                if fast {
                    cmd.arg("--fast");
                }
                let (s, t) = measure(&port, keys, Some(&mut cmd), Duration::ZERO);
                slices.extend(s);
                times.push(t);
            }
            let name = format!("`dcs-analyze {kind}{}`", if fast { " --fast" } else { "" });
            row(&name, Some(median(&mut times)), cli_time, summary(&slices));
        }
    }
    let _ = std::fs::remove_file(&snapshot);
    println!();
    println!(
        "redis-server's CPU with the workload alone: {:.0} % of one core",
        100.0 * busy
    );
}

/// CPU seconds (user + system) process `pid` has used, from `/proc/PID/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the command name (which may hold spaces, so split after its ')'): utime and
    // stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let ticks: f64 = rest
        .split(' ')
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    let per_second = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0);
    ticks / per_second
}
