//! A streaming RDB parser: one pass over a snapshot (a file, or the payload a replica receives),
//! each key handed to the caller with its type, encoding, element count, expiry and an estimate
//! of the memory it takes in Redis. Nothing but the current key is held.
//!
//! Written here rather than taken from a crate: the `rdb` crate parses the format of Redis ≤ 6
//! (no listpack, quicklist 2, stream v2/v3 or functions) and materialises every value, where
//! this needs sizes only and bounded memory. Covered: RDB versions of Redis 2.6–7.4 and Valkey
//! 7.2–8.1 (1–12), every value type they write (strings; lists as linked lists, ziplists,
//! quicklists 1 and 2; sets as hash tables, intsets, listpacks; sorted sets as skip lists with
//! text or binary scores, ziplists, listpacks; hashes as hash tables, zipmaps, ziplists,
//! listpacks, and Redis 7.4's hashes with field expiry, types 22–25; streams 1–3; module values
//! of format 2), functions and module aux data (skipped). Later formats (RDB 13+, Valkey 9's
//! 80+) are refused by version before any key is read.
//!
//! [`estimate`] holds how the memory of each encoding is reckoned.

pub mod encoded;
pub mod estimate;
pub mod reader;

use encoded::{intset_len, listpack_len, ziplist_len, zipmap_len};
use reader::Reader;
pub use reader::{RdbError, RdbResult};
use std::io::Read;

/// What the report groups keys by (DCS's types, plus modules' values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueType {
    String,
    List,
    Set,
    Zset,
    Hash,
    Stream,
    Module,
}

impl ValueType {
    pub const ALL: [ValueType; 7] = [
        ValueType::String,
        ValueType::List,
        ValueType::Set,
        ValueType::Zset,
        ValueType::Hash,
        ValueType::Stream,
        ValueType::Module,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::List => "list",
            ValueType::Set => "set",
            ValueType::Zset => "zset",
            ValueType::Hash => "hash",
            ValueType::Stream => "stream",
            ValueType::Module => "module",
        }
    }
}

/// One key of the snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub db: u32,
    /// The name's first [`NAME_KEPT`] bytes (or what [`parse_keeping`] was told).
    pub name: Vec<u8>,
    /// The name's full length in bytes.
    pub name_len: u64,
    pub value_type: ValueType,
    /// How it is stored (`listpack`, `quicklist`, `hashtable`…).
    pub encoding: &'static str,
    /// Elements (a string's length in bytes).
    pub elements: u64,
    /// Estimated bytes in memory, the key and its overhead included ([`estimate`]).
    pub bytes: u64,
    /// Expiry, milliseconds since the epoch.
    pub expire_ms: Option<i64>,
    /// The LFU counter, as `OBJECT FREQ` gave it when the snapshot was written (only under an
    /// `*-lfu` policy).
    pub freq: Option<u8>,
}

/// Bytes of a key name kept for the report (longer names are cut, their length kept).
pub const NAME_KEPT: usize = 1024;

/// What the snapshot says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub version: u32,
    /// The `redis-ver` / `valkey-ver` aux field, when present.
    pub server_version: Option<String>,
}

/// Reads a whole snapshot from `input`, calling `each` for every key; returns the header and
/// the bytes read (the EOF checksum included; not verified).
pub fn parse<R: Read>(input: R, each: impl FnMut(KeyInfo)) -> RdbResult<(Header, u64)> {
    parse_keeping(input, NAME_KEPT, each)
}

