//! Instance listing (`GET /instances`) and details (`GET /instances/{instance_id}`).

use serde::{Deserialize, Serialize};

/// `status` of a reachable instance.
pub const STATUS_RUNNING: &str = "RUNNING";
/// `status` of an instance the proxy cannot reach.
pub const STATUS_ERROR: &str = "ERROR";
/// `cache_mode` of a standalone instance and of a cluster, as DCS names them.
pub const MODE_SINGLE: &str = "single";
pub const MODE_CLUSTER: &str = "cluster";

/// One instance as `ListInstances` reports it. DCS sends many more fields; these are the ones this
/// product uses, and unknown ones are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstanceListInfo {
    pub instance_id: String,
    pub name: String,
    /// `Redis` (DCS also has `Memcached`).
    pub engine: String,
    /// e.g. `7.0` in DCS, or the exact `redis_version` in local mode.
    pub engine_version: String,
    /// `RUNNING`, `ERROR`, `CREATING`, … (DCS's upper-case states).
    pub status: String,
    #[serde(default)]
    pub ip: String,
    #[serde(default)]
    pub port: u16,
    /// Capacity in GB (0 when under 1 GB or unlimited; see `capacity_minor`).
    #[serde(default)]
    pub capacity: u64,
    /// Capacity under 1 GB, as DCS writes it (e.g. `"0.125"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_minor: Option<String>,
    /// Memory limit in MB (0 = unlimited in local mode).
    #[serde(default)]
    pub max_memory: u64,
    /// Memory used in MB.
    #[serde(default)]
    pub used_memory: u64,
    #[serde(default)]
    pub spec_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `single`, `ha`, `cluster`, `proxy`, `ha_rw_split` in DCS; `single` or `cluster` locally.
    /// DCS sends it from `ShowInstance`; the proxy in local mode lists it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_mode: Option<String>,
    /// Number of shards (masters) of a cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharding_count: Option<u32>,
    /// The instance's `maxmemory-policy` as last probed (a local extension; DCS does not send
    /// it): the instance list shows which analyses each row allows without asking every row's
    /// configuration. Absent when the instance did not answer, or from DCS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxmemory_policy: Option<String>,
    /// The pace analyses run at unless a task asks otherwise (a local extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<crate::Pace>,
    /// Whether a task may ask for `?pace=fast` (a local extension: `allow_fast`, or a fast
    /// `pace`); absent from DCS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast_allowed: Option<bool>,
}

/// `GET /v2/{project_id}/instances`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListInstancesResponse {
    pub instance_num: u64,
    pub instances: Vec<InstanceListInfo>,
}

/// `GET /v2/{project_id}/instances/{instance_id}`: the same record, where `cache_mode` is always
/// present. (One struct rather than a flattened wrapper: `serde(flatten)` costs the console's
/// wasm tens of KB.)
pub type ShowInstanceResponse = InstanceListInfo;

impl InstanceListInfo {
    pub fn is_cluster(&self) -> bool {
        self.cache_mode.as_deref() == Some(MODE_CLUSTER)
    }
}
