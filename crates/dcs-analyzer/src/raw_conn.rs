//! A blocking connection of our own to one node, for the two loops where the redis crate's cost
//! per request shows beside the server's: the replication handshake a snapshot is read through
//! (`snapshot.rs`), and the expired-key scan's SCANs (`expired.rs`), which keep nothing of the
//! names they are sent — read past here, never allocated — or its `EXISTS` of the keys a
//! snapshot showed past their expiry. Over the redis crate's multiplexed
//! connection each of those 25,000 small round trips (1M keys) cost 40–60 µs of the analysis's
//! CPU; here 16–25 µs, most of it the two system calls. On a host the server shares, that is
//! CPU the server and its clients get back (BENCHMARKS.md).
//!
//! TLS as the analyses' other connections: the instance's CA, else the system's roots; only
//! verified (nor does the redis crate as built here accept `#insecure`). Every reply is awaited
//! at most the timeout given, every line is bounded, and the server's words are never taken for
//! more than they say.

use crate::conn::Node;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// A socket, plain or TLS.
pub(crate) trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// The longest line accepted from a server: a bulk length, a cursor, an error message.
const MAX_LINE: u64 = 64 << 10;
/// The longest bulk string: Redis's own limit (`proto-max-bulk-len`, 512 MB).
const MAX_BULK: u64 = 512 << 20;

pub(crate) struct RawConn {
    reader: BufReader<Box<dyn Stream>>,
    line: Vec<u8>,
    peer: Peer,
}

/// Who is at the other end, for errors that name it.
struct Peer {
    addr: String,
    timeout: Duration,
}

impl Peer {
    fn io(&self, what: &str, e: std::io::Error) -> AnalyzerError {
        match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                AnalyzerError::Timeout {
                    addr: self.addr.clone(),
                    after: self.timeout,
                }
            }
            _ => AnalyzerError::Lost {
                addr: self.addr.clone(),
                detail: format!("{what}: {e}"),
            },
        }
    }

    fn protocol(&self, detail: String) -> AnalyzerError {
        AnalyzerError::Protocol {
            addr: self.addr.clone(),
            detail,
        }
    }

    /// An error reply to `command`: refused for want of rights, or anything else.
    fn refused(&self, command: &str, detail: &[u8]) -> AnalyzerError {
        let detail = String::from_utf8_lossy(detail).into_owned();
        if detail.starts_with("NOPERM")
            || detail.contains("NOAUTH")
            || detail.starts_with("WRONGPASS")
        {
            AnalyzerError::Denied {
                addr: self.addr.clone(),
                command: command.to_uppercase(),
                detail,
            }
        } else {
            self.protocol(format!("{command}: {detail}"))
        }
    }
}

/// The next line from `reader` into `line`, without its line ending; at most [`MAX_LINE`]
/// bytes, and an end of stream is an error.
fn next_line<'a>(
    reader: &mut BufReader<Box<dyn Stream>>,
    line: &'a mut Vec<u8>,
    peer: &Peer,
    what: &str,
) -> Result<&'a [u8]> {
    line.clear();
    match reader.take(MAX_LINE).read_until(b'\n', line) {
        Err(e) => Err(peer.io(what, e)),
        Ok(0) => Err(peer.io(what, std::io::ErrorKind::UnexpectedEof.into())),
        Ok(_) if !line.ends_with(b"\n") => {
            Err(peer.protocol(format!("{what}: a line longer than {MAX_LINE} bytes")))
        }
        Ok(_) => {
            let end = line.len() - 1 - usize::from(line.ends_with(b"\r\n"));
            Ok(&line[..end])
        }
    }
}

impl RawConn {
    /// Connects to `node` (TLS where its URL says so) and authenticates with its credentials;
    /// each reply must start within `timeout`.
    pub fn open(node: &Node, opts: &ScanOptions, timeout: Duration) -> Result<RawConn> {
        let (host, port, tls) = match &node.info.addr {
            redis::ConnectionAddr::Tcp(h, p) => (h.clone(), *p, None),
            redis::ConnectionAddr::TcpTls {
                host,
                port,
                insecure,
                ..
            } => (host.clone(), *port, Some(*insecure)),
            _ => (String::new(), 0, None),
        };
        let addr = node.addr.clone();
        let connect = |detail: String| AnalyzerError::Connect {
            addr: addr.clone(),
            detail,
        };
        let sock = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
            .map_err(|e| connect(e.to_string()))?
            .next()
            .ok_or_else(|| AnalyzerError::InvalidTarget(format!("{addr}: no address")))?;
        let tcp = TcpStream::connect_timeout(&sock, opts.connect_timeout)
            .map_err(|e| connect(e.to_string()))?;
        tcp.set_read_timeout(Some(timeout))
            .and_then(|_| tcp.set_write_timeout(Some(timeout)))
            .and_then(|_| tcp.set_nodelay(true))
            .map_err(|e| connect(format!("configuring the socket: {e}")))?;
        let stream: Box<dyn Stream> = match tls {
            None => Box::new(tcp),
            Some(insecure) => {
                let config = tls_config(opts, &addr, insecure)?;
                let name = rustls::pki_types::ServerName::try_from(host.clone())
                    .map_err(|e| AnalyzerError::InvalidTarget(format!("{addr}: {e}")))?;
                let conn = rustls::ClientConnection::new(config, name)
                    .map_err(|e| connect(e.to_string()))?;
                Box::new(rustls::StreamOwned::new(conn, tcp))
            }
        };
        let mut conn = RawConn {
            reader: BufReader::with_capacity(1 << 20, stream),
            line: Vec::new(),
            peer: Peer { addr, timeout },
        };
        let info = &node.info.redis;
        match (&info.username, &info.password) {
            (Some(user), Some(pass)) => conn.command(&["AUTH", user, pass], true)?,
            (None, Some(pass)) => conn.command(&["AUTH", pass], true)?,
            _ => String::new(),
        };
        Ok(conn)
    }

