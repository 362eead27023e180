//! Status badge, progress bar and live elapsed time of a task.

use crate::api::{Api, ApiError};
use crate::components::error_banner::ErrorBanner;
use crate::format::duration_ms;
use dcs_api::{TaskStatus, Timestamp};
use leptos::prelude::*;

pub fn badge_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Success => "badge badge-ok",
        TaskStatus::Failed => "badge badge-bad",
        _ => "badge badge-warn",
    }
}

#[component]
pub fn StatusBadge(
    status: TaskStatus,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span class=badge_class(status) data-testid=testid>
            {status.as_str()}
        </span>
    }
}

/// While a task is waiting or running: a progress bar (indeterminate without `progress`) and
/// the time since it was created, ticking every second.
#[component]
pub fn TaskProgress(
    status: TaskStatus,
    progress: Option<u8>,
    since: Timestamp,
    now_ms: ReadSignal<i64>,
) -> impl IntoView {
    let elapsed = move || duration_ms(now_ms.get() - since.millis());
    let label = match (status, progress) {
        (TaskStatus::Waiting, _) => "Waiting to start".to_string(),
        (_, Some(p)) => format!("Scanning: {p}%"),
        _ => "Scanning…".to_string(),
    };
    view! {
        <div class="progress-wrap" data-testid="task-progress">
            <div class="progress-label">
                <span>{label}</span>
                <span class="muted">{elapsed}</span>
            </div>
            {match progress {
                Some(p) => {
                    view! { <progress max="100" value=p aria-label="Scan progress"></progress> }
                        .into_any()
                }
                None => view! { <progress aria-label="Scan progress"></progress> }.into_any(),
            }}
        </div>
    }
}

/// What Stop does for one task: `DELETE` on its API `path`, then `done`.
#[derive(Clone)]
pub struct Stop {
    pub path: String,
    pub done: Callback<()>,
}

/// Sends the `DELETE` of `stop`, then its `done`; `busy` while it travels, `error` if refused.
fn send(api: &Api, stop: &Stop, busy: RwSignal<bool>, error: RwSignal<Option<ApiError>>) {
    let (api, stop) = (api.clone(), stop.clone());
    busy.set(true);
    error.set(None);
    leptos::task::spawn_local(async move {
        match api.stop(&stop.path).await {
            Ok(()) => stop.done.run(()),
            Err(e) => error.set(Some(e)),
        }
        busy.set(false);
    });
}

/// Stops a waiting or running task, saying why when the proxy refuses.
#[component]
pub fn StopButton(stop: Stop) -> impl IntoView {
    let api = expect_context::<Api>();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let click = move |_| send(&api, &stop, busy, error);
    view! {
        <button class="button" data-testid="stop-task" on:click=click disabled=move || busy.get()>
            "Stop"
        </button>
        {move || error.get().map(|e| view! { <ErrorBanner error=e /> })}
    }
}

/// Deletes an ended task's record, once the browser's own dialog has asked "Delete…?".
#[component]
pub fn DeleteButton(delete: Stop) -> impl IntoView {
    let api = expect_context::<Api>();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let click = move |_| {
        if window()
            .confirm_with_message("Delete this analysis from the history?")
            .unwrap_or(false)
        {
            send(&api, &delete, busy, error);
        }
    };
    view! {
        <button class="link-button" data-testid="delete-task" on:click=click>
            "Delete"
        </button>
        {move || error.get().map(|e| view! { <ErrorBanner error=e /> })}
    }
}

/// Why a task failed, as it said.
#[component]
pub fn FailedBanner(error_msg: Option<String>) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert" data-testid="error-banner">
            <strong>"The analysis failed"</strong>
            <p>{error_msg.unwrap_or_else(|| "No reason was given.".into())}</p>
        </div>
    }
}
