//! The top bar: product name, navigation, language and theme.

use crate::components::preferences::Preferences;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">
                    "◆"
                </span>
                " DCS Cache Analysis"
            </A>
            <nav aria-label="Main">
                <A href="/">"Instances"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <Preferences />
        </header>
    }
}
