//! Where hot and big keys read a node's keys: its snapshot, or online. A snapshot is the node's
//! RDB streamed by replication (`snapshot.rs`, as `redis-cli --rdb` does), each key's type, size
//! and LFU counter taken from it (Redis writes a key's counter into the snapshot under an `*-lfu`
//! policy, decayed as `OBJECT FREQ` reports it). The server's thread does no per-key work — it
//! forks once and the child writes the snapshot to our socket — so a concurrent workload does not
//! feel the analysis, where even the gentlest online scan costs the server's thread per key
//! (BENCHMARKS.md). A fork pauses the server for a time that grows with its memory (Redis's
//! latency docs: ~10–13 ms per GB) and copies the pages written while the child runs, so by
//! default only nodes up to [`SNAPSHOT_MAX_MEMORY`] are read this way (`snapshot_max_memory` of
//! [`ScanOptions`]: lower where the host has little memory to spare for the copied pages, higher
//! where a longer fork is fine).
//!
//! [`Source::Auto`] (the default): a gentle analysis reads a snapshot of each node within that
//! size and scans online where the node refuses replication (an ACL without `SYNC`, a managed
//! service that renames it, TLS without a verified CA) or the transfer fails; a fast analysis
//! takes whichever way would finish first ([`fast_snapshot`]). A diskless master starts a
//! snapshot only after its `repl-diskless-sync-delay` (5 s by default), longer than a whole
//! online scan of a million keys, so where the server persists anyway (`save` points or AOF)
//! fast mode asks for the snapshot written to its disk first ([`Transfer::Disk`]: no wait, the
//! server writes its dump file as `BGSAVE` does), while a gentle one waits and writes nothing on
//! the server. A server that does not persist would load such a file on its next start, so
//! none is left there unless it removes the file once sent (`rdb-del-sync-files yes`): no disk
//! snapshot of it in fast mode, and where it replicates only by disk (`repl-diskless-sync no`)
//! `auto` scans it online and `Snapshot`, the key-space report and backups are refused
//! ([`check_snapshot`]). The same for a server whose last save failed: a snapshot on its disk
//! would fail too. Small nodes scan online in fast mode: the fork costs more. `Snapshot`
//! insists (a refusal is the analysis's error); `Online` always scans.
//! A snapshot holds the keys as they were when the server forked; keys already expired in it are
//! left out, as a scan would not find them — the expired-key scan takes just those
//! (`Visit::expired`), and gently it does not read a disk-based master's (`Weigh`).

use crate::conn::Node;
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::pace::Pace;
use crate::rdb::{KeyInfo, ValueType};
use crate::scan::{scan_node, BatchHandler};
use crate::snapshot::Transfer;
use dcs_api::{KeyType, TaskKind};

/// How hot and big keys read a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// A snapshot of a node up to [`ScanOptions::snapshot_max_memory`] (fast: only where it
    /// would finish first), else (or where it is refused) online.
    #[default]
    Auto,
    /// Always a snapshot; a node that refuses one fails the analysis.
    Snapshot,
    /// Always SCAN and per-key commands.
    Online,
}

impl Source {
    /// The word the configuration, the CLI and the task record use.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Auto => "auto",
            Source::Snapshot => "snapshot",
            Source::Online => "online",
        }
    }
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(Source::Auto),
            "snapshot" => Ok(Source::Snapshot),
            "online" => Ok(Source::Online),
            other => Err(format!(
                "{other:?} is not a source (auto, snapshot or online)"
            )),
        }
    }
}

/// By default `Auto` reads a snapshot only of a node whose `used_memory` is at most this (4 GiB:
/// a fork of ~40–50 ms at the documented rates); larger nodes are scanned online unless told
/// `snapshot`. [`ScanOptions::snapshot_max_memory`] sets it per analysis.
pub const SNAPSHOT_MAX_MEMORY: u64 = 4 << 30;

/// Bytes of each name kept from a snapshot: enough for the report's form of any name (at most
/// `MAX_NAME_CHARS` characters of up to 4 bytes), so both sources report a name alike.
pub const NAME_KEPT: usize = dcs_api::task::MAX_NAME_CHARS * 4;

