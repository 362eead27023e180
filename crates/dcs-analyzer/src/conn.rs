//! Connections to one server, with bounded connect and response timeouts and errors that name
//! the server.

use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use crate::pace::Pacer;
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::{AsyncConnectionConfig, Client, ConnectionInfo, Pipeline, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// One Redis server: a standalone server or a cluster master, or a replica of one.
#[derive(Clone, Debug)]
pub struct Node {
    /// `ip:port` of this server.
    pub addr: String,
    /// `ip:port` of the master whose data this is, as reported in each key's `shard` (the same
    /// as `addr` for a master).
    pub shard: String,
    pub(crate) info: ConnectionInfo,
}

impl Node {
    pub(crate) fn new(info: ConnectionInfo) -> Node {
        let addr = info.addr.to_string();
        Node {
            shard: addr.clone(),
            addr,
            info,
        }
    }

    /// Whether this is a replica (it reads its master's data).
    pub fn is_replica(&self) -> bool {
        self.shard != self.addr
    }

    /// The server at `host:port` with this one's credentials and TLS settings.
    pub(crate) fn at(&self, host: String, port: u16) -> Node {
        let mut info = self.info.clone();
        info.addr = match &self.info.addr {
            redis::ConnectionAddr::TcpTls {
                insecure,
                tls_params,
                ..
            } => redis::ConnectionAddr::TcpTls {
                host,
                port,
                insecure: *insecure,
                tls_params: tls_params.clone(),
            },
            _ => redis::ConnectionAddr::Tcp(host, port),
        };
        Node::new(info)
    }

    /// A replica of this master at `host:port`.
    pub(crate) fn replica_at(&self, host: String, port: u16) -> Node {
        Node {
            shard: self.shard.clone(),
            ..self.at(host, port)
        }
    }

    /// Opens a connection to logical database `db`.
    pub async fn connect(&self, db: u32, opts: &ScanOptions) -> Result<Conn> {
        let mut info = self.info.clone();
        info.redis.db = db as i64;
        if matches!(info.addr, redis::ConnectionAddr::TcpTls { .. }) {
            // rustls needs one process-wide crypto provider; the first to install it wins.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = match (&info.addr, &opts.tls_ca) {
            (redis::ConnectionAddr::TcpTls { .. }, Some(ca)) => Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.to_vec()),
                },
            ),
            _ => Client::open(info),
        }
        .map_err(|e| AnalyzerError::InvalidTarget(e.to_string()))?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(opts.connect_timeout)
            .set_response_timeout(opts.response_timeout);
        let inner = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| {
                AnalyzerError::from_redis(&self.addr, "connect", &e, opts.connect_timeout)
            })?;
        let mut conn = Conn {
            inner,
            addr: self.addr.clone(),
            timeout: opts.response_timeout,
            pacer: Arc::new(Mutex::new(Pacer::new(opts.pace))),
        };
        // A cluster replica answers key commands only after READONLY (otherwise it redirects to
        // its master); a standalone replica refuses READONLY, which changes nothing.
        if self.is_replica() {
            let _ = conn.query::<redis::Value>(&redis::cmd("READONLY")).await;
        }
        // Size commands (STRLEN, LLEN…) count as accesses and would raise the LFU counters being
        // measured. Redis >= 7.2 can be told not to; older servers answer an error, which is fine:
        // there a winner's counter may grow by one per analysis (its reported freq is from before).
        let _ = conn
            .query::<redis::Value>(redis::cmd("CLIENT").arg("NO-TOUCH").arg("ON"))
            .await;
        Ok(conn)
    }
}

/// A connection that reports failures with the server's address, paced (see [`crate::pace`]):
/// clones share the pace, as they share the server.
#[derive(Clone)]
pub struct Conn {
    inner: MultiplexedConnection,
    pub addr: String,
    timeout: Duration,
    pacer: Arc<Mutex<Pacer>>,
}

impl Conn {
    fn err(&self, command: &str, e: &redis::RedisError) -> AnalyzerError {
        AnalyzerError::from_redis(&self.addr, command, e, self.timeout)
    }

    /// Runs one command; a server error reply becomes an error naming the command.
    pub async fn query<T: redis::FromRedisValue>(&mut self, cmd: &redis::Cmd) -> Result<T> {
        let name = command_name(cmd);
        cmd.query_async(&mut self.inner)
            .await
            .map_err(|e| self.err(&name, &e))
    }

