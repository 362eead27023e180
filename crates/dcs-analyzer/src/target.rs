//! What an analysis runs against, and how the masters to scan are found.

use crate::conn::Node;
use crate::error::{AnalyzerError, Result};
use crate::options::ScanOptions;
use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo, Value};

/// A standalone server, or a Redis Cluster given one or more seed nodes. URLs are
/// `redis://[user:password@]host:port`, or `rediss://…` for TLS (the CA in
/// `ScanOptions::tls_ca` when the system does not trust it); the seeds' credentials and TLS are
/// used for every master.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Standalone(String),
    Cluster(Vec<String>),
}

impl Target {
    /// The masters to scan: the server itself, or every master of the cluster.
    pub async fn masters(&self, opts: &ScanOptions) -> Result<Vec<Node>> {
        match self {
            Target::Standalone(url) => Ok(vec![Node::new(parse_url(url)?)]),
            Target::Cluster(seeds) => discover(seeds, opts).await,
        }
    }

    /// A short description for messages (no credentials).
    pub fn describe(&self) -> String {
        let addr = |u: &String| {
            parse_url(u)
                .map(|i| i.addr.to_string())
                .unwrap_or_else(|_| "?".into())
        };
        match self {
            Target::Standalone(u) => addr(u),
            Target::Cluster(s) => format!(
                "cluster via {}",
                s.iter().map(addr).collect::<Vec<_>>().join(",")
            ),
        }
    }
}

fn parse_url(url: &str) -> Result<ConnectionInfo> {
    let info = url
        .into_connection_info()
        .map_err(|e| AnalyzerError::InvalidTarget(format!("{e}")))?;
    match info.addr {
        ConnectionAddr::Tcp(..) | ConnectionAddr::TcpTls { .. } => Ok(info),
        _ => Err(AnalyzerError::InvalidTarget(
            "only redis://host:port and rediss://host:port URLs are supported".into(),
        )),
    }
}