    /// What the payload of a reply is read from (a snapshot after `SYNC`).
    pub fn reader(&mut self) -> &mut BufReader<Box<dyn Stream>> {
        &mut self.reader
    }

    /// Sends one command.
    pub fn send(&mut self, args: &[&[u8]]) -> Result<()> {
        let mut out = Vec::new();
        encode(args, &mut out);
        self.write(&out)
    }

    fn write(&mut self, out: &[u8]) -> Result<()> {
        let stream = self.reader.get_mut();
        stream
            .write_all(out)
            .and_then(|_| stream.flush())
            .map_err(|e| self.peer.io("sending", e))
    }

    /// The next line of the reply, without its line ending.
    pub fn read_line(&mut self, what: &str) -> Result<&[u8]> {
        next_line(&mut self.reader, &mut self.line, &self.peer, what)
    }

    /// Sends a command whose reply is one line and returns that line; an error reply is an
    /// error naming the command when `must`, else returned as it is.
    pub fn command(&mut self, args: &[&str], must: bool) -> Result<String> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.send(&bytes)?;
        let line = next_line(
            &mut self.reader,
            &mut self.line,
            &self.peer,
            "reading a reply",
        )?;
        match line.strip_prefix(b"-") {
            Some(detail) if must => Err(self.peer.refused(args[0], detail)),
            _ => Ok(String::from_utf8_lossy(line).into_owned()),
        }
    }

    /// `SCAN cursor COUNT count`: the next cursor and how many keys the batch had. The names
    /// are read past, not kept.
    pub fn scan(&mut self, cursor: u64, count: u32) -> Result<(u64, u64)> {
        let (cursor, count) = (cursor.to_string(), count.to_string());
        self.send(&[b"SCAN", cursor.as_bytes(), b"COUNT", count.as_bytes()])?;
        let (reader, line, peer) = (&mut self.reader, &mut self.line, &self.peer);
        let what = "reading SCAN's reply";
        let head = next_line(reader, line, peer, what)?;
        if let Some(err) = head.strip_prefix(b"-") {
            return Err(peer.refused("SCAN", err));
        }
        if head != b"*2" {
            return Err(peer.protocol(format!("SCAN answered {:?}", lossy(head))));
        }
        let len = length(reader, line, peer, b'$', what)?;
        let next = next_line(reader, line, peer, what)?;
        let next = std::str::from_utf8(next)
            .ok()
            .filter(|_| next.len() as u64 == len)
            .and_then(|c| c.parse::<u64>().ok())
            .ok_or_else(|| peer.protocol(format!("SCAN's cursor {:?}", lossy(next))))?;
        let keys = length(reader, line, peer, b'*', what)?;
        for _ in 0..keys {
            let len = length(reader, line, peer, b'$', what)?;
            if len > MAX_BULK {
                return Err(peer.protocol(format!("a key name of {len} bytes")));
            }
            let skipped = std::io::copy(&mut reader.take(len + 2), &mut std::io::sink())
                .map_err(|e| peer.io(what, e))?;
            if skipped != len + 2 {
                return Err(peer.io(what, std::io::ErrorKind::UnexpectedEof.into()));
            }
        }
        Ok((next, keys))
    }

    /// `EXISTS name` for each of `names`, sent in one write (one request for the pacing):
    /// how many exist. On a master a key past its expiry is deleted there and then, as any
    /// read of it does; `EXISTS` leaves a live key's LFU counter and idle time as they were.
    /// One key a command: a cluster node refuses several keys of different slots in one.
    pub fn exists_each(&mut self, names: &[&[u8]]) -> Result<u64> {
        let mut out = Vec::new();
        for name in names {
            encode(&[b"EXISTS", name], &mut out);
        }
        self.write(&out)?;
        let (reader, line, peer) = (&mut self.reader, &mut self.line, &self.peer);
        let mut found = 0;
        for _ in names {
            match next_line(reader, line, peer, "reading EXISTS's reply")? {
                b":0" => {}
                b":1" => found += 1,
                other => match other.strip_prefix(b"-") {
                    Some(err) => return Err(peer.refused("EXISTS", err)),
                    None => {
                        return Err(peer.protocol(format!("EXISTS answered {:?}", lossy(other))))
                    }
                },
            }
        }
        Ok(found)
    }
}

