//! Request extractors whose rejections are DCS errors, never axum's plain-text ones.

use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use dcs_api::validate::ListQuery;
use dcs_api::DcsError;
use serde::de::DeserializeOwned;

/// Largest accepted request body.
pub const MAX_BODY: usize = 64 * 1024;

/// A JSON body: malformed or oversized → DCS.4800.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, AppError> {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| {
                DcsError::with_message(
                    dcs_api::ErrorCode::InvalidParameter,
                    format!("Invalid request body: larger than {} KiB.", MAX_BODY / 1024),
                )
            })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            DcsError::with_message(
                dcs_api::ErrorCode::InvalidParameter,
                format!("Invalid request body: {e}."),
            )
            .into()
        })
    }
}

/// `DELETE`'s `?delete_record=true|false` (a local extension): an expired-key scan's record is
/// kept when it is stopped, and deleted only when asked for by name — so a Stop that arrives as
/// the scan ends never loses what it reclaimed. Any other value → DCS.4800.
pub struct DeleteParams(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for DeleteParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let pairs = crate::signing::parse_query(parts.uri.query().unwrap_or(""));
        match pairs.iter().find(|(n, _)| n == "delete_record") {
            None => Ok(DeleteParams(false)),
            Some((_, v)) if v == "true" => Ok(DeleteParams(true)),
            Some((_, v)) if v == "false" => Ok(DeleteParams(false)),
            Some(_) => Err(DcsError::invalid("delete_record (true or false)").into()),
        }
    }
}

/// `?pace=gentle|fast` when a task is started (a local extension; absent: the instance's
/// `pace`). Any other value → DCS.4800.
pub struct PaceParam(pub Option<dcs_api::Pace>);

impl<S: Send + Sync> FromRequestParts<S> for PaceParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let pairs = crate::signing::parse_query(parts.uri.query().unwrap_or(""));
        match pairs.iter().find(|(n, _)| n == "pace") {
            None => Ok(PaceParam(None)),
            Some((_, v)) => v
                .parse()
                .map(|p| PaceParam(Some(p)))
                .map_err(|_| DcsError::invalid("pace (gentle or fast)").into()),
        }
    }
}

/// `?offset&limit&status`, validated.
pub struct ListParams(pub ListQuery);

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let pairs = crate::signing::parse_query(parts.uri.query().unwrap_or(""));
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        Ok(ListParams(ListQuery::parse(
            get("offset"),
            get("limit"),
            get("status"),
        )?))
    }
}

/// `?name=…&db=…` of `GET …/key-details`: the name as reports show it, and its database
/// (absent: 0); checked by `dcs_api::key`.
pub struct KeyParams {
    pub name: String,
    pub db: u32,
}

impl<S: Send + Sync> FromRequestParts<S> for KeyParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let pairs = crate::signing::parse_query(parts.uri.query().unwrap_or(""));
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let name = dcs_api::key::check_name(get("name"))?.to_string();
        let db = dcs_api::key::check_db(get("db"))?;
        Ok(KeyParams { name, db })
    }
}
