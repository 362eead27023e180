//! Task routes of every kind: start (`POST`), history (`GET` list), one task (`GET`), stop
//! (`DELETE`). Each handler is told its kind by the router; the `tasks` service does the work.

use crate::error::AppError;
use crate::extract::{DeleteParams, JsonBody, ListParams, PaceParam};
use crate::services::tasks::{self, Page, Record};
use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use dcs_api::keyspace::{CreateKeyAnalysis, KeyAnalysisTaskId};
use dcs_api::{DcsError, TaskKind};

pub async fn create(
    state: AppState,
    kind: TaskKind,
    instance_id: String,
    PaceParam(pace): PaceParam,
) -> Result<Json<Record>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(tasks::start(&state, inst, kind, pace).await?))
}

/// `POST …/offline/key-analysis`: `{"task_id": …}`, as DCS answers.
pub async fn create_key_analysis(
    state: AppState,
    instance_id: String,
    JsonBody(body): JsonBody<CreateKeyAnalysis>,
) -> Result<Json<KeyAnalysisTaskId>, AppError> {
    let inst = state.instance(&instance_id)?;
    let row = tasks::start_key_analysis(&state, inst, &body).await?;
    Ok(Json(KeyAnalysisTaskId { task_id: row.id }))
}

pub async fn list(
    state: AppState,
    kind: TaskKind,
    instance_id: String,
    q: ListParams,
) -> Result<Json<Page>, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(Json(tasks::list(&state, &inst.id, kind, &q.0)?))
}

pub async fn show(
    state: AppState,
    kind: TaskKind,
    (instance_id, id): (String, String),
) -> Result<Json<Record>, AppError> {
    let inst = state.instance(&instance_id)?;
    let not_found = || {
        kind.not_found_code()
            .map_or(DcsError::invalid(kind.id_param()), DcsError::new)
    };
    let record = tasks::show(&state, &inst.id, kind, &id)?.ok_or_else(not_found)?;
    Ok(Json(record))
}

/// 200 with the record (see [`tasks::stop`]), or 204 when there is no such task.
pub async fn stop(
    state: AppState,
    kind: TaskKind,
    (instance_id, id): (String, String),
    DeleteParams(delete_record): DeleteParams,
) -> Result<Response, AppError> {
    let inst = state.instance(&instance_id)?;
    Ok(
        match tasks::stop(&state, &inst.id, kind, &id, delete_record).await? {
            // DCS answers a deleted key analysis with its id.
            Some(Record::Keyspace(t)) => Json(KeyAnalysisTaskId { task_id: t.id }).into_response(),
            Some(record) => Json(record).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}
