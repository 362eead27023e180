//! Hot keys from Redis's LFU counters.
//!
//! Every master (in parallel) is read from its snapshot, which holds each key's counter, type and
//! size (`source.rs`: the default where the fork is cheap), or online: SCAN every database and
//! read `OBJECT FREQ` of each key — each batch inside the server by one script (`hot_batch.lua`,
//! `scan_script.rs`), or pipelined where scripts are refused. Either way the top N are kept in a
//! bounded heap (ties broken by key name, then db, then shard, so results are deterministic);
//! online, `TYPE` and size are fetched only then, for the N winners. LFU counters exist only
//! under an `*-lfu` `maxmemory-policy` and from Redis 4.0; anything else is `Unsupported`, which
//! the proxy reports as DCS.4922.

use crate::conn::{parse_version, Conn, Node};
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::keyname::report_cut_name;
use crate::options::ScanOptions;
use crate::pace::GENTLE_HOT_SCRIPT;
use crate::scan::{describe_keys, on_every_node, server_error_text, BatchHandler};
use crate::source::{self, Source};
use crate::target::Target;
use crate::topn::TopN;
use dcs_api::config::{is_lfu_policy, MAXMEMORY_POLICY};
use dcs_api::task::HotkeyEntry;
use dcs_api::{KeyType, TaskKind};
use redis::Value;
use std::cmp::{Ordering, Reverse};
use std::time::Instant;

/// What a hot-key analysis found.
#[derive(Clone, Debug, PartialEq)]
pub struct HotkeyReport {
    /// Hottest first.
    pub keys: Vec<HotkeyEntry>,
    pub scanned_keys: u64,
    pub duration_ms: u64,
    /// How each master was read, in the order of the nodes analysed.
    pub sources: Vec<Source>,
}

/// A key seen during the scan, ordered so that the greatest is the hottest.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Candidate {
    freq: u32,
    /// The name, or its first [`source::NAME_KEPT`] bytes when read from a snapshot.
    name: Vec<u8>,
    /// The name's full length in bytes.
    name_len: u64,
    db: u32,
    node: usize,
    /// Type and size, where the snapshot gave them (online they are fetched for the winners).
    described: Option<(KeyType, u64)>,
}

impl Ord for Candidate {
    fn cmp(&self, o: &Self) -> Ordering {
        (
            self.freq,
            Reverse(&self.name),
            Reverse(self.name_len),
            Reverse(self.db),
            Reverse(self.node),
        )
            .cmp(&(
                o.freq,
                Reverse(&o.name),
                Reverse(o.name_len),
                Reverse(o.db),
                Reverse(o.node),
            ))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

fn unsupported(reason: String) -> AnalyzerError {
    AnalyzerError::Unsupported {
        kind: TaskKind::Hotkey,
        reason,
    }
}

/// Checks, before anything is scanned, that `node` keeps LFU counters.
pub async fn check_node(node: &Node, opts: &ScanOptions) -> Result<()> {
    let mut conn = node.connect(0, opts).await?;
    let server = conn.info("server").await?;
    let version = server
        .iter()
        .find(|(k, _)| k == "redis_version")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if parse_version(&version).is_some_and(|v| v < (4, 0)) {
        return Err(unsupported(format!(
            "{} runs Redis {version}; hot-key analysis needs Redis 4.0 or later (LFU counters)",
            node.addr
        )));
    }
    // CONFIG may be renamed or denied by ACL; OBJECT FREQ's own error then tells.
    if let Ok(reply) = conn
        .query::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg(MAXMEMORY_POLICY))
        .await
    {
        if let Some(policy) = reply.get(1) {
            if !is_lfu_policy(policy) {
                return Err(unsupported(lfu_advice(&node.addr, policy)));
            }
        }
    }
    Ok(())
}

fn lfu_advice(addr: &str, policy: &str) -> String {
    format!(
        "maxmemory-policy is {policy} on {addr}; hot-key analysis reads LFU counters, which Redis keeps only under \
         allkeys-lfu or volatile-lfu. Set maxmemory-policy to allkeys-lfu (CONFIG SET maxmemory-policy allkeys-lfu) and retry."
    )
}

/// Per-batch work: pipelined `OBJECT FREQ`, winners into the heap.
struct FreqHandler {
    node: usize,
    top: TopN<Candidate>,
    /// Counters below this are not hot (`ScanOptions::min_freq`).
    min_freq: u32,
    /// Keys of a snapshot that came without a counter: it was written under another policy.
    without_freq: u64,
}

impl BatchHandler for FreqHandler {
    async fn handle(&mut self, conn: &mut Conn, db: u32, keys: Vec<Vec<u8>>) -> Result<()> {
        let replies = conn
            .per_key(&keys, 1, |pipe, k| {
                pipe.cmd("OBJECT").arg("FREQ").arg(k.as_slice());
            })
            .await?;
        for (name, reply) in keys.into_iter().zip(replies) {
            let freq = match reply {
                Value::Int(f) => f.clamp(0, 255) as u32,
                // The key expired or was deleted since SCAN returned it.
                Value::Nil => continue,
                other => {
                    let text = server_error_text(&other).unwrap_or_else(|| format!("{other:?}"));
                    if text.starts_with("NOPERM") {
                        return Err(AnalyzerError::Denied {
                            addr: conn.addr.clone(),
                            command: "OBJECT FREQ".into(),
                            detail: text,
                        });
                    }
                    if text.contains("LFU") {
                        return Err(unsupported(lfu_advice(&conn.addr, "not an LFU policy")));
                    }
                    return Err(AnalyzerError::Protocol {
                        addr: conn.addr.clone(),
                        detail: format!("OBJECT FREQ: {text}"),
                    });
                }
            };
            self.consider(db, name, freq, None);
        }
        Ok(())
    }