/// [`parse`], keeping each name's first `keep` bytes (hot and big keys keep what a report
/// shows).
pub fn parse_keeping<R: Read>(
    input: R,
    keep: usize,
    mut each: impl FnMut(KeyInfo),
) -> RdbResult<(Header, u64)> {
    let mut r = Reader::new(input);
    let magic: [u8; 9] = r.array()?;
    if &magic[..5] != b"REDIS" && &magic[..6] != b"VALKEY" {
        return Err(RdbError {
            offset: 0,
            detail: "not an RDB snapshot (no REDIS magic)".into(),
        });
    }
    let version: u32 = std::str::from_utf8(&magic[5..])
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| r.error("unreadable RDB version"))?;
    if version == 0 || version > 12 {
        return Err(r.error(format!("RDB version {version} is not supported (1-12)")));
    }
    let mut header = Header {
        version,
        server_version: None,
    };
    let mut db = 0u32;
    let mut expire: Option<i64> = None;
    let mut freq: Option<u8> = None;
    loop {
        let op = r.byte()?;
        match op {
            0xff => {
                if version >= 5 {
                    r.skip(8)?;
                }
                return Ok((header, r.offset()));
            }
            0xfe => db = r.length()? as u32,
            0xfd => expire = Some(u32::from_le_bytes(r.array()?) as i64 * 1000),
            0xfc => expire = Some(i64::from_le_bytes(r.array()?)),
            0xfb => {
                r.length()?;
                r.length()?;
            }
            0xfa => {
                let key = r.string(1024)?;
                let value = r.string(reader::MAX_BLOB)?;
                if key == b"redis-ver" || key == b"valkey-ver" {
                    header.server_version = Some(String::from_utf8_lossy(&value).into_owned());
                }
            }
            // LFU counter (with an `allkeys-lfu` / `volatile-lfu` policy) of the next key, LRU
            // idle time.
            0xf9 => freq = Some(r.byte()?),
            0xf8 => {
                r.length()?;
            }
            0xf7 => skip_module_aux(&mut r)?,
            0xf6 => {
                return Err(r.error("functions of Redis 7.0 release candidates are not supported"))
            }
            0xf5 => {
                r.skip_string()?;
            }
            0xf4 => {
                for _ in 0..3 {
                    r.length()?;
                }
            }
            kind => {
                let (name, name_len) = r.name(keep)?;
                let (value_type, encoding, elements, payload) = value(&mut r, kind)?;
                let bytes = estimate::key_bytes(name_len, expire.is_some()) + payload;
                each(KeyInfo {
                    db,
                    name,
                    name_len,
                    value_type,
                    encoding,
                    elements,
                    bytes,
                    expire_ms: expire.take(),
                    freq: freq.take(),
                });
            }
        }
    }
}

