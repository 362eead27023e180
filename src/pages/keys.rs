//! `/instances/:id/hotkeys[/:task]` and `/instances/:id/bigkeys[/:task]`: start an analysis,
//! follow it live, browse the history, edit the schedule, and read the result (chart, breakdowns,
//! table). The selected task is the one in the URL, else the latest successful one.

use crate::api::{decode, paths, Api, ApiError};
use crate::charts::bars::{Bar, BarChart};
use crate::components::error_banner::ErrorBanner;
use crate::components::key_table::KeyTable;
use crate::components::poll::{should_poll, use_visible_interval};
use crate::components::schedule_editor::ScheduleEditor;
use crate::components::task_status::{StatusBadge, Stop, StopButton, TaskProgress};
use crate::fetch::{fetch, fetch_with};
use crate::format::{duration_ms, local};
use crate::keytable::KeyRow;
use crate::lfu::accesses_label;
use dcs_api::config::{
    is_lfu_policy, ListConfigurationsResponse, LFU_LOG_FACTOR, MAXMEMORY_POLICY,
};
use dcs_api::task::{AnalysisTask, BigkeyEntry, HotkeyEntry, TaskList, TaskRecord};
use dcs_api::{TaskStatus, Timestamp};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::de::DeserializeOwned;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analysis {
    Hot,
    Big,
}

impl Analysis {
    /// The DCS path word.
    fn wire(self) -> &'static str {
        if self == Analysis::Hot {
            "hotkey"
        } else {
            "bigkey"
        }
    }
    fn route(self) -> &'static str {
        if self == Analysis::Hot {
            "hotkeys"
        } else {
            "bigkeys"
        }
    }
    fn title(self) -> &'static str {
        if self == Analysis::Hot {
            "Hot keys"
        } else {
            "Big keys"
        }
    }
}

/// A task of either kind, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskView {
    pub id: String,
    pub status: TaskStatus,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub progress: Option<u8>,
    pub scanned_keys: Option<u64>,
    pub error_msg: Option<String>,
    pub rows: Option<Vec<KeyRow>>,
}

impl<K> From<AnalysisTask<K>> for TaskView
where
    for<'a> KeyRow: From<&'a K>,
{
    fn from(t: AnalysisTask<K>) -> Self {
        TaskView {
            id: t.id,
            status: t.status,
            created_at: t.created_at,
            started_at: t.started_at,
            finished_at: t.finished_at,
            progress: t.progress,
            scanned_keys: t.scanned_keys,
            error_msg: t.error_msg,
            rows: t.keys.map(|k| k.iter().map(KeyRow::from).collect()),
        }
    }
}

/// A task's answer as the page's view of it.
fn read_task<K: DeserializeOwned>(status: u16, text: &str) -> Result<TaskView, ApiError>
where
    for<'a> KeyRow: From<&'a K>,
{
    decode::<AnalysisTask<K>>(status, text).map(TaskView::from)
}

