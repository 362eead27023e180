//! Expired-key scans: create (two documented paths), stop (a local extension) and the history.

use crate::api::analysis::precheck;
use crate::api::autoscan::expire_config;
use crate::error::AppError;
use crate::extract::ListParams;
use crate::records::expire_task;
use crate::runner::ExpireParams;
use crate::state::AppState;
use crate::store::Kind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use dcs_analyzer::error::AnalysisKind;
use dcs_api::expire::{ExpireScanHistory, ExpireScanTask};
use dcs_api::ScanType;
use std::time::Duration;

/// A manual scan on an instance without a saved schedule stops after this long: at COUNT 10,
/// 100M keys take hours, and nobody should have to remember a scan they started.
pub const MANUAL_SCAN_DEADLINE: Duration = Duration::from_secs(3600);

/// How long `DELETE` waits for a scan to stop (it stops at its next batch) before answering.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// `POST …/scan-expire-keys-task` and `POST …/auto-expire/scan`. A manual scan uses the
/// instance's saved schedule: its `scan_keys_count` (10 until one is saved, DCS's gentlest) and
/// its `timeout` (until one is saved, [`MANUAL_SCAN_DEADLINE`]).
pub async fn create(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<ExpireScanTask>, AppError> {
    let inst = state.instance(&id)?.clone();
    state.runner.ensure_idle(&inst.id, Kind::Expire)?;
    precheck(&state, &inst, AnalysisKind::Expired).await?;
    let saved = expire_config(&state, &inst.id)?;
    let deadline = match saved.updated_at {
        Some(_) => Duration::from_secs(saved.timeout),
        None => MANUAL_SCAN_DEADLINE,
    };
    let row = state.runner.start(
        &inst,
        Kind::Expire,
        ScanType::Manual,
        ExpireParams {
            scan_keys_count: saved.scan_keys_count,
            timeout: Some(deadline),
        },
    )?;
    Ok(Json(expire_task(&row, None)))
}

/// `DELETE …/scan-expire-keys-task/{task_id}` (a local extension; DCS has no way to stop a scan):
/// stops a waiting or running scan. Its record stays, `failed` with "stopped on request" and, in
/// `num`, the keys reclaimed until then; the answer is that record once the scan has stopped.
/// A finished scan is answered as it is (stopping is idempotent); an unknown id with 204.
pub async fn stop(
    State(state): State<AppState>,
    Path((_, id, task)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let inst = state.instance(&id)?;
    dcs_api::validate::validate_id("task_id", &task)?;
    if state.runner.cancel(&inst.id, Kind::Expire, &task) {
        let until = tokio::time::Instant::now() + STOP_WAIT;
        while state.runner.is_active(&inst.id, Kind::Expire, &task)
            && tokio::time::Instant::now() < until
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    match state.runner.get(&inst.id, Kind::Expire, &task)? {
        Some(row) => {
            let progress = state.runner.progress(&inst.id, Kind::Expire, &task);
            Ok(Json(expire_task(&row, progress)).into_response())
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// `GET …/auto-expire/histories?offset&limit&status`: newest first; `num` = keys reclaimed.
pub async fn history(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    q: ListParams,
) -> Result<Json<ExpireScanHistory>, AppError> {
    let inst = state.instance(&id)?;
    let (total, rows) = state.runner.list(&inst.id, Kind::Expire, &q.0)?;
    let records: Vec<ExpireScanTask> = rows
        .iter()
        .map(|r| {
            expire_task(
                r,
                state.runner.progress(&r.instance_id, Kind::Expire, &r.id),
            )
        })
        .collect();
    Ok(Json(ExpireScanHistory {
        instance_id: inst.id.clone(),
        total,
        count: records.len() as u64,
        records,
    }))
}
