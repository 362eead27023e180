//! `GET /instances`, `GET /instances/{instance_id}`: configured instances with live facts.

use crate::config::InstanceConfig;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use dcs_analyzer::probe::{probe, InstanceFacts};
use dcs_analyzer::{ScanOptions, Target};
use dcs_api::config::MAXMEMORY_POLICY;
use dcs_api::instance::{
    InstanceListInfo, ListInstancesResponse, ShowInstanceResponse, MODE_CLUSTER, MODE_SINGLE,
    STATUS_ERROR, STATUS_RUNNING,
};
use std::time::Duration;

const MB: u64 = 1024 * 1024;
const GB: u64 = 1024 * MB;

/// Listing must stay quick when an instance is down.
fn probe_opts(opts: &ScanOptions) -> ScanOptions {
    ScanOptions {
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(3),
        ..opts.clone()
    }
}

fn first_addr(target: &Target) -> (String, u16) {
    let url = match target {
        Target::Standalone(u) => u,
        Target::Cluster(seeds) => &seeds[0],
    };
    let hostport = url
        .trim_start_matches("redis://")
        .rsplit('@')
        .next()
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("");
    match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(6379)),
        None => (hostport.to_string(), 6379),
    }
}

/// The DCS view of an instance, from what the probe saw (`None`: unreachable).
pub fn describe(inst: &InstanceConfig, facts: Option<&InstanceFacts>) -> ShowInstanceResponse {
    let (ip, port) = first_addr(&inst.target);
    let max = facts.map_or(0, |f| f.maxmemory);
    InstanceListInfo {
        instance_id: inst.id.clone(),
        name: inst.name.clone(),
        engine: "Redis".into(),
        engine_version: facts.map(|f| f.version.clone()).unwrap_or_default(),
        status: if facts.is_some() {
            STATUS_RUNNING
        } else {
            STATUS_ERROR
        }
        .into(),
        ip,
        port,
        capacity: max / GB,
        capacity_minor: (max > 0 && max < GB).then(|| format!("{:.3}", max as f64 / GB as f64)),
        max_memory: max / MB,
        used_memory: facts.map_or(0, |f| f.used_memory / MB),
        spec_code: if matches!(inst.target, Target::Cluster(_)) {
            "redis.cluster.local"
        } else {
            "redis.single.local"
        }
        .into(),
        description: None,
        cache_mode: Some(
            if matches!(inst.target, Target::Cluster(_)) {
                MODE_CLUSTER
            } else {
                MODE_SINGLE
            }
            .into(),
        ),
        sharding_count: facts.filter(|f| f.cluster).map(|f| f.masters.len() as u32),
        maxmemory_policy: facts
            .and_then(|f| f.param(MAXMEMORY_POLICY))
            .map(str::to_string),
        pace: Some(inst.pace),
        fast_allowed: Some(inst.allow_fast || inst.pace == dcs_api::Pace::Fast),
    }
}

async fn live(state: &AppState, inst: &InstanceConfig) -> Option<InstanceFacts> {
    match probe(&inst.target, &probe_opts(&inst.options(&state.opts))).await {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::info!(instance = %inst.id, "unreachable: {e}");
            None
        }
    }
}

pub async fn list(State(state): State<AppState>) -> Json<ListInstancesResponse> {
    let probes = state.instances.iter().map(|i| live(&state, i));
    let facts = futures::future::join_all(probes).await;
    let instances: Vec<InstanceListInfo> = state
        .instances
        .iter()
        .zip(&facts)
        .map(|(i, f)| describe(i, f.as_ref()))
        .collect();
    Json(ListInstancesResponse {
        instance_num: instances.len() as u64,
        instances,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<ShowInstanceResponse>, AppError> {
    let inst = state.instance(&id)?;
    let facts = live(&state, inst).await;
    Ok(Json(describe(inst, facts.as_ref())))
}

/// `GET …/logical-nodes`: the instance's masters and replicas, as the servers report them now.
pub async fn logical_nodes(
    State(state): State<AppState>,
    Path((_, instance_id)): Path<(String, String)>,
) -> Result<Json<dcs_api::keyspace::NodeList>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(crate::services::nodes::list(&state, inst).await?))
}
