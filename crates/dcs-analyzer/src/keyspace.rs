//! Key-space analysis: where the memory goes — by type, key prefix, TTL, database and element
//! count — from an RDB snapshot ([`crate::rdb`]): a file, or one streamed from a node by
//! replication (`snapshot.rs`), so the server does nothing but fork.
//!
//! Memory stays bounded by the result: the top keys are a bounded heap, and the prefix tree
//! tracks at most [`MAX_PREFIXES`] prefixes (later new ones are counted under `…` at their depth).

use crate::keyname::display_name;
use crate::rdb::{KeyInfo, ValueType};
use crate::topn::TopN;
use dcs_api::keyspace::*;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

/// Prefixes tracked in all.
pub const MAX_PREFIXES: usize = 200_000;
/// The prefix that stands for those beyond [`MAX_PREFIXES`].
pub const OTHER_PREFIXES: &str = "…";

/// How the report is cut.
#[derive(Clone, Debug)]
pub struct KeyspaceOptions {
    /// Largest keys and, per type, largest prefixes reported (DCS: 500).
    pub top: usize,
    /// Characters that end a prefix segment (`:` by default; several at once).
    pub delimiters: Vec<char>,
    /// Depth of the prefix tree.
    pub depth: u32,
    /// "Now", for TTL bands, in milliseconds since the epoch.
    pub now_ms: i64,
}

impl Default for KeyspaceOptions {
    fn default() -> Self {
        KeyspaceOptions {
            top: 500,
            delimiters: vec![':'],
            depth: 3,
            now_ms: 0,
        }
    }
}

/// The clock TTL bands are measured from, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Elements bands of the distribution (the last is open).
const ELEMENT_BANDS: [u64; 6] = [1, 10, 100, 1_000, 10_000, 100_000];
const TTL_BANDS: [(&str, i64); 4] = [
    ("<1h", 3_600_000),
    ("<1d", 86_400_000),
    ("<7d", 7 * 86_400_000),
    ("<30d", 30 * 86_400_000),
];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Big {
    bytes: u64,
    name: Reverse<Vec<u8>>,
    db: u32,
    elements: u64,
    value_type: ValueType,
}

#[derive(Default, Clone, Copy)]
struct Sum {
    num: u64,
    bytes: u64,
}

impl Sum {
    fn add(&mut self, bytes: u64) {
        self.num += 1;
        self.bytes += bytes;
    }
}

/// Folds keys into a report.
pub struct Keyspace {
    opts: KeyspaceOptions,
    total: Sum,
    by_type: BTreeMap<ValueType, Sum>,
    largest: TopN<Big>,
    /// (depth, prefix) → keys and bytes; and per (type, first-level prefix).
    tree: HashMap<(u32, String), Sum>,
    by_type_prefix: HashMap<(ValueType, String), Sum>,
    ttl: BTreeMap<usize, Sum>,
    dbs: BTreeMap<u32, Sum>,
    elements: BTreeMap<(ValueType, usize), u64>,
    no_ttl_bytes: u64,
    big_collections: u64,
    big_strings: u64,
}

impl Keyspace {
    pub fn new(opts: KeyspaceOptions) -> Keyspace {
        Keyspace {
            largest: TopN::new(opts.top.max(1)),
            opts,
            total: Sum::default(),
            by_type: BTreeMap::new(),
            tree: HashMap::new(),
            by_type_prefix: HashMap::new(),
            ttl: BTreeMap::new(),
            dbs: BTreeMap::new(),
            elements: BTreeMap::new(),
            no_ttl_bytes: 0,
            big_collections: 0,
            big_strings: 0,
        }
    }

