//! The key-details panel (local mode): one key read now — type, encoding, TTL, size, memory and
//! its first elements, as `GET …/key-details` reads them (bounded, cut) — and, where the
//! instance allows key actions, Unlink and Set TTL, each after the browser's confirmation.

use crate::api::{paths, Api, ApiError};
use crate::components::error_banner::SaveOutcome;
use crate::components::loaded::loaded;
use crate::fetch::fetch;
use dcs_api::key::{KeyActionBody, KeyDetails};
use dcs_api::KeyActionKind;
use leptos::prelude::*;

/// The key a panel shows: its instance, name (as reported) and database.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenKey {
    pub instance: String,
    pub name: String,
    pub db: u32,
}

#[component]
pub fn KeyPanel(key: OpenKey, open: RwSignal<Option<OpenKey>>) -> impl IntoView {
    let api = StoredValue::new(expect_context::<Api>());
    let reload = RwSignal::new(0u32);
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    let ttl = RwSignal::new(String::new());
    let wrong_ttl = RwSignal::new(false);
    let path = paths::key_details(&key.instance, &key.name, key.db);
    let details = fetch::<KeyDetails>(move || {
        reload.track();
        Some(path.clone())
    });
    let key = StoredValue::new(key);
    // A keyboard or screen-reader user lands in the panel; Escape closes it.
    crate::router::focus_after_render("[data-testid=key-details] h3");
    // Asks, then sends one action and reads the key again (a deleted one then says so).
    let act = move |action: KeyActionKind, ttl: Option<u64>, ask: String| {
        if !window().confirm_with_message(&ask).unwrap_or(false) {
            return;
        }
        let k = key.get_value();
        let body = KeyActionBody {
            name: k.name,
            db: k.db,
            action,
            ttl,
        };
        let api = api.get_value();
        leptos::task::spawn_local(async move {
            let answer = api
                .send_json("POST", &paths::key_actions(&k.instance), &body)
                .await;
            outcome.set(Some(answer.map(|_| match ttl {
                Some(t) => format!("Done: the key now expires in {t} s (recorded)."),
                None => "Done: the key was unlinked (recorded).".into(),
            })));
            reload.update(|n| *n += 1);
        });
    };
    let unlink = move |_| {
        act(
            KeyActionKind::Unlink,
            None,
            "UNLINK this key? It is deleted from the server and cannot be brought back.".into(),
        )
    };
    let expire = move |_| match ttl.get_untracked().trim().parse::<u64>() {
        Ok(t) if (1..=dcs_api::key::MAX_TTL_SECONDS).contains(&t) => act(
            KeyActionKind::Expire,
            Some(t),
            format!("Set this key to expire in {t} s?"),
        ),
        _ => wrong_ttl.set(true),
    };
    view! {
        <section
            class="panel key-panel"
            aria-label="Key details"
            data-testid="key-details"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(None);
                }
            }
        >
            <div class="row">
                <h3>"Key details"</h3>
                <button class="button" on:click=move |_| open.set(None)>
                    "Close"
                </button>
            </div>
            <p>
                <code class="key-name">{key.get_value().name}</code>
            </p>
            {move || {
                loaded(
                    details.get(),
                    "Loading key details…",
                    |d| {
                        let facts = [
                            ("Type", format!("{} ({})", d.key_type.as_str(), d.encoding)),
                            ("Size", crate::format::size(d.size, d.unit)),
                            (
                                "Memory",
                                d.memory_usage.map(crate::format::bytes).unwrap_or_default(),
                            ),
                            (
                                "TTL",
                                d
                                    .ttl
                                    .map(|t| format!("{t} s"))
                                    .unwrap_or_else(|| "no expiry".into()),
                            ),
                            ("Shard", format!("{} db {}", d.shard, d.db)),
                        ];
                        view! {
                            <dl class="facts">
                                {facts
                                    .into_iter()
                                    .map(|(k, v)| {
                                        view! {
                                            <dt>{k}</dt>
                                            <dd>{v}</dd>
                                        }
                                    })
                                    .collect_view()}
                            </dl>
                            <p class="muted">
                                "First elements (read now, each cut at 200 characters):"
                            </p>
                            <ol class="elements" data-testid="key-elements">
                                {d
                                    .elements
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <li>
                                                <code>{e}</code>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                            {d.elements_note.map(|n| view! { <p class="muted">{n}</p> })}
                            {d
                                .actions_allowed
                                .then(|| {
                                    view! {
                                        <div class="toolbar" data-testid="key-actions">
                                            <button
                                                class="button"
                                                data-testid="key-unlink"
                                                on:click=unlink
                                            >
                                                "Unlink"
                                            </button>
                                            <label class="inline">
                                                "TTL (s)"
                                                <input
                                                    type="number"
                                                    min="1"
                                                    data-testid="key-ttl"
                                                    aria-invalid=move || wrong_ttl.get().to_string()
                                                    prop:value=move || ttl.get()
                                                    on:input=move |ev| {
                                                        wrong_ttl.set(false);
                                                        ttl.set(event_target_value(&ev));
                                                    }
                                                />
                                            </label>
                                            <button
                                                class="button"
                                                data-testid="key-expire"
                                                on:click=expire
                                            >
                                                "Set TTL"
                                            </button>
                                        </div>
                                        {move || {
                                            wrong_ttl
                                                .get()
                                                .then(|| {
                                                    view! {
                                                        <p class="error-text" data-testid="key-ttl-error">
                                                            "Enter whole seconds, from 1 to 315360000 (10 years)."
                                                        </p>
                                                    }
                                                })
                                        }}
                                    }
                                })}
                        }
                    },
                )
            }}
            <SaveOutcome message=outcome />
        </section>
    }
}
