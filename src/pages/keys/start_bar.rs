//! The start button, disabled with the reason beside it when the analysis cannot run (and, for
//! hot keys, the offer to switch the instance to LFU).

use crate::api::ApiError;
use dcs_api::config::{is_lfu_policy, ListConfigurationsResponse, MAXMEMORY_POLICY};
use dcs_api::TaskKind;
use leptos::prelude::*;

/// Why an analysis cannot start, if it cannot: the instance's configuration could not be read,
/// or (hot keys) its `maxmemory-policy` is not an LFU one.
pub fn blocked_reason(
    kind: TaskKind,
    configs: Option<Result<ListConfigurationsResponse, ApiError>>,
) -> Option<String> {
    match configs? {
        Err(e) => Some(format!(
            "The instance cannot be analysed now: {}",
            e.message()
        )),
        Ok(c) if kind == TaskKind::Hotkey => {
            let policy = c.param(MAXMEMORY_POLICY).unwrap_or("unknown").to_string();
            (!is_lfu_policy(&policy)).then(|| {
                format!("Hot-key analysis needs maxmemory-policy allkeys-lfu or volatile-lfu; this instance uses {policy}.")
            })
        }
        Ok(_) => None,
    }
}

#[component]
pub fn StartBar(
    kind: TaskKind,
    blocked: Signal<Option<String>>,
    busy: Signal<bool>,
    on_start: Callback<()>,
    on_enable_lfu: Callback<()>,
) -> impl IntoView {
    let hot = kind == TaskKind::Hotkey;
    let (testid, label) = if hot {
        ("start-hotkey-task", "Start hot-key analysis")
    } else {
        ("start-bigkey-task", "Start big-key analysis")
    };
    view! {
        <div class="actions">
            <button
                class="button primary"
                data-testid=testid
                disabled=move || blocked.get().is_some() || busy.get()
                on:click=move |_| on_start.run(())
            >
                {label}
            </button>
            {move || {
                blocked
                    .get()
                    .map(|why| {
                        view! {
                            <span class="reason" role="note">
                                {why}
                            </span>
                            {hot
                                .then(|| {
                                    view! {
                                        <button
                                            class="button"
                                            on:click=move |_| on_enable_lfu.run(())
                                        >
                                            "Enable LFU (allkeys-lfu)"
                                        </button>
                                    }
                                })}
                        }
                    })
            }}
        </div>
    }
}
