//! A node's snapshot, streamed as a replica receives it and parsed on the fly: the replication
//! handshake `redis-cli --rdb` does (`AUTH`, `REPLCONF capa eof`, `REPLCONF rdb-only 1`, `SYNC`),
//! then the payload — `$<length>` (the master wrote the RDB to disk first) or `$EOF:<marker>`
//! (diskless) — read straight into [`crate::rdb::parse`]. Nothing is written to our disk and only
//! the current key is in memory; the server's cost is the fork that writes the snapshot.
//!
//! [`Transfer::Disk`] leaves `capa eof` out: a master then writes the snapshot to its own disk
//! (its dump file, as `BGSAVE` does) and sends it from there, starting at once where a diskless
//! one waits `repl-diskless-sync-delay` for other replicas. Only fast mode asks for it
//! (`source.rs`): it is a file written on the server's host.

use crate::conn::Node;
use crate::error::{AnalyzerError, Result};
use crate::keyspace::Keyspace;
use crate::options::ScanOptions;
use crate::raw_conn::RawConn;
use crate::rdb::KeyInfo;
use crate::Control;
use std::io::{Read, Write};
use std::time::Duration;

/// How long the master may stay silent. While it forks and writes the snapshot it sends a
/// newline every second, so only a dead master is this quiet.
const SILENCE: Duration = Duration::from_secs(60);

/// Progress is published once per this many bytes read.
const PROGRESS_STEP: u64 = 1 << 20;

/// How a snapshot is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// As the master is configured: streamed from the fork where it replicates diskless (after
    /// its `repl-diskless-sync-delay`), else from its disk.
    Diskless,
    /// Written to the master's disk first, then sent: no delay, a file written on its host.
    Disk,
}

/// Streams `node`'s snapshot into `space`; returns the snapshot's size in bytes.
pub fn stream_into(
    node: &Node,
    opts: &ScanOptions,
    space: &mut Keyspace,
    ctl: &Control,
) -> Result<u64> {
    let from = node.addr.clone();
    replicate(node, opts, ctl, Transfer::Diskless, |payload, len| {
        ctl.add_total(len.unwrap_or(0));
        parse_counted(payload, &from, space, ctl)
    })
}

/// Streams `node`'s snapshot, calling `each` for every key (its name's first `keep` bytes
/// kept); returns the snapshot's size in bytes. Progress is the caller's to count.
pub(crate) fn stream_keys(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    transfer: Transfer,
    keep: usize,
    each: impl FnMut(KeyInfo),
) -> Result<u64> {
    let from = node.addr.clone();
    replicate(node, opts, ctl, transfer, |payload, _| {
        parse_each(payload, &from, ctl, keep, false, each)
    })
}

/// Writes `node`'s snapshot to `out` as it arrives — exactly the RDB, checked by parsing it on
/// the way (a truncated or corrupt transfer is an error, not a backup); returns its size. `out`
/// failing (a full disk) is an error saying so; the caller removes what was written.
pub fn save_to(
    node: &Node,
    opts: &ScanOptions,
    out: &mut std::fs::File,
    ctl: &Control,
) -> Result<u64> {
    let from = node.addr.clone();
    let size = replicate(node, opts, ctl, Transfer::Diskless, |payload, len| {
        ctl.add_total(len.unwrap_or(0));
        let mut tee = Tee {
            inner: payload,
            out: &mut *out,
            failed: None,
        };
        let mut space = Keyspace::new(Default::default());
        let parsed = parse_counted(&mut tee, &from, &mut space, ctl);
        match tee.failed.take() {
            Some(e) => Err(AnalyzerError::Storage(format!("writing the backup: {e}"))),
            None => parsed,
        }
    })?;
    // A diskless transfer may have been read past the RDB's end (its end marker): cut it off.
    out.set_len(size)
        .and_then(|_| out.sync_all())
        .map_err(|e| AnalyzerError::Storage(format!("writing the backup: {e}")))?;
    Ok(size)
}

/// A reader that writes what passes through to `out`; a failed write stops the reading.
struct Tee<'a, R> {
    inner: R,
    out: &'a mut std::fs::File,
    failed: Option<std::io::Error>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Err(e) = self.out.write_all(&buf[..n]) {
            let kind = e.kind();
            self.failed = Some(e);
            return Err(std::io::Error::new(kind, "the backup could not be written"));
        }
        Ok(n)
    }
}

