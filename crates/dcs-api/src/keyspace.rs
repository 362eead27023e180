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
