//! Status badge, progress bar and live elapsed time of a task.

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
    view! { <span class=badge_class(status) data-testid=testid>{status.as_str()}</span> }
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
            <div class="progress-label"><span>{label}</span><span class="muted">{elapsed}</span></div>
            {match progress {
                Some(p) => view! { <progress max="100" value=p aria-label="Scan progress"></progress> }.into_any(),
                None => view! { <progress aria-label="Scan progress"></progress> }.into_any(),
            }}
        </div>
    }
}
