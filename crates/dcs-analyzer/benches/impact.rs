//! `make bench` (second part): what an analysis costs the application. A `redis-benchmark` GET
//! workload (20 clients, random keys) runs against the seeded server alone, then while each of
//! `redis-cli --hotkeys` / `--bigkeys` / `--scan`, `dcs-analyze` (default, gentle; big keys also
//! `--source online`) and `dcs-analyze --fast` (and the key-space report, beside `redis-cli --rdb`: both take one
//! snapshot by replication) runs; the workload is measured in back-to-back slices of `SLICE`
//! requests, and only slices that ran entirely during the analysis count. Each run follows a few
//! seconds of the workload alone and is compared with that (this host's speed drifts over
//! minutes). Prints, per analysis, medians over `BENCH_RUNS`: the analysis's time (and its ratio
//! to redis-cli's), the workload's p50 and p99 (and p99 as a multiple of alone) and its
//! throughput (as a share of alone), the CPU seconds of the server (with its snapshot child, if
//! any) and of the analysis over one more run without the workload (what it costs, however it is paced), and whether a
//! default analysis is within the bounds it must hold (BENCHMARKS.md), as a Markdown table for
//! BENCHMARKS.md.
//!
//! `BENCH_KEYS` (default 1,000,000) and `BENCH_RUNS` (default 3) override the size; for a quick
//! look at some analyses, `BENCH_ONLY=hotkeys,bigkeys` (any of hotkeys, bigkeys, expired,
//! keyspace), `BENCH_MODES=gentle|fast` and `BENCH_NO_PEER=1` (no redis-cli run); to try a
//! setting, `BENCH_ARGS` adds arguments to every `dcs-analyze` run (e.g. `--count 30`) and
//! `BENCH_SERVER_ARGS` to the server's (e.g. `--repl-diskless-sync no`); to compare builds,
//! `BENCH_BIN` runs that `dcs-analyze` instead of this one.
//!
//! Before every expired-key run (and `redis-cli --scan`'s, and the workload alone before each),
//! keys already past their expiry are added, 5 % as many as the seeded ones
//! ([`PAST_EXPIRY_ONE_IN`]; `BENCH_PAST_EXPIRY` sets the number, 0 for none), the server's
//! active expiry off so they wait to be touched, as those a busy cache's active expiry has not
//! reached yet: the reclaiming is measured, not only the search, and each run is checked to have
//! reclaimed every one. Hot and big keys' runs have none (as in their earlier tables).

mod common;

use common::{
    expired_keys, median, redis_cli_ok, save_now, seed, seed_past_expiry, REDIS_DEFAULTS,
};
use dcs_analyzer::server::RedisProcess;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Requests per workload slice (a fraction of a second each).
const SLICE: &str = "20000";
const CLIENTS: &str = "20";
/// Keys past their expiry before each expired-key run, one for every this many seeded (5 %): half
/// of what Redis's active expiry tolerates before it works harder (it aims at under 10 % stale).
const PAST_EXPIRY_ONE_IN: usize = 20;
/// How long the workload runs alone before each measured run (and for the table's first row).
const ALONE: Duration = Duration::from_secs(3);

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

/// One analysis measured `runs` times, each run right after the workload alone, so that a
/// host whose speed drifts over the bench compares each run with its own baseline.
struct Measured {
    /// The analysis's median time.
    time: Duration,
    /// Medians of the workload's slices during the analysis, over every run.
    during: Slice,
    /// Medians over the runs of p99 during / p99 alone, and of throughput during / alone.
    p99_ratio: f64,
    share: f64,
    /// CPU seconds (user + system) of the server and of the analysis's own process over one
    /// more run without the workload: what it costs the server's one thread and the host's
    /// cores, however the pace spreads it.
    server_cpu: f64,
    client_cpu: f64,
}

/// Before every run (and the workload alone before it), `past` keys past their expiry, which
/// the analysis must reclaim (none: nothing is added or checked).
struct PastExpiry<'a> {
    past: usize,
    prepare: &'a dyn Fn(usize),
}

fn measure_runs(
    server: &RedisProcess,
    keys: usize,
    runs: usize,
    expiry: PastExpiry,
    mut cmd: impl FnMut() -> Command,
) -> Measured {
    let port = &server.port.to_string();
    (expiry.prepare)(expiry.past);
    let (before, client_before) = (cpu_seconds(server.pid()), children_cpu_seconds());
    let reclaimed_before = expired_keys(port);
    let status = cmd()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("start the analysis");
    assert!(status.success(), "the analysis failed");
    wait_no_child(port);
    let server_cpu = cpu_seconds(server.pid()) - before;
    let client_cpu = children_cpu_seconds() - client_before;
    // What the bench says it measures: every key past its expiry was reclaimed.
    let reclaimed = expired_keys(port) - reclaimed_before;
    assert!(
        reclaimed >= expiry.past as u64,
        "reclaimed {reclaimed} of the {} keys past their expiry",
        expiry.past
    );
    let (mut times, mut slices, mut ratios, mut shares) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        (expiry.prepare)(expiry.past);
        let alone = summary(&measure(port, keys, None, ALONE).0);
        let (s, t) = measure(port, keys, Some(&mut cmd()), Duration::ZERO);
        let during = summary(&s);
        ratios.push(during.p99 / alone.p99);
        shares.push(during.rps / alone.rps);
        slices.extend(s);
        times.push(t);
    }
    Measured {
        time: median(&mut times),
        during: summary(&slices),
        p99_ratio: median_f64(&mut ratios),
        share: median_f64(&mut shares),
        server_cpu,
        client_cpu,
    }
}

