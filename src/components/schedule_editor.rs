//! The daily auto-scan editor for hot and big keys. Times are typed in the viewer's local time
//! (as every schedule input of the console is) with the UTC time beside each; the wire carries
//! UTC. Checked as typed with the proxy's rule (`dcs_api::schedule::validate_schedule_at`), and
//! a mistake is said beside the field in its own words — never as a failed request.

use crate::api::{paths, Api, ApiError};
use crate::components::error_banner::SaveOutcome;
use crate::fetch::fetch;
use crate::format::{utc_hhmm_to_local, viewer_offset_minutes};
use dcs_api::schedule::{
    validate_schedule_at, AutoscanConfig, AutoscanConfigRequest, MAX_SCHEDULE_TIMES,
};
use dcs_api::TaskKind;
use leptos::prelude::*;

fn parse_times(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The times typed (local `HH:MM`, `offset` minutes east of UTC), each with its UTC time — or
/// what is wrong with them, in the field's words.
pub fn check_times(enable: bool, text: &str, offset: i32) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for t in parse_times(text) {
        let Some(utc) = utc_hhmm_to_local(&t, -offset) else {
            return Err(format!(
                "“{t}” is not a time of day: write HH:MM, from 00:00 to 23:59."
            ));
        };
        if out.iter().any(|(l, _)| *l == t) {
            return Err(format!("{t} is listed twice."));
        }
        out.push((t, utc));
    }
    if out.len() > MAX_SCHEDULE_TIMES {
        return Err(format!("At most {MAX_SCHEDULE_TIMES} times a day."));
    }
    if enable && out.is_empty() {
        return Err("Add at least one time, or switch the schedule off.".into());
    }
    Ok(out)
}

#[component]
pub fn ScheduleEditor(instance: String, kind: TaskKind) -> impl IntoView {
    let api = expect_context::<Api>();
    let offset = viewer_offset_minutes();
    let enabled = RwSignal::new(false);
    let times = RwSignal::new(String::new());
    // The field's mistake shows once the reader has left it or pressed Save, and goes as soon
    // as the text is right.
    let touched = RwSignal::new(false);
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    let inst = instance.clone();
    let loaded = fetch::<AutoscanConfig>(move || Some(paths::schedule(&inst, kind)));
    Effect::new(move |_| {
        if let Some(Ok(c)) = loaded.get() {
            enabled.set(c.enable_auto_scan);
            let local: Vec<String> = c
                .schedule_at
                .iter()
                .map(|t| utc_hhmm_to_local(t, offset).unwrap_or_else(|| t.clone()))
                .collect();
            times.set(local.join(", "));
        }
    });
    let checked = move || check_times(enabled.get(), &times.read(), offset);
    let field_error = move || checked().err().filter(|_| touched.get());
    let id = format!("{kind}-times");
    let error_id = format!("{kind}-times-error");
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        message.set(None);
        let Ok(checked) = check_times(enabled.get_untracked(), &times.read_untracked(), offset)
        else {
            return;
        };
        let body = AutoscanConfigRequest {
            enable_auto_scan: enabled.get_untracked(),
            schedule_at: checked.into_iter().map(|(_, utc)| utc).collect(),
        };
        // The proxy's own rule, the last word before anything is sent.
        if let Err(e) = validate_schedule_at(body.enable_auto_scan, &body.schedule_at) {
            message.set(Some(Err(ApiError::refused_here(&e))));
            return;
        }
        let (api, inst) = (api.clone(), instance.clone());
        leptos::task::spawn_local(async move {
            message.set(Some(
                api.save_schedule(&inst, kind, &body)
                    .await
                    .map(|_| "Saved.".to_string()),
            ));
        });
    };
    // "08:30 → UTC 00:30 · 03:30 → UTC 19:30": digits and UTC only, the same in every language.
    let preview = move || {
        checked().ok().map(|list| {
            list.iter()
                .map(|(local, utc)| format!("{local} → UTC {utc}"))
                .collect::<Vec<_>>()
                .join(" · ")
        })
    };
    view! {
        <form class="panel" on:submit=save novalidate>
            <h2>"Automatic analysis"</h2>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || enabled.get()
                    on:change=move |ev| enabled.set(event_target_checked(&ev))
                />
                " Run daily"
            </label>
            <label for=id.clone()>"Times (your local time, HH:MM, comma-separated)"</label>
            <input
                id=id
                type="text"
                placeholder="21:00, 03:30"
                data-testid="schedule-times"
                prop:value=move || times.get()
                aria-invalid=move || field_error().map(|_| "true")
                aria-describedby=error_id.clone()
                on:input=move |ev| {
                    times.set(event_target_value(&ev));
                    message.set(None);
                }
                on:change=move |_| touched.set(true)
            />
            <p class="error-text small" id=error_id data-testid="schedule-times-error">
                {field_error}
            </p>
            <p class="muted small" translate="no" data-testid="schedule-preview">
                {preview}
            </p>
            <button type="submit" class="button primary" data-testid="schedule-save">
                "Save schedule"
            </button>
            <SaveOutcome message />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_split_on_commas_and_spaces() {
        assert_eq!(
            parse_times(" 21:00, 03:30  04:00,"),
            vec!["21:00", "03:30", "04:00"]
        );
        assert!(parse_times("  ").is_empty());
    }

    #[test]
    fn local_times_are_checked_and_paired_with_utc() {
        // UTC+8: 08:30 local is 00:30 UTC; 03:30 local the evening before.
        assert_eq!(
            check_times(true, "08:30, 03:30", 480),
            Ok(vec![
                ("08:30".into(), "00:30".into()),
                ("03:30".into(), "19:30".into())
            ])
        );
        assert_eq!(
            check_times(true, "21:00, 21:00", 0).unwrap_err(),
            "21:00 is listed twice."
        );
        assert!(check_times(true, "9:00", 0).unwrap_err().contains("“9:00”"));
        assert!(check_times(true, "", 0)
            .unwrap_err()
            .contains("switch the schedule off"));
        assert_eq!(check_times(false, "", 0), Ok(vec![]), "off with no times");
        let all: Vec<String> = (0..25)
            .map(|i| format!("{:02}:{:02}", i % 24, i / 24))
            .collect();
        assert!(check_times(true, &all.join(","), 0)
            .unwrap_err()
            .contains("24"));
    }
}