/// Reads one value of type `kind`: (type, encoding, elements, estimated bytes of the value).
fn value<R: Read>(r: &mut Reader<R>, kind: u8) -> RdbResult<(ValueType, &'static str, u64, u64)> {
    use estimate as est;
    let count = |r: &Reader<R>, n: Option<u64>| n.ok_or_else(|| r.error("corrupt encoded value"));
    Ok(match kind {
        // Elements: the length `STRLEN` says (an integer's digits); the estimate: what is stored.
        0 => {
            let (text, stored) = r.skip_string_measured()?;
            (ValueType::String, "string", text, est::string(stored))
        }
        // Linked list, set and hash as plain elements.
        1 | 2 | 4 => {
            let n = r.length()?;
            let per = if kind == 4 { 2 } else { 1 };
            let mut total = 0;
            for _ in 0..n * per {
                total += est::sds(r.skip_string()?);
            }
            let (t, enc, bytes) = match kind {
                1 => (ValueType::List, "quicklist", est::list_nodes(n, total)),
                2 => (ValueType::Set, "hashtable", est::hashtable(n, total)),
                _ => (ValueType::Hash, "hashtable", est::hashtable(n, total)),
            };
            (t, enc, n, bytes)
        }
        // Sorted set as a skip list: members with text (3) or binary (5) scores.
        3 | 5 => {
            let n = r.length()?;
            let mut total = 0;
            for _ in 0..n {
                total += est::sds(r.skip_string()?);
                if kind == 3 {
                    let l = r.byte()?;
                    if l < 253 {
                        r.skip(l as u64)?;
                    }
                } else {
                    r.skip(8)?;
                }
            }
            (ValueType::Zset, "skiplist", n, est::skiplist(n, total))
        }
        6 => return Err(r.error("module values of format 1 cannot be skipped safely")),
        7 => {
            let before = r.offset();
            skip_module_value(r)?;
            (ValueType::Module, "module", 1, r.offset() - before)
        }
        9 => {
            let blob = r.blob()?;
            let n = count(r, zipmap_len(&blob))?;
            (ValueType::Hash, "zipmap", n, est::blob(blob.len()))
        }
        10 | 12 | 13 => {
            let blob = r.blob()?;
            let n = count(r, ziplist_len(&blob))?;
            let (t, n) = match kind {
                10 => (ValueType::List, n),
                12 => (ValueType::Zset, n / 2),
                _ => (ValueType::Hash, n / 2),
            };
            (t, "ziplist", n, est::blob(blob.len()))
        }
        11 => {
            let blob = r.blob()?;
            let n = count(r, intset_len(&blob))?;
            (ValueType::Set, "intset", n, est::blob(blob.len()))
        }
        14 | 18 => {
            let nodes = r.length()?;
            let (mut n, mut blobs) = (0, 0);
            for _ in 0..nodes {
                let packed = kind == 14 || r.length()? == 2;
                if packed {
                    let blob = r.blob()?;
                    n += count(
                        r,
                        if kind == 14 {
                            ziplist_len(&blob)
                        } else {
                            listpack_len(&blob)
                        },
                    )?;
                    blobs += est::alloc(blob.len());
                } else {
                    n += 1;
                    blobs += est::alloc(r.skip_string()? as usize);
                }
            }
            (
                ValueType::List,
                "quicklist",
                n,
                est::quicklist(nodes, blobs),
            )
        }
        15 | 19 | 21 => {
            let (n, bytes) = skip_stream(r, kind)?;
            (ValueType::Stream, "stream", n, bytes)
        }
        16 | 17 | 20 => {
            let blob = r.blob()?;
            let n = count(r, listpack_len(&blob))?;
            let (t, n) = match kind {
                16 => (ValueType::Hash, n / 2),
                17 => (ValueType::Zset, n / 2),
                _ => (ValueType::Set, n),
            };
            (t, "listpack", n, est::blob(blob.len()))
        }
        // Hashes with field expiry (Redis 7.4): a table of (expiry, field, value) — the
        // expiries absolute in the release candidates' 22, after the smallest one (written
        // first) in 24 — or a listpack of (field, value, expiry) triples, 25 with the smallest
        // expiry first.
        22 | 24 => {
            if kind == 24 {
                r.skip(8)?;
            }
            let n = r.length()?;
            let mut total = 0;
            for _ in 0..n {
                r.length()?;
                total += est::sds(r.skip_string()?) + est::sds(r.skip_string()?);
            }
            (ValueType::Hash, "hashtable", n, est::hashtable(n, total))
        }
        23 | 25 => {
            if kind == 25 {
                r.skip(8)?;
            }
            let blob = r.blob()?;
            let n = count(r, listpack_len(&blob))?;
            (ValueType::Hash, "listpackex", n / 3, est::blob(blob.len()))
        }
        other => return Err(r.error(format!("unknown value type {other}"))),
    })
}

/// A stream: its listpacks, metadata and consumer groups. Returns (entries, estimated bytes).
fn skip_stream<R: Read>(r: &mut Reader<R>, kind: u8) -> RdbResult<(u64, u64)> {
    let nodes = r.length()?;
    let mut bytes = 0;
    for _ in 0..nodes {
        r.skip_string()?; // the node's master ID
        bytes += estimate::stream_node(r.skip_string()? as usize);
    }
    let entries = r.length()?;
    r.length()?; // last ID
    r.length()?;
    if kind >= 19 {
        for _ in 0..5 {
            r.length()?; // first ID, max deleted ID, entries added
        }
    }
    let groups = r.length()?;
    for _ in 0..groups {
        r.skip_string()?;
        r.length()?;
        r.length()?;
        if kind >= 19 {
            r.length()?; // entries read
        }
        let pending = r.length()?;
        for _ in 0..pending {
            r.skip(16 + 8)?; // ID, delivery time
            r.length()?; // delivery count
        }
        let consumers = r.length()?;
        for _ in 0..consumers {
            r.skip_string()?;
            r.skip(if kind >= 21 { 16 } else { 8 })?; // seen (and active) time
            let owned = r.length()?;
            r.skip(owned * 16)?;
        }
    }
    Ok((entries, estimate::stream(nodes, bytes)))
}