    /// Sends a pipeline and returns one reply per command, server errors included as
    /// `Value::ServerError` so one bad key does not fail the batch.
    pub async fn pipeline(&mut self, pipe: &Pipeline, len: usize) -> Result<Vec<Value>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let replies = self
            .inner
            .req_packed_commands(pipe, 0, len)
            .await
            .map_err(|e| self.err("pipeline", &e))?;
        if replies.len() != len {
            return Err(AnalyzerError::Protocol {
                addr: self.addr.clone(),
                detail: format!("expected {len} pipelined replies, got {}", replies.len()),
            });
        }
        Ok(replies)
    }

    fn pacer(&self) -> std::sync::MutexGuard<'_, Pacer> {
        self.pacer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// This connection under a pace of its own (clones of the result share that one).
    pub(crate) fn with_pacer(&self, pacer: Pacer) -> Conn {
        Conn {
            pacer: Arc::new(Mutex::new(pacer)),
            ..self.clone()
        }
    }

    /// The `COUNT` of each SCAN under this connection's pace.
    pub(crate) fn scan_count(&self, asked: u32) -> u32 {
        self.pacer().scan_count(asked)
    }

    /// Waits as the pace asks after a round trip that started at `sent`.
    pub(crate) async fn pace(&self, sent: Instant) {
        let wait = self.pacer().after(sent.elapsed());
        if !wait.is_zero() {
            let start = Instant::now();
            tokio::time::sleep(wait).await;
            self.pacer().slept(start.elapsed());
        }
    }

    /// The same commands for each of `items` (`build` adds one item's to a pipeline), in
    /// pipelines as long as the pace allows, each paced; the replies of all, in order, as
    /// [`Self::pipeline`].
    pub(crate) async fn per_key<T>(
        &mut self,
        items: &[T],
        commands_per_item: usize,
        build: impl Fn(&mut Pipeline, &T),
    ) -> Result<Vec<Value>> {
        let chunk = self.pacer().chunk().max(1);
        let mut replies = Vec::with_capacity(items.len() * commands_per_item);
        for part in items.chunks(chunk) {
            let mut pipe = redis::pipe();
            for item in part {
                build(&mut pipe, item);
            }
            let sent = Instant::now();
            replies.extend(self.pipeline(&pipe, part.len() * commands_per_item).await?);
            self.pace(sent).await;
        }
        Ok(replies)
    }

    /// One section of `INFO` as `field → value` pairs.
    pub async fn info(&mut self, section: &str) -> Result<Vec<(String, String)>> {
        let text: String = self.query(redis::cmd("INFO").arg(section)).await?;
        Ok(parse_info(&text))
    }
}

fn command_name(cmd: &redis::Cmd) -> String {
    cmd.args_iter()
        .next()
        .and_then(|a| match a {
            redis::Arg::Simple(b) => Some(String::from_utf8_lossy(b).to_uppercase()),
            redis::Arg::Cursor => None,
        })
        .unwrap_or_default()
}

/// Parses `INFO` text (`field:value` lines; `#` headings and blanks skipped).
pub fn parse_info(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim_end().split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One logical database that holds keys, as `INFO keyspace` counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Database {
    pub index: u32,
    pub keys: u64,
    /// Keys with an expiry set. A server that does not say is taken to have all of them so:
    /// nothing is skipped on a guess.
    pub expires: u64,
}

/// `INFO keyspace` lines `db0:keys=12,expires=3,avg_ttl=0`.
pub fn parse_keyspace(info: &[(String, String)]) -> Vec<Database> {
    info.iter()
        .filter_map(|(k, v)| {
            let index = k.strip_prefix("db")?.parse().ok()?;
            let field = |name: &str| -> Option<u64> {
                v.split(',')
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?
                    .parse()
                    .ok()
            };
            let keys = field("keys")?;
            Some(Database {
                index,
                keys,
                expires: field("expires").unwrap_or(keys),
            })
        })
        .collect()
}

/// `redis_version` as `(major, minor)`.
pub fn parse_version(v: &str) -> Option<(u32, u32)> {
    let mut it = v.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_and_keyspace() {
        let info = parse_info("# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=0\r\ndb15:keys=1,expires=0,avg_ttl=0\r\n\r\n");
        let db = |index, keys, expires| Database {
            index,
            keys,
            expires,
        };
        assert_eq!(parse_keyspace(&info), vec![db(0, 12, 3), db(15, 1, 0)]);
        let unsaid = parse_info("db2:keys=7\r\n");
        assert_eq!(parse_keyspace(&unsaid), vec![db(2, 7, 7)]);
        assert_eq!(parse_keyspace(&parse_info("# Keyspace\r\n")), vec![]);
        let stats = parse_info("# Stats\r\nexpired_keys:42\r\nrole:master\r\n");
        assert_eq!(stats[0], ("expired_keys".into(), "42".into()));
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("7.0.15"), Some((7, 0)));
        assert_eq!(parse_version("3.2.12"), Some((3, 2)));
        assert_eq!(parse_version("255.255.255"), Some((255, 255)));
        assert_eq!(parse_version("x"), None);
    }
}
