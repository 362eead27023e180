//! `/instances/:id/expired`: scan now, the history (a chart of keys reclaimed per scan and a
//! table), and the auto-scan editor — checked in the browser with DCS's own rules and messages
//! (`ExpireAutoscanUpdate::validate`, DCS.4819–4822) before anything is sent.

use crate::api::{paths, Api, ApiError};
use crate::charts::columns::{Column, ColumnChart};
use crate::components::crumbs::Crumbs;
use crate::components::data_table::DataTable;
use crate::components::error_banner::{records_state, SaveOutcome, TransientError};
use crate::components::loaded::loaded;
use crate::components::pace_choice::PaceChoice;
use crate::components::poll::{should_poll, use_visible_interval};
use crate::components::task_status::{DeleteButton, StatusBadge, Stop, StopButton, TaskProgress};
use crate::fetch::fetch;
use crate::format::{duration_ms, local};
use crate::router::use_location;
use dcs_api::expire::{
    ExpireAutoscanConfig, ExpireAutoscanUpdate, ExpireScanHistory, ExpireScanTask,
};
use dcs_api::{TaskKind, Timestamp};
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn ExpiredPage() -> impl IntoView {
    let location = use_location();
    let instance = Memo::new(move |_| location.segment(1).unwrap_or_default());
    let api = expect_context::<Api>();
    let tick = RwSignal::new(0u32);
    let now = RwSignal::new(js_sys::Date::now() as i64);
    let history = fetch::<ExpireScanHistory>(move || {
        tick.track();
        Some(paths::tasks(&instance.get(), TaskKind::Expire))
    });
    use_visible_interval(Duration::from_secs(1), move || {
        now.set(js_sys::Date::now() as i64);
        if should_poll(history.get_untracked(), |h| {
            h.records.iter().any(|r| !r.status.is_terminal())
        }) {
            tick.update(|t| *t += 1);
        }
    });
    // What the history shows: an error about starting goes once it changes.
    let history_state = Signal::derive(move || {
        records_state(history.get(), |h| {
            h.records.iter().map(|r| (r.id.clone(), r.status)).collect()
        })
    });
    let error = RwSignal::new(None::<(ApiError, String)>);
    let pace = PaceChoice::new(instance);
    let a = api.clone();
    let scan = move |_| {
        let (api, inst) = (a.clone(), instance.get_untracked());
        error.set(None);
        leptos::task::spawn_local(async move {
            match api
                .create_task(&inst, TaskKind::Expire, None, pace.pace())
                .await
            {
                Ok(_) => tick.update(|t| *t += 1),
                Err(e) => error.set(Some((e, history_state.get_untracked()))),
            }
        });
    };
    view! {
        <Crumbs instance here=TaskKind::Expire />
        <h1>"Expired keys"</h1>
        <p class="muted">
            "Redis frees expired keys lazily. A scan finds those on the masters — in a snapshot, or by visiting every key — and touching them reclaims their memory."
        </p>
        <div class="actions">
            <button
                class="button primary"
                data-testid="start-expired-scan"
                on:click=scan
                disabled=move || {
                    history
                        .get()
                        .and_then(|h| h.ok())
                        .is_some_and(|h| h.records.iter().any(|r| !r.status.is_terminal()))
                }
            >
                "Scan now"
            </button>
            {pace.view()}
        </div>
        <TransientError error=error state=history_state />
        <section class="grid-2">
            <div>
                <h2>"Keys reclaimed per scan"</h2>
                {move || loaded(
                    history.get(),
                    "Loading…",
                    |h| {
                        view! {
                            <ExpiredHistory
                                records=h.records
                                now=now.read_only()
                                deleted=Callback::new(move |()| tick.update(|t| *t += 1))
                            />
                        }
                    },
                )}
            </div>
            <div>{move || view! { <AutoScanEditor instance=instance.get() /> }}</div>
        </section>
    }
}