    fn script(&self) -> Option<&'static str> {
        Some(HOT_BATCH)
    }

    fn gentle_keys(&self) -> u32 {
        GENTLE_HOT_SCRIPT
    }

    fn script_args(&self) -> Vec<String> {
        vec![self.least().to_string()]
    }

    fn absorb(&mut self, db: u32, kept: Vec<Value>) -> Result<()> {
        let mut it = kept.into_iter();
        while let (Some(Value::BulkString(name)), Some(Value::Int(freq))) = (it.next(), it.next()) {
            self.consider(db, name, freq.clamp(0, 255) as u32, None);
        }
        Ok(())
    }
}

/// A batch in the server: SCAN and OBJECT FREQ, only keys at or above a counter replied
/// (`scan_script.rs`).
const HOT_BATCH: &str = include_str!("hot_batch.lua");

impl FreqHandler {
    /// The least counter a key needs to be kept now: the instance's minimum, which is never
    /// below one more than the counter every key starts with (no more reads than a key just
    /// written), or, once the heap is full, the counter of its least key (an equal counter may
    /// still win on its name).
    fn least(&self) -> u32 {
        let floor = self.min_freq.max(dcs_api::config::LFU_INIT_VAL + 1);
        self.top.floor().map_or(floor, |c| c.freq.max(floor))
    }

    /// `name` whole (online), or as a snapshot keeps it with its type and size (`described`).
    fn consider(
        &mut self,
        db: u32,
        name: Vec<u8>,
        freq: u32,
        described: Option<(KeyType, u64, u64)>,
    ) {
        if freq < self.least() {
            return;
        }
        let name_len = described.map_or(name.len() as u64, |(_, _, len)| len);
        let c = Candidate {
            freq,
            name,
            name_len,
            db,
            node: self.node,
            described: described.map(|(t, size, _)| (t, size)),
        };
        if self.top.would_keep(&c) {
            self.top.push(c);
        }
    }
}

/// Checks every master of `target` can be analysed, without scanning (for refusing a task up
/// front). Returns the masters.
pub async fn precheck(target: &Target, opts: &ScanOptions) -> Result<Vec<Node>> {
    let nodes = target.masters(opts).await?;
    on_every_node(&nodes, |_, node| {
        let opts = opts.clone();
        async move { check_node(&node, &opts).await }
    })
    .await?;
    Ok(nodes)
}

/// Checks `target` ([`crate::prepare`]), then runs the analysis on its masters.
pub async fn analyze(target: &Target, opts: &ScanOptions, ctl: &Control) -> Result<HotkeyReport> {
    let masters = crate::prepare(TaskKind::Hotkey, target, opts).await?;
    run_on(&masters, opts, ctl).await
}

/// Runs the analysis on masters [`crate::prepare`] returned (checked options, so each is probed
/// once).
pub async fn run_on(nodes: &[Node], opts: &ScanOptions, ctl: &Control) -> Result<HotkeyReport> {
    let started = Instant::now();
    let tops = on_every_node(nodes, |i, node| {
        let (opts, ctl) = (opts.clone(), ctl.clone());
        async move {
            let handler = || FreqHandler {
                min_freq: opts.min_freq,
                node: i,
                top: TopN::new(opts.top),
                without_freq: 0,
            };
            // A snapshot under an `*-lfu` policy holds each key's counter.
            let each = |h: &mut FreqHandler, k: crate::rdb::KeyInfo, t| match k.freq {
                Some(freq) => {
                    h.consider(k.db, k.name, freq as u32, Some((t, k.elements, k.name_len)))
                }
                None => h.without_freq += 1,
            };
            let (h, n, source) =
                source::read_or_scan(&node, &opts, &ctl, TaskKind::Hotkey, handler, each).await?;
            // Not an LFU policy after all (the check could not read it: CONFIG renamed).
            if source == Source::Snapshot && h.without_freq > 0 && h.top.is_empty() {
                return Err(unsupported(lfu_advice(&node.addr, "not an LFU policy")));
            }
            Ok((h.top, n, source))
        }
    })
    .await?;
    let mut all = TopN::new(opts.top);
    let (mut scanned, mut sources) = (0, Vec::new());
    for (top, n, source) in tops {
        all.merge(top);
        scanned += n;
        sources.push(source);
    }
    let winners = all.into_sorted_desc();
    let keys = describe_winners(nodes, opts, winners).await?;
    Ok(HotkeyReport {
        keys,
        scanned_keys: scanned,
        duration_ms: started.elapsed().as_millis() as u64,
        sources,
    })
}