/// A module value of format 2: the module's id, then typed fields up to an end marker.
fn skip_module_value<R: Read>(r: &mut Reader<R>) -> RdbResult<()> {
    r.length()?; // module id
    skip_module_fields(r)
}

fn skip_module_fields<R: Read>(r: &mut Reader<R>) -> RdbResult<()> {
    loop {
        match r.length()? {
            0 => return Ok(()),
            1 | 2 => {
                r.length()?;
            }
            3 => r.skip(4)?,
            4 => r.skip(8)?,
            5 => {
                r.skip_string()?;
            }
            other => return Err(r.error(format!("unknown module field opcode {other}"))),
        }
    }
}

/// Module aux data (`0xF7`): module id, when, then format-2 fields.
fn skip_module_aux<R: Read>(r: &mut Reader<R>) -> RdbResult<()> {
    r.length()?;
    r.length()?; // when opcode
    r.length()?; // when
    skip_module_fields(r)
}

/// Snapshots written byte by byte as the servers that cannot run here write them (Redis 2.x
/// zipmaps and ziplists, Redis 7.4's hashes with field expiry), read through [`parse`].
#[cfg(test)]
mod tests {
    use super::*;

    /// `REDIS<version>`, the records, the end marker and a checksum.
    fn snapshot(version: &str, records: &[u8]) -> Vec<u8> {
        let mut out = format!("REDIS{version}").into_bytes();
        out.extend_from_slice(records);
        out.push(0xff);
        out.extend_from_slice(&[0; 8]);
        out
    }

    fn string(out: &mut Vec<u8>, s: &[u8]) {
        assert!(s.len() < 64);
        out.push(s.len() as u8);
        out.extend_from_slice(s);
    }

    /// A listpack of the given string entries (each under 64 bytes).
    fn listpack(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        for e in entries {
            body.push(0x80 | e.len() as u8);
            body.extend_from_slice(e);
            body.push(e.len() as u8 + 1);
        }
        let total = 6 + body.len() + 1;
        let mut lp = (total as u32).to_le_bytes().to_vec();
        lp.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        lp.extend_from_slice(&body);
        lp.push(0xff);
        lp
    }

    fn keys(bytes: &[u8]) -> Vec<KeyInfo> {
        let mut keys = Vec::new();
        let (header, read) = parse(bytes, |k| keys.push(k)).expect("parses");
        assert_eq!(read, bytes.len() as u64);
        assert!(header.version > 0);
        keys
    }

    fn summary(k: &KeyInfo) -> (String, ValueType, &'static str, u64, Option<i64>) {
        (
            String::from_utf8_lossy(&k.name).into_owned(),
            k.value_type,
            k.encoding,
            k.elements,
            k.expire_ms,
        )
    }