#[component]
fn ExpiredHistory(
    records: Vec<ExpireScanTask>,
    now: ReadSignal<i64>,
    /// Called once a record is deleted.
    deleted: Callback<()>,
) -> impl IntoView {
    if records.is_empty() {
        return view! { <p class="muted">"No scans yet."</p> }.into_any();
    }
    let running = records.iter().find(|r| !r.status.is_terminal()).cloned();
    let columns: Vec<Column> = records
        .iter()
        .rev()
        .filter(|r| r.num.is_some())
        .map(|r| {
            let when = local(r.created_at);
            let n = r.num.unwrap_or(0);
            Column {
                label: when[5..16].to_string(),
                value: n,
                title: format!("{when}: {n} keys reclaimed"),
            }
        })
        .collect();
    let rows = records
        .into_iter()
        .map(|r| {
            let duration = match (r.started_at, r.finished_at) {
                (Some(s), Some(f)) => duration_ms(f.millis() - s.millis()),
                _ => "—".into(),
            };
            // A stop keeps a scan's record; deleting it is asked for by name.
            let delete = r.status.is_terminal().then(|| {
                let delete = Stop {
                    path: format!(
                        "{}?delete_record=true",
                        paths::task(&r.instance_id, TaskKind::Expire, &r.id)
                    ),
                    done: deleted,
                };
                view! { <DeleteButton delete /> }
            });
            view! {
                <tr>
                    <td>{local(r.created_at)}</td>
                    <td>
                        <StatusBadge status=r.status testid="task-status" />
                    </td>
                    <td>{r.scan_type.as_str()}</td>
                    <td data-testid="expired-reclaimed">
                        {r.num.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}
                    </td>
                    <td>{r.scanned_keys.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                    <td>{duration}</td>
                    <td class="muted small wrap" data-testid="expired-note">
                        {note(&r)}
                    </td>
                    <td>{delete}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {running
            .map(|r| {
                let stop = Stop {
                    path: paths::task(&r.instance_id, TaskKind::Expire, &r.id),
                    done: Callback::new(|()| ()),
                };
                // The record stays (with what the scan reclaimed); the history's polling shows it.
                view! {
                    <TaskProgress
                        status=r.status
                        progress=r.progress
                        since=r.created_at
                        now_ms=now
                    />
                    <StopButton stop />
                }
            })}
        <ColumnChart
            columns=columns
            caption="Expired keys reclaimed per scan, oldest to newest"
            testid="expired-chart"
        />
        <DataTable
            caption="Expired-key scans, newest first (local time)"
            columns=&["Created", "Status", "Type", "Reclaimed", "Scanned", "Duration", "Note", ""]
            compact=true
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// A scan's note: why it failed, else how it found the expired keys where that was from a
/// snapshot (it then touched only those; online it SCANs every key, the usual way).
fn note(r: &ExpireScanTask) -> String {
    let from_snapshot = r
        .analyzed_on
        .iter()
        .flatten()
        .any(|n| n.source.as_deref() == Some("snapshot"));
    match &r.error_msg {
        Some(e) => e.clone(),
        None if from_snapshot => "From a snapshot".into(),
        None => String::new(),
    }
}

/// `datetime-local` value (local time, minutes) ↔ UTC instant.
fn local_input_to_utc(value: &str, offset_minutes: i32) -> Option<String> {
    if value.len() != 16 {
        return None;
    }
    let as_if_utc = dcs_api::time::parse_timestamp(&format!("{value}:00"))?;
    Some(dcs_api::time::format_timestamp(
        as_if_utc - chrono::Duration::minutes(offset_minutes as i64),
    ))
}

fn utc_to_local_input(t: Timestamp, offset_minutes: i32) -> String {
    // "YYYY-MM-DD HH:MM:SS" → "YYYY-MM-DDTHH:MM"
    crate::format::local_time(t, offset_minutes)[..16].replacen(' ', "T", 1)
}

/// The editor's fields as typed: enabled, first scan (`datetime-local`), interval and timeout
/// in minutes, keys per SCAN.
pub struct ExpireFields<'a> {
    pub enabled: bool,
    pub first: &'a str,
    pub interval: &'a str,
    pub timeout: &'a str,
    pub count: &'a str,
}

/// The longest interval or timeout, in the editor's unit.
const MAX_MINUTES: i64 = (dcs_api::expire::MAX_SCAN_SECONDS / 60) as i64;

/// The request the fields make, or the first field that is wrong (its id) and why, in the
/// field's own unit. A schedule switched off needs no first scan (it is sent as `now`, which
/// the proxy keeps without running anything).
pub fn check_expire(
    f: &ExpireFields,
    offset: i32,
    now: Timestamp,
) -> Result<ExpireAutoscanUpdate, (&'static str, String)> {
    let whole = |s: &str| s.trim().parse::<i64>().ok();
    let first_scan_at = match (f.first.trim(), f.enabled) {
        ("", true) => return Err(("first-scan", "Choose when the first scan runs.".into())),
        ("", false) => dcs_api::time::format_timestamp(now.0),
        (text, _) => {
            let utc = local_input_to_utc(text, offset)
                .ok_or(("first-scan", "Enter a date and a time.".to_string()))?;
            let future = dcs_api::time::parse_timestamp(&utc).is_some_and(|t| t > now.0);
            if f.enabled && !future {
                return Err(("first-scan", "The first scan must be in the future.".into()));
            }
            utc
        }
    };
    let interval = whole(f.interval)
        .filter(|m| (0..=MAX_MINUTES).contains(m))
        .ok_or((
            "interval",
            format!("Enter whole minutes from 0 (once) to {MAX_MINUTES} (7 days)."),
        ))?;
    let least = if interval == 0 { 1 } else { interval * 2 };
    if least > MAX_MINUTES {
        return Err((
            "timeout",
            format!("The timeout must be at least twice the interval ({least} minutes), which is more than 7 days: shorten the interval."),
        ));
    }
    let timeout = whole(f.timeout)
        .filter(|m| (least..=MAX_MINUTES).contains(m))
        .ok_or((
            "timeout",
            if interval == 0 {
                format!("Enter whole minutes from 1 to {MAX_MINUTES} (7 days).")
            } else {
                format!("Enter whole minutes from {least} (twice the interval) to {MAX_MINUTES} (7 days).")
            },
        ))?;
    let count = whole(f.count)
        .filter(|c| dcs_api::expire::SCAN_KEYS_COUNT_RANGE.contains(c))
        .ok_or(("count", "Enter a whole number from 10 to 1000.".to_string()))?;
    Ok(ExpireAutoscanUpdate {
        enable_auto_scan: f.enabled,
        first_scan_at: Some(first_scan_at),
        interval: Some(interval * 60),
        timeout: Some(timeout * 60),
        scan_keys_count: Some(count),
    })
}

fn now_timestamp() -> Timestamp {
    Timestamp(
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default(),
    )
}

#[component]
fn AutoScanEditor(instance: String) -> impl IntoView {
    let api = expect_context::<Api>();
    let offset = crate::format::viewer_offset_minutes();
    let enabled = RwSignal::new(false);
    let first = RwSignal::new(String::new());
    let interval_min = RwSignal::new(String::from("1440"));
    let timeout_min = RwSignal::new(String::from("2880"));
    let count = RwSignal::new(String::from("10"));
    // The field Save found wrong and why; it goes as soon as the form is edited.
    let wrong = RwSignal::new(None::<(&'static str, String)>);
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    let inst = instance.clone();
    let loaded =
        fetch::<ExpireAutoscanConfig>(move || Some(paths::schedule(&inst, TaskKind::Expire)));
    Effect::new(move |_| {
        if let Some(Ok(c)) = loaded.get() {
            enabled.set(c.enable_auto_scan);
            // A schedule that is off shows no start time that has passed.
            let start = c
                .first_scan_at
                .filter(|t| c.enable_auto_scan || t.millis() > js_sys::Date::now() as i64);
            first.set(
                start
                    .map(|t| utc_to_local_input(t, offset))
                    .unwrap_or_default(),
            );
            interval_min.set((c.interval / 60).to_string());
            timeout_min.set((c.timeout / 60).to_string());
            count.set(c.scan_keys_count.to_string());
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        let checked = check_expire(
            &ExpireFields {
                enabled: enabled.get_untracked(),
                first: &first.read_untracked(),
                interval: &interval_min.read_untracked(),
                timeout: &timeout_min.read_untracked(),
                count: &count.read_untracked(),
            },
            offset,
            now_timestamp(),
        );
        let body = match checked {
            Ok(body) => body,
            Err(e) => return wrong.set(Some(e)),
        };
        // The proxy's own rules, the last word before anything is sent.
        if let Err(e) = body.validate(now_timestamp()) {
            message.set(Some(Err(ApiError::refused_here(&e))));
            return;
        }
        let (api, inst) = (api.clone(), instance.clone());
        leptos::task::spawn_local(async move {
            message.set(Some(
                api.save_schedule(&inst, TaskKind::Expire, &body)
                    .await
                    .map(|_| "Saved.".to_string()),
            ));
        });
    };
    // One field: its label, its input, and Save's word on it beside it.
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      value: RwSignal<String>| {
        let why = move || wrong.get().filter(|(f, _)| *f == id).map(|(_, m)| m);
        view! {
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                prop:value=move || value.get()
                aria-invalid=move || why().map(|_| "true")
                aria-describedby=format!("{id}-error")
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p class="error-text small" id=format!("{id}-error") data-testid=format!("{id}-error")>
                {why}
            </p>
        }
    };
    view! {
        <form class="panel" on:submit=save on:input=move |_| wrong.set(None) novalidate>
            <h2>"Automatic scan"</h2>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || enabled.get()
                    on:change=move |ev| enabled.set(event_target_checked(&ev))
                />
                " Scan on a schedule"
            </label>
            {field("first-scan", "First scan (your local time)", "datetime-local", first)}
            <p class="muted small">
                {move || {
                    local_input_to_utc(&first.get(), offset)
                        .map(|u| format!("UTC {} {}", &u[..10], &u[11..16]))
                }}
            </p>
            {field("interval", "Interval (minutes; 0 = once)", "number", interval_min)}
            {field(
                "timeout",
                "Timeout (minutes; at least twice the interval)",
                "number",
                timeout_min,
            )}
            {field("count", "Keys per SCAN call (10–1000)", "number", count)}
            <button type="submit" class="button primary" data-testid="schedule-save">
                "Save"
            </button>
            <SaveOutcome message />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_says_why_it_failed_or_that_a_snapshot_found_the_keys() {
        let on = |source: &str| dcs_api::task::AnalyzedNode {
            shard: "10.0.0.1:6379".into(),
            node: "10.0.0.1:6379".into(),
            role: "master".into(),
            backup_id: None,
            source: Some(source.into()),
        };
        let mut r = ExpireScanTask {
            id: "e".into(),
            instance_id: "i".into(),
            status: dcs_api::TaskStatus::Success,
            scan_type: dcs_api::ScanType::Manual,
            num: Some(3),
            created_at: Timestamp::from_millis(0).unwrap(),
            started_at: None,
            finished_at: None,
            progress: None,
            scanned_keys: Some(9),
            error_msg: None,
            pace: None,
            analyzed_on: None,
        };
        assert_eq!(note(&r), "", "a record of before: nothing to say");
        r.analyzed_on = Some(vec![on("online"), on("snapshot")]);
        assert_eq!(note(&r), "From a snapshot");
        r.analyzed_on = Some(vec![on("online")]);
        assert_eq!(note(&r), "");
        r.error_msg = Some("Stopped on request".into());
        assert_eq!(note(&r), "Stopped on request");
    }

    #[test]
    fn local_inputs_convert_to_utc_and_back() {
        assert_eq!(
            local_input_to_utc("2030-01-02T08:30", 480).as_deref(),
            Some("2030-01-02T00:30:00.000Z")
        );
        assert_eq!(
            local_input_to_utc("2030-01-02T08:30", -60).as_deref(),
            Some("2030-01-02T09:30:00.000Z")
        );
        assert_eq!(local_input_to_utc("tomorrow", 0), None);
        let t = Timestamp(dcs_api::time::parse_timestamp("2030-01-02T00:30:00.000Z").unwrap());
        assert_eq!(utc_to_local_input(t, 480), "2030-01-02T08:30");
    }

    fn fields<'a>(
        enabled: bool,
        first: &'a str,
        interval: &'a str,
        timeout: &'a str,
    ) -> ExpireFields<'a> {
        ExpireFields {
            enabled,
            first,
            interval,
            timeout,
            count: "10",
        }
    }

    #[test]
    fn each_field_says_its_own_mistake_in_minutes() {
        let now = Timestamp(dcs_api::time::parse_timestamp("2030-01-01T00:00:00.000Z").unwrap());
        let err = |f: ExpireFields| check_expire(&f, 0, now).unwrap_err();
        let ok = check_expire(&fields(true, "2030-01-02T08:30", "60", "120"), 0, now).unwrap();
        assert_eq!(
            (ok.interval, ok.timeout),
            (Some(3600), Some(7200)),
            "sent in seconds"
        );
        assert_eq!(
            ok.validate(now).map(|_| ()),
            Ok(()),
            "what passes here passes the proxy"
        );

        let (field, message) = err(fields(true, "2030-01-02T08:30", "60", "90"));
        assert_eq!(field, "timeout");
        assert_eq!(
            message,
            "Enter whole minutes from 120 (twice the interval) to 10080 (7 days)."
        );
        assert_eq!(
            err(fields(true, "2030-01-02T08:30", "1.5", "90")).0,
            "interval"
        );
        assert_eq!(
            err(fields(true, "2030-01-02T08:30", "6000", "12000")).0,
            "timeout"
        );
        assert_eq!(err(fields(true, "", "60", "120")).0, "first-scan");
        assert_eq!(
            err(fields(true, "2029-12-31T23:00", "60", "120")).1,
            "The first scan must be in the future."
        );
        let mut bad_count = fields(true, "2030-01-02T08:30", "60", "120");
        bad_count.count = "5";
        assert_eq!(err(bad_count).0, "count");
    }

    #[test]
    fn a_schedule_switched_off_needs_no_first_scan() {
        let now = Timestamp(dcs_api::time::parse_timestamp("2030-01-01T00:00:00.000Z").unwrap());
        let off = check_expire(&fields(false, "", "1440", "2880"), 0, now).unwrap();
        assert!(!off.enable_auto_scan);
        assert_eq!(
            off.validate(now).map(|s| s.first_scan_at),
            Ok(now),
            "the proxy takes it"
        );
    }
}
