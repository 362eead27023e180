//! Schedule routes: `GET`/`PUT` of the daily hot/big-key scans and of the expired-key auto-scan;
//! the `schedules` service does the work.

use crate::error::AppError;
use crate::extract::JsonBody;
use crate::services::schedules::{self, Schedule};
use crate::state::AppState;
use axum::Json;
use dcs_api::expire::{ExpireAutoscanConfig, ExpireAutoscanUpdate};
use dcs_api::schedule::{AutoscanConfig, AutoscanConfigRequest};
use dcs_api::TaskKind;

pub async fn show(
    state: AppState,
    kind: TaskKind,
    instance_id: String,
) -> Result<Json<Schedule>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(schedules::show(&state, &inst.id, kind)?))
}

pub async fn update_daily(
    state: AppState,
    kind: TaskKind,
    instance_id: String,
    JsonBody(body): JsonBody<AutoscanConfigRequest>,
) -> Result<Json<AutoscanConfig>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(
        schedules::save_daily_checked(&state, inst, kind, &body).await?,
    ))
}

pub async fn update_expire(
    state: AppState,
    instance_id: String,
    JsonBody(body): JsonBody<ExpireAutoscanUpdate>,
) -> Result<Json<ExpireAutoscanConfig>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(schedules::save_expire(&state, &inst.id, &body)?))
}
