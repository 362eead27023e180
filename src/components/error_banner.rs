//! An error shown in place of content: the DCS code and message, never a blank page.

use crate::api::ApiError;
use leptos::prelude::*;

/// A 401 shows the token prompt instead; anything else the DCS code and message.
#[component]
pub fn ErrorBanner(error: ApiError) -> impl IntoView {
    if error.is_unauthorized() {
        return view! { <crate::components::sign_in::SignIn /> }.into_any();
    }
    let title = match &error {
        // A DCS endpoint without this call (OTC lacks some) answers 404.
        ApiError::Http { status: 404 } | ApiError::Dcs { status: 404, .. } => {
            "Not available on this endpoint"
        }
        ApiError::Unreachable(_) => "Cannot reach the API proxy",
        ApiError::Malformed(_) => "Unexpected response",
        _ => "The request failed",
    };
    let code = error.code().map(str::to_string);
    let hint = matches!(error, ApiError::Unreachable(_))
        .then_some("Check that dcs-proxy is running and, when this console is hosted elsewhere, that the proxy's allowed_origins lists this page's origin.");
    view! {
        <div class="banner banner-error" role="alert" data-testid="error-banner">
            <strong>{title}</strong>
            {code.map(|c| view! { <code class="error-code">{c}</code> })}
            <p>{error.message()}</p>
            {hint.map(|h| view! { <p class="muted">{h}</p> })}
        </div>
    }
    .into_any()
}

/// An error that is shown only while what it was about stays as it was: it is kept with the
/// `state` of when it came, and once `state` has changed (the task that blocked a start has
/// ended, the proxy answers again) the banner goes by itself — a stale error misleads more than
/// none.
#[component]
pub fn TransientError(
    error: RwSignal<Option<(ApiError, String)>>,
    state: Signal<String>,
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|(_, then)| *then == state.get())
            .map(|(e, _)| view! { <ErrorBanner error=e /> })
    }
}

/// A history's state as [`TransientError`] compares it: each record's id and status.
pub fn records_state<T>(
    history: Option<Result<T, ApiError>>,
    records: impl Fn(&T) -> Vec<(String, dcs_api::TaskStatus)>,
) -> String {
    match history {
        Some(Ok(h)) => records(&h)
            .iter()
            .map(|(id, s)| format!("{id}:{s}"))
            .collect::<Vec<_>>()
            .join(","),
        Some(Err(e)) => format!("error {}", e.message()),
        None => String::new(),
    }
}

/// What came of a save: a status line, or the error; nothing before the first save.
#[component]
pub fn SaveOutcome(message: RwSignal<Option<Result<String, ApiError>>>) -> impl IntoView {
    move || {
        message.get().map(|m| match m {
            Ok(text) => view! {
                <p class="ok-text" role="status">
                    {text}
                </p>
            }
            .into_any(),
            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
        })
    }
}
