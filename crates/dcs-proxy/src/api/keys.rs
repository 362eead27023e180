//! `GET …/key-details`, `POST …/key-actions` and `GET …/key-actions` (local extensions): the
//! `keys` service does the work.

use crate::error::AppError;
use crate::extract::{JsonBody, KeyParams, ListParams};
use crate::services::keys;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use dcs_api::key::{KeyActionBody, KeyActionList, KeyActionRecord, KeyDetails};

pub async fn details(
    State(state): State<AppState>,
    Path((_, instance_id)): Path<(String, String)>,
    key: KeyParams,
) -> Result<Json<KeyDetails>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(keys::details(&state, inst, &key.name, key.db).await?))
}

pub async fn act(
    State(state): State<AppState>,
    Path((_, instance_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<KeyActionBody>,
) -> Result<Json<KeyActionRecord>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(keys::act(&state, inst, &body).await?))
}

pub async fn list(
    State(state): State<AppState>,
    Path((_, instance_id)): Path<(String, String)>,
    q: ListParams,
) -> Result<Json<KeyActionList>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(keys::list(&state, inst, &q.0)?))
}
