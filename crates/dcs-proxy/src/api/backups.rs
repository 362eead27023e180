//! `POST …/backups` (CopyInstance) and `GET …/backups` (ListBackupRecords): the `backups`
//! service does the work.

use crate::error::AppError;
use crate::extract::{JsonBody, ListParams};
use crate::services::backups;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use dcs_api::backup::{BackupList, CopyInstanceBody, CopyInstanceResponse};

pub async fn create(
    State(state): State<AppState>,
    Path((_, instance_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<CopyInstanceBody>,
) -> Result<Json<CopyInstanceResponse>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(backups::create(&state, inst, &body).await?))
}

pub async fn list(
    State(state): State<AppState>,
    Path((_, instance_id)): Path<(String, String)>,
    q: ListParams,
) -> Result<Json<BackupList>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(backups::list(&state, &inst.id, &q.0)?))
}
