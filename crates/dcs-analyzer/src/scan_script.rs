//! Batches done inside the server: one Lua script per batch runs `SCAN` and the analysis's
//! per-key commands there and replies only what the analysis keeps — one round trip and one small
//! reply per batch instead of a reply per key, and next to no client CPU (BENCHMARKS.md: per-key
//! replies are a large part of the server's work, and on shared cores the client's CPU is the
//! workload's loss). Each database's batches run one after the other on a blocking connection of
//! our own (`raw_conn.rs`), whose round trips cost a fraction of the redis crate's; gentle paces
//! them as any one-request batch (`pace.rs`).
//!
//! A server may refuse scripts (an ACL without `EVAL`, a renamed or disabled `EVAL`, Redis < 7
//! which does not know the script's flags, a managed service's restrictions): then the batch,
//! and every one after it, goes the pipelined way, which reports any real error itself.

use crate::error::Result;
use crate::pace::Pacer;
use crate::raw_conn::{RawConn, Reply};
use crate::scan::{BatchHandler, ScanOutcome, Stop};
use redis::Value;
use std::time::{Duration, Instant};

/// How a scripted scan of one database ended.
pub(crate) enum ScriptEnd {
    /// Every key of the database was scanned.
    Done,
    /// Cancelled or past the deadline (the outcome says which).
    Stopped,
    /// The server refused the script at this cursor: go on from there without scripts.
    Refused { cursor: u64 },
}

/// What each scripted batch of one database is.
pub(crate) struct Batch<'a> {
    pub db: u32,
    /// The `COUNT` of the script's `SCAN`.
    pub count: u32,
    /// Waited after each batch ([`crate::ScanOptions::pause`]).
    pub pause: Duration,
    /// [`BatchHandler::script`].
    pub script: &'a str,
}

/// Scans one database on `conn` by `batch`'s script, paced by `pacer`, feeding what each batch
/// keeps to the handler's [`BatchHandler::absorb`]. Blocks: run it off the async threads.
pub(crate) fn scan_db<H: BatchHandler>(
    conn: &mut RawConn,
    pacer: &mut Pacer,
    batch: &Batch<'_>,
    handler: &mut H,
    stop: &Stop<'_>,
    outcome: &mut ScanOutcome,
) -> Result<ScriptEnd> {
    // By its digest once the server holds it (`SCRIPT LOAD`): the body is sent and hashed once,
    // not once a batch. Where the digest is refused (an ACL, a flushed script cache), by body.
    let mut sha = match conn.request(&[b"SCRIPT", b"LOAD", batch.script.as_bytes()])? {
        Reply::Value(Value::BulkString(b)) => String::from_utf8(b).ok(),
        _ => None,
    };
    let mut cursor = 0u64;
    loop {
        if stop.now(outcome) {
            return Ok(ScriptEnd::Stopped);
        }
        let args = handler.script_args();
        let sent = Instant::now();
        let by = sha.as_deref().map_or(By::Body(batch.script), By::Digest);
        let mut reply = run(conn, by, cursor, batch.count, &args)?;
        if let (Some(_), Reply::Error(e)) = (&sha, &reply) {
            // NOSCRIPT (the cache was flushed): the body loads it again, the digest serves
            // the next batch. Anything else: the body from now on, which says whether
            // scripts are refused at all.
            if !e.starts_with("NOSCRIPT") {
                sha = None;
            }
            reply = run(conn, By::Body(batch.script), cursor, batch.count, &args)?;
        }
        pacer.wait_after(sent);
        let Some((next, scanned, kept)) = parse_reply(reply) else {
            return Ok(ScriptEnd::Refused { cursor });
        };
        outcome.scanned += scanned;
        stop.ctl.add_scanned(scanned);
        handler.absorb(batch.db, kept)?;
        if next == 0 {
            return Ok(ScriptEnd::Done);
        }
        cursor = next;
        if !batch.pause.is_zero() {
            std::thread::sleep(batch.pause);
        }
    }
}

/// How a script is named to the server.
#[derive(Clone, Copy)]
enum By<'a> {
    /// Its SHA1 digest (`EVALSHA`), once the server holds it.
    Digest(&'a str),
    /// Its body (`EVAL`).
    Body(&'a str),
}

/// One batch; a refusal comes back as [`Reply::Error`], not as an error.
fn run(conn: &mut RawConn, by: By<'_>, cursor: u64, count: u32, args: &[String]) -> Result<Reply> {
    let (command, script) = match by {
        By::Digest(sha) => ("EVALSHA", sha),
        By::Body(body) => ("EVAL", body),
    };
    let (cursor, count) = (cursor.to_string(), count.to_string());
    let mut all: Vec<&[u8]> = vec![
        command.as_bytes(),
        script.as_bytes(),
        b"0",
        cursor.as_bytes(),
        count.as_bytes(),
    ];
    all.extend(args.iter().map(|a| a.as_bytes()));
    conn.request(&all)
}

/// `[cursor, scanned, kept…]`; `None` for anything else (an error reply above all).
fn parse_reply(reply: Reply) -> Option<(u64, u64, Vec<Value>)> {
    let Reply::Value(Value::Array(mut items)) = reply else {
        return None;
    };
    if items.len() < 2 {
        return None;
    }
    let kept = items.split_off(2);
    let cursor = match &items[0] {
        Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok()?,
        _ => return None,
    };
    let scanned = match items[1] {
        Value::Int(n) => u64::try_from(n).ok()?,
        _ => return None,
    };
    Some((cursor, scanned, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_or_refused() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let ok = Value::Array(vec![bulk("17"), Value::Int(3), bulk("k"), Value::Int(9)]);
        assert_eq!(
            parse_reply(Reply::Value(ok)),
            Some((17, 3, vec![bulk("k"), Value::Int(9)]))
        );
        assert_eq!(
            parse_reply(Reply::Value(Value::Array(vec![bulk("0"), Value::Int(0)]))),
            Some((0, 0, vec![]))
        );
        for refused in [
            Reply::Value(Value::Okay),
            Reply::Value(Value::Array(vec![bulk("x"), Value::Int(1)])),
            Reply::Value(Value::Array(vec![bulk("1")])),
            Reply::Value(Value::Nil),
            Reply::Error("NOPERM no scripts".into()),
        ] {
            assert_eq!(parse_reply(refused), None);
        }
    }
}
