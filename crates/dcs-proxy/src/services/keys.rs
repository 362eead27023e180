//! One key: its details (bounded reads, any instance) and the actions on it (`UNLINK`,
//! `EXPIRE`), only where the instance has `allow_key_actions = true`, each recorded before it is
//! done and completed with what happened (`GET …/key-actions` lists them).

use crate::config::InstanceConfig;
use crate::error::{internal, storage};
use crate::state::AppState;
use crate::store::KeyActionRow;
use dcs_analyzer::key_details;
use dcs_api::key::{check_name, KeyActionBody, KeyActionList, KeyActionRecord, KeyDetails, MAX_DB};
use dcs_api::validate::ListQuery;
use dcs_api::{DcsError, ErrorCode, KeyActionKind, TaskKind};

fn invalid(message: String) -> DcsError {
    DcsError::with_message(ErrorCode::InvalidParameter, message)
}

/// The engine's failure as DCS words it; a database the server does not have is the
/// request's mistake (DCS.4800), not the instance's.
fn unreachable(e: dcs_analyzer::AnalyzerError) -> DcsError {
    match &e {
        dcs_analyzer::AnalyzerError::Protocol { detail, .. }
            if detail.contains("DB index is out of range") =>
        {
            invalid(format!("db is not a database of this instance ({detail})."))
        }
        _ => e.to_dcs(TaskKind::Bigkey),
    }
}

fn no_such_key(name: &str, db: u32) -> DcsError {
    invalid(format!(
        "No key {name:?} in database {db} (it may have expired or been deleted since the analysis)."
    ))
}

/// `GET …/key-details?name=…&db=…`.
pub async fn details(
    state: &AppState,
    inst: &InstanceConfig,
    name: &str,
    db: u32,
) -> Result<KeyDetails, DcsError> {
    let opts = inst.options(&state.opts);
    let found = key_details::details(&inst.target, &opts, db, name)
        .await
        .map_err(unreachable)?;
    let mut d = found.ok_or_else(|| no_such_key(name, db))?;
    d.actions_allowed = inst.allow_key_actions;
    Ok(d)
}

/// `POST …/key-actions`: refused (DCS.2003) unless the instance allows it; recorded first.
pub async fn act(
    state: &AppState,
    inst: &InstanceConfig,
    body: &KeyActionBody,
) -> Result<KeyActionRecord, DcsError> {
    if !inst.allow_key_actions {
        return Err(DcsError::with_message(
            ErrorCode::Forbidden,
            "Key actions are off for this instance; set allow_key_actions = true in its [[instances]] section to allow UNLINK and EXPIRE.",
        ));
    }
    body.check()?;
    let name = check_name(Some(&body.name))?;
    if body.db > MAX_DB {
        return Err(invalid(format!("db must be a number from 0 to {MAX_DB}.")));
    }
    let opts = inst.options(&state.opts);
    let mut found = key_details::find(&inst.target, &opts, body.db, name)
        .await
        .map_err(unreachable)?
        .ok_or_else(|| no_such_key(name, body.db))?;
    let mut row = KeyActionRow {
        id: uuid::Uuid::new_v4().to_string(),
        instance_id: inst.id.clone(),
        name: name.to_string(),
        db: body.db,
        action: body.action.as_str().to_string(),
        ttl: body.ttl,
        outcome: "started".into(),
        created_at: state.clock.now_ms(),
    };
    // Not recorded, not done.
    state.store.insert_key_action(&row).map_err(storage)?;
    let done = match (body.action, body.ttl) {
        (KeyActionKind::Expire, Some(ttl)) => key_details::expire(&mut found, ttl).await,
        _ => key_details::unlink(&mut found).await,
    };
    row.outcome = match &done {
        Ok(true) => "done".into(),
        Ok(false) => "no such key".into(),
        Err(e) => format!("failed: {e}"),
    };
    tracing::info!(instance = %inst.id, action = %row.action, db = row.db, outcome = %row.outcome, "key action");
    state
        .store
        .finish_key_action(&row.id, &row.outcome)
        .map_err(storage)?;
    done.map_err(unreachable)?;
    Ok(record(row))
}

/// `GET …/key-actions`: newest first, paged.
pub fn list(
    state: &AppState,
    inst: &InstanceConfig,
    q: &ListQuery,
) -> Result<KeyActionList, DcsError> {
    let (total, rows) = state
        .store
        .key_actions(&inst.id, q.offset, q.limit)
        .map_err(internal)?;
    Ok(KeyActionList {
        total,
        records: rows.into_iter().map(record).collect(),
    })
}

fn record(r: KeyActionRow) -> KeyActionRecord {
    KeyActionRecord {
        id: r.id,
        instance_id: r.instance_id,
        name: r.name,
        db: r.db,
        action: r.action.parse().unwrap_or(KeyActionKind::Unlink),
        ttl: r.ttl,
        outcome: r.outcome,
        created_at: crate::records::ts(r.created_at),
    }
}
