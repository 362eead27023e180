//! Reclaiming expired keys that Redis has not freed yet.
//!
//! Redis frees an expired key when a client touches it or when active expiry happens to sample
//! it. The number reclaimed is the growth of `expired_keys` in `INFO stats` on each master over
//! the analysis. (On a busy server that figure also counts keys that clients or active expiry
//! reclaimed meanwhile.) Two ways to touch them:
//!
//! * **From the snapshot** (the default, `source = "auto"`, as hot and big keys read theirs;
//!   `source.rs` decides where): the node's snapshot, streamed by replication, says which keys
//!   are past their expiry by the server's clock, and only those are touched — `EXISTS` of each
//!   (`RawConn::exists_each`), a master deleting a key past its expiry as any read does, in
//!   small paced requests. The server's thread does nothing for the keys that are live, which
//!   are most of them: the fork is all it pays for those (BENCHMARKS.md). Their names are held
//!   until the snapshot has been read, at most [`EXPIRED_NAMES_MAX`] bytes an analysis (its
//!   masters are read at once); a node whose names do not fit, or with one longer than
//!   [`TOUCHED_NAME_MAX`], is swept by SCAN instead. A key that expires after the snapshot is
//!   left to the server, as a SCAN that has passed it would.
//!   Told `source = "snapshot"`, either is an error rather than a SCAN. A deadline stops the
//!   snapshot (Redis's wait before it, its transfer) as it stops the touching.
//! * **By SCAN** (`source = "online"`, where a snapshot is refused or not worth it, and gently
//!   on a master that writes its snapshot to disk first, `repl-diskless-sync no`: writing it
//!   costs a busy server's workload more than the SCAN does, BENCHMARKS.md): a full
//!   SCAN of every database (COUNT = `scan_keys_count`); a key SCAN finds expired is deleted on
//!   the spot. Nothing is kept of the names SCAN sends: each database is swept on a connection of
//!   our own (`raw_conn.rs`) that reads past them, one SCAN at a time, paced as any one-request
//!   batch (`pace.rs`). On a host the server shares, the client CPU this saves is the workload's.
//!
//! Neither way reads what cannot hold an expired key: a database whose keys have no expiry
//! (`expires=0` in `INFO keyspace`) is not scanned, and a node with no such key at all is not
//! asked for a snapshot; their keys count as covered. As for a SCAN that has passed a key, an
//! expiry set after that reading is the server's to reclaim.

use crate::conn::{Conn, Node};
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::pace::{Pacer, GENTLE_SCAN_ALONE};
use crate::raw_conn::RawConn;
use crate::rdb::KeyInfo;
use crate::scan::{databases, on_every_node, ScanOutcome, Stop};
use crate::source::{self, Source, Visit, Weigh};
use crate::target::Target;
use dcs_api::TaskKind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Bytes of expired keys' names one analysis holds at most, its masters together (with
/// `NAME_OVERHEAD` each): a node whose names would not fit is swept by SCAN, which holds none.
pub const EXPIRED_NAMES_MAX: usize = 64 << 20;
/// The longest name kept to be touched; a key with a longer one has the node swept by SCAN.
pub const TOUCHED_NAME_MAX: usize = 64 << 10;
/// What holding one name costs beside its bytes (its vector and database).
const NAME_OVERHEAD: usize = 32;
/// Keys a second a fast sweep reads by SCAN alone (COUNT 1000, BENCHMARKS.md): a snapshot seldom
/// finishes sooner, so fast mode mostly scans.
const FAST_SWEEP_KEYS_PER_S: f64 = 1_000_000.0;

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
    /// How each master was read, in the order of the nodes analysed.
    pub sources: Vec<Source>,
}

