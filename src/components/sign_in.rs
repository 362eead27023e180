//! Shown instead of a page when the API answers 401: asks for the console token.

use crate::auth::{reload, save_token};
use leptos::prelude::*;

#[component]
pub fn SignIn() -> impl IntoView {
    let token = RwSignal::new(String::new());
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
