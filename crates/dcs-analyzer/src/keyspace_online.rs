//! Key-space analysis without a snapshot, for servers that refuse replication (ACLs, managed
//! services): SCAN every database of every master, then per batch `TYPE` and the size command
//! (describe_keys), `MEMORY USAGE` and `PTTL`, paced like every other analysis. Sampled (one key in
//! `every`) or full. The report says `source: online`; its bytes are `MEMORY USAGE`'s, which
//! counts less of the dictionary than a snapshot's estimate (BENCHMARKS.md).

use crate::conn::{Conn, Node};
use crate::control::Control;
use crate::error::Result;
use crate::keyspace::{Keyspace, KeyspaceOptions};
use crate::options::ScanOptions;
use crate::rdb::{KeyInfo, ValueType, NAME_KEPT};
use crate::scan::{describe_keys, on_every_node, scan_node, BatchHandler};
use crate::target::Target;
use dcs_api::keyspace::KeyspaceReport;
use dcs_api::KeyType;
use redis::Value;

struct Online {
    space: Keyspace,
    every: u64,
    seen: u64,
    now_ms: i64,
}

fn value_type(t: KeyType) -> ValueType {
    match t {
        KeyType::String => ValueType::String,
        KeyType::List => ValueType::List,
        KeyType::Set => ValueType::Set,
        KeyType::Zset => ValueType::Zset,
        KeyType::Hash => ValueType::Hash,
        KeyType::Stream => ValueType::Stream,
    }
}

impl BatchHandler for Online {
    async fn handle(&mut self, conn: &mut Conn, db: u32, keys: Vec<Vec<u8>>) -> Result<()> {
        let picked: Vec<&[u8]> = keys
            .iter()
            .filter(|_| {
                self.seen += 1;
                (self.seen - 1).is_multiple_of(self.every)
            })
            .map(Vec::as_slice)
            .collect();
        if picked.is_empty() {
            return Ok(());
        }
        let described = describe_keys(conn, &picked).await?;
        let extra = conn
            .per_key(&picked, 2, |pipe, k| {
                pipe.cmd("MEMORY")
                    .arg("USAGE")
                    .arg(*k)
                    .arg("SAMPLES")
                    .arg(0);
                pipe.cmd("PTTL").arg(*k);
            })
            .await?;
        for ((name, d), pair) in picked.iter().zip(described).zip(extra.chunks(2)) {
            // Vanished meanwhile, or a module type (not measured online).
            let Some((t, size)) = d else { continue };
            let (Value::Int(bytes), Value::Int(ttl)) = (&pair[0], &pair[1]) else {
                continue;
            };
            let info = KeyInfo {
                db,
                name: name[..name.len().min(NAME_KEPT)].to_vec(),
                name_len: name.len() as u64,
                value_type: value_type(t),
                encoding: "unknown",
                elements: size,
                bytes: (*bytes).max(0) as u64,
                expire_ms: (*ttl >= 0).then(|| self.now_ms + ttl),
                freq: None,
            };
            self.space.add(info);
        }
        Ok(())
    }
}

/// The report from the live key space: every key (`every` = 1), or one in `every` — then every
/// figure (keys, bytes, prefixes) is of that sample, and `source` says so; multiply by `every`
/// for the whole.
pub async fn analyze(
    target: &Target,
    opts: &ScanOptions,
    keyspace: KeyspaceOptions,
    every: u64,
    ctl: &Control,
) -> Result<KeyspaceReport> {
    opts.check()?;
    let masters: Vec<Node> = target.masters(opts).await?;
    let spaces = on_every_node(&masters, |_, node| {
        let (opts, ctl, ks) = (opts.clone(), ctl.clone(), keyspace.clone());
        async move {
            let mut h = Online {
                now_ms: ks.now_ms,
                space: Keyspace::new(ks),
                every: every.max(1),
                seen: 0,
            };
            scan_node(&node, &opts, &ctl, &mut h, None).await?;
            Ok(h.space)
        }
    })
    .await?;
    let mut total = Keyspace::new(keyspace);
    for s in spaces {
        total.merge(s);
    }
    let source = if every > 1 {
        format!("online (1 key in {every})")
    } else {
        "online".to_string()
    };
    Ok(total.report(&source, masters.iter().map(|m| m.addr.clone()).collect()))
}
