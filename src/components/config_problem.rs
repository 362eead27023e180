//! What a console on static hosting shows when `config.json` beside `index.html` is missing or
//! unusable: what is wrong and what to put there — never a blank page.

use crate::api::ApiError;
use leptos::prelude::*;

/// The shipped `config.example.json`, in short.
const EXAMPLE: &str = "{\n  \"api_base\": \"https://dcs-proxy.example.com\",\n  \"project_id\": \"<the proxy's project_id>\"\n}";

#[component]
pub fn ConfigProblem(error: ApiError) -> impl IntoView {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    view! {
        <section class="banner banner-error" role="alert" data-testid="config-problem">
            <strong>"This console has no usable config.json"</strong>
            <p translate="no">{format!("/config.json: {error}")}</p>
            <p>"Put a config.json beside index.html (config.example.json shows the fields):"</p>
            <pre translate="no">{EXAMPLE}</pre>
            <ul>
                <li>
                    <code translate="no">"api_base"</code>
                    ": the address of dcs-proxy (empty when the proxy serves this page itself)."
                </li>
                <li>
                    <code translate="no">"project_id"</code>
                    ": the project_id in the proxy's configuration."
                </li>
            </ul>
            <p>"The proxy's allowed_origins must list this page's origin:"</p>
            <p>
                <code translate="no">{origin}</code>
            </p>
        </section>
    }
}