    #[test]
    fn hashes_with_field_expiry_of_redis_7_4() {
        let expiry = 1_900_000_000_000u64;
        let mut r = Vec::new();
        // 24: smallest expiry, 2 fields: one without expiry (0), one 5 ms after the smallest.
        r.push(24);
        string(&mut r, b"h:table");
        r.extend_from_slice(&expiry.to_le_bytes());
        r.push(2);
        r.push(0);
        string(&mut r, b"f1");
        string(&mut r, b"v1");
        r.push(6);
        string(&mut r, b"f2");
        string(&mut r, b"v2");
        // 22 (7.4 release candidates): absolute expiry as a 64-bit length.
        r.push(22);
        string(&mut r, b"h:rc");
        r.push(1);
        r.push(0x81);
        r.extend_from_slice(&expiry.to_be_bytes());
        string(&mut r, b"f");
        string(&mut r, b"v");
        // 25: smallest expiry, then a listpack of (field, value, expiry) triples; with a key
        // expiry before it.
        r.push(0xfc);
        r.extend_from_slice(&(expiry as i64).to_le_bytes());
        r.push(25);
        string(&mut r, b"h:lp");
        r.extend_from_slice(&expiry.to_le_bytes());
        let lp = listpack(&[b"a", b"1", b"0", b"b", b"2", b"0"]);
        string(&mut r, &lp);
        // 23: the same listpack, no smallest expiry.
        r.push(23);
        string(&mut r, b"h:lp-rc");
        string(&mut r, &lp);
        // A string after them: the parser is back in step.
        r.push(0);
        string(&mut r, b"after");
        string(&mut r, b"xyz");
        let keys = keys(&snapshot("0012", &r));
        let got: Vec<_> = keys.iter().map(summary).collect();
        assert_eq!(
            got,
            vec![
                ("h:table".into(), ValueType::Hash, "hashtable", 2, None),
                ("h:rc".into(), ValueType::Hash, "hashtable", 1, None),
                (
                    "h:lp".into(),
                    ValueType::Hash,
                    "listpackex",
                    2,
                    Some(expiry as i64)
                ),
                ("h:lp-rc".into(), ValueType::Hash, "listpackex", 2, None),
                ("after".into(), ValueType::String, "string", 3, None),
            ]
        );
        assert!(keys.iter().all(|k| k.bytes > 0));
    }

    #[test]
    fn old_encodings_of_redis_2_and_3() {
        let mut r = Vec::new();
        // Version 6 (Redis 2.8): expiry in seconds, a zipmap hash, a ziplist list and zset,
        // an intset, a skip-list zset with text scores, a quicklist of ziplists (3.2).
        r.push(0xfd);
        r.extend_from_slice(&2_000_000_000u32.to_le_bytes());
        r.push(9);
        string(&mut r, b"zipmap");
        string(&mut r, &[1, 1, b'k', 2, 1, b'v', b'v', 0, 0xff]);
        r.push(10);
        string(&mut r, b"ziplist");
        let zl = [
            17, 0, 0, 0, 14, 0, 0, 0, 2, 0, 0x00, 0x02, b'a', b'b', 0x04, 0xf4, 0xff,
        ];
        string(&mut r, &zl);
        r.push(12);
        string(&mut r, b"zset-zl");
        string(&mut r, &zl);
        r.push(11);
        string(&mut r, b"intset");
        string(&mut r, &[2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]);
        r.push(3);
        string(&mut r, b"zset");
        r.push(2);
        string(&mut r, b"m1");
        string(&mut r, b"1.5");
        string(&mut r, b"m2");
        r.push(253); // NaN: no digits follow
        r.push(14);
        string(&mut r, b"quicklist");
        r.push(2);
        string(&mut r, &zl);
        string(&mut r, &zl);
        let keys = keys(&snapshot("0006", &r));
        let got: Vec<_> = keys.iter().map(summary).collect();
        assert_eq!(
            got,
            vec![
                (
                    "zipmap".into(),
                    ValueType::Hash,
                    "zipmap",
                    1,
                    Some(2_000_000_000_000)
                ),
                ("ziplist".into(), ValueType::List, "ziplist", 2, None),
                ("zset-zl".into(), ValueType::Zset, "ziplist", 1, None),
                ("intset".into(), ValueType::Set, "intset", 3, None),
                ("zset".into(), ValueType::Zset, "skiplist", 2, None),
                ("quicklist".into(), ValueType::List, "quicklist", 4, None),
            ]
        );
    }

    #[test]
    fn later_formats_and_unknown_types_are_refused_by_name() {
        let err = parse(&snapshot("0013", &[])[..], |_| {}).unwrap_err();
        assert!(err.detail.contains("RDB version 13"), "{}", err.detail);
        let err = parse(&snapshot("0012", &[26, 1, b'k'])[..], |_| {}).unwrap_err();
        assert!(
            err.detail.contains("unknown value type 26"),
            "{}",
            err.detail
        );
        assert_eq!(err.offset, 12);
    }
}
