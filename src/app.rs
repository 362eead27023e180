//! The shell around every page and the routes (docs/ARCHITECTURE.md §5): every page is
//! deep-linkable; the path chooses the page, and a page stays mounted while only its task
//! changes.

use crate::api::{self, Api};
use crate::components::config_problem::ConfigProblem;
use crate::components::header::Header;
use crate::components::sign_in::SignIn;
use crate::pages::expired::ExpiredPage;
use crate::pages::keys::KeysPage;
use crate::pages::keyspace::KeyspacePage;
use crate::pages::{instances::InstancesPage, not_found::NotFound, settings::SettingsPage};
use crate::router::{provide_location, segments, use_location};
use dcs_api::TaskKind;
use leptos::prelude::*;

/// Loads `/config.json`, then renders the shell. Until the config arrives the page shows the
/// header and a loading line, so it is never blank.
#[component]
pub fn App() -> impl IntoView {
    provide_location();
    let config = LocalResource::new(api::load_config);
    view! {
        <Header />
        <main id="main" class="page">
            {move || match config.get() {
                None => view! { <p class="muted">"Loading configuration…"</p> }.into_any(),
                Some(Ok(cfg)) => {
                    let api = Api::new(cfg);
                    provide_context(api.clone());
                    // Signed out (no token, or a rejected one): the prompt alone, never a page
                    // full of "no token" errors.
                    view! {
                        {move || {
                            if api.signed_out.get() {
                                view! { <SignIn /> }.into_any()
                            } else {
                                view! { <AppRoutes /> }.into_any()
                            }
                        }}
                    }
                        .into_any()
                }
                Some(Err(e)) => {
                    // Not the usual banner: this page says what to put where.
                    view! { <ConfigProblem error=e /> }
                        .into_any()
                }
            }}
        </main>
    }
}

/// Which page a path shows (its instance and task are read by the page itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Page {
    Instances,
    Settings,
    /// Hot or big keys, or key space (`/instances/:id/<plural>[/:task]`).
    Tasks(TaskKind),
    Expired,
    NotFound,
}

fn page(path: &str) -> Page {
    let kind = |word: &str| TaskKind::ALL.iter().copied().find(|k| k.plural() == word);
    match segments(path).as_slice() {
        [] => Page::Instances,
        ["settings"] => Page::Settings,
        ["instances", _, "expired"] => Page::Expired,
        ["instances", _, word] | ["instances", _, word, _] => match kind(word) {
            Some(k) if k != TaskKind::Expire => Page::Tasks(k),
            _ => Page::NotFound,
        },
        _ => Page::NotFound,
    }
}

#[component]
fn AppRoutes() -> impl IntoView {
    let location = use_location();
    let current = Memo::new(move |_| page(&location.path()));
    move || match current.get() {
        Page::Instances => view! { <InstancesPage /> }.into_any(),
        Page::Settings => view! { <SettingsPage /> }.into_any(),
        Page::Tasks(TaskKind::Keyspace) => view! { <KeyspacePage /> }.into_any(),
        Page::Tasks(kind) => view! { <KeysPage kind /> }.into_any(),
        Page::Expired => view! { <ExpiredPage /> }.into_any(),
        Page::NotFound => view! { <NotFound /> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_choose_pages() {
        assert_eq!(page("/"), Page::Instances);
        assert_eq!(page("/settings"), Page::Settings);
        assert_eq!(page("/instances/o/hotkeys"), Page::Tasks(TaskKind::Hotkey));
        assert_eq!(
            page("/instances/o/bigkeys/t1"),
            Page::Tasks(TaskKind::Bigkey)
        );
        assert_eq!(
            page("/instances/o/keyspace/t1"),
            Page::Tasks(TaskKind::Keyspace)
        );
        assert_eq!(page("/instances/o/expired"), Page::Expired);
        assert_eq!(page("/instances/o/expired/t1"), Page::NotFound);
        assert_eq!(page("/instances/o/nothing"), Page::NotFound);
        assert_eq!(page("/instances"), Page::NotFound);
    }
}
