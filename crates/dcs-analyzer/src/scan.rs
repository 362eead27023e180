//! The SCAN loop every analysis shares, and running it on every master in parallel.
//!
//! An analysis that has a script does each batch in the server by it (`scan_script.rs`), and
//! goes the pipelined way where the server refuses scripts. Gentle by default: each `SCAN`, script
//! and pipeline of per-key commands is bounded and paced (`pace.rs`; a batch that is one request,
//! a script, by [`BatchHandler::gentle_keys`]), an optional pause
//! separates batches, and every reply has a timeout. Fast mode sends the next `SCAN` along with each
//! batch's commands.

use crate::conn::{parse_keyspace, Conn, Database, Node};
use crate::control::Control;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::pace::{Pace, Pacer, GENTLE_SCAN_ALONE};
use crate::scan_script::{self, ScriptEnd};
use dcs_api::KeyType;
use redis::Value;
use std::future::Future;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What an analysis does with each batch of keys a `SCAN` returns.
pub(crate) trait BatchHandler: Send {
    /// Keys a second a fast online scan reads at best, as measured on the bench host
    /// (BENCHMARKS.md: hot keys, a script per batch); `source.rs` weighs it against a snapshot.
    const FAST_KEYS_PER_S: f64 = 600_000.0;

    fn handle(
        &mut self,
        conn: &mut Conn,
        db: u32,
        keys: Vec<Vec<u8>>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// A Lua script that does a batch's `SCAN` and this handler's per-key work inside the server
    /// (`scan_script.rs`); `None` (the default) scans the pipelined way. Called with
    /// no keys and `ARGV` = cursor, count, then [`BatchHandler::script_args`]; it replies the
    /// next cursor, the number of keys scanned, then what [`BatchHandler::absorb`] reads.
    fn script(&self) -> Option<&'static str> {
        None
    }

    /// The script's arguments after cursor and count, as they are before this batch.
    fn script_args(&self) -> Vec<String> {
        Vec::new()
    }

    /// Takes what one scripted batch of database `db` kept.
    fn absorb(&mut self, _db: u32, _kept: Vec<Value>) -> Result<()> {
        Ok(())
    }

    /// Gentle: the most keys of one scripted batch, a whole batch in one request (`pace.rs`
    /// sizes each kind by its cost per key).
    fn gentle_keys(&self) -> u32 {
        GENTLE_SCAN_ALONE
    }
}

/// How a node's scan ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ScanOutcome {
    pub scanned: u64,
    /// The deadline passed before the scan finished.
    pub timed_out: bool,
    /// Cancelled before the scan finished. Analyses whose partial result means nothing turn
    /// this into [`AnalyzerError::Cancelled`]; the expired-key scan reports what it reclaimed.
    pub cancelled: bool,
}

/// When a scan stops early: cancelled by its caller, or past its deadline.
pub(crate) struct Stop<'a> {
    pub ctl: &'a Control,
    pub deadline: Option<Instant>,
}

impl Stop<'_> {
    /// Whether the scan must stop now; `outcome` notes why.
    pub fn now(&self, outcome: &mut ScanOutcome) -> bool {
        if self.ctl.is_cancelled() {
            outcome.cancelled = true;
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            outcome.timed_out = true;
        }
        outcome.cancelled || outcome.timed_out
    }
}

/// Logical databases that hold keys, from `INFO keyspace`.
pub(crate) async fn databases(conn: &mut Conn) -> Result<Vec<Database>> {
    Ok(parse_keyspace(&conn.info("keyspace").await?))
}