/// Asks the seeds in turn for the cluster's masters.
async fn discover(seeds: &[String], opts: &ScanOptions) -> Result<Vec<Node>> {
    let mut last = AnalyzerError::InvalidTarget("no cluster seed given".into());
    for seed in seeds {
        let info = parse_url(seed)?;
        match masters_from(&info, opts).await {
            Ok(nodes) if !nodes.is_empty() => return Ok(nodes),
            Ok(_) => {
                last = AnalyzerError::InvalidTarget(format!(
                    "{} reports no cluster masters",
                    info.addr
                ))
            }
            // Credentials are wrong for every seed alike; do not hide that behind the last seed.
            Err(e @ AnalyzerError::Auth { .. }) => return Err(e),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn masters_from(seed: &ConnectionInfo, opts: &ScanOptions) -> Result<Vec<Node>> {
    let mut conn = Node::new(seed.clone()).connect(0, opts).await?;
    // CLUSTER SHARDS exists from Redis 7.0; older servers only have CLUSTER NODES.
    let addrs = match conn
        .query::<Value>(redis::cmd("CLUSTER").arg("SHARDS"))
        .await
    {
        Ok(v) => masters_from_shards(&v),
        Err(AnalyzerError::Protocol { .. }) => {
            let text: String = conn.query(redis::cmd("CLUSTER").arg("NODES")).await?;
            masters_from_nodes(&text)
        }
        Err(e) => return Err(e),
    };
    let seed = Node::new(seed.clone());
    Ok(addrs
        .into_iter()
        .map(|(host, port)| seed.at(host, port))
        .collect())
}

/// Field/value pairs of a RESP2 flat array or a RESP3 map.
fn pairs(v: &Value) -> Vec<(String, &Value)> {
    let key = |k: &Value| match k {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        _ => String::new(),
    };
    match v {
        Value::Array(items) => items
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (key(&c[0]), &c[1]))
            .collect(),
        Value::Map(m) => m.iter().map(|(k, v)| (key(k), v)).collect(),
        _ => Vec::new(),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// Healthy masters that serve slots, from a `CLUSTER SHARDS` reply, sorted by address. (A node
/// the asked one still sees as a master without slots — a replica being set up, an empty
/// master — holds no keys to scan.)
pub fn masters_from_shards(v: &Value) -> Vec<(String, u16)> {
    let Value::Array(shards) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for shard in shards {
        let fields = pairs(shard);
        let serves = fields
            .iter()
            .any(|(k, v)| k == "slots" && matches!(v, Value::Array(s) if !s.is_empty()));
        if !serves {
            continue;
        }
        for (k, nodes) in fields {
            let (true, Value::Array(nodes)) = (k == "nodes", nodes) else {
                continue;
            };
            for node in nodes {
                let fields: Vec<(String, Option<String>)> =
                    pairs(node).into_iter().map(|(k, v)| (k, text(v))).collect();
                let get = |name: &str| {
                    fields
                        .iter()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.clone())
                };
                let master = get("role").as_deref() == Some("master");
                let online = get("health").is_none_or(|h| h == "online");
                if let (true, true, Some(ip), Some(port)) = (
                    master,
                    online,
                    get("ip"),
                    get("port").and_then(|p| p.parse().ok()),
                ) {
                    out.push((ip, port));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Healthy masters that serve slots, from `CLUSTER NODES` text, sorted by address.
pub fn masters_from_nodes(text: &str) -> Vec<(String, u16)> {
    let mut out: Vec<(String, u16)> = text
        .lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let (_id, addr, flags) = (f.next()?, f.next()?, f.next()?);
            let flags: Vec<&str> = flags.split(',').collect();
            if !flags.contains(&"master")
                || flags
                    .iter()
                    .any(|f| matches!(*f, "fail" | "fail?" | "noaddr" | "handshake"))
            {
                return None;
            }
            // master-id, ping, pong, epoch, link state, then the slots (none: no keys).
            f.nth(4)?;
            f.next()?;
            // ip:port@cport[,hostname]
            let hostport = addr.split('@').next()?;
            let (ip, port) = hostport.rsplit_once(':')?;
            Some((ip.to_string(), port.parse().ok()?))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn parses_cluster_nodes_text() {
        let text = "\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host replica e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:30009@31009 master,fail - 0 0 1 connected
bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 127.0.0.1:30010@31010 master - 0 0 5 connected
";
        assert_eq!(
            masters_from_nodes(text),
            vec![
                ("127.0.0.1".into(), 30001),
                ("127.0.0.1".into(), 30002),
                ("127.0.0.1".into(), 30003)
            ]
        );
    }

    #[test]
    fn parses_cluster_shards_reply() {
        let node = |port: i64, role: &str, health: &str| {
            Value::Array(vec![
                bulk("id"),
                bulk("x"),
                bulk("port"),
                Value::Int(port),
                bulk("ip"),
                bulk("10.0.0.1"),
                bulk("role"),
                bulk(role),
                bulk("health"),
                bulk(health),
            ])
        };
        let shard = |slots: Vec<Value>, nodes: Vec<Value>| {
            Value::Array(vec![
                bulk("slots"),
                Value::Array(slots),
                bulk("nodes"),
                Value::Array(nodes),
            ])
        };
        let some = || vec![Value::Int(0), Value::Int(100)];
        let reply = Value::Array(vec![
            shard(
                some(),
                vec![
                    node(7001, "master", "online"),
                    node(7004, "replica", "online"),
                ],
            ),
            shard(some(), vec![node(7000, "master", "online")]),
            shard(some(), vec![node(7002, "master", "failed")]),
            // Seen as a master, but serving no slots (a replica being set up).
            shard(vec![], vec![node(7005, "master", "online")]),
        ]);
        assert_eq!(
            masters_from_shards(&reply),
            vec![("10.0.0.1".into(), 7000), ("10.0.0.1".into(), 7001)]
        );
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(parse_url("http://x").is_err());
        assert!(parse_url("redis://127.0.0.1:6379").is_ok());
        assert_eq!(
            Target::Standalone("redis://:secret@127.0.0.1:6379".into()).describe(),
            "127.0.0.1:6379"
        );
    }
}
