//! One error type for every handler, answered as a DCS error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use dcs_api::{DcsError, ErrorCode};

/// A handler failure; the response is always `{"error_code","error_msg","error_ext_msg":null}`.
#[derive(Debug)]
pub struct AppError(pub DcsError);

impl From<DcsError> for AppError {
    fn from(e: DcsError) -> Self {
        AppError(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0.body())).into_response()
    }
}

/// Fallback for paths the API does not have: 404 DCS.4001.
pub async fn unknown_path() -> AppError {
    AppError(DcsError::new(ErrorCode::UrlNotFound))
}
