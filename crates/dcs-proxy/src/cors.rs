//! CORS for `/v2`, so a console on static hosting (another origin) can call the proxy.
//!
//! Only the origins in the config's `allowed_origins` get CORS headers, each echoed exactly (never
//! `*`, never `Access-Control-Allow-Credentials`: the console authenticates with a header, not a
//! cookie). A preflight from any other origin is answered 403 with a DCS body and no CORS headers,
//! so the browser refuses the call. Everything outside `/v2` (the console, `/config.json`,
//! `/openapi.json`) stays same-origin.
//!
//! Written here rather than with `tower_http::cors`, which answers every preflight with its
//! allowed methods and headers whatever the origin; this way another origin learns nothing.

use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dcs_api::{DcsError, ErrorCode};
use std::sync::Arc;

/// The methods the API routes use.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE";

/// The request headers the console and the official SDKs send (SDK-HMAC-SHA256 signs with the
/// `X-Sdk-*` ones and `Authorization`; IAM-token clients send `X-Auth-Token`).
pub const ALLOW_HEADERS: &str = "X-Auth-Token, Content-Type, Authorization, X-Sdk-Date, \
     X-Sdk-Content-Sha256, X-Project-Id, X-Security-Token";

/// How long a browser may cache a preflight answer, in seconds.
pub const MAX_AGE_SECS: &str = "600";

/// The configured origins, as browsers send them.
pub type AllowedOrigins = Arc<Vec<String>>;

/// The middleware (install with `axum::middleware::from_fn_with_state`).
pub async fn cors(State(allowed): State<AllowedOrigins>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path != "/v2" && !path.starts_with("/v2/") {
        return next.run(req).await;
    }
    let origin = req.headers().get(ORIGIN).cloned();
    let permitted = origin
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| allowed.iter().any(|a| a == o));
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = match (preflight, permitted) {
        (true, true) => StatusCode::NO_CONTENT.into_response(),
        (true, false) => refused(origin.as_ref()),
        (false, _) => next.run(req).await,
    };
    let headers = resp.headers_mut();
    // The answer depends on Origin whenever CORS is configured; shared caches must know.
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let (true, Some(origin)) = (permitted, origin) {
        allow(headers, origin, preflight);
    }
    resp
}

fn allow(headers: &mut HeaderMap, origin: HeaderValue, preflight: bool) {
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if preflight {
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
    }
}

/// 403 DCS.2003 naming the origin (not a secret; it helps whoever reads the proxy's answers).
fn refused(origin: Option<&HeaderValue>) -> Response {
    let who = origin
        .and_then(|o| o.to_str().ok())
        .unwrap_or("(no Origin header)");
    AppError::from(DcsError::with_message(
        ErrorCode::Forbidden,
        format!("The origin {who} is not in the proxy's allowed_origins."),
    ))
    .into_response()
}
