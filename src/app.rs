//! The router and the shell around every page (docs/ARCHITECTURE.md §5): routes are deep-linkable.

use crate::api::{self, Api};
use crate::components::config_problem::ConfigProblem;
use crate::components::header::Header;
use crate::pages::expired::ExpiredPage;
use crate::pages::keys::KeysPage;
use crate::pages::{instances::InstancesPage, not_found::NotFound, settings::SettingsPage};
use dcs_api::TaskKind;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// Loads `/config.json`, then renders the shell. Until the config arrives the page shows the
/// header and a loading line, so it is never blank.
#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(api::load_config);
    view! {
        <Router>
            <Header />
            <main id="main" class="page">
                {move || match config.get() {
                    None => view! { <p class="muted">"Loading configuration…"</p> }.into_any(),
                    Some(Ok(cfg)) => {
                        provide_context(Api::new(cfg));
                        view! { <AppRoutes /> }.into_any()
                    }
                    Some(Err(e)) => {
                        // Not the usual banner: this page says what to put where.
                        view! { <ConfigProblem error=e /> }
                            .into_any()
                    }
                }}
            </main>
        </Router>
    }
}

#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=path!("/") view=InstancesPage />
            <Route path=path!("/instances/:id/hotkeys") view=HotKeys />
            <Route path=path!("/instances/:id/hotkeys/:task") view=HotKeys />
            <Route path=path!("/instances/:id/bigkeys") view=BigKeys />
            <Route path=path!("/instances/:id/bigkeys/:task") view=BigKeys />
            <Route path=path!("/instances/:id/expired") view=ExpiredPage />
            <Route path=path!("/settings") view=SettingsPage />
        </Routes>
    }
}

/// The routes' words are each kind's `plural()` (`hotkeys`, `bigkeys`, `expired`).
#[component]
fn HotKeys() -> impl IntoView {
    view! { <KeysPage kind=TaskKind::Hotkey /> }
}

#[component]
fn BigKeys() -> impl IntoView {
    view! { <KeysPage kind=TaskKind::Bigkey /> }
}
