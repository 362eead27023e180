//! Instance parameters (`GET/PUT /instances/{instance_id}/configs`).

use serde::{Deserialize, Serialize};

/// The parameter that decides whether hot-key analysis is possible.
pub const MAXMEMORY_POLICY: &str = "maxmemory-policy";
/// Redis's `lfu-log-factor` (default 10): how fast the LFU counter saturates.
pub const LFU_LOG_FACTOR: &str = "lfu-log-factor";
/// Redis's `lfu-decay-time` (minutes per decrement of an idle key's counter).
pub const LFU_DECAY_TIME: &str = "lfu-decay-time";
/// The LFU counter every key starts at (Redis's `LFU_INIT_VAL`). A key at or below it has not
/// been read more than a key just written: hot-key analyses leave such keys out.
pub const LFU_INIT_VAL: u32 = 5;
/// Memory limit in bytes.
pub const MAXMEMORY: &str = "maxmemory";

/// One parameter as `ListConfigurations` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryRedisConfig {
    #[serde(default)]
    pub param_id: String,
    pub param_name: String,
    pub param_value: String,
    #[serde(default)]
    pub value_type: String,
    #[serde(default)]
    pub value_range: String,
    #[serde(default)]
    pub default_value: String,
    #[serde(default)]
    pub description: String,
}

/// `GET /v2/{project_id}/instances/{instance_id}/configs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListConfigurationsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_time: Option<String>,
    pub instance_id: String,
    pub redis_config: Vec<QueryRedisConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl ListConfigurationsResponse {
    /// The value of a parameter by name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.redis_config
            .iter()
            .find(|c| c.param_name == name)
            .map(|c| c.param_value.as_str())
    }
}

/// One parameter to change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedisConfig {
    #[serde(default)]
    pub param_id: String,
    pub param_name: String,
    pub param_value: String,
}

/// `PUT /v2/{project_id}/instances/{instance_id}/configs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModifyRedisConfigBody {
    pub redis_config: Vec<RedisConfig>,
}

impl ModifyRedisConfigBody {
    /// The only change this product makes, in local and cloud mode alike: `maxmemory-policy`
    /// to a value Redis accepts (so the console can offer "enable LFU"); DCS.4800 otherwise.
    pub fn check_policy_change(&self) -> Result<(), crate::DcsError> {
        if self.redis_config.is_empty() {
            return Err(crate::DcsError::invalid("redis_config"));
        }
        for c in &self.redis_config {
            if c.param_name != MAXMEMORY_POLICY {
                return Err(crate::DcsError::invalid("param_name"));
            }
            if !MAXMEMORY_POLICIES.contains(&c.param_value.as_str()) {
                return Err(crate::DcsError::invalid("param_value"));
            }
        }
        Ok(())
    }
}

/// DCS.2003 for a configuration change the proxy's configuration does not allow.
pub fn config_changes_disabled() -> crate::DcsError {
    crate::DcsError::with_message(
        crate::ErrorCode::Forbidden,
        "This role does not have the permission to perform this operation: configuration changes are disabled for this instance (allow_config_changes).",
    )
}

/// Hot-key analysis reads LFU counters, which exist only under `allkeys-lfu` / `volatile-lfu`.
pub fn is_lfu_policy(policy: &str) -> bool {
    policy.ends_with("-lfu")
}

/// Every value Redis accepts for `maxmemory-policy`.
pub const MAXMEMORY_POLICIES: [&str; 8] = [
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfu_policies() {
        assert!(is_lfu_policy("allkeys-lfu"));
        assert!(is_lfu_policy("volatile-lfu"));
        for p in ["allkeys-lru", "noeviction", "volatile-ttl", "lfu", ""] {
            assert!(!is_lfu_policy(p), "{p}");
        }
    }

    #[test]
    fn param_lookup_ignores_unknown_fields() {
        let r: ListConfigurationsResponse = serde_json::from_str(
            r#"{"instance_id":"i-1","status":"RUNNING","future":1,
                "redis_config":[{"param_name":"maxmemory-policy","param_value":"allkeys-lfu","param_id":"1","x":2}]}"#,
        )
        .unwrap();
        assert_eq!(r.param(MAXMEMORY_POLICY), Some("allkeys-lfu"));
        assert_eq!(r.param(LFU_LOG_FACTOR), None);
    }
}
