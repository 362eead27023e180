//! The analysis pages' route targets. Their full content (history, schedule, charts) is built on
//! top of this placeholder by the console issue; the routes already deep-link.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AnalysisPlaceholder(kind: &'static str) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let title = match kind {
        "hotkeys" => "Hot keys",
        "bigkeys" => "Big keys",
        _ => "Expired keys",
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><A href="/">"Instances"</A>" / " {id}</nav>
        <h1>{title}</h1>
        <p class="muted">"This analysis view is not available yet."</p>
    }
}
