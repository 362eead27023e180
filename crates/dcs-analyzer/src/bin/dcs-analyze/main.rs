//! `dcs-analyze`: run one analysis from the command line.
//!
//! ```text
//! dcs-analyze hotkeys|bigkeys|expired --url redis[s]://HOST:PORT [--url …] [--cluster]
//!             [--top N] [--count N] [--pause-ms MS] [--timeout SECS] [--memory-usage]
//!             [--tls-ca FILE] [--fast] [--analyze-on replica|master] [--min-freq N] [--json]
//! dcs-analyze keyspace (--url redis://HOST:PORT [--cluster] [--online [--sample N]] | --rdb FILE)
//!             [--delimiters ':/'] [--depth N] [--top N] [--json]
//! ```
//! Like `redis-cli`, the password may come from `REDISCLI_AUTH` instead of the URL, so it is not
//! on the command line for `ps` to show.
//! Human output is an aligned table; `--json` prints one object with DCS field names. A progress
//! bar goes to stderr when it is a terminal; errors go to stderr with exit status 1.

use clap::Parser;
use dcs_analyzer::options::{COUNT_RANGE, MAX_DEADLINE, MAX_PAUSE, MAX_TOP, SNAPSHOT_MAX_MB_RANGE};
use dcs_analyzer::source::SNAPSHOT_MAX_MEMORY;
use dcs_analyzer::{
    AnalyzeOn, AnalyzerError, Control, Pace, Progress, Report, ScanOptions, Target, Unit,
};
use dcs_api::task::BigkeyEntry;
use dcs_api::{KeyType, KeyUnit, TaskKind};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

mod keyspace;

/// What to run: a task's analysis, named by its kind's plural (`hotkeys`, `bigkeys`,
/// `expired`), or the key-space report (`keyspace`).
#[derive(Clone, Copy, Debug)]
enum Command {
    Task(TaskKind),
    Keyspace,
}

fn parse_command(s: &str) -> Result<Command, String> {
    TaskKind::ALL
        .iter()
        .copied()
        .find(|k| k.plural() == s)
        .map(|k| match k {
            // Its own options (file, delimiters, depth) and report.
            TaskKind::Keyspace => Command::Keyspace,
            _ => Command::Task(k),
        })
        .ok_or_else(|| {
            let names: Vec<&str> = TaskKind::ALL.iter().map(|k| k.plural()).collect();
            format!("expected one of: {}", names.join(", "))
        })
}

