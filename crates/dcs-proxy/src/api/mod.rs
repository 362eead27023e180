//! The DCS v2 cache-analysis API under `/v2/{project_id}` (docs/ARCHITECTURE.md §3), with DCS's exact paths:
//! note the singular `hotkey-task/{id}` beside the plural `hotkey-tasks`.

pub mod analysis;
pub mod autoscan;
pub mod configs;
pub mod expired;
pub mod instances;

use crate::auth::require_auth;
use crate::error::{unknown_path, wrong_method};
use crate::state::AppState;
use analysis::routes as tasks;
use axum::routing::{delete, get, post};
use axum::Router;

pub fn router(state: AppState) -> Router {
    let i = "/{project_id}/instances/{instance_id}";
    let api = Router::new()
        .route("/{project_id}/instances", get(instances::list))
        .route(i, get(instances::show))
        .route(
            &format!("{i}/configs"),
            get(configs::list).put(configs::update),
        )
        .route(&format!("{i}/hotkey-task"), post(tasks::create_hot))
        .route(&format!("{i}/hotkey-tasks"), get(tasks::list_hot))
        .route(
            &format!("{i}/hotkey-task/{{hotkey_id}}"),
            get(tasks::show_hot).delete(tasks::delete_hot),
        )
        .route(
            &format!("{i}/hotkey/autoscan"),
            get(autoscan::show_hot).put(autoscan::update_hot),
        )
        .route(&format!("{i}/bigkey-task"), post(tasks::create_big))
        .route(&format!("{i}/bigkey-tasks"), get(tasks::list_big))
        .route(
            &format!("{i}/bigkey-task/{{bigkey_id}}"),
            get(tasks::show_big).delete(tasks::delete_big),
        )
        .route(
            &format!("{i}/bigkey/autoscan"),
            get(autoscan::show_big).put(autoscan::update_big),
        )
        .route(&format!("{i}/scan-expire-keys-task"), post(expired::create))
        .route(
            &format!("{i}/scan-expire-keys-task/{{task_id}}"),
            delete(expired::stop),
        )
        .route(&format!("{i}/auto-expire/scan"), post(expired::create))
        .route(&format!("{i}/auto-expire/histories"), get(expired::history))
        .route(
            &format!("{i}/scan-expire-keys/autoscan-config"),
            get(autoscan::show_expire).put(autoscan::update_expire),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method);
    // Authentication wraps the whole /v2 tree, unknown paths included, and sees full paths.
    Router::new()
        .nest("/v2", api)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_auth,
        ))
        .with_state(state)
}
