//! `dcs-proxy`: the server the console talks to (docs/ARCHITECTURE.md §2, §3, §6).
//!
//! Layout:
//! * [`config`] — the TOML configuration, [`check`] — `dcs-proxy check`; [`token`] — the
//!   console token.
//! * [`api`] — the DCS v2 routes, one file per resource, translating HTTP to [`services`]
//!   (tasks, schedules); [`auth`] — token and AK/SK checks ([`signing`] holds SDK-HMAC-SHA256);
//!   [`extract`] and [`error`] make every failure a DCS body.
//! * [`server`] — the HTTP/1.1 loop with connection limits and timeouts.
//! * [`runner`] — analyses as tasks; [`store`] — SQLite history and schedules; [`records`] —
//!   stored tasks as wire types; [`scheduler`] — `auto` scans; [`clock`] — injectable time.
//! * [`console`] — the static console, `/config.json` (`console::embedded` with the
//!   `embed-console` feature: the console built into the binary); [`cors`] — `/v2` for allowed
//!   other origins; [`files`] — the data folder's permissions.
//!
//! The binary (`main.rs`) adds the command line and `dcs-proxy demo`.
//!
//! [`app`] builds the whole router so tests can drive it with `tower::ServiceExt::oneshot`.

pub mod api;
pub mod auth;
pub mod check;
pub mod clock;
pub mod cloud;
pub mod config;
pub mod console;
pub mod cors;
pub mod error;
pub mod extract;
pub mod files;
pub mod headers;
pub mod openapi;
pub mod records;
pub mod runner;
pub mod scheduler;
pub mod server;
pub mod services;
pub mod signing;
pub mod state;
pub mod store;
pub mod token;

use crate::clock::Clock;
use crate::config::Config;
use crate::runner::Runner;
use crate::state::{AppState, Credentials};
use crate::store::Store;
use axum::Router;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;

/// The whole HTTP surface: `/v2` (authenticated), `/config.json` and the console.
pub fn app(state: AppState) -> Router {
    let v2 = if let Some(forwarder) = state.cloud.clone() {
        cloud_router(state.clone(), forwarder)
    } else {
        api::router(state.clone())
    };
    let app = v2
        .route("/openapi.json", axum::routing::get(openapi::serve))
        .merge(console::routes(
            &state.console,
            &state.project_id,
            state.cloud.as_ref().map(|c| c.endpoint()),
        ));
    // Outermost, so that a preflight never meets authentication and a 401 is readable
    // cross-origin (the console then shows its sign-in prompt).
    let app = if state.allowed_origins.is_empty() {
        app
    } else {
        app.layer(axum::middleware::from_fn_with_state(
            state.allowed_origins.clone(),
            cors::cors,
        ))
    };
    app.layer(CompressionLayer::new())
        .layer(headers::everywhere())
}

/// Cloud mode's `/v2`: authenticated like local mode, then forwarded (or refused) as a whole.
fn cloud_router(state: AppState, forwarder: Arc<cloud::forward::Forwarder>) -> Router {
    let forward = Router::new()
        .fallback(cloud::forward::forward)
        .with_state(forwarder);
    Router::new()
        .nest("/v2", forward)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_auth,
        ))
        .with_state(state)
}

/// Opens the store (failing tasks a previous run left unfinished) and wires the state.
pub fn open_state(
    config: &Config,
    token: String,
    clock: Arc<dyn Clock>,
) -> Result<AppState, String> {
    files::private_dir(&config.data_dir)
        .map_err(|e| format!("{}: {e}", config.data_dir.display()))?;
    let db = config.data_dir.join("dcs-proxy.db");
    let at = |e: rusqlite::Error| format!("{}: {e}", db.display());
    let store = if files::writable(&config.data_dir) {
        let store = Store::open(&db, clock.now_ms()).map_err(at)?;
        // The history names keys and instances: the owner's alone, like the token beside it.
        for file in [
            "dcs-proxy.db",
            "dcs-proxy.db-wal",
            "dcs-proxy.db-shm",
            "dcs-proxy.db-journal",
        ] {
            let path = config.data_dir.join(file);
            if path.exists() {
                files::set_mode(&path, 0o600).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        services::backups::remove_unkept(&store, &config.data_dir.join("backups"));
        store
    } else {
        // A data folder mounted read-only (an old one, for inspection): its history is served,
        // and every new task is refused with the reason.
        tracing::warn!(
            "{} is read-only: serving its history; no task can be started or recorded",
            config.data_dir.display()
        );
        Store::open_read_only(&db).map_err(at)?
    };
    let store = Arc::new(store);
    let opts = dcs_analyzer::ScanOptions::default();
    let cloud = match &config.cloud {
        Some(c) => Some(Arc::new(cloud::forward::Forwarder::new(
            c,
            &config.project_id,
            clock.clone(),
        )?)),
        None => None,
    };
    Ok(AppState {
        cloud,
        project_id: config.project_id.clone(),
        console: config.console.clone(),
        limits: config.limits,
        allowed_origins: Arc::new(config.allowed_origins.clone()),
        instances: Arc::new(config.instances.clone()),
        runner: Runner::new(store.clone(), clock.clone()),
        store,
        credentials: Arc::new(Credentials {
            token,
            access_keys: config.access_keys.clone(),
        }),
        clock,
        opts,
        backup_dir: config.data_dir.join("backups"),
        backup_limits: config.backups,
    })
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, so `kill` stops the proxy as cleanly as Ctrl-C
/// (the demo's Redis children included).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Serves `state` on `listener` until `shutdown` resolves, with the scheduler running.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let scheduler = tokio::spawn(scheduler::Scheduler::new(state.clone()).run());
    let limits = state.limits;
    let result = server::run(listener, app(state), limits, shutdown).await;
    scheduler.abort();
    result
}