#[derive(Parser)]
#[command(
    version,
    about = "Find hot keys and big keys, and reclaim expired keys, on Redis"
)]
pub(crate) struct Args {
    /// hotkeys, bigkeys, expired or keyspace.
    #[arg(value_parser = parse_command, value_name = "ANALYSIS")]
    analysis: Command,
    /// redis://[user:password@]HOST:PORT, or rediss:// for TLS; repeat for several cluster
    /// seeds. The password may come from REDISCLI_AUTH instead.
    #[arg(long, required_unless_present = "rdb")]
    url: Vec<String>,
    /// Keyspace: analyse this RDB file (a backup's dump.rdb) instead of a node's snapshot.
    #[arg(long)]
    rdb: Option<std::path::PathBuf>,
    /// Keyspace: the characters that end a key-prefix segment (several at once: ":/|").
    #[arg(long, default_value = ":")]
    delimiters: String,
    /// Keyspace: measure the live key space (SCAN + MEMORY USAGE, paced) instead of a snapshot;
    /// also what happens when the server refuses replication.
    #[arg(long)]
    online: bool,
    /// Keyspace online: measure one key in N (the rest are estimated from it).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    sample: u64,
    /// Keyspace: depth of the prefix tree.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=16))]
    depth: u32,
    /// The URLs are seeds of a Redis Cluster: scan every master.
    #[arg(long)]
    cluster: bool,
    /// Hot keys to report (default 100); keyspace: largest keys and prefixes per type (500).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_TOP as i64))]
    top: Option<u32>,
    /// COUNT of each SCAN (and pipeline batch size).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(*COUNT_RANGE.start() as i64..=*COUNT_RANGE.end() as i64))]
    count: u32,
    /// Pause between batches, in milliseconds (at most 60000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_PAUSE.as_millis() as u64))]
    pause_ms: u64,
    /// Expired keys: stop after this many seconds (at most 604800, 7 days).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_DEADLINE.as_secs()))]
    timeout: Option<u64>,
    /// Go as fast as the server allows: whole batches back to back, the next SCAN in flight
    /// with each. The default is gentle: bounded requests, paced to the server's latency.
    #[arg(long)]
    fast: bool,
    /// Big keys: read a healthy replica of each master where there is one (`replica`, the
    /// default), or always the masters (`master`). Hot and expired keys always use masters.
    #[arg(long, value_name = "replica|master", default_value = "replica", value_parser = ["replica", "master"])]
    analyze_on: String,
    /// Hot and big keys: read each node's snapshot by replication (the server forks once and
    /// runs no per-key command) or scan it online (SCAN and per-key commands); expired keys:
    /// learn from the snapshot which keys are past their expiry and touch only those (EXISTS),
    /// or SCAN every key. `auto` (the
    /// default): a snapshot of nodes up to --snapshot-max-mb of memory (with --fast only where
    /// it would finish first: the server's repl-diskless-sync-delay and the key count decide;
    /// rather than wait that delay, --fast has a server that saves anyway (save points or AOF)
    /// write the snapshot to its disk first, its dump file, as BGSAVE does), online where that is
    /// refused, or where the snapshot would leave a file on a server that does not save.
    #[arg(long, value_name = "auto|snapshot|online", default_value = "auto")]
    source: dcs_analyzer::Source,
    /// --source auto: the largest node (used_memory, MB) read by a snapshot; a fork pauses the
    /// server ~10-13 ms per GB and copies the pages written meanwhile (1 to 1048576).
    #[arg(long, default_value_t = SNAPSHOT_MAX_MEMORY >> 20, value_parser = clap::value_parser!(u64).range(*SNAPSHOT_MAX_MB_RANGE.start()..=*SNAPSHOT_MAX_MB_RANGE.end()))]
    snapshot_max_mb: u64,
    /// Big keys: also measure MEMORY USAGE of each winner.
    #[arg(long)]
    memory_usage: bool,
    /// Hot keys: the smallest LFU counter reported (default 6: above the counter every key
    /// starts with).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(6..=255))]
    min_freq: u32,
    /// rediss://: the CA certificate (PEM) that signed the server's, when the system does not
    /// trust it.
    #[arg(long)]
    tls_ca: Option<std::path::PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// `url` with the password from `REDISCLI_AUTH` when the URL carries no credentials.
fn with_env_password(url: &str, password: Option<&str>) -> String {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return url.to_string();
    };
    match url.split_once("://") {
        Some((scheme, rest)) if !rest.contains('@') => {
            let encoded: String = password
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{scheme}://:{encoded}@{rest}")
        }
        _ => url.to_string(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let password = std::env::var("REDISCLI_AUTH").ok();
    let urls: Vec<String> = args
        .url
        .iter()
        .map(|u| with_env_password(u, password.as_deref()))
        .collect();
    let target = if args.cluster {
        Target::Cluster(urls)
    } else {
        // With --rdb there is no URL, and no target is read.
        Target::Standalone(urls.first().cloned().unwrap_or_default())
    };
    let tls_ca = match &args.tls_ca {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem.into()),
            Err(e) => {
                eprintln!("dcs-analyze: --tls-ca {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    let opts = ScanOptions {
        count: args.count,
        top: args.top.unwrap_or(100) as usize,
        pause: Duration::from_millis(args.pause_ms),
        deadline: args.timeout.map(Duration::from_secs),
        memory_usage: args.memory_usage,
        min_freq: args.min_freq,
        pace: if args.fast { Pace::Fast } else { Pace::Gentle },
        analyze_on: if args.analyze_on == "master" {
            AnalyzeOn::Master
        } else {
            AnalyzeOn::Replica
        },
        source: args.source,
        snapshot_max_memory: args.snapshot_max_mb << 20,
        tls_ca,
        ..Default::default()
    };
    let (ctl, progress) = Control::new();
    let bar = std::io::stderr()
        .is_terminal()
        .then(|| tokio::spawn(draw_progress(progress)));
    let result = match args.analysis {
        Command::Task(kind) => run(kind, &target, &opts, &ctl, args.json).await,
        Command::Keyspace => keyspace::run(&args, &target, &opts, &ctl).await,
    };
    if let Some(bar) = bar {
        bar.abort();
        eprint!("\r\x1b[2K");
    }
    match result {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dcs-analyze: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    which: TaskKind,
    target: &Target,
    opts: &ScanOptions,
    ctl: &Control,
    as_json: bool,
) -> Result<String, AnalyzerError> {
    let nodes = dcs_analyzer::prepare(which, target, opts).await?;
    let report = dcs_analyzer::run(which, &nodes, opts, ctl).await?;
    let analyzed_on = dcs_analyzer::analysis::analyzed_on_after(&nodes, &report);
    let replicas: Vec<String> = analyzed_on
        .iter()
        .filter(|n| n.role == "replica")
        .map(|n| format!("{} (replica of {})", n.node, n.shard))
        .collect();
    let mut read_on = if replicas.is_empty() {
        String::new()
    } else {
        format!("\nread on {}", replicas.join(", "))
    };
    let snapshots: Vec<&str> = analyzed_on
        .iter()
        .filter(|n| n.source.as_deref() == Some("snapshot"))
        .map(|n| n.node.as_str())
        .collect();
    if !snapshots.is_empty() {
        read_on += &format!("\nread from a snapshot of {}", snapshots.join(", "));
    }
    Ok(match report {
        // `keyspace` runs through its own command; a report that arrives here is printed whole.
        Report::Keyspace(r) => serde_json::to_string(&r).unwrap_or_default(),
        Report::Hotkey(r) => {
            if as_json {
                json!({"keys": r.keys, "scanned_keys": r.scanned_keys, "duration_ms": r.duration_ms, "analyzed_on": analyzed_on}).to_string()
            } else {
                let rows = r.keys.iter().map(|k| {
                    let common = (&k.name, k.key_type, k.size, k.unit, k.db, &k.shard);
                    (common, k.freq.to_string())
                });
                keys_table("FREQ", rows) + &scanned(r.scanned_keys, r.duration_ms) + &read_on
            }
        }
        Report::Bigkey(r) => {
            if as_json {
                json!({"keys": r.keys, "scanned_keys": r.scanned_keys, "duration_ms": r.duration_ms, "analyzed_on": analyzed_on}).to_string()
            } else {
                let memory = |k: &BigkeyEntry| k.memory_usage.map_or("-".into(), |m| m.to_string());
                let rows = r.keys.iter().map(|k| {
                    let common = (&k.name, k.key_type, k.size, k.unit, k.db, &k.shard);
                    (common, memory(k))
                });
                keys_table("MEMORY", rows) + &scanned(r.scanned_keys, r.duration_ms) + &read_on
            }
        }
        Report::Expire(r) => {
            if as_json {
                let shards: Vec<_> = r.shards.iter().map(|s| json!({"shard": s.shard, "num": s.reclaimed, "scanned_keys": s.scanned})).collect();
                json!({"num": r.num, "scanned_keys": r.scanned_keys, "duration_ms": r.duration_ms, "timed_out": r.timed_out, "shards": shards, "analyzed_on": analyzed_on}).to_string()
            } else {
                let rows = r.shards.iter().map(|s| {
                    vec![
                        s.shard.clone(),
                        s.reclaimed.to_string(),
                        s.scanned.to_string(),
                    ]
                });
                let note = if r.timed_out {
                    " (stopped by --timeout)"
                } else {
                    ""
                };
                format!(
                    "{}\n{} expired keys reclaimed, {} keys scanned in {} ms{note}{read_on}",
                    table(&["SHARD", "RECLAIMED", "SCANNED"], rows),
                    r.num,
                    r.scanned_keys,
                    r.duration_ms
                )
            }
        }
    })
}

/// Columns padded to their widest cell (in characters).
fn scanned(keys: u64, ms: u64) -> String {
    format!("\n{keys} keys scanned in {ms} ms")
}

/// A key's columns every key table has.
type KeyColumns<'a> = (&'a String, KeyType, u64, KeyUnit, u32, &'a String);

/// Hot or big keys, numbered, with one column of their own (`extra`).
fn keys_table<'a>(extra: &str, rows: impl Iterator<Item = (KeyColumns<'a>, String)>) -> String {
    let rows = rows
        .enumerate()
        .map(|(i, ((name, key_type, size, unit, db, shard), own))| {
            vec![
                (i + 1).to_string(),
                name.clone(),
                key_type.to_string(),
                size.to_string(),
                unit.to_string(),
                own,
                db.to_string(),
                shard.clone(),
            ]
        });
    table(
        &["#", "NAME", "TYPE", "SIZE", "UNIT", extra, "DB", "SHARD"],
        rows,
    )
}

pub(crate) fn table(head: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut all: Vec<Vec<String>> = vec![head.iter().map(|s| s.to_string()).collect()];
    all.extend(rows);
    let widths: Vec<usize> = (0..head.len())
        .map(|c| all.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    all.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(s, w)| format!("{s:<w$}"))
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn draw_progress(mut rx: tokio::sync::watch::Receiver<Progress>) {
    while rx.changed().await.is_ok() {
        let p = *rx.borrow_and_update();
        eprint!("\r{}", progress_line(&p));
        let _ = std::io::stderr().flush();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The progress bar: keys scanned, or a snapshot's bytes received and parsed (a diskless
/// snapshot announces no size: bytes alone).
fn progress_line(p: &Progress) -> String {
    let mb = |b: u64| b as f64 / 1_048_576.0;
    if p.unit == Unit::Bytes && p.total == 0 {
        return format!("{:.1} MB of the snapshot parsed", mb(p.scanned));
    }
    let filled = p.percent() as usize / 5;
    let bar = format!(
        "[{}{}] {:>3}%",
        "#".repeat(filled),
        ".".repeat(20 - filled),
        p.percent()
    );
    match p.unit {
        Unit::Keys => format!("{bar} {}/{} keys", p.scanned, p.total),
        Unit::Bytes => format!(
            "{bar} {:.1}/{:.1} MB of the snapshot parsed",
            mb(p.scanned),
            mb(p.total)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_counts_keys_or_snapshot_bytes() {
        let keys = Progress {
            scanned: 50,
            total: 200,
            unit: Unit::Keys,
        };
        assert_eq!(
            progress_line(&keys),
            "[#####...............]  25% 50/200 keys"
        );
        let bytes = Progress {
            scanned: 3 << 20,
            total: 4 << 20,
            unit: Unit::Bytes,
        };
        assert_eq!(
            progress_line(&bytes),
            "[###############.....]  75% 3.0/4.0 MB of the snapshot parsed"
        );
        let diskless = Progress { total: 0, ..bytes };
        assert_eq!(progress_line(&diskless), "3.0 MB of the snapshot parsed");
    }
}