    /// The prefixes of `name` at depths 1…`depth`, each ending with its delimiter.
    fn prefixes(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, c) in name.char_indices() {
            if out.len() as u32 >= self.opts.depth {
                break;
            }
            if self.opts.delimiters.contains(&c) {
                out.push(name[..i + c.len_utf8()].to_string());
            }
        }
        out
    }

    fn count(map: &mut HashMap<(u32, String), Sum>, key: (u32, String), bytes: u64) {
        let at = key.0;
        if map.len() >= MAX_PREFIXES && !map.contains_key(&key) {
            map.entry((at, OTHER_PREFIXES.into()))
                .or_default()
                .add(bytes);
        } else {
            map.entry(key).or_default().add(bytes);
        }
    }

    pub fn add(&mut self, k: KeyInfo) {
        self.total.add(k.bytes);
        self.by_type.entry(k.value_type).or_default().add(k.bytes);
        self.dbs.entry(k.db).or_default().add(k.bytes);
        let band = ELEMENT_BANDS
            .iter()
            .position(|&max| k.elements <= max)
            .unwrap_or(ELEMENT_BANDS.len());
        *self.elements.entry((k.value_type, band)).or_default() += 1;
        let ttl = match k.expire_ms {
            None => 0,
            Some(at) if at <= self.opts.now_ms => 1,
            Some(at) => {
                let left = at - self.opts.now_ms;
                2 + TTL_BANDS
                    .iter()
                    .position(|(_, max)| left < *max)
                    .unwrap_or(TTL_BANDS.len())
            }
        };
        self.ttl.entry(ttl).or_default().add(k.bytes);
        if k.expire_ms.is_none() {
            self.no_ttl_bytes += k.bytes;
        }
        match k.value_type {
            ValueType::String if k.elements > 10 * 1024 => self.big_strings += 1,
            ValueType::String => {}
            _ if k.elements > 5_000 => self.big_collections += 1,
            _ => {}
        }
        let name = display_name(&k.name);
        let prefixes = self.prefixes(&name);
        for (depth, p) in prefixes.iter().enumerate() {
            Self::count(&mut self.tree, (depth as u32 + 1, p.clone()), k.bytes);
        }
        if let Some(first) = prefixes.first() {
            let key = (k.value_type, first.clone());
            if self.by_type_prefix.len() < MAX_PREFIXES || self.by_type_prefix.contains_key(&key) {
                self.by_type_prefix.entry(key).or_default().add(k.bytes);
            }
        }
        let big = Big {
            bytes: k.bytes,
            name: Reverse(k.name),
            db: k.db,
            elements: k.elements,
            value_type: k.value_type,
        };
        if self.largest.would_keep(&big) {
            self.largest.push(big);
        }
    }

    /// Adds what another node's snapshot found (a cluster's masters, summed).
    pub fn merge(&mut self, other: Keyspace) {
        let add = |a: &mut Sum, b: Sum| {
            a.num += b.num;
            a.bytes += b.bytes;
        };
        add(&mut self.total, other.total);
        for (k, v) in other.by_type {
            add(self.by_type.entry(k).or_default(), v);
        }
        for (k, v) in other.dbs {
            add(self.dbs.entry(k).or_default(), v);
        }
        for (k, v) in other.ttl {
            add(self.ttl.entry(k).or_default(), v);
        }
        for (k, v) in other.elements {
            *self.elements.entry(k).or_default() += v;
        }
        for (k, v) in other.tree {
            add(self.tree.entry(k).or_default(), v);
        }
        for (k, v) in other.by_type_prefix {
            add(self.by_type_prefix.entry(k).or_default(), v);
        }
        self.largest.merge(other.largest);
        self.no_ttl_bytes += other.no_ttl_bytes;
        self.big_collections += other.big_collections;
        self.big_strings += other.big_strings;
    }

    pub fn report(self, source: &str, nodes: Vec<String>) -> KeyspaceReport {
        let top = self.opts.top;
        let type_num = self
            .by_type
            .iter()
            .map(|(t, s)| TypeNum {
                key_type: t.as_str().into(),
                num: s.num,
            })
            .collect();
        let type_bytes = self
            .by_type
            .iter()
            .map(|(t, s)| TypeBytes {
                key_type: t.as_str().into(),
                bytes: s.bytes,
            })
            .collect();
        let largest_keys = self
            .largest
            .into_sorted_desc()
            .into_iter()
            .map(|b| LargestKey {
                key: display_name(&b.name.0),
                key_type: b.value_type.as_str().into(),
                bytes: b.bytes,
                num_of_elem: b.elements,
                db: b.db,
            })
            .collect();
        let mut prefixes: Vec<LargestKeyPrefix> = Vec::new();
        for t in ValueType::ALL {
            let mut of_type: Vec<(&String, &Sum)> = self
                .by_type_prefix
                .iter()
                .filter(|((vt, _), _)| *vt == t)
                .map(|((_, p), s)| (p, s))
                .collect();
            of_type.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(a.0.cmp(b.0)));
            prefixes.extend(
                of_type
                    .into_iter()
                    .take(top)
                    .map(|(p, s)| LargestKeyPrefix {
                        key_prefix: p.clone(),
                        key_type: t.as_str().into(),
                        bytes: s.bytes,
                        num: s.num,
                    }),
            );
        }
        let mut tree: Vec<PrefixNode> = self
            .tree
            .iter()
            .map(|((depth, prefix), s)| PrefixNode {
                prefix: prefix.clone(),
                depth: *depth,
                num: s.num,
                bytes: s.bytes,
            })
            .collect();
        tree.sort_by(|a, b| {
            a.depth
                .cmp(&b.depth)
                .then(b.bytes.cmp(&a.bytes))
                .then(a.prefix.cmp(&b.prefix))
        });
        let mut kept_per_depth: BTreeMap<u32, usize> = BTreeMap::new();
        tree.retain(|n| {
            let kept = kept_per_depth.entry(n.depth).or_default();
            *kept += 1;
            *kept <= top
        });
        let ttl_name = |i: usize| match i {
            0 => "none",
            1 => "expired",
            n if n - 2 < TTL_BANDS.len() => TTL_BANDS[n - 2].0,
            _ => "later",
        };
        let ttl = self
            .ttl
            .iter()
            .map(|(i, s)| TtlBand {
                ttl: ttl_name(*i).into(),
                num: s.num,
                bytes: s.bytes,
            })
            .collect();
        let dbs = self
            .dbs
            .iter()
            .map(|(db, s)| DbKeys {
                db: *db,
                num: s.num,
                bytes: s.bytes,
            })
            .collect();
        let elements = self
            .elements
            .iter()
            .map(|((t, band), n)| ElementBand {
                key_type: t.as_str().into(),
                max_elements: ELEMENT_BANDS.get(*band).copied(),
                num: *n,
            })
            .collect();
        use dcs_api::keyspace::findings as say;
        let mut findings = Vec::new();
        let (keys, memory) = (self.total.num, self.total.bytes);
        if keys > 0 {
            findings.push(say::no_ttl(say::percent(self.no_ttl_bytes, memory)));
        }
        // The first level's largest prefix by keys, and by memory when another one: each said
        // when it holds a fifth or more.
        let first: Vec<&PrefixNode> = tree
            .iter()
            .filter(|n| n.depth == 1 && n.prefix != OTHER_PREFIXES)
            .collect();
        let by_keys = first.iter().max_by_key(|n| (n.num, Reverse(&n.prefix)));
        if let Some(n) = by_keys.filter(|n| say::percent(n.num, keys) >= 20) {
            let (k, m) = (say::percent(n.num, keys), say::percent(n.bytes, memory));
            findings.push(say::top_prefix_by_keys(&n.prefix, k, m));
        }
        if let Some(n) = first.first().filter(|n| {
            say::percent(n.bytes, memory) >= 20
                && Some(n.prefix.as_str()) != by_keys.map(|b| b.prefix.as_str())
        }) {
            findings.push(say::top_prefix_by_memory(
                &n.prefix,
                say::percent(n.bytes, memory),
                n.num,
            ));
        }
        if self.big_collections > 0 {
            findings.push(say::big_collections(self.big_collections));
        }
        if self.big_strings > 0 {
            findings.push(say::big_strings(self.big_strings));
        }
        KeyspaceReport {
            total_num: self.total.num,
            total_bytes: self.total.bytes,
            type_num,
            type_bytes,
            largest_keys,
            largest_key_prefixes: prefixes,
            prefix_tree: tree,
            ttl,
            dbs,
            elements,
            findings,
            source: source.into(),
            nodes,
        }
    }
}