fn median_f64(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The issue's bounds for a default (gentle) analysis against its redis-cli peer: workload p99
/// within 1.5× of alone or 1.1× of the peer's, whichever is larger; throughput at least 85 % of
/// alone; at most half the peer's time.
fn within_bounds(ours: &Measured, peer: &Measured) -> String {
    let p99 = ours.p99_ratio <= (1.5f64).max(1.1 * peer.p99_ratio);
    let share = ours.share >= 0.85;
    let time = ours.time.as_secs_f64() <= 0.5 * peer.time.as_secs_f64();
    let missed: Vec<&str> = [(p99, "p99"), (share, "throughput"), (time, "time")]
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, name)| *name)
        .collect();
    match missed.is_empty() {
        true => "yes".into(),
        false => format!("no ({})", missed.join(", ")),
    }
}

fn main() {
    let keys = env("BENCH_KEYS", 1_000_000);
    let runs = env("BENCH_RUNS", 3);
    // Redis's own replication and persistence defaults (which the test servers change): the
    // key-space report and big keys' default wait 5 s for a snapshot, as on a real server.
    let mut args = dcs_analyzer::server::DETERMINISTIC_LFU.to_vec();
    args.extend(REDIS_DEFAULTS);
    // To measure the analyses against another configuration (e.g. `--repl-diskless-sync no`).
    let server_args = std::env::var("BENCH_SERVER_ARGS").unwrap_or_default();
    args.extend(server_args.split_whitespace());
    let past = env("BENCH_PAST_EXPIRY", keys / PAST_EXPIRY_ONE_IN);
    if past > 0 {
        args.extend(["--enable-debug-command", "local"]);
    }
    let server = RedisProcess::start(&args).expect("redis-server");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(seed(&server.url(), keys));
    let port = server.port.to_string();
    save_now(&port);
    let url = server.url();
    // For the whole bench: nothing else is past its expiry, so it has nothing else to do.
    if past > 0 {
        redis_cli_ok(&port, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    }
    let prepare = |past: usize| {
        if past > 0 {
            rt.block_on(seed_past_expiry(&url, past));
            // Saved at once, as the seed is: otherwise these writes (and the deletes the runs
            // make) fire the save points (10,000 changes in 60 s) in the middle of some run.
            // Not before the last run's snapshot child is gone (the server saves one at a time).
            wait_no_child(&port);
            save_now(&port);
        }
    };
    // Another build of ours (an earlier commit's, to compare two in the same hour).
    let bin = std::env::var("BENCH_BIN").unwrap_or(env!("CARGO_BIN_EXE_dcs-analyze").into());
    println!("impact on a GET workload ({CLIENTS} clients) of {keys} keys, medians of {runs} runs, each beside the workload alone just before it");
    if past > 0 {
        println!(
            "and {past} keys past their expiry before every expired-key run (active expiry off)"
        );
    }
    println!();
    println!("| analysis | time | × redis-cli | workload p50 | workload p99 | p99 × alone | throughput | of alone | CPU: server / analysis | default within bounds |");
    println!("|---|---|---|---|---|---|---|---|---|---|");

    let mut alone_slices = Vec::new();
    let (cpu_before, alone_started) = (cpu_seconds(server.pid()), Instant::now());
    for _ in 0..runs {
        alone_slices.extend(measure(&port, keys, None, ALONE).0);
    }
    // How busy the workload alone keeps the server's thread: whatever an analysis takes of a
    // thread that is always busy, the workload loses.
    let busy = (cpu_seconds(server.pid()) - cpu_before) / alone_started.elapsed().as_secs_f64();
    let alone = summary(&alone_slices);
    let row = |name: &str, m: Option<&Measured>, peer: Option<&Measured>, bounds: &str| {
        let (time, s, p99_ratio, share) = match m {
            Some(m) => (Some(m.time), m.during, m.p99_ratio, m.share),
            None => (None, alone, 1.0, 1.0),
        };
        let cpu = m.map_or("—".into(), |m| {
            format!("{:.2} s / {:.2} s", m.server_cpu, m.client_cpu)
        });
        let time_text = time.map_or("—".into(), |t| format!("{:.2} s", t.as_secs_f64()));
        let ratio = match (time, peer) {
            (Some(t), Some(p)) => format!("{:.2}", t.as_secs_f64() / p.time.as_secs_f64()),
            _ => "—".into(),
        };
        println!(
            "| {name} | {time_text} | {ratio} | {:.3} ms | {:.3} ms | {:.2}× | {:.1}k/s | {:.0} % | {cpu} | {bounds} |",
            s.p50,
            s.p99,
            p99_ratio,
            s.rps / 1000.0,
            100.0 * share
        );
    };
    row("nothing (the workload alone)", None, None, "");

    let only = std::env::var("BENCH_ONLY").ok();
    let extra_args = std::env::var("BENCH_ARGS").unwrap_or_default();
    let modes: Vec<bool> = match std::env::var("BENCH_MODES").ok().as_deref() {
        Some("gentle") => vec![false],
        Some("fast") => vec![true],
        _ => vec![false, true],
    };
    // redis-cli has no expired-key mode; `--scan` is the same pass (SCAN over every key) and the
    // peer of reclaiming. The key-space report reads a snapshot by replication, as
    // `redis-cli --rdb` does: the same fork on the server, so that is its peer (it has no pace of
    // its own).
    let snapshot = std::env::temp_dir().join(format!("impact-{}.rdb", std::process::id()));
    let rdb_peer = format!("--rdb {}", snapshot.display());
    for (kind, peer) in [
        ("hotkeys", Some("--hotkeys")),
        ("bigkeys", Some("--bigkeys")),
        ("expired", Some("--scan")),
        ("keyspace", Some(rdb_peer.as_str())),
    ] {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|o| o == kind))
        {
            continue;
        }
        let peer = peer.filter(|_| std::env::var("BENCH_NO_PEER").is_err());
        let expiry = || PastExpiry {
            past: if kind == "expired" { past } else { 0 },
            prepare: &prepare,
        };
        let cli = peer.map(|flag| {
            measure_runs(&server, keys, runs, expiry(), || {
                let mut cmd = Command::new("redis-cli");
                cmd.args(["-p", &port]).args(flag.split(' '));
                cmd
            })
        });
        if let (Some(flag), Some(cli)) = (peer, &cli) {
            row(&format!("`redis-cli {flag}`"), Some(cli), Some(cli), "");
        }
        // (fast, arguments beyond the default): big keys and the expired-key sweep also scan
        // online at the gentle pace, what their default does where a node refuses a snapshot.
        let variants: Vec<(bool, &str)> = match kind {
            "keyspace" => vec![(false, "")],
            _ => modes
                .iter()
                .flat_map(|&fast| match (kind, fast) {
                    ("bigkeys" | "expired", false) => {
                        vec![(false, ""), (false, "--source online")]
                    }
                    _ => vec![(fast, "")],
                })
                .collect(),
        };
        for (fast, more) in variants {
            let ours = measure_runs(&server, keys, runs, expiry(), || {
                let mut cmd = Command::new(&bin);
                cmd.args([kind, "--url", &url, "--json"]);
                if fast {
                    cmd.arg("--fast");
                }
                cmd.args(more.split_whitespace());
                cmd.args(extra_args.split_whitespace());
                cmd
            });
            let mut name = format!("`dcs-analyze {kind}");
            for flag in [if fast { "--fast" } else { "" }, more] {
                if !flag.is_empty() {
                    name += &format!(" {flag}");
                }
            }
            name.push('`');
            let bounds = match (&cli, fast || kind == "keyspace") {
                (Some(cli), false) if more.is_empty() => within_bounds(&ours, cli),
                _ => String::new(),
            };
            row(&name, Some(&ours), cli.as_ref(), &bounds);
        }
    }
    let _ = std::fs::remove_file(&snapshot);
    println!();
    println!(
        "redis-server's CPU with the workload alone: {:.0} % of one core",
        100.0 * busy
    );
}

