//! Big keys: each node's keys read from its snapshot (`source.rs`: the server forks once, the
//! default where it is cheap) or online — SCAN, then `TYPE` and a size command per key,
//! each batch inside the server by one script (`big_batch.lua`), or pipelined where scripts are
//! refused —, keeping, as DCS does, the largest 20 strings and the largest 80 collections with at
//! most 20 of each collection type. Strings are measured in bytes (`STRLEN`), collections in
//! elements. Optionally `MEMORY USAGE` per winner.

use crate::conn::{Conn, Node};
use crate::control::Control;
use crate::error::Result;
use crate::keyname::report_cut_name;
use crate::options::ScanOptions;
use crate::pace::GENTLE_BIG_SCRIPT;
use crate::scan::{describe_keys, on_every_node, BatchHandler};
use crate::source::{self, Source};
use crate::target::Target;
use crate::topn::TopN;
use dcs_api::task::BigkeyEntry;
use dcs_api::{KeyType, TaskKind};
use redis::Value;
use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;
use std::time::Instant;

/// Strings kept.
pub const TOP_STRINGS: usize = 20;
/// Collections kept in all.
pub const TOP_COLLECTIONS: usize = 80;
/// Collections kept per type.
pub const TOP_PER_COLLECTION_TYPE: usize = 20;

#[derive(Clone, Debug, PartialEq)]
pub struct BigkeyReport {
    /// Strings largest first, then collections largest first.
    pub keys: Vec<BigkeyEntry>,
    pub scanned_keys: u64,
    pub duration_ms: u64,
    /// How each node was read, in the order of the nodes analysed.
    pub sources: Vec<Source>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Candidate {
    size: u64,
    /// The name, or its first [`source::NAME_KEPT`] bytes when read from a snapshot.
    name: Vec<u8>,
    /// The name's full length in bytes.
    name_len: u64,
    db: u32,
    node: usize,
    key_type: KeyType,
}

impl Ord for Candidate {
    fn cmp(&self, o: &Self) -> Ordering {
        (
            self.size,
            Reverse(&self.name),
            Reverse(self.name_len),
            Reverse(self.db),
            Reverse(self.node),
            self.key_type,
        )
            .cmp(&(
                o.size,
                Reverse(&o.name),
                Reverse(o.name_len),
                Reverse(o.db),
                Reverse(o.node),
                o.key_type,
            ))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

fn per_type_limit(t: KeyType) -> usize {
    if t == KeyType::String {
        TOP_STRINGS
    } else {
        TOP_PER_COLLECTION_TYPE
    }
}

/// The largest keys of each type seen so far on one node.
#[derive(Default)]
pub(crate) struct SizeHandler {
    node: usize,
    by_type: BTreeMap<KeyType, TopN<Candidate>>,
}

impl BatchHandler for SizeHandler {
    /// Two commands a key (`TYPE` and a size): half hot keys' speed (BENCHMARKS.md).
    const FAST_KEYS_PER_S: f64 = 300_000.0;

    async fn handle(&mut self, conn: &mut Conn, db: u32, keys: Vec<Vec<u8>>) -> Result<()> {
        let refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let described = describe_keys(conn, &refs).await?;
        for (name, d) in keys.into_iter().zip(described) {
            let Some((key_type, size)) = d else { continue };
            let len = name.len() as u64;
            self.consider(db, name, len, key_type, size);
        }
        Ok(())
    }

    fn script(&self) -> Option<&'static str> {
        Some(BIG_BATCH)
    }

    fn gentle_keys(&self) -> u32 {
        GENTLE_BIG_SCRIPT
    }

    fn script_args(&self) -> Vec<String> {
        self.by_type
            .iter()
            .filter_map(|(t, top)| Some([t.to_string(), top.floor()?.size.to_string()]))
            .flatten()
            .collect()
    }

    fn absorb(&mut self, db: u32, kept: Vec<Value>) -> Result<()> {
        let mut it = kept.into_iter();
        while let (
            Some(Value::BulkString(name)),
            Some(Value::BulkString(t)),
            Some(Value::Int(size)),
        ) = (it.next(), it.next(), it.next())
        {
            let key_type = std::str::from_utf8(&t).ok().and_then(|t| t.parse().ok());
            if let Some(key_type) = key_type {
                let len = name.len() as u64;
                self.consider(db, name, len, key_type, size.max(0) as u64);
            }
        }
        Ok(())
    }
}

/// A batch in the server: SCAN, TYPE and size, only keys that can still win replied
/// (`scan_script.rs`).
const BIG_BATCH: &str = include_str!("big_batch.lua");

impl SizeHandler {
    pub(crate) fn new(node: usize) -> Self {
        SizeHandler {
            node,
            ..Default::default()
        }
    }

