//! Authentication of every `/v2` call (DESIGN §6): the console's `X-Auth-Token`, or an AK/SK
//! signature (SDK-HMAC-SHA256) from a configured key pair, within ±15 minutes of our clock. Then
//! the path's project id must be ours. Missing → DCS.1003, wrong → DCS.1001, stale → DCS.1002,
//! other project → DCS.1004. Secrets are compared in constant time and never logged.

use crate::error::AppError;
use crate::extract::MAX_BODY;
use crate::signing::{self, SignedRequest};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dcs_api::{DcsError, ErrorCode};

/// Largest accepted difference between `X-Sdk-Date` and our clock.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

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
    let invalid = |why: &str| {
        AppError::from(DcsError::with_message(
            ErrorCode::InvalidToken,
            format!("Invalid token: {why}."),
        ))
    };
    let parsed = signing::parse_authorization(auth)
        .ok_or_else(|| invalid("unsupported Authorization header"))?;
    let key = state
        .credentials
        .access_keys
        .iter()
        .find(|k| signing::constant_time_eq(k.ak.as_bytes(), parsed.access.as_bytes()))
        .ok_or_else(|| invalid("unknown access key"))?;
    if !parsed.signed_headers.iter().any(|h| h == "x-sdk-date") {
        return Err(invalid("X-Sdk-Date must be signed"));
    }
    let (parts, body) = req.into_parts();
    let get = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let date = get("x-sdk-date")
        .ok_or_else(|| invalid("no X-Sdk-Date"))?
        .to_string();
    let at = signing::parse_sdk_date(&date).ok_or_else(|| invalid("malformed X-Sdk-Date"))?;
    if (state.clock.now() - at).num_seconds().abs() > MAX_SKEW_SECS {
        return Err(DcsError::with_message(
            ErrorCode::TokenExpired,
            "Token expired: X-Sdk-Date is more than 15 minutes from the server's time.",
        )
        .into());
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| DcsError::invalid("request body"))?;
    let body_hash = match get("x-sdk-content-sha256") {
        Some(signing::UNSIGNED_PAYLOAD) => signing::UNSIGNED_PAYLOAD.to_string(),
        _ => signing::sha256_hex(&bytes),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let path = signing::decode(parts.uri.path());
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: &path,
        query: signing::parse_query(parts.uri.query().unwrap_or("")),
        headers,
        signed_headers: parsed.signed_headers.clone(),
        body_hash,
    };
    let expected = signed.signature(&key.sk, &date);
    if !signing::constant_time_eq(expected.as_bytes(), parsed.signature.as_bytes()) {
        return Err(invalid("signature mismatch"));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
