//! A node's snapshot, streamed as a replica receives it and parsed on the fly: the replication
//! handshake `redis-cli --rdb` does (`AUTH`, `REPLCONF capa eof`, `REPLCONF rdb-only 1`, `SYNC`),
//! then the payload — `$<length>` (the master wrote the RDB to disk first) or `$EOF:<marker>`
//! (diskless) — read straight into [`crate::rdb::parse`]. Nothing is written to disk and only
//! the current key is in memory; the server's cost is the fork that writes the snapshot.

use crate::conn::Node;
use crate::error::{AnalyzerError, Result};
use crate::keyspace::Keyspace;
use crate::options::ScanOptions;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long the master may stay silent. While it forks and writes the snapshot it sends a
/// newline every second, so only a dead master is this quiet.
const SILENCE: Duration = Duration::from_secs(60);

/// Streams `node`'s snapshot into `space`; returns the snapshot's size in bytes.
pub fn stream_into(node: &Node, opts: &ScanOptions, space: &mut Keyspace) -> Result<u64> {
    let (host, port, tls) = match &node.info.addr {
        redis::ConnectionAddr::Tcp(h, p) => (h.clone(), *p, false),
        redis::ConnectionAddr::TcpTls { host, port, .. } => (host.clone(), *port, true),
        _ => (String::new(), 0, false),
    };
    if tls {
        return Err(AnalyzerError::InvalidTarget(format!(
            "{}: snapshots over TLS are not supported yet",
            node.addr
        )));
    }
    let addr = node.addr.clone();
    let io = |what: &str, e: std::io::Error| AnalyzerError::Lost {
        addr: addr.clone(),
        detail: format!("{what}: {e}"),
    };
    let sock = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .map_err(|e| io("resolving", e))?
        .next()
        .ok_or_else(|| AnalyzerError::InvalidTarget(format!("{addr}: no address")))?;
    let stream = TcpStream::connect_timeout(&sock, opts.connect_timeout).map_err(|e| {
        AnalyzerError::Connect {
            addr: addr.clone(),
            detail: e.to_string(),
        }
    })?;
    stream
        .set_read_timeout(Some(SILENCE.max(opts.response_timeout)))
        .map_err(|e| io("configuring the socket", e))?;
    let mut writer = stream
        .try_clone()
        .map_err(|e| io("configuring the socket", e))?;
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let mut command = |args: &[&str], must: bool| -> Result<()> {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        writer
            .write_all(out.as_bytes())
            .map_err(|e| io("sending", e))?;
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| io("reading a reply", e))?;
        if line.starts_with('-') && must {
            let detail = line.trim_end().trim_start_matches('-').to_string();
            return Err(
                if detail.starts_with("NOPERM")
                    || detail.contains("NOAUTH")
                    || detail.starts_with("WRONGPASS")
                {
                    AnalyzerError::Denied {
                        addr: addr.clone(),
                        command: args[0].to_uppercase(),
                        detail,
                    }
                } else {
                    AnalyzerError::Protocol {
                        addr: addr.clone(),
                        detail: format!("{}: {detail}", args[0]),
                    }
                },
            );
        }
        Ok(())
    };
    let info = &node.info.redis;
    match (&info.username, &info.password) {
        (Some(user), Some(pass)) => command(&["AUTH", user, pass], true)?,
        (None, Some(pass)) => command(&["AUTH", pass], true)?,
        _ => {}
    }
    command(&["REPLCONF", "capa", "eof"], false)?;
    // Redis >= 7.0: the RDB alone, no command stream after it.
    command(&["REPLCONF", "rdb-only", "1"], false)?;
    writer
        .write_all(b"*1\r\n$4\r\nSYNC\r\n")
        .map_err(|e| io("sending SYNC", e))?;
    // Newlines while the master prepares the snapshot, then `$<len>` or `$EOF:<40 bytes>`, or
    // an error (SYNC denied by ACL, or on a replica of a replica being synced).
    let mut line = String::new();
    loop {
        line.clear();
        reader
            .read_line(&mut line)
            .map_err(|e| io("waiting for the snapshot", e))?;
        if line.is_empty() {
            return Err(io(
                "waiting for the snapshot",
                std::io::ErrorKind::UnexpectedEof.into(),
            ));
        }
        if line != "\n" {
            break;
        }
    }
    let header = line.trim_end();
    if let Some(err) = header.strip_prefix('-') {
        return Err(AnalyzerError::Denied {
            addr: addr.clone(),
            command: "SYNC".into(),
            detail: format!("{err} (key-space analysis reads a snapshot by replication; use an RDB file instead)"),
        });
    }
    let Some(size) = header.strip_prefix('$') else {
        return Err(AnalyzerError::Protocol {
            addr: addr.clone(),
            detail: format!("SYNC answered {header:?}"),
        });
    };
    let snapshot_error = |e: crate::rdb::RdbError| AnalyzerError::Snapshot {
        from: addr.clone(),
        offset: e.offset,
        detail: e.detail,
    };
    let read = if size.starts_with("EOF:") {
        // Diskless: the payload ends with the marker after the RDB's own end, which the parser
        // stops at; the marker is left unread with the connection.
        crate::rdb::parse(&mut reader, |k| space.add(k))
            .map_err(snapshot_error)?
            .1
    } else {
        let len: u64 = size.parse().map_err(|_| AnalyzerError::Protocol {
            addr: addr.clone(),
            detail: format!("SYNC answered {header:?}"),
        })?;
        let limited = (&mut reader).take(len);
        crate::rdb::parse(limited, |k| space.add(k))
            .map_err(snapshot_error)?
            .1
    };
    Ok(read)
}

/// Analyses the snapshot of every master of `target` (summed), each streamed by replication.
pub async fn analyze(
    target: &crate::Target,
    opts: &ScanOptions,
    keyspace: crate::keyspace::KeyspaceOptions,
) -> Result<dcs_api::keyspace::KeyspaceReport> {
    let masters = target.masters(opts).await?;
    let mut total = Keyspace::new(keyspace.clone());
    let mut names = Vec::new();
    for node in masters {
        let (opts, ks) = (opts.clone(), keyspace.clone());
        let name = node.addr.clone();
        let space = tokio::task::spawn_blocking(move || {
            let mut space = Keyspace::new(ks);
            stream_into(&node, &opts, &mut space).map(|_| space)
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
