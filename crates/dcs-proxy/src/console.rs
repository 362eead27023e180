//! The console's static files (a folder, or the copy built into the binary), with a fallback to
//! `index.html` so deep links such as `/instances/x/hotkeys/y` load the app, and `/config.json`
//! for its runtime settings.
//! Trunk names assets with a content hash, so those are cached for a year; everything else
//! (index.html above all) is revalidated.

use crate::config::ConsoleSource;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::services::{ServeDir, ServeFile};

/// `/config.json` as the console reads it (`src/api.rs`, `RuntimeConfig`).
#[derive(Clone, Debug, Serialize)]
pub struct ConsoleConfig {
    pub api_base: String,
    pub project_id: String,
    /// `local` or `cloud`.
    pub mode: String,
    /// Cloud mode: the endpoint's region (e.g. `eu-de`), when its name tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// `cloud_endpoint` is set in cloud mode.
pub fn routes(console: &ConsoleSource, project_id: &str, cloud_endpoint: Option<&str>) -> Router {
    let config = ConsoleConfig {
        api_base: String::new(),
        project_id: project_id.to_string(),
        mode: if cloud_endpoint.is_some() {
            "cloud"
        } else {
            "local"
        }
        .into(),
        region: cloud_endpoint.and_then(crate::cloud::region),
    };
    let router = Router::new().route(
        "/config.json",
        get(move || {
            let config = config.clone();
            async move { Json(config) }
        }),
    );
    let router = match console {
        ConsoleSource::Dir(dir) => router
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))),
        #[cfg(feature = "embed-console")]
        ConsoleSource::Embedded => router.fallback(crate::embedded::serve),
        #[cfg(not(feature = "embed-console"))]
        ConsoleSource::Embedded => router,
    };
    router
        .layer(axum::middleware::from_fn(cache_headers))
        .layer(axum::middleware::from_fn(no_dotfiles))
}

/// `/.env`, `/.git/config`, `/x/.htpasswd`: never served, and not answered with the console
/// either (a 200 there would look like a hit to a scanner).
async fn no_dotfiles(req: Request, next: Next) -> Response {
    // File services decode the path: `%2E` is a dot too.
    let path = req.uri().path().replace("%2e", ".").replace("%2E", ".");
    if path.split('/').any(|s| s.starts_with('.')) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

/// `name-0123456789abcdef.ext` (Trunk's hashed names).
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut resp = next.run(req).await;
    let value = if hashed && resp.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names() {
        assert!(super::is_hashed_asset(
            "/dcs-console-2e2cdfdc74aae827_bg.wasm"
        ));
        assert!(super::is_hashed_asset("/main-ab72decc894c59a6.css"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/instances/abc-def/hotkeys"));
    }
}
