//! One key looked at closely, and the two actions on it (`UNLINK`, `EXPIRE`).
//!
//! Every read is bounded (`dcs_api::key`'s limits): a string's first bytes by `GETRANGE`, a
//! collection's first elements by `LRANGE`/`ZRANGE`/`XRANGE … COUNT` or one `HSCAN`/`SSCAN` step,
//! and those only when `MEMORY USAGE` says the ones read come to little. The key is found
//! on the master that answers for it (a cluster's other masters answer `MOVED`).

use crate::conn::{Conn, Node};
use crate::error::{AnalyzerError, Result};
use crate::keyname::{display_name, unescape};
use crate::options::ScanOptions;
use crate::target::Target;
use dcs_api::key::{
    KeyDetails, PREVIEW_BYTES, PREVIEW_CHARS, PREVIEW_ELEMENTS, PREVIEW_READ_BYTES,
};
use dcs_api::task::CUT_MARK;
use dcs_api::KeyType;
use redis::Value;

/// A key found: the connection to its master and its exact bytes.
pub struct FoundKey {
    pub conn: Conn,
    pub shard: String,
    pub raw: Vec<u8>,
    pub key_type: KeyType,
}

/// The bytes `name` may stand for: itself, and, when it reads as an escaped binary name, the
/// unescaped bytes (a UTF-8 name that merely contains `\x` text stays possible, tried first).
fn candidates(name: &str) -> Vec<Vec<u8>> {
    let mut out = vec![name.as_bytes().to_vec()];
    if let Some(raw) = unescape(name).filter(|r| r != name.as_bytes()) {
        out.push(raw);
    }
    out
}