/// Keys parsed between two progress updates.
const PROGRESS_EVERY: u64 = 1024;

/// Fast mode's estimates of a snapshot's speed, as measured on the bench host (BENCHMARKS.md),
/// against each analysis's online speed ([`BatchHandler::FAST_KEYS_PER_S`]): it streams and
/// parses ~2M keys/s once the server starts it, ~1M keys/s where the server first writes it to
/// its disk (`repl-diskless-sync no`), after a setup (handshake and fork) of tens of milliseconds.
const SNAPSHOT_KEYS_PER_S: f64 = 2_000_000.0;
const DISK_SNAPSHOT_KEYS_PER_S: f64 = 1_000_000.0;
const SNAPSHOT_SETUP_S: f64 = 0.05;

/// When and how fast a node would stream its snapshot, and whether it may leave a file behind,
/// from its replication and persistence settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SnapshotStart {
    /// Seconds the server waits before it forks (`repl-diskless-sync-delay`, diskless only).
    wait_s: f64,
    keys_per_s: f64,
    /// The server writes a replica's snapshot to its disk (`repl-diskless-sync no`).
    on_disk: bool,
    /// The server persists anyway (`save` points or `appendonly yes`), so a snapshot written to
    /// its disk changes nothing: it writes that file itself, or restarts from its AOF. A server
    /// that does not would load the file on its next start — a cache meant to start empty
    /// coming back with the keys of the day it was analysed.
    persists: bool,
    /// The server removes a file written for a replica once it is sent, where it does not
    /// persist (`rdb-del-sync-files yes`, Redis >= 6.0), so none is left behind.
    deletes_sync_files: bool,
    /// The server's last save to its disk failed (`rdb_last_bgsave_status:err`): a snapshot
    /// written there would fail as well, and a failed one keeps a server with `save` points
    /// refusing writes (`stop-writes-on-bgsave-error`) until a save succeeds.
    save_failed: bool,
}

/// A snapshot written to the server's disk before it is sent: at once, at disk speed.
const DISK: SnapshotStart = SnapshotStart {
    wait_s: 0.0,
    keys_per_s: DISK_SNAPSHOT_KEYS_PER_S,
    on_disk: true,
    persists: false,
    deletes_sync_files: false,
    save_failed: false,
};

impl SnapshotStart {
    /// From `CONFIG GET repl-diskless-sync*`, `save`, `appendonly` and `rdb-del-sync-files`'s
    /// name/value pairs; what is missing (CONFIG refused or renamed, an older server) is taken
    /// at Redis's replication defaults (diskless, after 5 s), as not persisting and as keeping
    /// a replica's file.
    pub(crate) fn from_config(pairs: &[(String, String)]) -> SnapshotStart {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let persists =
            get("save").is_some_and(|v| !v.trim().is_empty()) || get("appendonly") == Some("yes");
        let deletes_sync_files = get("rdb-del-sync-files") == Some("yes");
        if get("repl-diskless-sync") == Some("no") {
            return SnapshotStart {
                persists,
                deletes_sync_files,
                ..DISK
            };
        }
        let delay = get("repl-diskless-sync-delay")
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(5.0);
        // One waiting replica is enough where the server is told to start at the first one.
        let at_once = get("repl-diskless-sync-max-replicas") == Some("1");
        SnapshotStart {
            wait_s: if at_once { 0.0 } else { delay.max(0.0) },
            keys_per_s: SNAPSHOT_KEYS_PER_S,
            on_disk: false,
            persists,
            deletes_sync_files,
            save_failed: false,
        }
    }