/// Analyses an RDB file, its bytes counted into `ctl`'s progress.
pub fn from_file(
    path: &std::path::Path,
    opts: KeyspaceOptions,
    ctl: &crate::Control,
) -> crate::error::Result<KeyspaceReport> {
    let file = std::fs::File::open(path)
        .map_err(|e| crate::AnalyzerError::InvalidTarget(format!("{}: {e}", path.display())))?;
    if let Ok(meta) = file.metadata() {
        ctl.add_total(meta.len());
    }
    let mut space = Keyspace::new(opts);
    crate::snapshot::parse_counted(
        std::io::BufReader::with_capacity(1 << 20, file),
        &path.display().to_string(),
        &mut space,
        ctl,
    )?;
    Ok(space.report("snapshot", vec![path.display().to_string()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, t: ValueType, elements: u64, bytes: u64, expire_ms: Option<i64>) -> KeyInfo {
        KeyInfo {
            db: 0,
            name: name.as_bytes().to_vec(),
            name_len: name.len() as u64,
            value_type: t,
            encoding: "test",
            elements,
            bytes,
            expire_ms,
            freq: None,
        }
    }

    #[test]
    fn sums_types_prefixes_ttl_and_findings() {
        let mut s = Keyspace::new(KeyspaceOptions {
            top: 2,
            delimiters: vec![':', '/'],
            depth: 2,
            now_ms: 1_000_000,
        });
        s.add(key("user:1:name", ValueType::String, 5, 100, None));
        s.add(key(
            "user:2:name",
            ValueType::String,
            5,
            100,
            Some(1_000_000 + 60_000),
        ));
        s.add(key("user/3", ValueType::Hash, 6_000, 5_000, Some(500)));
        s.add(key("plain", ValueType::List, 3, 50, None));
        let r = s.report("snapshot", vec![]);
        assert_eq!((r.total_num, r.total_bytes), (4, 5_250));
        assert_eq!(
            r.type_num
                .iter()
                .map(|t| (t.key_type.as_str(), t.num))
                .collect::<Vec<_>>(),
            [("string", 2), ("list", 1), ("hash", 1)]
        );
        assert_eq!(r.largest_keys.len(), 2);
        assert_eq!(r.largest_keys[0].key, "user/3");
        let tree: Vec<(&str, u32, u64)> = r
            .prefix_tree
            .iter()
            .map(|n| (n.prefix.as_str(), n.depth, n.num))
            .collect();
        assert_eq!(
            tree,
            [
                ("user/", 1, 1),
                ("user:", 1, 2),
                ("user:1:", 2, 1),
                ("user:2:", 2, 1)
            ]
        );
        let ttl: Vec<(&str, u64)> = r.ttl.iter().map(|b| (b.ttl.as_str(), b.num)).collect();
        assert_eq!(ttl, [("none", 2), ("expired", 1), ("<1h", 1)]);
        assert!(
            r.findings
                .iter()
                .any(|f| f == "1 collection has more than 5,000 elements"),
            "{:?}",
            r.findings
        );
        assert!(r.findings[0].ends_with("% of memory is in keys without a TTL"));
    }
}
