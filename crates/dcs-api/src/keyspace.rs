//! Key-space analysis ("where does the memory go"): DCS's offline key analysis result, with
//! this product's additions (prefix tree, TTL, databases, element counts, findings).

use serde::{Deserialize, Serialize};

/// Keys of one type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypeNum {
    #[serde(rename = "type")]
    pub key_type: String,
    pub num: u64,
}

/// Estimated bytes of one type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypeBytes {
    #[serde(rename = "type")]
    pub key_type: String,
    pub bytes: u64,
}

/// One of the largest keys by memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LargestKey {
    pub key: String,
    #[serde(rename = "type")]
    pub key_type: String,
    pub bytes: u64,
    pub num_of_elem: u64,
    /// Extension: the logical database.
    #[serde(default)]
    pub db: u32,
}

/// A key prefix of one type, by memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LargestKeyPrefix {
    pub key_prefix: String,
    #[serde(rename = "type")]
    pub key_type: String,
    pub bytes: u64,
    pub num: u64,
}

/// A node of the prefix tree (extension): keys and bytes under `prefix`, at `depth`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrefixNode {
    pub prefix: String,
    pub depth: u32,
    pub num: u64,
    pub bytes: u64,
}

/// Keys (and their bytes) in one TTL band (extension).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TtlBand {
    /// `none`, `expired`, `<1h`, `<1d`, `<7d`, `<30d`, `later`.
    pub ttl: String,
    pub num: u64,
    pub bytes: u64,
}

/// Keys of one logical database (extension).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DbKeys {
    pub db: u32,
    pub num: u64,
    pub bytes: u64,
}

/// How many keys of a type have up to `max_elements` elements (extension; `None`: more than
/// the largest band).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElementBand {
    #[serde(rename = "type")]
    pub key_type: String,
    pub max_elements: Option<u64>,
    pub num: u64,
}

/// The whole report. `total_bytes` and every `bytes` are estimates of memory in Redis (see the
/// engine's `rdb/estimate.rs`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyspaceReport {
    pub total_num: u64,
    pub total_bytes: u64,
    pub type_num: Vec<TypeNum>,
    pub type_bytes: Vec<TypeBytes>,
    pub largest_keys: Vec<LargestKey>,
    pub largest_key_prefixes: Vec<LargestKeyPrefix>,
    /// Extensions.
    #[serde(default)]
    pub prefix_tree: Vec<PrefixNode>,
    #[serde(default)]
    pub ttl: Vec<TtlBand>,
    #[serde(default)]
    pub dbs: Vec<DbKeys>,
    #[serde(default)]
    pub elements: Vec<ElementBand>,
    #[serde(default)]
    pub findings: Vec<String>,
    /// `snapshot` (an RDB) or `online` (SCAN + MEMORY USAGE).
    #[serde(default)]
    pub source: String,
    /// The nodes analysed (`ip:port`), or the file.
    #[serde(default)]
    pub nodes: Vec<String>,
}

/// `POST …/offline/key-analysis`: which node to analyse, from which backup (DCS requires both;
/// locally `backup_id` may be left out: a fresh snapshot of the node is read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateKeyAnalysis {
    #[serde(default)]
    pub node_id: Option<String>,
    #[serde(default)]
    pub backup_id: Option<String>,
}

/// The answer to starting (and to deleting) a key analysis, as DCS answers both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyAnalysisTaskId {
    pub task_id: String,
}

/// One row of `GET …/offline/key-analysis` (DCS `OfflineKeyAnalysisRecord`), with the local
/// extensions `progress` and `error_msg`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyAnalysisRecord {
    pub id: String,
    pub status: crate::TaskStatus,
    pub created_at: crate::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<crate::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<crate::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
}

/// `GET …/offline/key-analysis`: newest first; `total` matches the filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyAnalysisList {
    pub instance_id: String,
    pub total: u64,
    pub records: Vec<KeyAnalysisRecord>,
}

/// `GET …/offline/key-analysis/{task_id}`: the node analysed and, once it has succeeded, the
/// report's fields at the top level as DCS has them (the extensions beside them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyAnalysisTask {
    pub id: String,
    pub instance_id: String,
    pub node_id: String,
    pub backup_id: String,
    pub group_name: String,
    pub node_ip: String,
    pub node_type: String,
    /// `new_backup` (a fresh snapshot) or `old_backup` (a stored one).
    pub analysis_type: String,
    pub status: crate::TaskStatus,
    pub created_at: crate::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<crate::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<crate::Timestamp>,
    /// While it runs: 0–100 of the snapshot parsed (0 while its size is unknown) and the bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_parsed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    #[serde(flatten)]
    pub report: KeyspaceReport,
}

/// One node of an instance (DCS `NodesInfoResp`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NodeInfo {
    pub logical_node_id: String,
    pub name: String,
    /// `Active`, or `Inactive` for a replica whose link to its master is down.
    pub status: String,
    /// `master` or `slave`, as DCS says.
    pub node_role: String,
    pub node_type: String,
    pub node_ip: String,
    pub node_port: String,
    pub node_id: String,
    pub is_access: bool,
    pub group_id: String,
    pub group_name: String,
}

/// `GET …/logical-nodes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NodeList {
    pub instance_id: String,
    pub total: u64,
    pub nodes: Vec<NodeInfo>,
}

/// The findings a report lists, worded once: the CLI prints them, the API sends them, and the
/// console's 简体中文 catalogue translates exactly these texts.
pub mod findings {
    /// `part` of `whole` in whole percent, rounded.
    pub fn percent(part: u64, whole: u64) -> u64 {
        if whole == 0 {
            0
        } else {
            ((part as u128 * 100 + whole as u128 / 2) / whole as u128) as u64
        }
    }

    pub fn no_ttl(percent: u64) -> String {
        format!("{percent} % of memory is in keys without a TTL")
    }

    pub fn top_prefix_by_keys(prefix: &str, keys: u64, memory: u64) -> String {
        format!("prefix `{prefix}` holds {keys} % of keys and {memory} % of memory")
    }

    pub fn top_prefix_by_memory(prefix: &str, memory: u64, count: u64) -> String {
        format!("prefix `{prefix}` holds {memory} % of memory in {count} keys")
    }

    pub fn big_collections(n: u64) -> String {
        if n == 1 {
            "1 collection has more than 5,000 elements".into()
        } else {
            format!("{n} collections have more than 5,000 elements")
        }
    }

    pub fn big_strings(n: u64) -> String {
        if n == 1 {
            "1 string is larger than 10 KB".into()
        } else {
            format!("{n} strings are larger than 10 KB")
        }
    }

    /// The report came from SCAN + MEMORY USAGE because `why` (replication refused).
    pub fn online(why: &str) -> String {
        format!("measured online: {why}")
    }
}
