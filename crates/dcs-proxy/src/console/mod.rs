//! The console's static files (a folder, or the copy built into the binary), with a fallback to
//! `index.html` so deep links such as `/instances/x/hotkeys/y` load the app, and `/config.json`
//! for its runtime settings.
//! Trunk names assets with a content hash, so those are cached for a year; everything else
//! (index.html above all) is revalidated. A path that names a file (its last segment has a dot)
//! and is missing answers 404 — never `index.html`, which a browser would then cache as that
//! asset. Pages carry the Content-Security-Policy of [`crate::headers`].

#[cfg(feature = "embed-console")]
pub mod embedded;

use crate::config::ConsoleSource;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dcs_api::console::ConsoleConfig;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// `cloud_endpoint` is set in cloud mode.
pub fn routes(console: &ConsoleSource, project_id: &str, cloud_endpoint: Option<&str>) -> Router {
    let config = ConsoleConfig {
        api_base: String::new(),
        project_id: project_id.to_string(),
        mode: Some(
            if cloud_endpoint.is_some() {
                "cloud"
            } else {
                "local"
            }
            .into(),
        ),
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
        ConsoleSource::Dir(dir) => {
            let index = dir.join("index.html");
            let deep_link = tower::service_fn(move |req: Request| {
                let index = index.clone();
                async move {
                    if names_a_file(req.uri().path()) {
                        return Ok(StatusCode::NOT_FOUND.into_response());
                    }
                    ServeFile::new(index)
                        .oneshot(req)
                        .await
                        .map(IntoResponse::into_response)
                }
            });
            router.fallback_service(ServeDir::new(dir).fallback(deep_link))
        }
        #[cfg(feature = "embed-console")]
        ConsoleSource::Embedded => router.fallback(embedded::serve),
        #[cfg(not(feature = "embed-console"))]
        ConsoleSource::Embedded => router,
    };
    router
        .layer(axum::middleware::from_fn(cache_headers))
        .layer(axum::middleware::from_fn_with_state(
            console.clone(),
            content_security_policy,
        ))
        .layer(axum::middleware::from_fn(no_dotfiles))
}

/// The last segment has a dot: `/app-0123.js`, `/favicon.ico` — a file, not a console route.
pub fn names_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Every HTML answer is the console's `index.html`: give it the policy for its inline script.
async fn content_security_policy(
    State(console): State<ConsoleSource>,
    req: Request,
    next: Next,
) -> Response {
    let mut resp = next.run(req).await;
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html {
        if let Some(index) = index_html(&console) {
            crate::headers::add_policy(&mut resp, &index);
        }
    }
    resp
}

/// The `index.html` being served now (read again each time: a rebuilt console has a new script).
fn index_html(console: &ConsoleSource) -> Option<String> {
    match console {
        ConsoleSource::Dir(dir) => std::fs::read_to_string(dir.join("index.html")).ok(),
        #[cfg(feature = "embed-console")]
        ConsoleSource::Embedded => embedded::index_html(),
        #[cfg(not(feature = "embed-console"))]
        ConsoleSource::Embedded => None,
    }
}

/// `/.env`, `/.git/config`, `/x/.htpasswd`: never served, and not answered with the console
/// either (a 200 there would look like a hit to a scanner).
async fn no_dotfiles(req: Request, next: Next) -> Response {
    // File services decode the path: `%2E` is a dot too.
    let path = req.uri().path().replace("%2e", ".").replace("%2E", ".");
    if path.split('/').any(|s| s.starts_with('.')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

/// `name-0123456789abcdef.ext` (Trunk's hashed names).
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        // Trunk writes the 64-bit hash without leading zeros: 16 digits, sometimes fewer.
        .is_some_and(|(_, h)| {
            (12..=16).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit())
        })
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
        assert!(super::is_hashed_asset("/dcs-console-848021fac735de9.js"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/instances/abc-def/hotkeys"));
    }
}