async fn expired_keys(conn: &mut Conn, node: &Node) -> Result<u64> {
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
    let budget = Arc::new(AtomicUsize::new(EXPIRED_NAMES_MAX));
    let shards = on_every_node(nodes, |_, node| {
        let (opts, ctl, budget) = (opts.clone(), ctl.clone(), budget.clone());
        async move {
            let mut conn = node.connect(0, &opts).await?;
            let before = expired_keys(&mut conn, &node).await?;
            let dbs = databases(&mut conn).await?;
            // No key with an expiry, so none past it: no snapshot, and the sweep skips every
            // database (covering their keys without a SCAN).
            let snapshot = match dbs.iter().all(|d| d.expires == 0) {
                true => None,
                false => from_snapshot(&node, &opts, &ctl, deadline, budget).await?,
            };
            let (mut outcome, source) = match snapshot {
                Some(outcome) => (outcome, Source::Snapshot),
                None => (sweep(&node, &opts, &ctl, deadline).await?, Source::Online),
            };
            // A connection of its own: the first may have idled past the server's `timeout`.
            let after = expired_keys(&mut node.connect(0, &opts).await?, &node).await?;
            // A stop asked for before the count is in stops this sweep too, however far it got
            // (a snapshot with few expired keys may be done by then): the operator asked first.
            outcome.cancelled |= ctl.is_cancelled();
            let shard = ShardReclaim {
                shard: node.shard.clone(),
                reclaimed: after.saturating_sub(before),
                scanned: outcome.scanned,
            };
            Ok((shard, outcome, source))
        }
    })
    .await?;
    Ok(ExpiredReport {
        num: shards.iter().map(|(s, ..)| s.reclaimed).sum(),
        scanned_keys: shards.iter().map(|(s, ..)| s.scanned).sum(),
        duration_ms: started.elapsed().as_millis() as u64,
        timed_out: shards.iter().any(|(_, o, _)| o.timed_out),
        cancelled: shards.iter().any(|(_, o, _)| o.cancelled),
        sources: shards.iter().map(|(.., s)| *s).collect(),
        shards: shards.into_iter().map(|(s, ..)| s).collect(),
    })
}

/// The names of the keys a snapshot showed past their expiry, per database, within the
/// analysis's `budget` of [`EXPIRED_NAMES_MAX`] bytes (given back when dropped).
struct Expired {
    keys: Vec<(u32, Vec<u8>)>,
    held: usize,
    budget: Arc<AtomicUsize>,
    /// Some could not be held (too many, or a name too long): sweep by SCAN instead.
    over: bool,
}

impl Expired {
    fn new(budget: Arc<AtomicUsize>) -> Expired {
        Expired {
            keys: Vec::new(),
            held: 0,
            budget,
            over: false,
        }
    }

    fn add(&mut self, k: KeyInfo) {
        if self.over {
            return;
        }
        let need = k.name.len() + NAME_OVERHEAD;
        let taken = self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(need)
            })
            .is_ok();
        if !taken || k.name_len > k.name.len() as u64 {
            if taken {
                self.budget.fetch_add(need, Ordering::SeqCst);
            }
            self.over = true;
            self.release();
            return;
        }
        self.held += need;
        self.keys.push((k.db, k.name));
    }

    fn release(&mut self) {
        self.budget
            .fetch_add(std::mem::take(&mut self.held), Ordering::SeqCst);
        self.keys = Vec::new();
    }
}

impl Drop for Expired {
    fn drop(&mut self) {
        self.release();
    }
}

