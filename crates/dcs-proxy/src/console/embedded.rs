//! The release console compiled into the binary (`make release`: feature `embed-console`), so one
//! file deploys the proxy and its console. Served like a `console_dir`: files by path, anything
//! else `index.html` (deep links); `console_dir` in the config still wins.
//!
//! The folder (relative to this crate's `Cargo.toml`) is the workspace's `dist/` at build time. `allow_missing` lets the feature compile
//! (for lints) before a console is built; such a binary refuses to start rather than serve nothing
//! (see [`has_console`]).

use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../dist/"]
#[allow_missing = true]
struct Console;

/// Whether a console was there to embed when this binary was built.
pub fn has_console() -> bool {
    Console::get("index.html").is_some()
}

/// The embedded `index.html`, for its Content-Security-Policy.
pub fn index_html() -> Option<String> {
    Console::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

/// Every path of the embedded console, for `dcs-proxy check`.
pub fn file_count() -> usize {
    Console::iter().count()
}

pub async fn serve(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let file = match Console::get(if path.is_empty() { "index.html" } else { path }) {
        Some(file) => Some(file),
        // A missing file is a 404, not the console (see `console.rs`).
        None if super::names_a_file(uri.path()) => None,
        None => Console::get("index.html"),
    };
    match file {
        Some(file) => (
            [(header::CONTENT_TYPE, file.metadata.mimetype().to_string())],
            file.data,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
