//! Settings: what this console is connected to.

use crate::api::Api;
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let cfg = api.config().clone();
    let base = if cfg.api_base.is_empty() {
        "this origin".to_string()
    } else {
        cfg.api_base.clone()
    };
    view! {
        <h1>"Settings"</h1>
        <dl class="facts">
            <dt>"API"</dt>
            <dd>{base}</dd>
            <dt>"Project"</dt>
            <dd>
                <code>{cfg.project_id}</code>
            </dd>
            <dt>"Mode"</dt>
            <dd>
                {match (cfg.mode.as_deref(), cfg.region) {
                    (Some("cloud"), Some(r)) => format!("DCS cloud ({r})"),
                    (Some("cloud"), None) => "DCS cloud".to_string(),
                    _ => "Local (the proxy analyses Redis itself)".to_string(),
                }}
            </dd>
        </dl>
    }
}