/// SCANs every database of `node` that has keys, handing each batch to `handler`.
pub(crate) async fn scan_node<H: BatchHandler>(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    handler: &mut H,
    deadline: Option<Instant>,
) -> Result<ScanOutcome> {
    let mut first = node.connect(0, opts).await?;
    let dbs = databases(&mut first).await?;
    ctl.add_total(dbs.iter().map(|d| d.keys).sum());
    let mut outcome = ScanOutcome::default();
    let stop = Stop { ctl, deadline };
    for db in dbs.iter().map(|d| d.index) {
        let mut conn = if db == 0 {
            first.clone()
        } else {
            node.connect(db, opts).await?
        };
        let mut start = 0;
        if let Some(script) = handler.script() {
            let mut scripted =
                conn.with_pacer(Pacer::one_request(opts.pace, handler.gentle_keys()));
            let batch = scan_script::Batch {
                db,
                count: scripted.scan_count(opts.count),
                pause: opts.pause,
                script,
            };
            let end =
                scan_script::scan_db(&mut scripted, &batch, handler, &stop, &mut outcome).await?;
            match end {
                ScriptEnd::Done => continue,
                ScriptEnd::Stopped => return Ok(outcome),
                ScriptEnd::Refused { cursor } => start = cursor,
            }
        }
        let count = conn.scan_count(opts.count);
        let scanner = conn.clone();
        let scan = move |cursor: u64| {
            let mut conn = scanner.clone();
            async move {
                let cmd = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(count)
                    .clone();
                let sent = Instant::now();
                let batch: (u64, Vec<Vec<u8>>) = conn.query(&cmd).await?;
                conn.pace(sent).await;
                Ok::<_, AnalyzerError>(batch)
            }
        };
        let mut batch = scan(start).await?;
        loop {
            if stop.now(&mut outcome) {
                return Ok(outcome);
            }
            let (next, keys) = batch;
            outcome.scanned += keys.len() as u64;
            ctl.add_scanned(keys.len() as u64);
            if next == 0 {
                if !keys.is_empty() {
                    handler.handle(&mut conn, db, keys).await?;
                }
                break;
            }
            batch = if opts.pace == Pace::Fast {
                // The next SCAN travels with this batch's commands: no round trip waits alone.
                let (scanned, handled) = tokio::join!(scan(next), async {
                    match keys.is_empty() {
                        true => Ok(()),
                        false => handler.handle(&mut conn, db, keys).await,
                    }
                });
                handled?;
                scanned?
            } else {
                if !keys.is_empty() {
                    handler.handle(&mut conn, db, keys).await?;
                }
                if !opts.pause.is_zero() {
                    tokio::time::sleep(opts.pause).await;
                }
                scan(next).await?
            };
        }
    }
    Ok(outcome)
}

/// Runs `f` for every node at once, each on its own connections. The first failure aborts the
/// others and is returned; results come back in node order.
pub(crate) async fn on_every_node<T, F, Fut>(nodes: &[Node], f: F) -> Result<Vec<T>>
where
    F: Fn(usize, Node) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let mut set = JoinSet::new();
    for (i, node) in nodes.iter().enumerate() {
        let fut = f(i, node.clone());
        set.spawn(async move { (i, fut.await) });
    }
    let mut out: Vec<Option<T>> = (0..nodes.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, result) = joined.map_err(|e| AnalyzerError::Protocol {
            addr: "analyzer".into(),
            detail: e.to_string(),
        })?;
        match result {
            Ok(v) => out[i] = Some(v),
            Err(e) => {
                set.abort_all();
                return Err(e);
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|v| v.expect("every node task reports"))
        .collect())
}

/// The command that measures a key of this type: bytes for strings, elements otherwise.
pub(crate) fn size_command(t: KeyType) -> &'static str {
    match t {
        KeyType::String => "STRLEN",
        KeyType::List => "LLEN",
        KeyType::Set => "SCARD",
        KeyType::Zset => "ZCARD",
        KeyType::Hash => "HLEN",
        KeyType::Stream => "XLEN",
    }
}

/// Type and size of each key, in two pipelined round trips (`TYPE`, then the size command).
/// `None` for a key that vanished meanwhile (`TYPE` = none) or has a type this product does not
/// report (module types).
pub(crate) async fn describe_keys(
    conn: &mut Conn,
    keys: &[&[u8]],
) -> Result<Vec<Option<(KeyType, u64)>>> {
    let types: Vec<Option<KeyType>> = conn
        .per_key(keys, 1, |pipe, k| {
            pipe.cmd("TYPE").arg(*k);
        })
        .await?
        .into_iter()
        .map(|v| match v {
            Value::SimpleString(s) => s.parse::<KeyType>().ok(),
            Value::BulkString(b) => std::str::from_utf8(&b).ok().and_then(|s| s.parse().ok()),
            _ => None,
        })
        .collect();
    let typed: Vec<(&[u8], KeyType)> = keys
        .iter()
        .zip(&types)
        .filter_map(|(k, t)| Some((*k, (*t)?)))
        .collect();
    let mut sizes = conn
        .per_key(&typed, 1, |pipe, (k, t)| {
            pipe.cmd(size_command(*t)).arg(*k);
        })
        .await?
        .into_iter();
    Ok(types
        .into_iter()
        .map(|t| {
            let t = t?;
            match sizes.next()? {
                Value::Int(n) if n >= 0 => Some((t, n as u64)),
                // Deleted and recreated with another type between the two round trips.
                _ => None,
            }
        })
        .collect())
}

/// A server error reply inside a pipeline, as text.
pub(crate) fn server_error_text(v: &Value) -> Option<String> {
    match v {
        Value::ServerError(e) => Some(format!("{} {}", e.code(), e.details().unwrap_or_default())),
        _ => None,
    }
}
