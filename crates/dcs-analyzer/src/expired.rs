//! Reclaiming expired keys that Redis has not freed yet.
//!
//! Redis frees an expired key when a client touches it or when active expiry happens to sample it.
//! `SCAN` touches every key, and a key it finds expired is deleted on the spot. So a full SCAN of
//! every database on every master (COUNT = `scan_keys_count`) reclaims them all; the number
//! reclaimed is the growth of `expired_keys` in `INFO stats` on each master over the scan. (On a
//! busy server that figure also counts keys that clients or active expiry reclaimed meanwhile.)
//!
//! Nothing is kept of the names SCAN sends: each database is swept on a connection of our own
//! (`raw_conn.rs`) that reads past them, one SCAN at a time, paced as any one-request batch
//! (`pace.rs`). On a host the server shares, the client CPU this saves is the workload's
//! (BENCHMARKS.md).

use crate::conn::Node;
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::pace::{Pacer, GENTLE_SCAN_ALONE};
use crate::raw_conn::RawConn;
use crate::scan::{databases, on_every_node, ScanOutcome, Stop};
use crate::target::Target;
use std::time::Instant;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardReclaim {
    pub shard: String,
    pub reclaimed: u64,
    pub scanned: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiredReport {
    /// Keys reclaimed on all masters.
    pub num: u64,
    pub scanned_keys: u64,
    pub duration_ms: u64,
    /// The deadline stopped the scan before it covered every key.
    pub timed_out: bool,
    /// Cancelled before it covered every key; `num` is what it reclaimed until then.
    pub cancelled: bool,
    pub shards: Vec<ShardReclaim>,
}

async fn expired_keys(node: &Node, opts: &ScanOptions) -> Result<u64> {
    let mut conn = node.connect(0, opts).await?;
    let stats = conn.info("stats").await?;
    stats
        .iter()
        .find(|(k, _)| k == "expired_keys")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| AnalyzerError::Protocol {
            addr: node.addr.clone(),
            detail: "INFO stats has no expired_keys".into(),
        })
}

/// Checks `target` ([`crate::prepare`]), then runs the analysis on its masters.
pub async fn analyze(target: &Target, opts: &ScanOptions, ctl: &Control) -> Result<ExpiredReport> {
    let masters = crate::prepare(dcs_api::TaskKind::Expire, target, opts).await?;
    run_on(&masters, opts, ctl).await
}

/// Runs the analysis on masters [`crate::prepare`] returned (checked options, so each is probed
/// once).
pub async fn run_on(nodes: &[Node], opts: &ScanOptions, ctl: &Control) -> Result<ExpiredReport> {
    let started = Instant::now();
    let deadline = match opts.deadline {
        // Checked as well as bounded: a clock near its end must not panic the task.
        Some(d) => Some(tokio::time::Instant::now().checked_add(d).ok_or_else(|| {
            AnalyzerError::InvalidOption(format!("a timeout of {} s is too long", d.as_secs()))
        })?),
        None => None,
    };
    let shards = on_every_node(nodes, |_, node| {
        let (opts, ctl) = (opts.clone(), ctl.clone());
        async move {
            let before = expired_keys(&node, &opts).await?;
            let outcome = sweep(&node, &opts, &ctl, deadline).await?;
            let after = expired_keys(&node, &opts).await?;
            let shard = ShardReclaim {
                shard: node.shard.clone(),
                reclaimed: after.saturating_sub(before),
                scanned: outcome.scanned,
            };
            Ok((shard, outcome))
        }
    })
    .await?;
    Ok(ExpiredReport {
        num: shards.iter().map(|(s, _)| s.reclaimed).sum(),
        scanned_keys: shards.iter().map(|(s, _)| s.scanned).sum(),
        duration_ms: started.elapsed().as_millis() as u64,
        timed_out: shards.iter().any(|(_, o)| o.timed_out),
        cancelled: shards.iter().any(|(_, o)| o.cancelled),
        shards: shards.into_iter().map(|(s, _)| s).collect(),
    })
}

/// SCANs every database of `node` that has keys, keeping nothing of the names.
async fn sweep(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    deadline: Option<tokio::time::Instant>,
) -> Result<ScanOutcome> {
    let dbs = databases(&mut node.connect(0, opts).await?).await?;
    ctl.add_total(dbs.iter().map(|(_, n)| n).sum());
    let (node, opts, ctl) = (node.clone(), opts.clone(), ctl.clone());
    let addr = node.addr.clone();
    tokio::task::spawn_blocking(move || {
        let stop = Stop {
            ctl: &ctl,
            deadline,
        };
        let mut outcome = ScanOutcome::default();
        for (db, _) in dbs {
            sweep_db(&node, &opts, db, &stop, &mut outcome)?;
            if outcome.cancelled || outcome.timed_out {
                break;
            }
        }
        Ok(outcome)
    })
    .await
    .map_err(|e| AnalyzerError::Protocol {
        addr,
        detail: format!("the scan stopped: {e}"),
    })?
}

/// One database's SCAN, one request at a time, paced; what it covered goes into `outcome`.
fn sweep_db(
    node: &Node,
    opts: &ScanOptions,
    db: u32,
    stop: &Stop,
    outcome: &mut ScanOutcome,
) -> Result<()> {
    let mut conn = RawConn::open(node, opts, opts.response_timeout)?;
    if db != 0 {
        conn.command(&["SELECT", &db.to_string()], true)?;
    }
    let mut pacer = Pacer::one_request(opts.pace, GENTLE_SCAN_ALONE);
    let count = pacer.scan_count(opts.count);
    let mut cursor = 0;
    loop {
        if stop.now(outcome) {
            return Ok(());
        }
        let sent = Instant::now();
        let (next, keys) = conn.scan(cursor, count)?;
        outcome.scanned += keys;
        stop.ctl.add_scanned(keys);
        if next == 0 {
            return Ok(());
        }
        cursor = next;
        pacer.wait_after(sent);
        if !opts.pause.is_zero() {
            std::thread::sleep(opts.pause);
        }
    }
}
