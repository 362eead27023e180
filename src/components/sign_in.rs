//! Shown instead of the pages when the API answers 401: asks for the console token, saying so
//! when the one this browser had was rejected.

use crate::auth::{reload, save_token};
use leptos::prelude::*;

#[component]
pub fn SignIn() -> impl IntoView {
    let token = RwSignal::new(String::new());
    let rejected = crate::api::stored_token().is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !token.get_untracked().trim().is_empty() {
            save_token(&token.get_untracked());
            reload();
        }
    };
    view! {
        <form class="sign-in" on:submit=submit data-testid="token-prompt">
            <h2>"Sign in"</h2>
            {rejected
                .then(|| {
                    view! {
                        <p class="error-text" role="alert" data-testid="token-rejected">
                            "The proxy rejected this browser's token (mistyped, or changed since). Paste the current one."
                        </p>
                    }
                })}
            <p class="muted">
                "The proxy printed a console link with the token when it started; paste the token here."
            </p>
            <label for="token-input">"Console token"</label>
            <div class="row">
                <input
                    id="token-input"
                    type="password"
                    autocomplete="off"
                    required
                    prop:value=move || token.get()
                    on:input=move |ev| token.set(event_target_value(&ev))
                />
                <button type="submit" class="button primary">
                    "Sign in"
                </button>
            </div>
        </form>
    }
}
