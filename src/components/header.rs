//! The top bar: product name, navigation, language and theme.

use crate::components::preferences::Preferences;
use crate::router::use_location;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let location = use_location();
    // The section a path belongs to: the instances' pages, or the settings.
    let current =
        move |settings: bool| ((location.path() == "/settings") == settings).then_some("page");
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <header class="topbar">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">
                    "◆"
                </span>
                " DCS Cache Analysis"
            </a>
            <nav aria-label="Main">
                <a href="/" aria-current=move || current(false)>
                    "Instances"
                </a>
                <a href="/settings" aria-current=move || current(true)>
                    "Settings"
                </a>
            </nav>
            <Preferences />
            {crate::api::stored_token()
                .is_some()
                .then(|| {
                    view! {
                        <button
                            class="button"
                            data-testid="sign-out"
                            on:click=|_| crate::auth::sign_out()
                        >
                            "Sign out"
                        </button>
                    }
                })}
        </header>
    }
}
