//! Reading replicas instead of masters. A read-only pass — big keys, as DCS runs it on the
//! standby — can read a replica and leave the master to the application. Hot keys stay on
//! masters (the LFU counters that matter are the ones reads raise there), and so does reclaiming
//! expired keys (a replica does not expire keys; only its master's lazy expiry frees them).
//!
//! A master's replicas are the ones its `INFO replication` lists as `online`, each used only when
//! it says it is a replica with its link to the master up and no sync in progress; a cluster's
//! masters list their replicas the same way. The first healthy one is read; none: the master.

use crate::conn::Node;
use crate::options::ScanOptions;
use crate::scan::on_every_node;

/// Where a read-only analysis reads each shard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AnalyzeOn {
    /// A healthy replica of each master where there is one, else the master.
    #[default]
    Replica,
    /// Always the masters.
    Master,
}

/// For each master, the node to read: itself, or a healthy replica when `on` allows it.
pub(crate) async fn readers(masters: Vec<Node>, on: AnalyzeOn, opts: &ScanOptions) -> Vec<Node> {
    if on == AnalyzeOn::Master {
        return masters;
    }
    let chosen = on_every_node(&masters, |_, master| {
        let opts = opts.clone();
        async move { Ok(healthy_replica(&master, &opts).await.unwrap_or(master)) }
    })
    .await;
    chosen.unwrap_or(masters)
}

async fn healthy_replica(master: &Node, opts: &ScanOptions) -> Option<Node> {
    let mut conn = master.connect(0, opts).await.ok()?;
    let info = conn.info("replication").await.ok()?;
    for (host, port) in replicas_from_info(&info) {
        let replica = master.replica_at(host, port);
        if is_healthy_replica(&replica, opts).await {
            return Some(replica);
        }
    }
    None
}

async fn is_healthy_replica(node: &Node, opts: &ScanOptions) -> bool {
    let Ok(mut conn) = node.connect(0, opts).await else {
        return false;
    };
    let Ok(info) = conn.info("replication").await else {
        return false;
    };
    let field = |k: &str| info.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    field("role") == Some("slave")
        && field("master_link_status") == Some("up")
        && field("master_sync_in_progress") != Some("1")
}

/// The online replicas a master's `INFO replication` lists (`slave0:ip=…,port=…,state=online,…`).
pub fn replicas_from_info(info: &[(String, String)]) -> Vec<(String, u16)> {
    info.iter()
        .filter(|(k, _)| {
            k.strip_prefix("slave")
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter_map(|(_, v)| {
            let field = |name: &str| {
                v.split(',')
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            };
            (field("state") == Some("online"))
                .then(|| Some((field("ip")?.to_string(), field("port")?.parse().ok()?)))
                .flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_online_replicas_only() {
        let info = crate::conn::parse_info(
            "# Replication\r\nrole:master\r\nconnected_slaves:3\r\n\
             slave0:ip=127.0.0.1,port=7001,state=online,offset=42,lag=0\r\n\
             slave1:ip=127.0.0.1,port=7002,state=wait_bgsave,offset=0,lag=0\r\n\
             slave2:ip=10.0.0.9,port=6380,state=online,offset=42,lag=1\r\n\
             master_failover_state:no-failover\r\nslave_read_repl_offset:0\r\n",
        );
        assert_eq!(
            replicas_from_info(&info),
            [
                ("127.0.0.1".to_string(), 7001),
                ("10.0.0.9".to_string(), 6380)
            ]
        );
        assert!(replicas_from_info(&crate::conn::parse_info("role:master\r\n")).is_empty());
    }
}
