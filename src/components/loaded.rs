//! The three states of data a page loads, shown one way everywhere: a muted line while it loads,
//! the error banner (or the sign-in prompt) when it failed, and the page's view once it is here.

use crate::api::ApiError;
use crate::components::error_banner::ErrorBanner;
use leptos::prelude::*;

/// `state` as [`crate::fetch::Fetched::get`] gives it: `None` while loading. `loading` is the
/// line shown meanwhile (a catalogue text, see `i18n/`).
pub fn loaded<T, V: IntoView + 'static>(
    state: Option<Result<T, ApiError>>,
    loading: &'static str,
    ok: impl FnOnce(T) -> V,
) -> AnyView {
    match state {
        None => view! { <p class="muted">{loading}</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBanner error=e /> }.into_any(),
        Some(Ok(value)) => ok(value).into_any(),
    }
}
