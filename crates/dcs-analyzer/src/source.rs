//! Where hot and big keys read a node's keys: its snapshot, or online. A snapshot is the node's
//! RDB streamed by replication (`snapshot.rs`, as `redis-cli --rdb` does), each key's type, size
//! and LFU counter taken from it (Redis writes a key's counter into the snapshot under an `*-lfu`
//! policy, decayed as `OBJECT FREQ` reports it). The server's thread does no per-key work — it
//! forks once and the child writes the snapshot to our socket — so a concurrent workload does not
//! feel the analysis, where even the gentlest online scan costs the server's thread per key
//! (BENCHMARKS.md). A fork pauses the server for a time that grows with its memory (Redis's
//! latency docs: ~10–13 ms per GB) and copies the pages written while the child runs, so by
//! default only nodes up to [`SNAPSHOT_MAX_MEMORY`] are read this way.
//!
//! [`Source::Auto`] (the default): a gentle analysis reads a snapshot of each node within that
//! size and scans online where the node refuses replication (an ACL without `SYNC`, a managed
//! service that renames it, TLS without a verified CA) or the transfer fails; a fast analysis
//! scans online. `Snapshot` insists (a refusal is the analysis's error); `Online` always scans.
//! A snapshot holds the keys as they were when the server forked; keys already expired in it are
//! left out, as a scan would not find them.

use crate::conn::Node;
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::pace::Pace;
use crate::rdb::{KeyInfo, ValueType};
use dcs_api::KeyType;

/// How hot and big keys read a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// Gentle: a snapshot of a node up to [`SNAPSHOT_MAX_MEMORY`], else (or where it is refused)
    /// online. Fast: online.
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

/// `Auto` reads a snapshot only of a node whose `used_memory` is at most this (4 GiB: a fork of
/// ~40–50 ms at the documented rates); larger nodes are scanned online unless told `snapshot`.
pub const SNAPSHOT_MAX_MEMORY: u64 = 4 << 30;

/// Bytes of each name kept from a snapshot: enough for the report's form of any name (at most
/// `MAX_NAME_CHARS` characters of up to 4 bytes), so both sources report a name alike.
pub const NAME_KEPT: usize = dcs_api::task::MAX_NAME_CHARS * 4;

/// Keys parsed between two progress updates.
const PROGRESS_EVERY: u64 = 1024;

/// Hands every live key of `node`'s snapshot to `each` with `handler`; returns the handler and
/// how many keys there were, or `None` where `opts.source` and the node say to scan online
/// instead (`handler` is then dropped: nothing it saw counts).
pub(crate) async fn read<H: Send + 'static>(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    mut handler: H,
    each: fn(&mut H, KeyInfo, KeyType),
) -> Result<Option<(H, u64)>> {
    let insist = match (opts.source, opts.pace) {
        (Source::Online, _) | (Source::Auto, Pace::Fast) => return Ok(None),
        (Source::Snapshot, _) => true,
        (Source::Auto, Pace::Gentle) => false,
    };
    let mut conn = node.connect(0, opts).await?;
    let memory = conn.info("memory").await?;
    let used = memory
        .iter()
        .find(|(k, _)| k == "used_memory")
        .and_then(|(_, v)| v.parse::<u64>().ok());
    if !insist && used.is_none_or(|m| m > SNAPSHOT_MAX_MEMORY) {
        return Ok(None);
    }
    let keys: u64 = crate::scan::databases(&mut conn)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    let (node, opts, ctl) = (node.clone(), opts.clone(), ctl.clone());
    let addr = node.addr.clone();
    let read = tokio::task::spawn_blocking(move || {
        let (mut seen, mut pending) = (0u64, 0u64);
        let now = crate::keyspace::now_ms();
        let mut started = false;
        let streamed = crate::snapshot::stream_keys(&node, &opts, &ctl, NAME_KEPT, |k| {
            if !started {
                // Counted once the snapshot arrives, so a refused one leaves the scan's count.
                ctl.add_total(keys);
                started = true;
            }
            // Expired: not a key any more (and not counted, as SCAN does not return it).
            if k.expire_ms.is_some_and(|at| at <= now) {
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
            each(&mut handler, k, t);
        });
        ctl.add_scanned(pending);
        streamed.map(|_| (handler, seen + pending))
    })
    .await
    .map_err(|e| AnalyzerError::Protocol {
        addr: addr.clone(),
        detail: format!("the snapshot reader stopped: {e}"),
    })?;
    match read {
        Ok(found) => Ok(Some(found)),
        Err(AnalyzerError::Cancelled) => Err(AnalyzerError::Cancelled),
        Err(e) if insist => Err(e),
        Err(e) => {
            tracing::warn!(node = %addr, error = %e, "no snapshot; scanning online");
            Ok(None)
        }
    }
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
}