/// CPU seconds (user + system) process `pid` has used, from `/proc/PID/stat`, with those of the
/// children it has waited for: a server's fork that writes a snapshot is its cost too.
fn cpu_seconds(pid: u32) -> f64 {
    stat_seconds(&format!("/proc/{pid}/stat"), 11, 4)
}

/// CPU seconds this process's children used, those it has waited for: the analyses it ran.
fn children_cpu_seconds() -> f64 {
    stat_seconds("/proc/self/stat", 13, 2)
}

/// Until the server on `port` has no snapshot child left (it reaps one within its next cron
/// tick), so that child's CPU is counted; at most 30 s.
fn wait_no_child(port: &str) {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        let out = Command::new("redis-cli")
            .args(["-p", port, "info", "persistence"])
            .output()
            .expect("redis-cli");
        if String::from_utf8_lossy(&out.stdout).contains("rdb_bgsave_in_progress:0") {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the server's snapshot child did not end within 30 s");
}

/// `count` clock-tick fields of a `/proc/…/stat` file, summed in seconds: `first` counts fields
/// after the command name (which may hold spaces, so split after its ')'), from 0 — utime and
/// stime are 11 and 12, cutime and cstime 13 and 14.
fn stat_seconds(path: &str, first: usize, count: usize) -> f64 {
    let stat = std::fs::read_to_string(path).expect("/proc/PID/stat");
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let ticks: f64 = rest
        .split(' ')
        .skip(first)
        .take(count)
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