async fn create_task(api: &Api, inst: &str, kind: Analysis) -> Result<String, ApiError> {
    match kind {
        Analysis::Hot => api
            .create_task::<HotkeyEntry>(inst, "hotkey")
            .await
            .map(|t| t.id),
        Analysis::Big => api
            .create_task::<BigkeyEntry>(inst, "bigkey")
            .await
            .map(|t| t.id),
    }
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[component]
pub fn KeysPage(kind: Analysis) -> impl IntoView {
    let params = use_params_map();
    let instance = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let task_param = Memo::new(move |_| params.read().get("task"));
    let api = expect_context::<Api>();
    let tick = RwSignal::new(0u32);
    let now = RwSignal::new(now_ms());

    let configs =
        fetch::<ListConfigurationsResponse>(move || Some(paths::configs(&instance.get())));
    let history = fetch::<TaskList>(move || {
        tick.track();
        Some(paths::tasks(&instance.get(), kind.wire()))
    });
    let selected = Memo::new(move |_| {
        task_param.get().or_else(|| {
            history.get().and_then(|h| h.ok()).and_then(|h| {
                h.records
                    .iter()
                    .find(|r| r.status == TaskStatus::Success)
                    .map(|r| r.id.clone())
            })
        })
    });
    let detail = fetch_with(
        move || {
            tick.track();
            selected
                .get()
                .map(|t| paths::task(&instance.get(), kind.wire(), &t))
        },
        match kind {
            Analysis::Hot => read_task::<HotkeyEntry>,
            Analysis::Big => read_task::<BigkeyEntry>,
        },
    );
    // Poll about once a second while anything is waiting or running; the timer itself pauses
    // while the tab is hidden.
    use_visible_interval(Duration::from_secs(1), move || {
        now.set(now_ms());
        if should_poll(history.get_untracked(), |h| {
            h.records.iter().any(|r| !r.status.is_terminal())
        }) {
            tick.update(|t| *t += 1);
        }
    });

    let log_factor = move || {
        configs
            .get()
            .and_then(|c| c.ok())
            .and_then(|c| c.param(LFU_LOG_FACTOR).and_then(|v| v.parse().ok()))
            .unwrap_or(10u32)
    };
    let blocked = Signal::derive(move || blocked_reason(kind, configs.get()));
    let start_error = RwSignal::new(None::<ApiError>);
    let starting = RwSignal::new(false);
    let navigate = use_navigate();
    let a = api.clone();
    let start = move || {
        let (api, inst, navigate) = (a.clone(), instance.get_untracked(), navigate.clone());
        starting.set(true);
        start_error.set(None);
        leptos::task::spawn_local(async move {
            match create_task(&api, &inst, kind).await {
                Ok(id) => {
                    tick.update(|t| *t += 1);
                    navigate(
                        &format!("/instances/{inst}/{}/{id}", kind.route()),
                        Default::default(),
                    );
                }
                Err(e) => start_error.set(Some(e)),
            }
            starting.set(false);
        });
    };
    let a = api.clone();
    let enable_lfu = move || {
        let (api, inst) = (a.clone(), instance.get_untracked());
        leptos::task::spawn_local(async move {
            match api.set_policy(&inst, "allkeys-lfu").await {
                Ok(()) => configs.refetch(),
                Err(e) => start_error.set(Some(e)),
            }
        });
    };

    // Stopping a hot/big task deletes it: back to the kind's page, its history refetched.
    let after_stop = use_navigate();
    let stop_task = move |task: &str| {
        let inst = instance.get_untracked();
        let navigate = after_stop.clone();
        Stop {
            path: paths::task(&inst, kind.wire(), task),
            done: Callback::new(move |()| {
                tick.update(|t| *t += 1);
                navigate(
                    &format!("/instances/{inst}/{}", kind.route()),
                    Default::default(),
                );
            }),
        }
    };

    view! {
            <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Instances"</a>" / " {move || instance.get()}</nav>
            <h1>{kind.title()}</h1>
            <StartBar kind blocked busy=starting.into() on_start=Callback::new(move |()| start()) on_enable_lfu=Callback::new(move |()| enable_lfu()) />
            {move || start_error.get().map(|e| view! { <ErrorBanner error=e /> })}
            <section class="grid-2">
                <div>
                    <h2>"Result"</h2>
                    {move || match detail.get_optional() { None => view! { <p class="muted">"Loading…"</p> }.into_any(), Some(loaded) =>
                        match loaded {
                            None => view! { <p class="muted">"No analysis yet. Start one above."</p> }.into_any(),
                            Some(Err(e)) => view! { <ErrorBanner error=e /> }.into_any(),
                            Some(Ok(t)) => {
                                let stop = stop_task(&t.id);
                                view! { <TaskDetail task=t kind=kind log_factor=log_factor() now=now.read_only() stop /> }.into_any()
                            }
                        },
    }}
                </div>
                <div>
                    <h2>"History"</h2>
                    {move || match history.get() { None => view! { <p class="muted">"Loading…"</p> }.into_any(), Some(loaded) =>
                        match loaded {
                            Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                            Ok(h) => view! { <History records=h.records kind=kind instance=instance.get() selected=selected.get() /> }.into_any(),
                        },
    }}
                    {move || view! { <ScheduleEditor instance=instance.get() kind=kind.wire() /> }}
                </div>
            </section>
        }
}

#[component]
fn History(
    records: Vec<TaskRecord>,
    kind: Analysis,
    instance: String,
    selected: Option<String>,
) -> impl IntoView {
    if records.is_empty() {
        return view! { <p class="muted">"No analyses yet."</p> }.into_any();
    }
    let rows = records
        .into_iter()
        .map(|r| {
            let href = format!("/instances/{instance}/{}/{}", kind.route(), r.id);
            let current = selected.as_deref() == Some(r.id.as_str());
            let duration = match (r.started_at, r.finished_at) {
                (Some(s), Some(f)) => duration_ms(f.millis() - s.millis()),
                _ => "—".into(),
            };
            view! {
                <tr class:current=current>
                    <td><a href=href>{local(r.created_at)}</a></td>
                    <td><StatusBadge status=r.status /></td>
                    <td>{r.scan_type.as_str()}</td>
                    <td>{r.started_at.map(local).unwrap_or_else(|| "—".into())}</td>
                    <td>{r.finished_at.map(local).unwrap_or_else(|| "—".into())}</td>
                    <td>{duration}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data compact">
                <caption class="sr-only">"Analysis history, newest first (local time)"</caption>
                <thead><tr><th scope="col">"Created"</th><th scope="col">"Status"</th><th scope="col">"Type"</th><th scope="col">"Started"</th><th scope="col">"Finished"</th><th scope="col">"Duration"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Counts per label, largest first.
fn breakdown(labels: impl Iterator<Item = String>) -> Vec<Bar> {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for l in labels {
        match counts.iter_mut().find(|(k, _)| *k == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
        .into_iter()
        .map(|(label, n)| Bar {
            label,
            value: n,
            text: crate::format::keys(n),
        })
        .collect()
}

/// Why an analysis cannot start, if it cannot: the instance's configuration could not be read,
/// or (hot keys) its `maxmemory-policy` is not an LFU one.
pub fn blocked_reason(
    kind: Analysis,
    configs: Option<Result<ListConfigurationsResponse, ApiError>>,
) -> Option<String> {
    match configs? {
        Err(e) => Some(format!(
            "The instance cannot be analysed now: {}",
            e.message()
        )),
        Ok(c) if kind == Analysis::Hot => {
            let policy = c.param(MAXMEMORY_POLICY).unwrap_or("unknown").to_string();
            (!is_lfu_policy(&policy)).then(|| {
                format!("Hot-key analysis needs maxmemory-policy allkeys-lfu or volatile-lfu; this instance uses {policy}.")
            })
        }
        Ok(_) => None,
    }
}

/// The start button, disabled with the reason beside it when the analysis cannot run (and, for
/// hot keys, the offer to switch the instance to LFU).
#[component]
pub fn StartBar(
    kind: Analysis,
    blocked: Signal<Option<String>>,
    busy: Signal<bool>,
    on_start: Callback<()>,
    on_enable_lfu: Callback<()>,
) -> impl IntoView {
    let testid = if kind == Analysis::Hot {
        "start-hotkey-task"
    } else {
        "start-bigkey-task"
    };
    view! {
        <div class="actions">
            <button class="button primary" data-testid=testid
                disabled=move || blocked.get().is_some() || busy.get()
                on:click=move |_| on_start.run(())>{if kind == Analysis::Hot { "Start hot-key analysis" } else { "Start big-key analysis" }}</button>
            {move || blocked.get().map(|why| view! {
                <span class="reason" role="note">{why}</span>
                {(kind == Analysis::Hot).then(|| view! { <button class="button" on:click=move |_| on_enable_lfu.run(())>"Enable LFU (allkeys-lfu)"</button> })}
            })}
        </div>
    }
}

#[component]
pub fn TaskDetail(
    task: TaskView,
    kind: Analysis,
    log_factor: u32,
    now: ReadSignal<i64>,
    /// Offered while the task runs (the page passes it; component tests need not).
    #[prop(optional)]
    stop: Option<Stop>,
) -> impl IntoView {
    let head = view! {
        <p class="task-head">
            <StatusBadge status=task.status testid="task-status" />
            " " {local(task.created_at)}
            {task.scanned_keys.map(|n| view! { <span class="muted">" · "{n}" keys scanned"</span> })}
        </p>
    };
    let body = match task.status {
        TaskStatus::Waiting | TaskStatus::Running => view! {
            <TaskProgress status=task.status progress=task.progress since=task.created_at now_ms=now />
            {stop.map(|s| view! { <StopButton stop=s /> })}
        }
        .into_any(),
        TaskStatus::Failed => view! {
            <div class="banner banner-error" role="alert" data-testid="error-banner"><strong>"The analysis failed"</strong>
                <p>{task.error_msg.unwrap_or_else(|| "No reason was given.".into())}</p></div>
        }
        .into_any(),
        TaskStatus::Success => {
            let rows = task.rows.unwrap_or_default();
            if rows.is_empty() {
                view! { <p class="muted">"The analysis found no keys."</p> }.into_any()
            } else {
                let hot = kind == Analysis::Hot;
                // Hot keys: one chart of the hottest. Big keys: sizes are comparable only within a
                // type (bytes vs elements), so one chart per type.
                let charts: Vec<(String, Vec<Bar>)> = if hot {
                    let bars = rows.iter().take(20).map(|r| {
                        let f = r.freq.unwrap_or(0);
                        Bar { label: r.name.clone(), value: f as u64, text: format!("{f} ({})", accesses_label(f, log_factor)) }
                    });
                    vec![(String::new(), bars.collect())]
                } else {
                    dcs_api::KeyType::ALL
                        .iter()
                        .filter_map(|t| {
                            let bars: Vec<Bar> = rows
                                .iter()
                                .filter(|r| r.key_type == *t)
                                .take(10)
                                .map(|r| Bar { label: r.name.clone(), value: r.size, text: crate::format::size(r.size, r.unit) })
                                .collect();
                            (!bars.is_empty()).then(|| (t.to_string(), bars))
                        })
                        .collect()
                };
                let by_type = breakdown(rows.iter().map(|r| r.key_type.to_string()));
                let by_shard = breakdown(rows.iter().map(|r| r.shard.clone()));
                let chart_id = if hot { "hotkey-chart" } else { "bigkey-chart" };
                let caption = if hot { "Top keys by LFU counter (freq)" } else { "Largest keys (bytes for strings, elements for collections)" };
                let axis = if hot { "freq" } else { "size" };
                let charts = charts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (title, bars))| {
                        let caption = if title.is_empty() { caption.to_string() } else { format!("{caption}: {title}") };
                        // The first chart carries the stable test hook.
                        let testid = if i == 0 { chart_id.to_string() } else { format!("{chart_id}-{title}") };
                        view! {
                            {(!title.is_empty()).then(|| view! { <h3>{title.clone()}</h3> })}
                            <BarChart bars=bars caption=caption testid=testid axis=axis />
                        }
                    })
                    .collect_view();
                view! {
                    {charts}
                    <h3>"By type"</h3>
                    <BarChart bars=by_type caption="Keys by type" testid="by-type-chart" axis="keys" />
                    {(by_shard.len() > 1).then(|| view! {
                        <h3>"By shard"</h3>
                        <BarChart bars=by_shard caption="Keys by shard" testid="by-shard-chart" axis="keys" />
                    })}
                    <KeyTable rows=rows hot=hot log_factor=log_factor />
                }
                .into_any()
            }
        }
    };
    view! { <div class="panel">{head}{body}</div> }
}

#[cfg(test)]
mod tests {
    #[test]
    fn breakdown_counts_and_orders() {
        let b = super::breakdown(["string", "hash", "string"].into_iter().map(String::from));
        assert_eq!(
            b.iter()
                .map(|b| (b.label.as_str(), b.value))
                .collect::<Vec<_>>(),
            [("string", 2), ("hash", 1)]
        );
    }
}
