//! The Fast box beside a start button: where the proxy lets a task choose its pace
//! (`fast_allowed`, the instance's `allow_fast`), ticked as the instance's own `pace`; elsewhere
//! (DCS, or an instance without `allow_fast`) nothing is shown and nothing is asked.

use crate::api::paths;
use crate::fetch::{fetch, Fetched};
use dcs_api::instance::InstanceListInfo;
use dcs_api::Pace;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct PaceChoice {
    info: Fetched<InstanceListInfo>,
    /// The reader's choice; `None` until they change it (the instance's pace then).
    fast: RwSignal<Option<bool>>,
}

impl PaceChoice {
    pub fn new(instance: Memo<String>) -> PaceChoice {
        PaceChoice {
            info: fetch::<InstanceListInfo>(move || Some(paths::instance(&instance.get()))),
            fast: RwSignal::new(None),
        }
    }

    /// What a start asks for: `None` where there is no choice.
    pub fn pace(&self) -> Option<Pace> {
        let i = self.info.get_untracked()?.ok()?;
        (i.fast_allowed == Some(true)).then(|| {
            match self
                .fast
                .get_untracked()
                .unwrap_or(i.pace == Some(Pace::Fast))
            {
                true => Pace::Fast,
                false => Pace::Gentle,
            }
        })
    }

    pub fn view(self) -> impl IntoView {
        let fast = self.fast;
        move || {
            self.info
                .get()
                .and_then(|i| i.ok())
                .filter(|i| i.fast_allowed == Some(true))
                .map(|i| {
                    let default = i.pace == Some(Pace::Fast);
                    view! {
                        <label
                            class="check"
                            title="As fast as the server allows: for a replica or a quiet hour; the server may be asked to write a snapshot to its own disk. Unticked, the analysis keeps to a small share of the server's time."
                        >
                            <input
                                type="checkbox"
                                data-testid="fast-pace"
                                prop:checked=move || fast.get().unwrap_or(default)
                                on:change=move |ev| fast.set(Some(event_target_checked(&ev)))
                            />
                            "Fast"
                        </label>
                    }
                })
        }
    }
}
