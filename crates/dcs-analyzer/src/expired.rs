//! Reclaiming expired keys that Redis has not freed yet.
//!
//! Redis frees an expired key when a client touches it or when active expiry happens to sample it.
//! `SCAN` touches every key, and a key it finds expired is deleted on the spot. So a full SCAN of
//! every database on every master (COUNT = `scan_keys_count`) reclaims them all; the number
//! reclaimed is the growth of `expired_keys` in `INFO stats` on each master over the scan. (On a
//! busy server that figure also counts keys that clients or active expiry reclaimed meanwhile.)

use crate::conn::{Conn, Node};
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::scan::{on_every_node, scan_node, BatchHandler};
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

/// SCAN alone does the work; nothing to do per batch.
struct Touch;

impl BatchHandler for Touch {
    async fn handle(&mut self, _: &mut Conn, _: u32, _: Vec<Vec<u8>>) -> Result<()> {
        Ok(())
    }

    fn per_key(&self) -> bool {
        false
    }
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
            let outcome = scan_node(&node, &opts, &ctl, &mut Touch, deadline).await?;
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
