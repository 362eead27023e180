//! One error type for every handler, answered as a DCS error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use dcs_api::{DcsError, ErrorCode};

/// A handler failure; the response is always `{"error_code","error_msg","error_ext_msg":null}`
/// with the code's HTTP status (or an explicit one, e.g. 405).
#[derive(Debug)]
pub struct AppError(pub DcsError, pub Option<StatusCode>);

impl From<DcsError> for AppError {
    fn from(e: DcsError) -> Self {
        AppError(e, None)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.1.unwrap_or_else(|| {
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        });
        (status, Json(self.0.body())).into_response()
    }
}

/// Fallback for paths the API does not have: 404 DCS.4001.
pub async fn unknown_path() -> AppError {
    DcsError::new(ErrorCode::UrlNotFound).into()
}

/// A known path with the wrong method: 405 with DCS.4001.
pub async fn wrong_method() -> AppError {
    AppError(
        DcsError::with_message(
            ErrorCode::UrlNotFound,
            "The requested URL does not exist for this method.",
        ),
        Some(StatusCode::METHOD_NOT_ALLOWED),
    )
}

/// A storage failure: logged, answered as DCS.5000 without details.
pub fn internal(e: impl std::fmt::Display) -> DcsError {
    tracing::error!("internal error: {e}");
    DcsError::new(ErrorCode::Internal)
}

/// The store refusing a write (read-only or full disk): DCS.5000 that says so, since only the
/// operator can fix it.
pub fn storage(e: impl std::fmt::Display) -> DcsError {
    tracing::error!("cannot write the database: {e}");
    DcsError::with_message(
        ErrorCode::Internal,
        format!("The proxy cannot record the task: its database refused the write ({e})."),
    )
}
