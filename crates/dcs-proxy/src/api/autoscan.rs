//! Schedules: daily hot/big-key scans (`…/hotkey/autoscan`, `…/bigkey/autoscan`) and the
//! expired-key auto-scan (`…/scan-expire-keys/autoscan-config`).

use crate::error::AppError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store::{Kind, ScheduleRow};
use axum::extract::{Path, State};
use axum::Json;
use dcs_api::expire::{ExpireAutoscanConfig, ExpireAutoscanUpdate};
use dcs_api::schedule::{validate_schedule_at, AutoscanConfig, AutoscanConfigRequest};
use dcs_api::{DcsError, Timestamp};

/// The stored daily schedule, or the disabled default.
pub fn daily_config(
    state: &AppState,
    instance_id: &str,
    kind: Kind,
) -> Result<AutoscanConfig, DcsError> {
    let row = state
        .store
        .schedule(instance_id, kind)
        .map_err(crate::runner::internal)?;
    Ok(
        match row.and_then(|r| serde_json::from_str::<AutoscanConfig>(&r.json).ok()) {
            Some(c) => c,
            None => AutoscanConfig {
                instance_id: instance_id.to_string(),
                enable_auto_scan: false,
                schedule_at: vec![],
                updated_at: None,
            },
        },
    )
}

/// The stored expired-key schedule, or the disabled default (daily, 2-day timeout, COUNT 10).
pub fn expire_config(
    state: &AppState,
    instance_id: &str,
) -> Result<ExpireAutoscanConfig, DcsError> {
    let row = state
        .store
        .schedule(instance_id, Kind::Expire)
        .map_err(crate::runner::internal)?;
    Ok(
        match row.and_then(|r| serde_json::from_str::<ExpireAutoscanConfig>(&r.json).ok()) {
            Some(c) => c,
            None => ExpireAutoscanConfig {
                instance_id: instance_id.to_string(),
                enable_auto_scan: false,
                first_scan_at: None,
                interval: 86_400,
                timeout: 172_800,
                scan_keys_count: 10,
                updated_at: None,
            },
        },
    )
}

fn save<T: serde::Serialize>(
    state: &AppState,
    instance_id: &str,
    kind: Kind,
    config: &T,
    now: i64,
) -> Result<(), DcsError> {
    let json = serde_json::to_string(config).map_err(crate::runner::internal)?;
    state
        .store
        .put_schedule(
            instance_id,
            kind,
            &ScheduleRow {
                json,
                updated_at: now,
            },
        )
        .map_err(crate::runner::internal)
}

async fn show_daily(
    state: AppState,
    id: String,
    kind: Kind,
) -> Result<Json<AutoscanConfig>, AppError> {
    let inst = state.instance(&id)?;
    Ok(Json(daily_config(&state, &inst.id, kind)?))
}

async fn update_daily(
    state: AppState,
    id: String,
    kind: Kind,
    body: AutoscanConfigRequest,
) -> Result<Json<AutoscanConfig>, AppError> {
    let inst = state.instance(&id)?;
    let times = validate_schedule_at(body.enable_auto_scan, &body.schedule_at)?;
    let now = state.clock.now();
    let config = AutoscanConfig {
        instance_id: inst.id.clone(),
        enable_auto_scan: body.enable_auto_scan,
        schedule_at: times.iter().map(ToString::to_string).collect(),
        updated_at: Some(Timestamp(now)),
    };
    save(&state, &inst.id, kind, &config, now.timestamp_millis())?;
    Ok(Json(config))
}

pub async fn show_hot(
    State(s): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<AutoscanConfig>, AppError> {
    show_daily(s, id, Kind::Hotkey).await
}
pub async fn show_big(
    State(s): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<AutoscanConfig>, AppError> {
    show_daily(s, id, Kind::Bigkey).await
}
pub async fn update_hot(
    State(s): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    JsonBody(b): JsonBody<AutoscanConfigRequest>,
) -> Result<Json<AutoscanConfig>, AppError> {
    update_daily(s, id, Kind::Hotkey, b).await
}
pub async fn update_big(
    State(s): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    JsonBody(b): JsonBody<AutoscanConfigRequest>,
) -> Result<Json<AutoscanConfig>, AppError> {
    update_daily(s, id, Kind::Bigkey, b).await
}

pub async fn show_expire(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<ExpireAutoscanConfig>, AppError> {
    let inst = state.instance(&id)?;
    Ok(Json(expire_config(&state, &inst.id)?))
}

pub async fn update_expire(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ExpireAutoscanUpdate>,
) -> Result<Json<ExpireAutoscanConfig>, AppError> {
    let inst = state.instance(&id)?;
    let now = state.clock.now();
    let s = body.validate(Timestamp(now))?;
    let config = ExpireAutoscanConfig {
        instance_id: inst.id.clone(),
        enable_auto_scan: s.enable_auto_scan,
        first_scan_at: Some(s.first_scan_at),
        interval: s.interval,
        timeout: s.timeout,
        scan_keys_count: s.scan_keys_count,
        updated_at: Some(Timestamp(now)),
    };
    save(
        &state,
        &inst.id,
        Kind::Expire,
        &config,
        now.timestamp_millis(),
    )?;
    Ok(Json(config))
}
