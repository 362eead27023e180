//! The console's static files, with a fallback to `index.html` so deep links such as
//! `/instances/x/hotkeys/y` load the app, and `/config.json` for its runtime settings.

use crate::Settings;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// `/config.json` as the console reads it (`src/api.rs`, `RuntimeConfig`).
#[derive(Clone, Debug, Serialize)]
pub struct ConsoleConfig {
    pub api_base: String,
    pub project_id: String,
    pub mode: String,
}

pub fn routes(settings: &Settings) -> Router {
    let config = ConsoleConfig {
        api_base: String::new(),
        project_id: settings.project_id.clone(),
        mode: "local".into(),
    };
    let index = settings.console_dir.join("index.html");
    // index.html must never be cached: it names the hashed assets of the current build.
    let files = ServeDir::new(&settings.console_dir).fallback(ServeFile::new(index));
    Router::new()
        .route(
            "/config.json",
            get(move || {
                let config = config.clone();
                async move { Json(config) }
            }),
        )
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
