//! Hot-key and big-key tasks: create, list, show, delete.
//!
//! `DELETE` of a waiting or running task cancels it and deletes the record (the analysis stops at
//! its next batch); it answers 200 with the record as it was, or 204 when there is no such task.

use crate::error::AppError;
use crate::extract::ListParams;
use crate::records::{analysis_task, task_record};
use crate::runner::ExpireParams;
use crate::state::AppState;
use crate::store::Kind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use dcs_analyzer::error::AnalysisKind;
use dcs_api::task::{BigkeyEntry, HotkeyEntry, TaskList};
use dcs_api::{DcsError, ErrorCode, ScanType};

fn not_found(kind: Kind) -> DcsError {
    DcsError::new(if kind == Kind::Hotkey {
        ErrorCode::HotkeyTaskNotFound
    } else {
        ErrorCode::BigkeyTaskNotFound
    })
}

fn analysis_kind(kind: Kind) -> AnalysisKind {
    if kind == Kind::Hotkey {
        AnalysisKind::Hotkeys
    } else {
        AnalysisKind::Bigkeys
    }
}

/// The task as JSON with the right key type.
fn task_json(state: &AppState, row: &crate::store::TaskRow) -> Response {
    let progress = state.runner.progress(&row.instance_id, row.kind, &row.id);
    match row.kind {
        Kind::Hotkey => Json(analysis_task::<HotkeyEntry>(row, progress)).into_response(),
        _ => Json(analysis_task::<BigkeyEntry>(row, progress)).into_response(),
    }
}

/// Refuses up front what would fail at once: an unreachable instance (DCS.4049) or, for hot
/// keys, one without LFU counters (DCS.4922).
pub async fn precheck(
    state: &AppState,
    inst: &crate::config::InstanceConfig,
    kind: AnalysisKind,
) -> Result<(), DcsError> {
    let opts = inst.options(&state.opts);
    let result = match kind {
        AnalysisKind::Hotkeys => dcs_analyzer::hotkeys::precheck(&inst.target, &opts)
            .await
            .map(drop),
        _ => dcs_analyzer::probe::probe(&inst.target, &opts)
            .await
            .map(drop),
    };
    result.map_err(|e| e.to_dcs(kind))
}

pub async fn create(
    state: AppState,
    id: String,
    kind: Kind,
    scan_type: ScanType,
) -> Result<Response, AppError> {
    let inst = state.instance(&id)?.clone();
    // Answer "already running" without touching the server.
    state.runner.ensure_idle(&inst.id, kind)?;
    precheck(&state, &inst, analysis_kind(kind)).await?;
    let row = state.runner.start(
        &inst,
        kind,
        scan_type,
        ExpireParams {
            scan_keys_count: 1000,
            timeout: None,
        },
    )?;
    Ok(task_json(&state, &row))
}

pub async fn list(
    state: AppState,
    id: String,
    kind: Kind,
    q: ListParams,
) -> Result<Json<TaskList>, AppError> {
    let inst = state.instance(&id)?;
    let (count, rows) = state.runner.list(&inst.id, kind, &q.0)?;
    let records = rows
        .iter()
        .map(|r| task_record(r, state.runner.progress(&r.instance_id, kind, &r.id)))
        .collect();
    Ok(Json(TaskList {
        instance_id: inst.id.clone(),
        count,
        records,
    }))
}

/// The task id in the path, named as DCS names it in its errors.
fn validate_task_id(kind: Kind, task: &str) -> Result<(), dcs_api::DcsError> {
    let name = if kind == Kind::Hotkey {
        "hotkey_id"
    } else {
        "bigkey_id"
    };
    dcs_api::validate::validate_id(name, task)
}

pub async fn show(
    state: AppState,
    id: String,
    task: String,
    kind: Kind,
) -> Result<Response, AppError> {
    let inst = state.instance(&id)?;
    validate_task_id(kind, &task)?;
    let row = state
        .runner
        .get(&inst.id, kind, &task)?
        .ok_or_else(|| not_found(kind))?;
    Ok(task_json(&state, &row))
}

pub async fn delete(
    state: AppState,
    id: String,
    task: String,
    kind: Kind,
) -> Result<Response, AppError> {
    let inst = state.instance(&id)?;
    validate_task_id(kind, &task)?;
    state.runner.cancel(&inst.id, kind, &task);
    match state
        .store
        .delete(&inst.id, kind, &task)
        .map_err(crate::runner::internal)?
    {
        Some(row) => Ok(task_json(&state, &row)),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// Route adapters, one per method and kind.
pub mod routes {
    use super::*;

    pub async fn create_hot(
        State(s): State<AppState>,
        Path((_, id)): Path<(String, String)>,
    ) -> Result<Response, AppError> {
        create(s, id, Kind::Hotkey, ScanType::Manual).await
    }
    pub async fn create_big(
        State(s): State<AppState>,
        Path((_, id)): Path<(String, String)>,
    ) -> Result<Response, AppError> {
        create(s, id, Kind::Bigkey, ScanType::Manual).await
    }
    pub async fn list_hot(
        State(s): State<AppState>,
        Path((_, id)): Path<(String, String)>,
        q: ListParams,
    ) -> Result<Json<TaskList>, AppError> {
        list(s, id, Kind::Hotkey, q).await
    }
    pub async fn list_big(
        State(s): State<AppState>,
        Path((_, id)): Path<(String, String)>,
        q: ListParams,
    ) -> Result<Json<TaskList>, AppError> {
        list(s, id, Kind::Bigkey, q).await
    }
    pub async fn show_hot(
        State(s): State<AppState>,
        Path((_, id, t)): Path<(String, String, String)>,
    ) -> Result<Response, AppError> {
        show(s, id, t, Kind::Hotkey).await
    }
    pub async fn show_big(
        State(s): State<AppState>,
        Path((_, id, t)): Path<(String, String, String)>,
    ) -> Result<Response, AppError> {
        show(s, id, t, Kind::Bigkey).await
    }
    pub async fn delete_hot(
        State(s): State<AppState>,
        Path((_, id, t)): Path<(String, String, String)>,
    ) -> Result<Response, AppError> {
        delete(s, id, t, Kind::Hotkey).await
    }
    pub async fn delete_big(
        State(s): State<AppState>,
        Path((_, id, t)): Path<(String, String, String)>,
    ) -> Result<Response, AppError> {
        delete(s, id, t, Kind::Bigkey).await
    }
}
