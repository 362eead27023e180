//! A repeating timer that does nothing while the tab is hidden and stops with its owner.

use crate::api::ApiError;
use leptos::prelude::*;
use std::time::Duration;

/// Calls `tick` every `every` while the page is visible, until the calling component unmounts.
pub fn use_visible_interval(every: Duration, tick: impl Fn() + 'static) {
    let visible = || {
        web_sys::window()
            .and_then(|w| w.document())
            .is_none_or(|d| !d.hidden())
    };
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if visible() {
                tick()
            }
        },
        every,
    ) {
        on_cleanup(move || handle.clear());
    }
}

/// A task page's clock: every second (while visible) `now` advances, and `tick` moves on —
/// refetching what tracks it — while `busy` says something is still waiting or running.
pub fn use_task_poll(now: RwSignal<i64>, tick: RwSignal<u32>, busy: impl Fn() -> bool + 'static) {
    use_visible_interval(Duration::from_secs(1), move || {
        now.set(js_sys::Date::now() as i64);
        if busy() {
            tick.update(|t| *t += 1);
        }
    });
}

/// Whether a poller should fetch again: something is still in progress, or the proxy could not
/// be reached (so a page left open through a proxy restart recovers by itself).
pub fn should_poll<T>(last: Option<Result<T, ApiError>>, busy: impl Fn(&T) -> bool) -> bool {
    match last {
        Some(Ok(v)) => busy(&v),
        Some(Err(ApiError::Unreachable(_))) => true,
        _ => false,
    }
}
