//! `/instances/:id/expired`: scan now, the history (a chart of keys reclaimed per scan and a
//! table), and the auto-scan editor — checked in the browser with DCS's own rules and messages
//! (`ExpireAutoscanUpdate::validate`, DCS.4819–4822) before anything is sent.

use crate::api::{paths, Api, ApiError};
use crate::charts::columns::{Column, ColumnChart};
use crate::components::crumbs::Crumbs;
use crate::components::data_table::DataTable;
use crate::components::error_banner::{ErrorBanner, SaveOutcome};
use crate::components::loaded::loaded;
use crate::components::poll::{should_poll, use_visible_interval};
use crate::components::task_status::{StatusBadge, Stop, StopButton, TaskProgress};
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
    let error = RwSignal::new(None::<ApiError>);
    let a = api.clone();
    let scan = move |_| {
        let (api, inst) = (a.clone(), instance.get_untracked());
        error.set(None);
        leptos::task::spawn_local(async move {
            match api.create_task(&inst, TaskKind::Expire, None).await {
                Ok(_) => tick.update(|t| *t += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Crumbs instance here=TaskKind::Expire />
        <h1>"Expired keys"</h1>
        <p class="muted">
            "Redis frees expired keys lazily. A scan visits every key on the masters, which reclaims the memory of those that have expired."
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
        </div>
        {move || error.get().map(|e| view! { <ErrorBanner error=e /> })}
        <section class="grid-2">
            <div>
                <h2>"Keys reclaimed per scan"</h2>
                {move || loaded(
                    history.get(),
                    "Loading…",
                    |h| view! { <ExpiredHistory records=h.records now=now.read_only() /> },
                )}
            </div>
            <div>{move || view! { <AutoScanEditor instance=instance.get() /> }}</div>
        </section>
    }
}

#[component]
fn ExpiredHistory(records: Vec<ExpireScanTask>, now: ReadSignal<i64>) -> impl IntoView {
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
                    <td class="muted small">{r.error_msg.unwrap_or_default()}</td>
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
            columns=&["Created", "Status", "Type", "Reclaimed", "Scanned", "Duration", "Note"]
            compact=true
        >
            {rows}
        </DataTable>
    }
    .into_any()
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

#[component]
fn AutoScanEditor(instance: String) -> impl IntoView {
    let api = expect_context::<Api>();
    let offset = crate::format::viewer_offset_minutes();
    let enabled = RwSignal::new(false);
    let first = RwSignal::new(String::new());
    let interval_min = RwSignal::new(String::from("1440"));
    let timeout_min = RwSignal::new(String::from("2880"));
    let count = RwSignal::new(String::from("10"));
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    let inst = instance.clone();
    let loaded =
        fetch::<ExpireAutoscanConfig>(move || Some(paths::schedule(&inst, TaskKind::Expire)));
    Effect::new(move |_| {
        if let Some(Ok(c)) = loaded.get() {
            enabled.set(c.enable_auto_scan);
            first.set(
                c.first_scan_at
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
        let minutes = |s: String| s.trim().parse::<i64>().ok().map(|m| m.saturating_mul(60));
        let body = ExpireAutoscanUpdate {
            enable_auto_scan: enabled.get_untracked(),
            first_scan_at: local_input_to_utc(&first.get_untracked(), offset),
            interval: minutes(interval_min.get_untracked()),
            timeout: minutes(timeout_min.get_untracked()),
            scan_keys_count: count.get_untracked().trim().parse().ok(),
        };
        // The proxy's own rules, here, so nothing invalid is sent.
        if let Err(e) = body.validate(Timestamp(
            chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default(),
        )) {
            message.set(Some(Err(ApiError::refused_here(&e))));
            return;
        }
        let (api, inst) = (api.clone(), instance.clone());
        leptos::task::spawn_local(async move {
            message.set(Some(
                api.save_schedule::<_, ExpireAutoscanConfig>(&inst, TaskKind::Expire, &body)
                    .await
                    .map(|_| "Saved.".to_string()),
            ));
        });
    };
    view! {
        <form class="panel" on:submit=save>
            <h2>"Automatic scan"</h2>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || enabled.get()
                    on:change=move |ev| enabled.set(event_target_checked(&ev))
                />
                " Scan on a schedule"
            </label>
            <label for="first-scan">"First scan (your local time)"</label>
            <input
                id="first-scan"
                type="datetime-local"
                prop:value=move || first.get()
                on:input=move |ev| first.set(event_target_value(&ev))
            />
            <label for="interval">"Interval (minutes; 0 = once)"</label>
            <input
                id="interval"
                type="number"
                min="0"
                prop:value=move || interval_min.get()
                on:input=move |ev| interval_min.set(event_target_value(&ev))
            />
            <label for="timeout">"Timeout (minutes; at least twice the interval)"</label>
            <input
                id="timeout"
                type="number"
                min="0"
                prop:value=move || timeout_min.get()
                on:input=move |ev| timeout_min.set(event_target_value(&ev))
            />
            <label for="count">"Keys per SCAN call (10–1000)"</label>
            <input
                id="count"
                type="number"
                min="10"
                max="1000"
                prop:value=move || count.get()
                on:input=move |ev| count.set(event_target_value(&ev))
            />
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
}