/// TYPE and size for the winners a scan found, one pipeline per (master, db); winners that
/// vanished are dropped. A snapshot's winners came with theirs.
async fn describe_winners(
    nodes: &[Node],
    opts: &ScanOptions,
    winners: Vec<Candidate>,
) -> Result<Vec<HotkeyEntry>> {
    let mut groups: Vec<((usize, u32), Vec<usize>)> = Vec::new();
    let mut described: Vec<Option<(KeyType, u64)>> = winners.iter().map(|c| c.described).collect();
    for (i, c) in winners
        .iter()
        .enumerate()
        .filter(|(_, c)| c.described.is_none())
    {
        match groups.iter_mut().find(|(k, _)| *k == (c.node, c.db)) {
            Some((_, v)) => v.push(i),
            None => groups.push(((c.node, c.db), vec![i])),
        }
    }
    for ((node, db), idx) in groups {
        let mut conn = nodes[node].connect(db, opts).await?;
        let names: Vec<&[u8]> = idx.iter().map(|&i| winners[i].name.as_slice()).collect();
        for (i, d) in idx.iter().zip(describe_keys(&mut conn, &names).await?) {
            described[*i] = d;
        }
    }
    Ok(winners
        .iter()
        .zip(described)
        .filter_map(|(c, d)| {
            let (key_type, size) = d?;
            let (name, name_bytes) = report_cut_name(&c.name, c.name_len);
            Some(HotkeyEntry {
                name,
                name_bytes,
                key_type,
                shard: nodes[c.node].shard.clone(),
                db: c.db,
                size,
                unit: key_type.unit(),
                freq: c.freq,
                qps: None,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_rank_by_freq_then_name() {
        let c = |freq, name: &str, db| Candidate {
            freq,
            name: name.as_bytes().to_vec(),
            name_len: name.len() as u64,
            db,
            node: 0,
            described: None,
        };
        assert!(c(9, "z", 0) > c(8, "a", 0));
        assert!(c(5, "a", 0) > c(5, "b", 0));
        assert!(c(5, "a", 0) > c(5, "a", 1));
    }

    #[test]
    fn advice_names_the_setting() {
        let m = lfu_advice("127.0.0.1:6379", "allkeys-lru");
        assert!(
            m.contains("allkeys-lru") && m.contains("CONFIG SET maxmemory-policy allkeys-lfu"),
            "{m}"
        );
    }
}

#[cfg(test)]
mod server_tests {
    //! Keys that vanish between SCAN and the follow-up commands, against a real server: a key
    //! SCAN returned but that no longer exists is exactly a name the server does not have.
    use super::*;
    use crate::server::RedisProcess;

    #[tokio::test]
    async fn vanished_keys_are_skipped() {
        let server = RedisProcess::start(&crate::server::DETERMINISTIC_LFU).unwrap();
        let node = Node::new(
            redis::IntoConnectionInfo::into_connection_info(server.url().as_str()).unwrap(),
        );
        let mut conn = node.connect(0, &ScanOptions::default()).await.unwrap();
        let _: () = conn
            .query(redis::cmd("SET").arg("present").arg("v"))
            .await
            .unwrap();
        // Read once: above the initial counter, so a candidate.
        let _: String = conn.query(redis::cmd("GET").arg("present")).await.unwrap();
        let mut h = FreqHandler {
            node: 0,
            top: TopN::new(10),
            min_freq: ScanOptions::default().min_freq,
            without_freq: 0,
        };
        h.handle(&mut conn, 0, vec![b"gone".to_vec(), b"present".to_vec()])
            .await
            .unwrap();
        let kept: Vec<Vec<u8>> = h
            .top
            .into_sorted_desc()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(kept, vec![b"present".to_vec()]);
        let described = describe_keys(&mut conn, &[b"gone", b"present"])
            .await
            .unwrap();
        assert_eq!(described, vec![None, Some((dcs_api::KeyType::String, 1))]);
    }
}
