//! An instance's nodes as DCS lists them (`logical-nodes`): every master that serves data, and
//! the replicas each master's `INFO replication` lists as online. A key-space analysis reads the
//! snapshot of one of them.

use crate::conn::Node;
use crate::error::Result;
use crate::options::ScanOptions;
use crate::replicas::replicas_from_info;
use crate::target::Target;

/// The masters first, each followed by its replicas, in the order the servers list them.
pub async fn logical(target: &Target, opts: &ScanOptions) -> Result<Vec<Node>> {
    let masters = target.masters(opts).await?;
    let mut nodes = Vec::new();
    for master in masters {
        // A master that cannot say (INFO refused by ACL) is listed alone.
        let replicas = match master.connect(0, opts).await {
            Ok(mut conn) => conn
                .info("replication")
                .await
                .map(|info| replicas_from_info(&info))
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let replicas: Vec<Node> = replicas
            .into_iter()
            .map(|(host, port)| master.replica_at(host, port))
            .collect();
        nodes.push(master);
        nodes.extend(replicas);
    }
    Ok(nodes)
}
