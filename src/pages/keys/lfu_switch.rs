//! Switching an instance to LFU for hot keys — a change to a production server's eviction, so
//! never in one click: the offer, a confirmation naming the old and the new policy and what
//! changes, then the outcome and a way back to the previous policy.

use crate::api::{Api, ApiError};
use crate::components::error_banner::ErrorBanner;
use dcs_api::config::is_lfu_policy;
use leptos::prelude::*;

const LFU: &str = "allkeys-lfu";

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Offer,
    Confirm,
    /// Switched; the policy it had before.
    Done(String),
}

/// `policy`: the instance's `maxmemory-policy` when known. `changed` runs after each change.
#[component]
pub fn LfuSwitch(
    instance: Memo<String>,
    policy: Signal<Option<String>>,
    changed: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let step = RwSignal::new(Step::Offer);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let set = move |to: String, then: Step| {
        let (api, inst) = (api.clone(), instance.get_untracked());
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api.set_policy(&inst, &to).await {
                Ok(()) => {
                    step.set(then);
                    changed.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let set_back = set.clone();
    let panel = move || match (step.get(), policy.get()) {
        (Step::Offer, Some(p)) if !is_lfu_policy(&p) => Some(
            view! {
                <button
                    class="button"
                    data-testid="enable-lfu"
                    on:click=move |_| step.set(Step::Confirm)
                >
                    "Enable LFU (allkeys-lfu)…"
                </button>
            }
            .into_any(),
        ),
        (Step::Confirm, Some(p)) => {
            let question = format!("Change maxmemory-policy from {p} to {LFU}?");
            let set = set.clone();
            Some(
                view! {
                    <div
                        class="panel"
                        role="group"
                        aria-label="Confirm the policy change"
                        data-testid="confirm-lfu"
                    >
                        <p>
                            <strong>{question}</strong>
                        </p>
                        <p class="muted">
                            "Redis will then evict the least frequently used keys instead of what the current policy picks. LFU counters start empty: hot-key results mean something once the application has run a while."
                        </p>
                        <div class="actions">
                            <button
                                class="button primary"
                                data-testid="confirm-lfu-change"
                                disabled=move || busy.get()
                                on:click=move |_| set(LFU.into(), Step::Done(p.clone()))
                            >
                                "Change it"
                            </button>
                            <button class="button" on:click=move |_| step.set(Step::Offer)>
                                "Cancel"
                            </button>
                        </div>
                    </div>
                }
                    .into_any(),
            )
        }
        (Step::Done(previous), _) => {
            let said = format!("maxmemory-policy is now {LFU} (it was {previous}).");
            let label = format!("Restore {previous}");
            let set_back = set_back.clone();
            Some(
                view! {
                    <p class="ok-text" role="status" data-testid="policy-changed">
                        {said}
                    </p>
                    <button
                        class="button"
                        data-testid="restore-policy"
                        disabled=move || busy.get()
                        on:click=move |_| set_back(previous.clone(), Step::Offer)
                    >
                        {label}
                    </button>
                }
                .into_any(),
            )
        }
        _ => None,
    };
    view! {
        {panel}
        {move || error.get().map(|e| view! { <ErrorBanner error=e /> })}
    }
}
