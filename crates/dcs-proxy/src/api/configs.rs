//! `GET/PUT /instances/{instance_id}/configs`: the parameters that matter for analysis, live.
//! `PUT` may change only `maxmemory-policy`, and only where the instance's config says
//! `allow_config_changes = true` (so the console can offer "enable LFU").

use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use dcs_analyzer::probe::{probe, set_param};
use dcs_api::config::{
    config_changes_disabled, ListConfigurationsResponse, ModifyRedisConfigBody, QueryRedisConfig,
    LFU_DECAY_TIME, LFU_LOG_FACTOR, MAXMEMORY, MAXMEMORY_POLICY,
};
use dcs_api::{DcsError, ErrorCode};

/// (name, id, type, range, default, description) of each reported parameter.
const PARAMS: [(&str, &str, &str, &str, &str, &str); 4] = [
    (MAXMEMORY_POLICY, "1", "enum", "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction", "noeviction", "How Redis evicts keys at maxmemory. Hot-key analysis needs allkeys-lfu or volatile-lfu."),
    (LFU_LOG_FACTOR, "2", "integer", "0-255", "10", "How fast the LFU counter saturates; the console derives access estimates from it."),
    (LFU_DECAY_TIME, "3", "integer", "0-2147483647", "1", "Minutes after which an idle key's LFU counter is decremented."),
    (MAXMEMORY, "4", "integer", "0-", "0", "Memory limit in bytes (0 = unlimited)."),
];

fn unreachable(e: dcs_analyzer::AnalyzerError) -> DcsError {
    DcsError::with_message(
        ErrorCode::InstanceNotRunning,
        format!("The instance status is not running: {e}"),
    )
}

pub async fn list(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<ListConfigurationsResponse>, AppError> {
    let inst = state.instance(&id)?;
    let facts = probe(&inst.target, &inst.options(&state.opts))
        .await
        .map_err(unreachable)?;
    let redis_config = PARAMS
        .iter()
        .filter_map(|(name, pid, vtype, range, default, desc)| {
            Some(QueryRedisConfig {
                param_id: pid.to_string(),
                param_name: name.to_string(),
                param_value: facts.param(name)?.to_string(),
                value_type: vtype.to_string(),
                value_range: range.to_string(),
                default_value: default.to_string(),
                description: desc.to_string(),
            })
        })
        .collect();
    Ok(Json(ListConfigurationsResponse {
        config_time: None,
        instance_id: inst.id.clone(),
        redis_config,
        config_status: Some("SUCCESS".into()),
        status: Some("RUNNING".into()),
    }))
}

pub async fn update(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ModifyRedisConfigBody>,
) -> Result<StatusCode, AppError> {
    let inst = state.instance(&id)?;
    if !inst.allow_config_changes {
        return Err(config_changes_disabled().into());
    }
    body.check_policy_change()?;
    for c in &body.redis_config {
        set_param(
            &inst.target,
            &inst.options(&state.opts),
            &c.param_name,
            &c.param_value,
        )
        .await
        .map_err(unreachable)?;
        tracing::info!(instance = %inst.id, param = %c.param_name, value = %c.param_value, "configuration changed");
    }
    Ok(StatusCode::NO_CONTENT)
}
