//! Batches done inside the server: one Lua script per batch runs `SCAN` and the analysis's
//! per-key commands there and replies only what the analysis keeps — one round trip and one small
//! reply per batch instead of a reply per key, and next to no client CPU (BENCHMARKS.md: per-key
//! replies are a large part of the server's work, and on shared cores the client's CPU is the
//! workload's loss). Gentle paces the scripts as it paces pipelines (`pace.rs`).
//!
//! A server may refuse scripts (an ACL without `EVAL`, a renamed or disabled `EVAL`, Redis < 7
//! which does not know the script's flags, a managed service's restrictions): then the batch,
//! and every one after it, goes the pipelined way, which reports any real error itself.

use crate::conn::Conn;
use crate::error::Result;
use crate::scan::{BatchHandler, ScanOutcome, Stop};
use redis::Value;
use std::time::Duration;
use tokio::time::Instant;

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

/// Scans one database on `conn` by `batch`'s script, paced by `conn`, feeding what each batch
/// keeps to the handler's [`BatchHandler::absorb`].
pub(crate) async fn scan_db<H: BatchHandler>(
    conn: &mut Conn,
    batch: &Batch<'_>,
    handler: &mut H,
    stop: &Stop<'_>,
    outcome: &mut ScanOutcome,
) -> Result<ScriptEnd> {
    // By its digest once the server holds it (`SCRIPT LOAD`): the body is sent and hashed once,
    // not once a batch. Where the digest is refused (an ACL, a flushed script cache), by body.
    let mut sha = load(conn, batch.script).await?;
    let mut cursor = 0u64;
    loop {
        if stop.now(outcome) {
            return Ok(ScriptEnd::Stopped);
        }
        let args = handler.script_args();
        let sent = Instant::now();
        let by = sha.as_deref().map_or(By::Body(batch.script), By::Digest);
        let mut reply = run(conn, by, cursor, batch.count, &args).await?;
        if let (Some(_), Value::ServerError(e)) = (&sha, &reply) {
            // NOSCRIPT (the cache was flushed): the body loads it again, the digest serves
            // the next batch. Anything else: the body from now on, which says whether
            // scripts are refused at all.
            if e.code() != "NOSCRIPT" {
                sha = None;
            }
            reply = run(conn, By::Body(batch.script), cursor, batch.count, &args).await?;
        }
        conn.pace(sent).await;
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
            tokio::time::sleep(batch.pause).await;
        }
    }
}

/// `SCRIPT LOAD`: the script's digest, or `None` where the server refuses it.
async fn load(conn: &mut Conn, script: &str) -> Result<Option<String>> {
    let mut pipe = redis::pipe();
    pipe.cmd("SCRIPT").arg("LOAD").arg(script);
    Ok(match conn.pipeline(&pipe, 1).await?.pop() {
        Some(Value::BulkString(b)) => String::from_utf8(b).ok(),
        _ => None,
    })
}

/// How a script is named to the server.
#[derive(Clone, Copy)]
enum By<'a> {
    /// Its SHA1 digest (`EVALSHA`), once the server holds it.
    Digest(&'a str),
    /// Its body (`EVAL`).
    Body(&'a str),
}

/// One batch, sent through `pipeline` so that a refusal comes back as a value, not as an error.
async fn run(
    conn: &mut Conn,
    by: By<'_>,
    cursor: u64,
    count: u32,
    args: &[String],
) -> Result<Value> {
    let (command, script) = match by {
        By::Digest(sha) => ("EVALSHA", sha),
        By::Body(body) => ("EVAL", body),
    };
    let mut pipe = redis::pipe();
    let cmd = pipe.cmd(command).arg(script).arg(0).arg(cursor).arg(count);
    for arg in args {
        cmd.arg(arg);
    }
    Ok(conn.pipeline(&pipe, 1).await?.pop().unwrap_or(Value::Nil))
}

/// `[cursor, scanned, kept…]`; `None` for anything else (an error reply above all).
fn parse_reply(reply: Value) -> Option<(u64, u64, Vec<Value>)> {
    let Value::Array(mut items) = reply else {
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
            parse_reply(ok),
            Some((17, 3, vec![bulk("k"), Value::Int(9)]))
        );
        assert_eq!(
            parse_reply(Value::Array(vec![bulk("0"), Value::Int(0)])),
            Some((0, 0, vec![]))
        );
        for refused in [
            Value::Okay,
            Value::Array(vec![bulk("x"), Value::Int(1)]),
            Value::Array(vec![bulk("1")]),
            Value::Nil,
        ] {
            assert_eq!(parse_reply(refused), None);
        }
    }
}