    /// `name` may be the first bytes of a name `name_len` bytes long.
    pub(crate) fn consider(
        &mut self,
        db: u32,
        name: Vec<u8>,
        name_len: u64,
        key_type: KeyType,
        size: u64,
    ) {
        let top = self
            .by_type
            .entry(key_type)
            .or_insert_with(|| TopN::new(per_type_limit(key_type)));
        let c = Candidate {
            size,
            name,
            name_len,
            db,
            node: self.node,
            key_type,
        };
        if top.would_keep(&c) {
            top.push(c);
        }
    }
}

/// DCS's selection: 20 strings, then the 80 largest of the per-type collection tops.
fn select(by_type: BTreeMap<KeyType, TopN<Candidate>>) -> Vec<Candidate> {
    let mut strings = TopN::new(TOP_STRINGS);
    let mut collections = TopN::new(TOP_COLLECTIONS);
    for (t, top) in by_type {
        if t == KeyType::String {
            strings.merge(top);
        } else {
            collections.merge(top);
        }
    }
    let mut out = strings.into_sorted_desc();
    out.extend(collections.into_sorted_desc());
    out
}

/// Checks `target` ([`crate::prepare`]), then runs the analysis on its masters.
pub async fn analyze(target: &Target, opts: &ScanOptions, ctl: &Control) -> Result<BigkeyReport> {
    let masters = crate::prepare(TaskKind::Bigkey, target, opts).await?;
    run_on(&masters, opts, ctl).await
}

/// Runs the analysis on masters [`crate::prepare`] returned (checked options, so each is probed
/// once).
pub async fn run_on(nodes: &[Node], opts: &ScanOptions, ctl: &Control) -> Result<BigkeyReport> {
    let started = Instant::now();
    let results = on_every_node(nodes, |i, node| {
        let (opts, ctl) = (opts.clone(), ctl.clone());
        async move {
            let each = |h: &mut SizeHandler, k: crate::rdb::KeyInfo, t| {
                h.consider(k.db, k.name, k.name_len, t, k.elements)
            };
            let make = || SizeHandler::new(i);
            let (h, n, source) =
                source::read_or_scan(&node, &opts, &ctl, TaskKind::Bigkey, make, each).await?;
            Ok((h.by_type, n, source))
        }
    })
    .await?;
    let mut merged: BTreeMap<KeyType, TopN<Candidate>> = BTreeMap::new();
    let mut scanned = 0;
    let mut sources = Vec::new();
    for (by_type, n, source) in results {
        scanned += n;
        sources.push(source);
        for (t, top) in by_type {
            merged
                .entry(t)
                .or_insert_with(|| TopN::new(per_type_limit(t)))
                .merge(top);
        }
    }
    let winners = select(merged);
    let memory = if opts.memory_usage {
        memory_usage(nodes, opts, &winners).await?
    } else {
        vec![None; winners.len()]
    };
    let keys = winners
        .into_iter()
        .zip(memory)
        .map(|(c, memory_usage)| {
            let (name, name_bytes) = report_cut_name(&c.name, c.name_len);
            BigkeyEntry {
                name,
                name_bytes,
                key_type: c.key_type,
                shard: nodes[c.node].shard.clone(),
                db: c.db,
                size: c.size,
                unit: c.key_type.unit(),
                memory_usage,
            }
        })
        .collect();
    Ok(BigkeyReport {
        keys,
        scanned_keys: scanned,
        duration_ms: started.elapsed().as_millis() as u64,
        sources,
    })
}

/// `MEMORY USAGE` of each winner (bytes), `None` where the key vanished.
async fn memory_usage(
    nodes: &[Node],
    opts: &ScanOptions,
    winners: &[Candidate],
) -> Result<Vec<Option<u64>>> {
    let mut out = vec![None; winners.len()];
    let mut groups: BTreeMap<(usize, u32), Vec<usize>> = BTreeMap::new();
    for (i, c) in winners.iter().enumerate() {
        groups.entry((c.node, c.db)).or_default().push(i);
    }
    for ((node, db), idx) in groups {
        let mut conn = nodes[node].connect(db, opts).await?;
        let replies = conn
            .per_key(&idx, 1, |pipe, &i| {
                pipe.cmd("MEMORY").arg("USAGE").arg(&winners[i].name);
            })
            .await?;
        for (&i, v) in idx.iter().zip(replies) {
            out[i] = match v {
                Value::Int(n) if n >= 0 => Some(n as u64),
                _ => None,
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(t: KeyType, size: u64, name: &str) -> Candidate {
        Candidate {
            size,
            name: name.into(),
            name_len: name.len() as u64,
            db: 0,
            node: 0,
            key_type: t,
        }
    }

    #[test]
    fn selection_follows_dcs_limits() {
        let mut by_type: BTreeMap<KeyType, TopN<Candidate>> = BTreeMap::new();
        for t in KeyType::ALL {
            let top = by_type
                .entry(*t)
                .or_insert_with(|| TopN::new(per_type_limit(*t)));
            for i in 0..50u64 {
                top.push(cand(*t, 1000 + i, &format!("{t}-{i}")));
            }
        }
        let out = select(by_type);
        let strings = out.iter().filter(|c| c.key_type == KeyType::String).count();
        assert_eq!(strings, TOP_STRINGS);
        assert_eq!(out.len(), TOP_STRINGS + TOP_COLLECTIONS);
        for t in KeyType::ALL.iter().filter(|t| **t != KeyType::String) {
            assert!(out.iter().filter(|c| c.key_type == *t).count() <= TOP_PER_COLLECTION_TYPE);
        }
        assert_eq!(out[0].size, 1049);
        assert!(out[TOP_STRINGS..]
            .windows(2)
            .all(|w| w[0].size >= w[1].size));
    }
}