/// Connects to `node` as a replica and hands the snapshot's payload to `consume`, which reads
/// it to the RDB's end, with its length when the master announced one (not when diskless).
/// The replication handshake `redis-cli --rdb` does, on a connection of our own
/// (`raw_conn.rs`), verified TLS only; without `capa eof` for [`Transfer::Disk`].
fn replicate(
    node: &Node,
    opts: &ScanOptions,
    ctl: &Control,
    transfer: Transfer,
    consume: impl FnOnce(&mut dyn Read, Option<u64>) -> Result<u64>,
) -> Result<u64> {
    let mut conn = RawConn::open(node, opts, SILENCE.max(opts.response_timeout))?;
    if transfer == Transfer::Diskless {
        conn.command(&["REPLCONF", "capa", "eof"], false)?;
    }
    // Redis >= 7.0: the RDB alone, no command stream after it.
    conn.command(&["REPLCONF", "rdb-only", "1"], false)?;
    conn.send(&[b"SYNC"])?;
    // Newlines while the master prepares the snapshot, then `$<len>` or `$EOF:<40 bytes>`, or
    // an error (SYNC denied by ACL, or on a replica of a replica being synced).
    let header = loop {
        if ctl.is_cancelled() {
            return Err(AnalyzerError::Cancelled);
        }
        let line = conn.read_line("waiting for the snapshot")?;
        if !line.is_empty() {
            break String::from_utf8_lossy(line).into_owned();
        }
    };
    let addr = node.addr.clone();
    if let Some(err) = header.strip_prefix('-') {
        return Err(AnalyzerError::Denied {
            addr,
            command: "SYNC".into(),
            detail: format!(
                "{err} (a snapshot is read by replication: key-space analysis can read an RDB \
                 file instead, big keys can scan online)"
            ),
        });
    }
    let Some(size) = header.strip_prefix('$') else {
        return Err(AnalyzerError::Protocol {
            addr,
            detail: format!("SYNC answered {header:?}"),
        });
    };
    let reader = conn.reader();
    if size.starts_with("EOF:") {
        // Diskless: the payload ends with the marker after the RDB's own end, which the parser
        // stops at; the marker is left unread with the connection.
        consume(reader, None)
    } else {
        let len: u64 = size.parse().map_err(|_| AnalyzerError::Protocol {
            addr,
            detail: format!("SYNC answered {header:?}"),
        })?;
        consume(&mut reader.take(len), Some(len))
    }
}

/// Parses a snapshot read from `input` (named `from` in errors) into `space`, its bytes counted
/// into `ctl`'s progress; stops at the next read once `ctl` is cancelled. Returns the bytes read.
pub(crate) fn parse_counted<R: Read>(
    input: R,
    from: &str,
    space: &mut Keyspace,
    ctl: &Control,
) -> Result<u64> {
    parse_each(input, from, ctl, crate::rdb::NAME_KEPT, true, |k| {
        space.add(k)
    })
}

/// [`parse_counted`], each key handed to `each` (its name's first `keep` bytes kept); progress
/// counts bytes only when `bytes`.
fn parse_each<R: Read>(
    input: R,
    from: &str,
    ctl: &Control,
    keep: usize,
    bytes: bool,
    each: impl FnMut(KeyInfo),
) -> Result<u64> {
    if bytes {
        ctl.count_bytes();
    }
    let mut counted = Counted {
        inner: input,
        ctl,
        bytes,
        pending: 0,
    };
    let parsed = crate::rdb::parse_keeping(&mut counted, keep, each);
    ctl.add_scanned(std::mem::take(&mut counted.pending));
    match parsed {
        Ok((_, read)) => Ok(read),
        Err(_) if ctl.is_cancelled() => Err(AnalyzerError::Cancelled),
        Err(e) => Err(AnalyzerError::Snapshot {
            from: from.to_string(),
            offset: e.offset,
            detail: e.detail,
        }),
    }
}

/// A reader that counts what passes into the progress and refuses to go on once cancelled.
struct Counted<'a, R> {
    inner: R,
    ctl: &'a Control,
    /// Whether bytes are the progress.
    bytes: bool,
    pending: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.ctl.is_cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        if !self.bytes {
            return Ok(n);
        }
        self.pending += n as u64;
        if self.pending >= PROGRESS_STEP {
            self.ctl.add_scanned(std::mem::take(&mut self.pending));
        }
        Ok(n)
    }
}

/// Analyses the snapshot of every master of `target` (summed), each streamed by replication.
pub async fn analyze(
    target: &crate::Target,
    opts: &ScanOptions,
    keyspace: crate::keyspace::KeyspaceOptions,
    ctl: &Control,
) -> Result<dcs_api::keyspace::KeyspaceReport> {
    let masters = target.masters(opts).await?;
    run_on(&masters, opts, keyspace, ctl).await
}

/// Analyses the snapshots of `nodes` (summed), one after the other; refused up front where a
/// node should not be asked for one ([`crate::source::check_snapshot`]: it would leave its file
/// there, or its disk failed its last save).
pub async fn run_on(
    nodes: &[Node],
    opts: &ScanOptions,
    keyspace: crate::keyspace::KeyspaceOptions,
    ctl: &Control,
) -> Result<dcs_api::keyspace::KeyspaceReport> {
    for node in nodes {
        crate::source::check_snapshot(node, opts, dcs_api::TaskKind::Keyspace).await?;
    }
    let mut total = Keyspace::new(keyspace.clone());
    let mut names = Vec::new();
    for node in nodes.iter().cloned() {
        let (opts, ks, ctl) = (opts.clone(), keyspace.clone(), ctl.clone());
        let name = node.addr.clone();
        let space = tokio::task::spawn_blocking(move || {
            let mut space = Keyspace::new(ks);
            stream_into(&node, &opts, &mut space, &ctl).map(|_| space)
        })
        .await
        .map_err(|e| AnalyzerError::Protocol {
            addr: name.clone(),
            detail: format!("the snapshot reader stopped: {e}"),
        })??;
        total.merge(space);
        names.push(name);
    }
    Ok(total.report("snapshot", names))
}