    /// Asks the server ([`SnapshotStart::from_config`], and `INFO persistence` for how its
    /// last save went; not answered: taken as succeeded, as Redis starts).
    async fn of(conn: &mut crate::conn::Conn) -> SnapshotStart {
        let mut pairs = Vec::new();
        // One pattern a call: Redis < 7 takes only one.
        for pattern in [
            "repl-diskless-sync*",
            "save",
            "appendonly",
            "rdb-del-sync-files",
        ] {
            let reply = conn
                .query::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg(pattern))
                .await
                .unwrap_or_default();
            pairs.extend(reply.chunks_exact(2).map(|p| (p[0].clone(), p[1].clone())));
        }
        let mut start = SnapshotStart::from_config(&pairs);
        start.save_failed = conn.info("persistence").await.is_ok_and(|info| {
            info.iter()
                .any(|(k, v)| k == "rdb_last_bgsave_status" && v == "err")
        });
        start
    }

    /// Seconds until a snapshot of `keys` keys is read.
    fn seconds(self, keys: u64) -> f64 {
        SNAPSHOT_SETUP_S + self.wait_s + keys as f64 / self.keys_per_s
    }

    /// Why the server should not be asked for a snapshot written to its disk, if it should not.
    fn disk_risk(self) -> Option<DiskRisk> {
        if !self.persists && !self.deletes_sync_files {
            Some(DiskRisk::FileStays)
        } else if self.save_failed {
            Some(DiskRisk::SaveFailed)
        } else {
            None
        }
    }

    /// Why the server should not be asked for a snapshot as it is configured, if it should
    /// not: it writes one to its disk, at a [`DiskRisk`]; the words say what to do.
    fn refusal(self, addr: &str) -> Option<String> {
        if !self.on_disk {
            return None;
        }
        Some(match self.disk_risk()? {
            DiskRisk::FileStays => format!(
                "{addr} does not persist (no save points, appendonly no) and keeps a file \
                 written for a replica (rdb-del-sync-files no): a snapshot, which it writes to \
                 its disk first (repl-diskless-sync no), would stay there, and the server \
                 would load it on its next start. Set repl-diskless-sync yes or \
                 rdb-del-sync-files yes on it, or analyse an RDB file"
            ),
            DiskRisk::SaveFailed => format!(
                "{addr}'s last save to its disk failed (rdb_last_bgsave_status:err): a \
                 snapshot, which it writes there first (repl-diskless-sync no), would fail too. \
                 See the server's log and INFO persistence, set repl-diskless-sync yes on it, \
                 or analyse an RDB file"
            ),
        })
    }
}

/// Why a server should not be asked for a snapshot written to its disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DiskRisk {
    /// It does not persist and keeps a replica's file: the file would stay, and a cache meant
    /// to start empty would come back with the keys of the day it was analysed.
    FileStays,
    /// Its last save failed: this one would fail too (a full disk, a folder it cannot write).
    SaveFailed,
}

/// Refuses a snapshot of `node` as it is configured where the server should not be asked for
/// one ([`SnapshotStart::refusal`]): `kind`'s [`AnalyzerError::Unsupported`], saying why and
/// what to do. The key-space analysis and backups ask this before a snapshot.
pub async fn check_snapshot(node: &Node, opts: &ScanOptions, kind: TaskKind) -> Result<()> {
    let mut conn = node.connect(0, opts).await?;
    match SnapshotStart::of(&mut conn).await.refusal(&node.addr) {
        Some(reason) => Err(AnalyzerError::Unsupported { kind, reason }),
        None => Ok(()),
    }
}

/// The sooner way to read a snapshot of `keys` keys from a server that starts one as `start`
/// says, and the seconds it would take: as the server is configured, or — where that waits for
/// other replicas and the server persists anyway — written to its disk first.
fn fastest_snapshot(keys: u64, start: SnapshotStart) -> (Transfer, f64) {
    let configured = start.seconds(keys);
    let disk = DISK.seconds(keys);
    if start.wait_s > 0.0 && start.disk_risk().is_none() && disk < configured {
        (Transfer::Disk, disk)
    } else {
        (Transfer::Diskless, configured)
    }
}

/// How a fast analysis of `keys` keys reads a snapshot ([`fastest_snapshot`]) where that
/// finishes before an online scan at `online_keys_per_s`; `None`: scan online.
pub(crate) fn fast_snapshot(
    keys: u64,
    start: SnapshotStart,
    online_keys_per_s: f64,
) -> Option<Transfer> {
    let (way, secs) = fastest_snapshot(keys, start);
    (secs < keys as f64 / online_keys_per_s).then_some(way)
}

