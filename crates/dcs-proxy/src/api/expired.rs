//! Expired-key scans: create (two documented paths) and the history.

use crate::api::analysis::precheck;
use crate::api::autoscan::expire_config;
use crate::error::AppError;
use crate::extract::ListParams;
use crate::records::expire_task;
use crate::runner::ExpireParams;
use crate::state::AppState;
use crate::store::Kind;
use axum::extract::{Path, State};
use axum::Json;
use dcs_analyzer::error::AnalysisKind;
use dcs_api::expire::{ExpireScanHistory, ExpireScanTask};
use dcs_api::ScanType;

/// `POST …/scan-expire-keys-task` and `POST …/auto-expire/scan`. A manual scan uses the
/// instance's configured `scan_keys_count` (10 until one is saved, DCS's gentlest) and no timeout.
pub async fn create(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<ExpireScanTask>, AppError> {
    let inst = state.instance(&id)?.clone();
    state.runner.ensure_idle(&inst.id, Kind::Expire)?;
    precheck(&state, &inst.target, AnalysisKind::Expired).await?;
    let count = expire_config(&state, &inst.id)?.scan_keys_count;
    let row = state.runner.start(
        &inst,
        Kind::Expire,
        ScanType::Manual,
        ExpireParams {
            scan_keys_count: count,
            timeout: None,
        },
    )?;
    Ok(Json(expire_task(&row, None)))
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
