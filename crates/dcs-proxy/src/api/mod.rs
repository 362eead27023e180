//! The DCS v2 cache-analysis API under `/v2/{project_id}` (docs/ARCHITECTURE.md §3), with DCS's
//! exact paths (note the singular `hotkey-task/{id}` beside the plural `hotkey-tasks`; each
//! kind's paths are `dcs_api::TaskKind`'s). Handlers translate HTTP; `services` do the work.

pub mod backups;
pub mod configs;
pub mod instances;
pub mod keys;
pub mod schedules;
pub mod tasks;

use crate::auth::require_auth;
use crate::error::{unknown_path, wrong_method};
use crate::extract::{DeleteParams, JsonBody, ListParams, PaceParam};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use dcs_api::TaskKind;

type Instance = Path<(String, String)>;
type Task = Path<(String, String, String)>;

pub fn router(state: AppState) -> Router {
    let i = "/{project_id}/instances/{instance_id}";
    let mut api = Router::new()
        .route("/{project_id}/instances", get(instances::list))
        .route(i, get(instances::show))
        .route(
            &format!("{i}/configs"),
            get(configs::list).put(configs::update),
        )
        .route(&format!("{i}/logical-nodes"), get(instances::logical_nodes))
        .route(
            &format!("{i}/backups"),
            get(backups::list).post(backups::create),
        )
        .route(&format!("{i}/key-details"), get(keys::details))
        .route(&format!("{i}/key-actions"), get(keys::list).post(keys::act));
    for &kind in TaskKind::ALL {
        for path in kind.create_paths() {
            let create = if kind.create_takes_body() {
                post(
                    |State(s): State<AppState>, Path((_, id)): Instance, body: JsonBody<_>| {
                        tasks::create_key_analysis(s, id, body)
                    },
                )
            } else {
                post(
                    move |State(s): State<AppState>, Path((_, id)): Instance, pace: PaceParam| {
                        tasks::create(s, kind, id, pace)
                    },
                )
            };
            api = api.route(&format!("{i}/{path}"), create);
        }
        let list = get(
            move |State(s): State<AppState>, Path((_, id)): Instance, q: ListParams| {
                tasks::list(s, kind, id, q)
            },
        );
        api = api.route(&format!("{i}/{}", kind.list_path()), list);
        let one = format!("{i}/{}/{{{}}}", kind.task_path(), kind.id_param());
        api = api.route(&one, task_routes(kind));
        if let Some(path) = kind.schedule_path() {
            api = api.route(&format!("{i}/{path}"), schedule_routes(kind));
        }
    }
    let api = api
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

/// `DELETE` stops a task of any kind (an expired-key scan's record is kept unless
/// `?delete_record=true`); DCS shows one hot/big-key task, but has no way to read
/// one expired-key scan (its history lists them).
fn task_routes(kind: TaskKind) -> MethodRouter<AppState> {
    let stop = delete(
        move |State(s): State<AppState>, Path((_, id, t)): Task, delete: DeleteParams| {
            tasks::stop(s, kind, (id, t), delete)
        },
    );
    if kind == TaskKind::Expire {
        return stop;
    }
    stop.get(move |State(s): State<AppState>, Path((_, id, t)): Task| tasks::show(s, kind, (id, t)))
}

/// `GET` shows a schedule of any kind; `PUT` takes daily times or an interval, by kind.
fn schedule_routes(kind: TaskKind) -> MethodRouter<AppState> {
    let show =
        get(move |State(s): State<AppState>, Path((_, id)): Instance| schedules::show(s, kind, id));
    match kind {
        TaskKind::Expire => show.put(
            move |State(s): State<AppState>, Path((_, id)): Instance, body: JsonBody<_>| {
                schedules::update_expire(s, id, body)
            },
        ),
        TaskKind::Hotkey | TaskKind::Bigkey | TaskKind::Keyspace => show.put(
            move |State(s): State<AppState>, Path((_, id)): Instance, body: JsonBody<_>| {
                schedules::update_daily(s, kind, id, body)
            },
        ),
    }
}
