//! Authentication of every `/v2` call (docs/ARCHITECTURE.md §6): the console's `X-Auth-Token`, or an AK/SK
//! signature (SDK-HMAC-SHA256) from a configured key pair, within ±15 minutes of our clock. Then
//! the path's project id must be ours. Missing → DCS.1003, wrong → DCS.1001, stale → DCS.1002,
//! other project → DCS.1004. Secrets are compared in constant time and never logged.

use crate::error::AppError;
use crate::extract::MAX_BODY;
use crate::signing;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dcs_api::{DcsError, ErrorCode};

pub async fn require_auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match authenticate(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn authenticate(state: &AppState, req: Request) -> Result<Request, AppError> {
    // Copied out first: a borrow of the request (its body is not Sync) must not live across an await.
    let (token, authorization) = {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        (header("x-auth-token"), header("authorization"))
    };
    let req = if let Some(token) = token {
        if !signing::constant_time_eq(token.as_bytes(), state.credentials.token.as_bytes()) {
            return Err(DcsError::new(ErrorCode::InvalidToken).into());
        }
        req
    } else if let Some(auth) = authorization {
        verify_signature(state, req, &auth).await?
    } else {
        return Err(DcsError::new(ErrorCode::NoToken).into());
    };
    let project = req
        .uri()
        .path()
        .strip_prefix("/v2/")
        .and_then(|p| p.split('/').next())
        .unwrap_or("");
    if project != state.project_id {
        return Err(DcsError::new(ErrorCode::ProjectMismatch).into());
    }
    Ok(req)
}

async fn verify_signature(state: &AppState, req: Request, auth: &str) -> Result<Request, AppError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| DcsError::invalid("request body"))?;
    signing::verify(
        &parts,
        auth,
        &bytes,
        &state.credentials.access_keys,
        state.clock.now(),
    )?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