/// Appends one command, as RESP, to `out`.
fn encode(args: &[&[u8]], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// A `$<n>` or `*<n>` line's `n`.
fn length(
    reader: &mut BufReader<Box<dyn Stream>>,
    line: &mut Vec<u8>,
    peer: &Peer,
    kind: u8,
    what: &str,
) -> Result<u64> {
    let text = next_line(reader, line, peer, what)?;
    text.strip_prefix(&[kind])
        .and_then(|n| std::str::from_utf8(n).ok())
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| {
            peer.protocol(format!(
                "{what}: {:?} where {} was due",
                lossy(text),
                kind as char
            ))
        })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(80)]).into_owned()
}

/// The TLS client: the instance's CA (`tls_ca`), else the system's roots, as the analyses' own
/// connections trust.
fn tls_config(opts: &ScanOptions, addr: &str, insecure: bool) -> Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    if insecure {
        return Err(AnalyzerError::InvalidTarget(format!(
            "{addr}: TLS is used only verified (drop #insecure and give the CA)"
        )));
    }
    // rustls needs one process-wide crypto provider; the first to install it wins.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    match &opts.tls_ca {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                let added = cert
                    .map_err(|e| e.to_string())
                    .and_then(|c| roots.add(c).map_err(|e| e.to_string()));
                if let Err(e) = added {
                    return Err(AnalyzerError::InvalidTarget(format!(
                        "{addr}: the CA certificate: {e}"
                    )));
                }
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    Ok(Arc::new(
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

#[cfg(test)]
mod tests {
    //! What a broken or hostile server may send, which no real Redis does: canned bytes from a
    //! loopback socket (labelled so; the real servers' replies are the integration tests').
    use super::*;
    use redis::IntoConnectionInfo;
    use std::net::TcpListener;

    /// Opens a connection to a loopback "server" that answers the first request with `reply`
    /// and then holds the socket open until the client goes, or closes it when `close`.
    fn scan_against(reply: Vec<u8>, close: bool, timeout: Duration) -> Result<(u64, u64)> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut request = [0u8; 256];
            let _ = sock.read(&mut request);
            let _ = sock.write_all(&reply);
            if !close {
                // Until the client closes its end.
                let _ = sock.read(&mut request);
            }
        });
        let info = format!("redis://127.0.0.1:{port}")
            .into_connection_info()
            .unwrap();
        let node = Node::new(info);
        let result = RawConn::open(&node, &ScanOptions::default(), timeout)
            .and_then(|mut conn| conn.scan(0, 40));
        server.join().unwrap();
        result
    }

    fn scan(reply: &[u8]) -> Result<(u64, u64)> {
        scan_against(reply.to_vec(), false, Duration::from_secs(10))
    }

    #[test]
    fn counts_names_it_never_keeps() {
        // Names may hold any bytes, line endings included: only their lengths are trusted.
        let reply = b"*2\r\n$3\r\n172\r\n*3\r\n$1\r\na\r\n$4\r\nb\r\nc\r\n$0\r\n\r\n";
        assert_eq!(scan(reply).unwrap(), (172, 3));
        assert_eq!(scan(b"*2\r\n$1\r\n0\r\n*0\r\n").unwrap(), (0, 0));
    }

    #[test]
    fn a_hostile_reply_is_an_error_naming_the_server() {
        let long_line = [b"-ERR ".as_slice(), &vec![b'x'; 70_000], b"\r\n"].concat();
        let huge_name = b"*2\r\n$1\r\n5\r\n*1\r\n$999999999999\r\n".to_vec();
        for (reply, says) in [
            (
                b"-NOPERM no scan for you\r\n".to_vec(),
                "refused SCAN: NOPERM",
            ),
            (long_line, "longer than 65536 bytes"),
            (huge_name, "a key name of 999999999999 bytes"),
            (b"*2\r\n$2\r\n-1\r\n*0\r\n".to_vec(), "SCAN's cursor \"-1\""),
            (b"*2\r\n$5\r\n1\r\n*0\r\n".to_vec(), "SCAN's cursor \"1\""),
            (b"*3\r\n".to_vec(), "SCAN answered \"*3\""),
            (
                b"*2\r\n$1\r\n0\r\n*x\r\n".to_vec(),
                "\"*x\" where * was due",
            ),
        ] {
            let e = scan(&reply).unwrap_err().to_string();
            assert!(e.contains("127.0.0.1:") && e.contains(says), "{says}: {e}");
        }
        // Cut off in the middle of a name.
        let cut = b"*2\r\n$1\r\n0\r\n*2\r\n$5\r\nab".to_vec();
        let e = scan_against(cut, true, Duration::from_secs(10)).unwrap_err();
        assert!(matches!(e, AnalyzerError::Lost { .. }), "{e:?}");
    }

    #[test]
    fn silence_is_a_timeout() {
        let e = scan_against(Vec::new(), false, Duration::from_millis(200)).unwrap_err();
        assert!(matches!(e, AnalyzerError::Timeout { .. }), "{e:?}");
    }
}