/// Reads `node` by snapshot where `opts.source` and the node allow it ([`read`]), else scans it
/// online with a fresh handler from `make`; returns the handler, the keys seen and which way.
/// `kind` names the analysis in its errors.
pub(crate) async fn read_or_scan<H: BatchHandler + 'static>(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    kind: TaskKind,
    make: impl Fn() -> H,
    each: fn(&mut H, KeyInfo, KeyType),
) -> Result<(H, u64, Source)> {
    let visit = Visit {
        live: each,
        expired: None,
        keep: NAME_KEPT,
    };
    let weigh = Weigh {
        fast_online_keys_per_s: H::FAST_KEYS_PER_S,
        gentle_on_disk: true,
    };
    if let Some(r) = read(node, opts, ctl, kind, make(), visit, weigh).await? {
        return Ok((r.handler, r.live, Source::Snapshot));
    }
    let mut h = make();
    let outcome = scan_node(node, opts, ctl, &mut h, None).await?;
    if outcome.cancelled {
        return Err(AnalyzerError::Cancelled);
    }
    Ok((h, outcome.scanned, Source::Online))
}

/// What a snapshot reader does with each key of the snapshot.
pub(crate) struct Visit<H> {
    /// A live key and its type (a module's value is skipped, as online).
    pub live: fn(&mut H, KeyInfo, KeyType),
    /// A key already past its expiry by the server's clock: not a key any more (nor counted, as
    /// SCAN would not return it); `None`: passed over.
    pub expired: Option<fn(&mut H, KeyInfo)>,
    /// Bytes of each name kept (longer names are cut, their length kept).
    pub keep: usize,
}

/// How an analysis weighs a node's snapshot against its own online scan.
pub(crate) struct Weigh {
    /// Keys a second its fast online scan reads: fast mode reads a snapshot only where that
    /// would finish first ([`fast_snapshot`]).
    pub fast_online_keys_per_s: f64,
    /// Whether a gentle analysis reads the snapshot of a master that writes it to its disk
    /// first (`repl-diskless-sync no`, Redis 6's default). That costs a busy workload far more
    /// than a diskless one — the server's own thread sends the file, chunk by chunk, where a
    /// diskless fork writes to our socket itself — for a second or two: about what an online
    /// scan of hot or big keys costs it for ten times as long, more than the expired-key
    /// scan's SCAN (BENCHMARKS.md).
    pub gentle_on_disk: bool,
}

/// What [`read`] read: the handler, the live keys it was handed and the node's keys counted
/// into the progress's total (what [`Control::take_back`] takes back where the caller scans
/// online after all).
pub(crate) struct Read<H> {
    pub handler: H,
    pub live: u64,
    pub total: u64,
}

