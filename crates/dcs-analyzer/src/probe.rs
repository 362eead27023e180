//! Live facts about a target, for instance listings: version, memory, policy, topology.

use crate::conn::Node;
use crate::error::Result;
use crate::options::ScanOptions;
use crate::scan::on_every_node;
use crate::target::Target;
use dcs_api::config::{LFU_DECAY_TIME, LFU_LOG_FACTOR, MAXMEMORY, MAXMEMORY_POLICY};

/// What the proxy reports about an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceFacts {
    /// `redis_version` of the first master.
    pub version: String,
    /// Bytes used, summed over masters.
    pub used_memory: u64,
    /// `maxmemory` summed over masters (0 = unlimited).
    pub maxmemory: u64,
    /// The `CONFIG GET` values of the first master (absent where CONFIG is denied).
    pub params: Vec<(String, String)>,
    /// `ip:port` of every master.
    pub masters: Vec<String>,
    pub cluster: bool,
}

impl InstanceFacts {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The parameters reported by [`probe`].
pub const PARAMS: [&str; 4] = [MAXMEMORY_POLICY, LFU_LOG_FACTOR, LFU_DECAY_TIME, MAXMEMORY];

struct NodeFacts {
    version: String,
    used: u64,
    max: u64,
    params: Vec<(String, String)>,
}

async fn node_facts(node: Node, opts: ScanOptions) -> Result<NodeFacts> {
    let mut conn = node.connect(0, &opts).await?;
    let server = conn.info("server").await?;
    let memory = conn.info("memory").await?;
    let field = |info: &[(String, String)], k: &str| {
        info.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    let mut params = Vec::new();
    for p in PARAMS {
        if let Ok(reply) = conn
            .query::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg(p))
            .await
        {
            if let [name, value] = reply.as_slice() {
                params.push((name.clone(), value.clone()));
            }
        }
    }
    Ok(NodeFacts {
        version: field(&server, "redis_version").unwrap_or_default(),
        used: field(&memory, "used_memory")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        max: field(&memory, MAXMEMORY)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        params,
    })
}

/// Connects to every master and reports what it sees.
pub async fn probe(target: &Target, opts: &ScanOptions) -> Result<InstanceFacts> {
    let nodes = target.masters(opts).await?;
    let facts = on_every_node(&nodes, |_, node| node_facts(node, opts.clone())).await?;
    let first = &facts[0];
    Ok(InstanceFacts {
        version: first.version.clone(),
        used_memory: facts.iter().map(|f| f.used).sum(),
        maxmemory: facts.iter().map(|f| f.max).sum(),
        params: first.params.clone(),
        masters: nodes.iter().map(|n| n.addr.clone()).collect(),
        cluster: matches!(target, Target::Cluster(_)),
    })
}

/// `CONFIG SET name value` on every master.
pub async fn set_param(target: &Target, opts: &ScanOptions, name: &str, value: &str) -> Result<()> {
    let nodes = target.masters(opts).await?;
    let (name, value) = (name.to_string(), value.to_string());
    on_every_node(&nodes, |_, node| {
        let (opts, name, value) = (opts.clone(), name.clone(), value.clone());
        async move {
            let mut conn = node.connect(0, &opts).await?;
            conn.query::<()>(redis::cmd("CONFIG").arg("SET").arg(&name).arg(&value))
                .await
        }
    })
    .await?;
    Ok(())
}
