//! The daily auto-scan editor for hot and big keys: times are UTC on the wire and are shown in
//! the viewer's time with the UTC value beside them. Checked in the browser with the same rule
//! the proxy applies (`dcs_api::schedule::validate_schedule_at`) before anything is sent.

use crate::api::{paths, Api, ApiError};
use crate::components::error_banner::SaveOutcome;
use crate::fetch::fetch;
use crate::format::{utc_hhmm_to_local, viewer_offset_minutes};
use dcs_api::schedule::{validate_schedule_at, AutoscanConfig, AutoscanConfigRequest};
use dcs_api::TaskKind;
use leptos::prelude::*;

fn parse_times(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
pub fn ScheduleEditor(instance: String, kind: TaskKind) -> impl IntoView {
    let api = expect_context::<Api>();
    let enabled = RwSignal::new(false);
    let times = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    let inst = instance.clone();
    let loaded = fetch::<AutoscanConfig>(move || Some(paths::schedule(&inst, kind)));
    Effect::new(move |_| {
        if let Some(Ok(c)) = loaded.get() {
            enabled.set(c.enable_auto_scan);
            times.set(c.schedule_at.join(", "));
        }
    });
    let offset = viewer_offset_minutes();
    let preview = move || {
        parse_times(&times.get())
            .iter()
            .map(|t| match utc_hhmm_to_local(t, offset) {
                Some(local) => format!("{local} local ({t} UTC)"),
                None => format!("{t}: not HH:MM"),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = AutoscanConfigRequest {
            enable_auto_scan: enabled.get_untracked(),
            schedule_at: parse_times(&times.get_untracked()),
        };
        if let Err(e) = validate_schedule_at(body.enable_auto_scan, &body.schedule_at) {
            message.set(Some(Err(ApiError::refused_here(&e))));
            return;
        }
        let (api, inst) = (api.clone(), instance.clone());
        leptos::task::spawn_local(async move {
            message.set(Some(
                api.save_schedule::<_, AutoscanConfig>(&inst, kind, &body)
                    .await
                    .map(|c| format!("Saved: {}", c.schedule_at.join(", "))),
            ));
        });
    };
    view! {
        <form class="panel" on:submit=save>
            <h2>"Automatic analysis"</h2>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || enabled.get()
                    on:change=move |ev| enabled.set(event_target_checked(&ev))
                />
                " Run daily"
            </label>
            <label for=format!("{kind}-times")>"Times (UTC, HH:MM, comma-separated)"</label>
            <input
                id=format!("{kind}-times")
                type="text"
                placeholder="21:00, 03:30"
                prop:value=move || times.get()
                on:input=move |ev| times.set(event_target_value(&ev))
            />
            <p class="muted small">{preview}</p>
            <button type="submit" class="button primary" data-testid="schedule-save">
                "Save schedule"
            </button>
            <SaveOutcome message />
        </form>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_split_on_commas_and_spaces() {
        assert_eq!(
            super::parse_times(" 21:00, 03:30  04:00,"),
            vec!["21:00", "03:30", "04:00"]
        );
        assert!(super::parse_times("  ").is_empty());
    }
}
