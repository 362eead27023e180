//! An instance's nodes (`logical-nodes`), discovered from the servers each time: every master
//! and the replicas it lists as online. Node ids are stable names derived from the instance and
//! the node's address, so a task can name its node across restarts without a stored table.

use crate::config::InstanceConfig;
use crate::state::AppState;
use dcs_analyzer::conn::Node;
use dcs_api::keyspace::{NodeInfo, NodeList};
use dcs_api::{DcsError, ErrorCode};
use sha2::{Digest, Sha256};

/// The node's id: 32 hex digits of SHA-256 over the instance id and `ip:port` (DCS ids have the
/// same shape).
pub fn node_id(instance_id: &str, addr: &str) -> String {
    let digest = Sha256::digest(format!("{instance_id}\n{addr}"));
    hex::encode(&digest[..16])
}

/// What DCS shows of a node.
pub fn describe(instance_id: &str, node: &Node) -> NodeInfo {
    let (ip, port) = node.addr.rsplit_once(':').unwrap_or((&node.addr, ""));
    let id = node_id(instance_id, &node.addr);
    NodeInfo {
        logical_node_id: id.clone(),
        name: node.addr.clone(),
        status: "Active".into(),
        node_role: if node.is_replica() { "slave" } else { "master" }.into(),
        node_type: "redis-server".into(),
        node_ip: ip.into(),
        node_port: port.into(),
        node_id: id,
        is_access: true,
        group_id: node_id(instance_id, &node.shard),
        group_name: node.shard.clone(),
    }
}

async fn discover(state: &AppState, inst: &InstanceConfig) -> Result<Vec<Node>, DcsError> {
    let opts = inst.options(&state.opts);
    dcs_analyzer::nodes::logical(&inst.target, &opts)
        .await
        .map_err(|e| e.to_dcs(dcs_api::TaskKind::Keyspace))
}

/// `GET …/logical-nodes`.
pub async fn list(state: &AppState, inst: &InstanceConfig) -> Result<NodeList, DcsError> {
    let nodes: Vec<NodeInfo> = discover(state, inst)
        .await?
        .iter()
        .map(|n| describe(&inst.id, n))
        .collect();
    Ok(NodeList {
        instance_id: inst.id.clone(),
        total: nodes.len() as u64,
        nodes,
    })
}

/// The node `node_id` names; missing or unknown: DCS.4800 saying which nodes there are.
pub async fn find(
    state: &AppState,
    inst: &InstanceConfig,
    node_id: Option<&str>,
) -> Result<Node, DcsError> {
    let nodes = discover(state, inst).await?;
    if let Some(node) = nodes
        .iter()
        .find(|n| Some(self::node_id(&inst.id, &n.addr).as_str()) == node_id)
    {
        return Ok(node.clone());
    }
    let known: Vec<String> = nodes
        .iter()
        .map(|n| {
            let role = if n.is_replica() { "replica" } else { "master" };
            format!("{} ({role} {})", self::node_id(&inst.id, &n.addr), n.addr)
        })
        .collect();
    let what = match node_id {
        None => "node_id is required".to_string(),
        Some(id) => format!("node_id {id:?} names no node of this instance"),
    };
    Err(DcsError::with_message(
        ErrorCode::InvalidParameter,
        format!(
            "Invalid node_id in the request: {what}. Its nodes (GET …/logical-nodes): {}.",
            known.join(", ")
        ),
    ))
}