/// The master holding `name` in `db`, or `None` when no master has it.
pub async fn find(
    target: &Target,
    opts: &ScanOptions,
    db: u32,
    name: &str,
) -> Result<Option<FoundKey>> {
    let masters = target.masters(opts).await?;
    for raw in candidates(name) {
        for node in &masters {
            if let Some(found) = find_on(node, opts, db, &raw).await? {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

async fn find_on(node: &Node, opts: &ScanOptions, db: u32, raw: &[u8]) -> Result<Option<FoundKey>> {
    let mut conn = node.connect(db, opts).await?;
    let mut pipe = redis::pipe();
    pipe.cmd("TYPE").arg(raw);
    let reply = conn.pipeline(&pipe, 1).await?.remove(0);
    let key_type = match reply {
        // Another master's key (cluster): not here.
        Value::ServerError(e) if matches!(e.code(), "MOVED" | "ASK") => return Ok(None),
        Value::ServerError(e) => {
            return Err(AnalyzerError::Protocol {
                addr: node.addr.clone(),
                detail: format!("TYPE: {e:?}"),
            })
        }
        Value::SimpleString(s) if s == "none" => return Ok(None),
        Value::SimpleString(s) => s.parse::<KeyType>().map_err(|_| AnalyzerError::Protocol {
            addr: node.addr.clone(),
            detail: format!("a key of type {s}, which this product does not read"),
        })?,
        other => {
            return Err(AnalyzerError::Protocol {
                addr: node.addr.clone(),
                detail: format!("TYPE answered {other:?}"),
            })
        }
    };
    Ok(Some(FoundKey {
        conn,
        shard: node.shard.clone(),
        raw: raw.to_vec(),
        key_type,
    }))
}

/// What [`details`] reads of a key; `None` when no master has it.
pub async fn details(
    target: &Target,
    opts: &ScanOptions,
    db: u32,
    name: &str,
) -> Result<Option<KeyDetails>> {
    let Some(FoundKey {
        mut conn,
        shard,
        raw,
        key_type,
    }) = find(target, opts, db, name).await?
    else {
        return Ok(None);
    };
    let mut pipe = redis::pipe();
    pipe.cmd("OBJECT").arg("ENCODING").arg(&raw);
    pipe.cmd("PTTL").arg(&raw);
    pipe.cmd("MEMORY")
        .arg("USAGE")
        .arg(&raw)
        .arg("SAMPLES")
        .arg(5);
    pipe.cmd(crate::scan::size_command(key_type)).arg(&raw);
    let r = conn.pipeline(&pipe, 4).await?;
    let int = |v: &Value| match v {
        Value::Int(n) => Some(*n),
        _ => None,
    };
    // Gone between TYPE and here (expired, deleted): as if it was never found.
    if int(&r[1]) == Some(-2) {
        return Ok(None);
    }
    let encoding = match &r[0] {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        _ => "unknown".into(),
    };
    let ttl = int(&r[1])
        .filter(|ms| *ms >= 0)
        .map(|ms| (ms as u64).div_ceil(1000));
    let memory_usage = int(&r[2]).filter(|n| *n >= 0).map(|n| n as u64);
    let size = int(&r[3]).unwrap_or(0).max(0) as u64;
    let (elements, elements_note) = preview(&mut conn, &raw, key_type, size, memory_usage).await?;
    Ok(Some(KeyDetails {
        name: crate::keyname::report_name(&raw).0,
        db,
        shard,
        key_type,
        encoding,
        ttl,
        size,
        unit: key_type.unit(),
        memory_usage,
        elements,
        elements_note,
        actions_allowed: false,
    }))
}

/// The first elements, shown; or none and why.
async fn preview(
    conn: &mut Conn,
    raw: &[u8],
    t: KeyType,
    size: u64,
    memory: Option<u64>,
) -> Result<(Vec<String>, Option<String>)> {
    if size == 0 {
        return Ok((Vec::new(), None));
    }
    let n = PREVIEW_ELEMENTS as i64;
    let mut cmd = redis::cmd(match t {
        KeyType::String => "GETRANGE",
        KeyType::List => "LRANGE",
        KeyType::Zset => "ZRANGE",
        KeyType::Hash => "HSCAN",
        KeyType::Set => "SSCAN",
        KeyType::Stream => "XRANGE",
    });
    cmd.arg(raw);
    match t {
        KeyType::String => cmd.arg(0).arg(PREVIEW_BYTES as i64 - 1),
        KeyType::List => cmd.arg(0).arg(n - 1),
        KeyType::Zset => cmd.arg(0).arg(n - 1).arg("WITHSCORES"),
        KeyType::Hash | KeyType::Set => cmd.arg(0).arg("COUNT").arg(n),
        KeyType::Stream => cmd.arg("-").arg("+").arg("COUNT").arg(n),
    };
    if t != KeyType::String {
        match memory {
            // Elements read, by estimate: the average element times how many are read.
            Some(bytes) if bytes / size * size.min(n as u64) <= PREVIEW_READ_BYTES => {}
            Some(bytes) => {
                return Ok((
                    Vec::new(),
                    Some(format!(
                        "Elements not read: {} of them would be about {} KiB (more than {} KiB).",
                        size.min(n as u64),
                        bytes / size * size.min(n as u64) / 1024,
                        PREVIEW_READ_BYTES / 1024
                    )),
                ))
            }
            None => {
                return Ok((
                    Vec::new(),
                    Some("Elements not read: the server does not answer MEMORY USAGE, so their size is unknown.".into()),
                ))
            }
        }
    }
    let reply: Value = conn.query(&cmd).await?;
    let shown = match (t, reply) {
        (KeyType::String, Value::BulkString(b)) => vec![text(&b)],
        (KeyType::Hash | KeyType::Set, Value::Array(mut parts)) if parts.len() == 2 => {
            let items = flat(parts.remove(1));
            if t == KeyType::Hash {
                items.chunks(2).map(|p| pair(p, " = ")).collect()
            } else {
                items.iter().map(|b| text(b)).collect()
            }
        }
        (KeyType::Zset, v) => flat(v)
            .chunks(2)
            .map(|p| {
                format!(
                    "{} ({})",
                    text(&p[0]),
                    p.get(1).map(|s| text(s)).unwrap_or_default()
                )
            })
            .collect(),
        (KeyType::List, v) => flat(v).iter().map(|b| text(b)).collect(),
        (KeyType::Stream, Value::Array(entries)) => entries.into_iter().map(stream_entry).collect(),
        (_, v) => {
            return Err(AnalyzerError::Protocol {
                addr: conn.addr.clone(),
                detail: format!("unexpected preview reply {v:?}"),
            })
        }
    };
    Ok((shown.into_iter().take(PREVIEW_ELEMENTS).collect(), None))
}

/// Bulk strings of a (RESP2) array, others skipped; a RESP3 map's keys and values in turn.
fn flat(v: Value) -> Vec<Vec<u8>> {
    let bytes = |v: Value| match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::Double(d) => Some(d.to_string().into_bytes()),
        Value::Int(n) => Some(n.to_string().into_bytes()),
        _ => None,
    };
    match v {
        Value::Array(items) | Value::Set(items) => items.into_iter().filter_map(bytes).collect(),
        Value::Map(pairs) => pairs
            .into_iter()
            .flat_map(|(k, v)| [bytes(k), bytes(v)])
            .flatten()
            .collect(),
        _ => Vec::new(),
    }
}

fn pair(p: &[Vec<u8>], sep: &str) -> String {
    let second = p.get(1).map(|b| text(b)).unwrap_or_default();
    cut(format!("{}{sep}{second}", text(&p[0])))
}

/// A stream entry `[id, [field, value, …]]` as `id field value …`.
fn stream_entry(entry: Value) -> String {
    let Value::Array(mut parts) = entry else {
        return String::new();
    };
    let fields = if parts.len() == 2 {
        flat(parts.remove(1))
    } else {
        Vec::new()
    };
    let id = flat(Value::Array(parts))
        .first()
        .map(|b| text(b))
        .unwrap_or_default();
    let rest: Vec<String> = fields.iter().map(|b| text(b)).collect();
    cut(format!("{id} {}", rest.join(" ")))
}

/// An element's report form (binary-safe), cut at `PREVIEW_CHARS` characters.
fn text(b: &[u8]) -> String {
    // 4 bytes per character at most: this prefix holds enough.
    let head = &b[..b.len().min(PREVIEW_CHARS * 4)];
    let shown = display_name(head);
    if head.len() < b.len() && shown.chars().count() <= PREVIEW_CHARS {
        return format!("{shown}{CUT_MARK}");
    }
    cut(shown)
}

fn cut(s: String) -> String {
    match s.char_indices().nth(PREVIEW_CHARS) {
        None => s,
        Some((at, _)) => format!("{}{CUT_MARK}", &s[..at]),
    }
}

/// `UNLINK`: true when the key was there.
pub async fn unlink(found: &mut FoundKey) -> Result<bool> {
    let n: i64 = found
        .conn
        .query(redis::cmd("UNLINK").arg(&found.raw))
        .await?;
    Ok(n == 1)
}

/// `EXPIRE key seconds`: true when the key was there.
pub async fn expire(found: &mut FoundKey, seconds: u64) -> Result<bool> {
    let n: i64 = found
        .conn
        .query(redis::cmd("EXPIRE").arg(&found.raw).arg(seconds))
        .await?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_escaped_name_is_tried_as_itself_then_as_its_bytes() {
        assert_eq!(candidates("plain"), vec![b"plain".to_vec()]);
        assert_eq!(
            candidates("a\\xffb"),
            vec![b"a\\xffb".to_vec(), b"a\xffb".to_vec()]
        );
    }

    #[test]
    fn elements_are_cut_and_binary_safe() {
        assert_eq!(text(b"short"), "short");
        let long = "x".repeat(PREVIEW_CHARS + 5);
        assert_eq!(
            text(long.as_bytes()),
            format!("{}{CUT_MARK}", "x".repeat(PREVIEW_CHARS))
        );
        // Cut bytes beyond the prefix read, even when the prefix itself fits.
        let huge = vec![b'y'; PREVIEW_CHARS * 4 + 1];
        assert!(text(&huge).ends_with(CUT_MARK));
        assert_eq!(text(b"\xff\x00"), "\\xff\u{0}");
    }
}