/// Hands every key of `node`'s snapshot to `handler` as `visit` says; `None` where `opts.source`
/// and the node say to scan online instead (`handler` is then dropped: nothing it saw counts,
/// and its progress is taken back). A fast analysis reads it only where it would finish before
/// its online scan, and the sooner way ([`fastest_snapshot`]); a gentle one of a disk-based
/// master only where `weigh` says. Where the server should not be asked for one as it is
/// configured ([`SnapshotStart::refusal`]: a file left on it, a disk that failed its last save)
/// `auto` scans online and `snapshot` is `kind`'s error.
pub(crate) async fn read<H: Send + 'static>(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    kind: TaskKind,
    mut handler: H,
    visit: Visit<H>,
    weigh: Weigh,
) -> Result<Option<Read<H>>> {
    let insist = match opts.source {
        Source::Online => return Ok(None),
        Source::Snapshot => true,
        Source::Auto => false,
    };
    let mut conn = node.connect(0, opts).await?;
    let memory = conn.info("memory").await?;
    let used = memory
        .iter()
        .find(|(k, _)| k == "used_memory")
        .and_then(|(_, v)| v.parse::<u64>().ok());
    if !insist && used.is_none_or(|m| m > opts.snapshot_max_memory) {
        return Ok(None);
    }
    let keys: u64 = crate::scan::databases(&mut conn)
        .await?
        .iter()
        .map(|d| d.keys)
        .sum();
    let start = SnapshotStart::of(&mut conn).await;
    if let Some(reason) = start.refusal(&node.addr) {
        return match insist {
            true => Err(AnalyzerError::Unsupported { kind, reason }),
            false => Ok(None),
        };
    }
    let mut transfer = Transfer::Diskless;
    if opts.pace == Pace::Fast {
        transfer = match fast_snapshot(keys, start, weigh.fast_online_keys_per_s) {
            Some(way) => way,
            None if insist => fastest_snapshot(keys, start).0,
            None => return Ok(None),
        };
    } else if start.on_disk && !weigh.gentle_on_disk && !insist {
        return Ok(None);
    }
    // Expiry is the server's: its clock decides which keys are past it, not ours.
    let offset = clock_offset(&mut conn).await;
    drop(conn);
    let (node, opts, ctl) = (node.clone(), opts.clone(), ctl.clone());
    let addr = node.addr.clone();
    let taken = ctl.clone();
    let read = tokio::task::spawn_blocking(move || {
        let (mut seen, mut pending) = (0u64, 0u64);
        let now = crate::keyspace::now_ms() + offset;
        let mut started = false;
        let streamed =
            crate::snapshot::stream_keys(&node, &opts, &ctl, transfer, visit.keep, |k| {
                if !started {
                    // Counted once the snapshot arrives, so a refused one leaves the scan's count.
                    ctl.add_total(keys);
                    started = true;
                }
                if k.expire_ms.is_some_and(|at| at <= now) {
                    if let Some(expired) = visit.expired {
                        expired(&mut handler, k);
                    }
                    return;
                }
                pending += 1;
                if pending == PROGRESS_EVERY {
                    ctl.add_scanned(pending);
                    seen += pending;
                    pending = 0;
                }
                let Some(t) = key_type(k.value_type) else {
                    return; // a module's value: not measured, as online
                };
                (visit.live)(&mut handler, k, t);
            });
        ctl.add_scanned(pending);
        let counted = (seen + pending, if started { keys } else { 0 });
        let found = Read {
            handler,
            live: counted.0,
            total: counted.1,
        };
        (streamed.map(|_| found), counted)
    })
    .await
    .map_err(|e| AnalyzerError::Protocol {
        addr: addr.clone(),
        detail: format!("the snapshot reader stopped: {e}"),
    })?;
    match read {
        (Ok(found), _) => Ok(Some(found)),
        (Err(AnalyzerError::Cancelled), _) => Err(AnalyzerError::Cancelled),
        (Err(e), _) if insist => Err(e),
        (Err(e), (scanned, total)) => {
            tracing::warn!(node = %addr, error = %e, "no snapshot; scanning online");
            // The scan counts this node again from the start.
            taken.take_back(scanned, total);
            Ok(None)
        }
    }
}

/// Milliseconds the server's clock (`TIME`) is ahead of ours; 0 where it does not say.
async fn clock_offset(conn: &mut crate::conn::Conn) -> i64 {
    let Ok((secs, micros)) = conn.query::<(i64, i64)>(&redis::cmd("TIME")).await else {
        return 0;
    };
    secs * 1000 + micros / 1000 - crate::keyspace::now_ms()
}

