//! `dcs-proxy`: the server the console talks to.
//!
//! It serves the console's static files (`console`), its runtime `/config.json`, and the DCS v2
//! cache-analysis API under `/v2/{project_id}` (`error` turns every failure into a DCS body).
//! [`app`] builds the whole router so tests can drive it with `tower::ServiceExt::oneshot`.

pub mod console;
pub mod error;

use axum::Router;
use std::path::PathBuf;
use tower_http::compression::CompressionLayer;

/// What the router needs to know.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The built console (`dist/`).
    pub console_dir: PathBuf,
    /// The project id the API answers for.
    pub project_id: String,
}

/// The whole HTTP surface.
pub fn app(settings: Settings) -> Router {
    Router::new()
        .nest("/v2", Router::new().fallback(error::unknown_path))
        .merge(console::routes(&settings))
        .layer(CompressionLayer::new())
}