/// Reclaims `node`'s expired keys from its snapshot (see the module's docs); `None` where
/// `opts.source` and the node say to sweep by SCAN instead (its progress taken back).
async fn from_snapshot(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    deadline: Option<tokio::time::Instant>,
    budget: Arc<AtomicUsize>,
) -> Result<Option<ScanOutcome>> {
    let visit = Visit {
        live: |_, _, _| {},
        expired: Some(Expired::add),
        keep: TOUCHED_NAME_MAX,
    };
    let kind = TaskKind::Expire;
    let held = Expired::new(budget);
    // The deadline stops the snapshot too (Redis's wait for it, its transfer), not the sweep's
    // other nodes: a control of its own, stopped when the deadline comes.
    let reading = ctl.child();
    let timer = deadline.map(|at| {
        let reading = reading.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            reading.cancel();
        })
    });
    let weigh = Weigh {
        fast_online_keys_per_s: FAST_SWEEP_KEYS_PER_S,
        // Written to the server's disk first, a snapshot costs the workload more than the SCAN.
        gentle_on_disk: false,
    };
    let read = source::read(node, opts, &reading, kind, held, visit, weigh).await;
    if let Some(timer) = timer {
        timer.abort();
    }
    let read = match read {
        Ok(Some(read)) => read,
        Ok(None) => return Ok(None),
        // Stopped or out of time while the snapshot streamed: a sweep that ended there, as a
        // SCAN's would (nothing touched).
        Err(AnalyzerError::Cancelled) => {
            let cancelled = ctl.is_cancelled();
            return Ok(Some(ScanOutcome {
                cancelled,
                timed_out: !cancelled,
                ..Default::default()
            }));
        }
        Err(e) => return Err(e),
    };
    let insist = opts.source == Source::Snapshot;
    if read.handler.over {
        if insist {
            return Err(AnalyzerError::Unsupported {
                kind,
                reason: format!(
                    "{}: the names of its expired keys do not fit in {} MiB (or one is longer \
                     than {} KiB); sweep it by SCAN (source online)",
                    node.addr,
                    EXPIRED_NAMES_MAX >> 20,
                    TOUCHED_NAME_MAX >> 10
                ),
            });
        }
        tracing::info!(node = %node.addr, "too many expired keys to hold; sweeping by SCAN");
        ctl.take_back(read.live, read.total);
        return Ok(None);
    }
    let (read_live, read_total, taken) = (read.live, read.total, ctl.clone());
    let (node, opts, ctl) = (node.clone(), opts.clone(), ctl.clone());
    let addr = node.addr.clone();
    let touched = tokio::task::spawn_blocking(move || {
        let stop = Stop {
            ctl: &ctl,
            deadline,
        };
        let mut outcome = ScanOutcome {
            scanned: read.live,
            ..Default::default()
        };
        // The snapshot lists a database's keys together, so these are runs of one database.
        for run in read.handler.keys.chunk_by(|a, b| a.0 == b.0) {
            touch(&node, &opts, run[0].0, run, &stop, &mut outcome)?;
            if outcome.cancelled || outcome.timed_out {
                break;
            }
        }
        Ok(outcome)
    })
    .await
    .map_err(|e| AnalyzerError::Protocol {
        addr: addr.clone(),
        detail: format!("the reclaiming stopped: {e}"),
    })?;
    match touched {
        Ok(outcome) => Ok(Some(outcome)),
        // A user that may not EXISTS: SCAN does the same (what EXISTS did reclaim is counted).
        Err(e @ AnalyzerError::Denied { .. }) if !insist => {
            tracing::warn!(node = %addr, error = %e, "sweeping by SCAN");
            taken.take_back(read_live, read_total);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A connection of our own to `node`'s database `db`, and the pacing of one request at a time
/// on it (small requests when gentle, as a SCAN's).
fn paced_conn(node: &Node, opts: &ScanOptions, db: u32) -> Result<(RawConn, Pacer)> {
    let mut conn = RawConn::open(node, opts, opts.response_timeout)?;
    if db != 0 {
        conn.command(&["SELECT", &db.to_string()], true)?;
    }
    Ok((conn, Pacer::one_request(opts.pace, GENTLE_SCAN_ALONE)))
}

/// `EXISTS` of database `db`'s expired `keys`, a small request at a time, paced as a SCAN of as
/// many keys would be.
fn touch(
    node: &Node,
    opts: &ScanOptions,
    db: u32,
    keys: &[(u32, Vec<u8>)],
    stop: &Stop,
    outcome: &mut ScanOutcome,
) -> Result<()> {
    let (mut conn, mut pacer) = paced_conn(node, opts, db)?;
    let count = pacer.scan_count(opts.count) as usize;
    for batch in keys.chunks(count) {
        if stop.now(outcome) {
            return Ok(());
        }
        let names: Vec<&[u8]> = batch.iter().map(|(_, name)| name.as_slice()).collect();
        let sent = Instant::now();
        conn.exists_each(&names)?;
        pacer.wait_after(sent);
        if !opts.pause.is_zero() {
            std::thread::sleep(opts.pause);
        }
    }
    Ok(())
}

/// SCANs every database of `node` that has keys with an expiry, keeping nothing of the names.
async fn sweep(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    deadline: Option<tokio::time::Instant>,
) -> Result<ScanOutcome> {
    let dbs = databases(&mut node.connect(0, opts).await?).await?;
    ctl.add_total(dbs.iter().map(|d| d.keys).sum());
    let (node, opts, ctl) = (node.clone(), opts.clone(), ctl.clone());
    let addr = node.addr.clone();
    tokio::task::spawn_blocking(move || {
        let stop = Stop {
            ctl: &ctl,
            deadline,
        };
        let mut outcome = ScanOutcome::default();
        for db in dbs {
            if db.expires == 0 {
                // None of its keys can be past an expiry: covered without a SCAN.
                outcome.scanned += db.keys;
                ctl.add_scanned(db.keys);
                continue;
            }
            sweep_db(&node, &opts, db.index, &stop, &mut outcome)?;
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
    let (mut conn, mut pacer) = paced_conn(node, opts, db)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::ValueType;

    fn key(db: u32, name: &[u8], name_len: u64) -> KeyInfo {
        KeyInfo {
            db,
            name: name.to_vec(),
            name_len,
            value_type: ValueType::String,
            encoding: "raw",
            elements: 1,
            bytes: 1,
            expire_ms: Some(1),
            freq: None,
        }
    }

    #[test]
    fn names_are_held_within_their_limits_or_none_at_all() {
        let budget = Arc::new(AtomicUsize::new(EXPIRED_NAMES_MAX));
        let mut held = Expired::new(budget.clone());
        held.add(key(0, b"a", 1));
        held.add(key(3, b"bb", 2));
        assert!(!held.over);
        assert_eq!(held.keys, [(0, b"a".to_vec()), (3, b"bb".to_vec())]);
        let both = 3 + 2 * NAME_OVERHEAD;
        assert_eq!(budget.load(Ordering::SeqCst), EXPIRED_NAMES_MAX - both);
        // A name cut to what was kept cannot be touched: SCAN instead, nothing held.
        held.add(key(0, b"c", TOUCHED_NAME_MAX as u64 + 1));
        assert!(held.over && held.keys.is_empty());
        assert_eq!(budget.load(Ordering::SeqCst), EXPIRED_NAMES_MAX);
        held.add(key(0, b"d", 1));
        assert!(held.keys.is_empty(), "nothing more once over");
        // The analysis's bytes are shared by its nodes: what one holds, another cannot.
        let name = vec![b'x'; 1 << 16];
        let fit = EXPIRED_NAMES_MAX / (name.len() + NAME_OVERHEAD);
        let mut first = Expired::new(budget.clone());
        for _ in 0..fit - 1 {
            first.add(key(0, &name, name.len() as u64));
        }
        let mut second = Expired::new(budget.clone());
        second.add(key(0, &name, name.len() as u64));
        assert!(!second.over);
        second.add(key(0, &name, name.len() as u64));
        assert!(second.over && second.keys.is_empty());
        assert!(!first.over && first.keys.len() == fit - 1);
        drop(first);
        drop(second);
        assert_eq!(
            budget.load(Ordering::SeqCst),
            EXPIRED_NAMES_MAX,
            "all given back"
        );
    }
}