fn key_type(t: ValueType) -> Option<KeyType> {
    Some(match t {
        ValueType::String => KeyType::String,
        ValueType::List => KeyType::List,
        ValueType::Set => KeyType::Set,
        ValueType::Zset => KeyType::Zset,
        ValueType::Hash => KeyType::Hash,
        ValueType::Stream => KeyType::Stream,
        ValueType::Module => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_and_print_alike() {
        for s in [Source::Auto, Source::Snapshot, Source::Online] {
            assert_eq!(s.as_str().parse::<Source>(), Ok(s));
        }
        assert!("replica".parse::<Source>().is_err());
    }

    fn config(pairs: &[(&str, &str)]) -> SnapshotStart {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        SnapshotStart::from_config(&pairs)
    }

    #[test]
    fn fast_reads_a_snapshot_only_where_it_finishes_first() {
        // CONFIG refused: Redis's defaults, a 5 s wait, and not known to persist.
        let unknown = config(&[]);
        assert_eq!(unknown.wait_s, 5.0);
        assert!(!unknown.persists);
        let default = config(&[
            ("repl-diskless-sync", "yes"),
            ("repl-diskless-sync-delay", "5"),
            ("repl-diskless-sync-max-replicas", "0"),
            ("save", "3600 1 300 100 60 10000"),
            ("appendonly", "no"),
        ]);
        assert!(default.persists && default.disk_risk().is_none());
        let hot = 600_000.0;
        // The 5 s wait is longer than the scan: written to the server's disk, it starts at once.
        assert_eq!(fast_snapshot(1_000_000, default, hot), Some(Transfer::Disk));
        // From enough keys, streaming after the wait is sooner than the slower disk.
        let many = fast_snapshot(20_000_000, default, hot);
        assert_eq!(many, Some(Transfer::Diskless));
        // A server that does not persist is never asked for a file: it would load it on its next
        // start. The wait then sends a million keys online.
        for cache in [
            config(&[("save", ""), ("appendonly", "no")]),
            config(&[("save", "  ")]),
            unknown,
        ] {
            assert!(!cache.persists, "{cache:?}");
            assert_eq!(fast_snapshot(1_000_000, cache, hot), None);
            assert_eq!(fast_snapshot(20_000_000, cache, hot), many);
        }
        // Nor where it removes a replica's file once sent: that one may be asked.
        let deletes = config(&[("save", ""), ("rdb-del-sync-files", "yes")]);
        assert_eq!(fast_snapshot(1_000_000, deletes, hot), Some(Transfer::Disk));
        let aof = config(&[("save", ""), ("appendonly", "yes")]);
        assert_eq!(fast_snapshot(1_000_000, aof, hot), Some(Transfer::Disk));
        // Its last save failed: one on its disk would fail too, so the wait or online.
        let failed = SnapshotStart {
            save_failed: true,
            ..default
        };
        assert_eq!(failed.disk_risk(), Some(DiskRisk::SaveFailed));
        assert_eq!(fast_snapshot(1_000_000, failed, hot), None);
        assert_eq!(fastest_snapshot(1_000_000, failed).0, Transfer::Diskless);
        assert_eq!(
            failed.refusal("a:1"),
            None,
            "diskless: its disk is not asked"
        );
        // A server that starts at once: any but a small node, straight from the fork.
        let at_once = config(&[("repl-diskless-sync-delay", "0")]);
        let streamed = Some(Transfer::Diskless);
        assert_eq!(fast_snapshot(1_000_000, at_once, hot), streamed);
        assert_eq!(fast_snapshot(50_000, at_once, hot), streamed);
        assert_eq!(
            fast_snapshot(5_000, at_once, hot),
            None,
            "the fork costs more"
        );
        assert_eq!(fast_snapshot(5_000, default, hot), None);
        let first_replica = config(&[("repl-diskless-sync-max-replicas", "1")]);
        assert_eq!(first_replica.wait_s, 0.0);
        // Disk-based already: no wait, but the file is written before it is sent — a file left
        // behind unless the server persists.
        let disk = config(&[
            ("repl-diskless-sync", "no"),
            ("repl-diskless-sync-delay", "5"),
            ("save", "900 1"),
        ]);
        assert_eq!(disk.wait_s, 0.0);
        assert_eq!(disk.refusal("a:1"), None);
        let keeps = config(&[("repl-diskless-sync", "no")])
            .refusal("a:1")
            .unwrap();
        assert!(keeps.contains("would stay there"), "{keeps}");
        let failed_disk = SnapshotStart {
            save_failed: true,
            ..disk
        };
        let failing = failed_disk.refusal("a:1").unwrap();
        assert!(failing.contains("rdb_last_bgsave_status:err"), "{failing}");
        let deletes_disk = config(&[("repl-diskless-sync", "no"), ("rdb-del-sync-files", "yes")]);
        assert_eq!(deletes_disk.refusal("a:1"), None);
        assert_eq!(fast_snapshot(1_000_000, disk, hot), streamed);
        assert!(disk.keys_per_s < at_once.keys_per_s);
        // Where the online way is slower, the snapshot wins sooner.
        assert_eq!(fast_snapshot(60_000, disk, hot), None);
        assert_eq!(fast_snapshot(60_000, disk, 300_000.0), streamed);
        // Nonsense is read as the default.
        assert_eq!(config(&[("repl-diskless-sync-delay", "soon")]), unknown);
    }
}
