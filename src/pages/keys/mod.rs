//! `/instances/:id/hotkeys[/:task]` and `/instances/:id/bigkeys[/:task]`: start an analysis,
//! follow it live, browse the history, edit the schedule, and read the result. The selected task
//! is the one in the URL, else the latest successful one.
//!
//! * [`start_bar`] — the start button, or why the analysis cannot run;
//! * [`lfu_switch`] — switching an instance to LFU: offered, confirmed, undoable;
//! * [`history`] — the analyses of the kind, newest first;
//! * [`task_detail`] — one task: progress, failure, or the result's charts and table;
//! * [`charts`] — the chart data, built by plain functions.

pub mod charts;
pub mod history;
pub mod lfu_switch;
pub mod start_bar;
pub mod task_detail;

use crate::api::{paths, Api, ApiError};
use crate::components::crumbs::Crumbs;
use crate::components::error_banner::{records_state, TransientError};
use crate::components::loaded::loaded;
use crate::components::pace_choice::PaceChoice;
use crate::components::poll::{should_poll, use_task_poll};
use crate::components::schedule_editor::ScheduleEditor;
use crate::components::task_status::Stop;
use crate::fetch::{fetch, fetch_with};
use crate::router::use_location;
use dcs_api::config::{ListConfigurationsResponse, LFU_LOG_FACTOR, MAXMEMORY_POLICY};
use dcs_api::task::TaskList;
use dcs_api::{TaskKind, TaskStatus};
use history::History;
use leptos::prelude::*;
use lfu_switch::LfuSwitch;
use start_bar::{blocked_reason, StartBar};
use task_detail::{read_task, TaskDetail};

/// Where the analysis reads, said under the heading.
fn reads_on(kind: TaskKind) -> &'static str {
    if kind == TaskKind::Hotkey {
        "Hot keys are read on the masters: reads there are what raise the LFU counters. Each master's snapshot holds them, and is read where the master allows: the server forks once and runs no command per key."
    } else {
        "Big keys are read on a healthy replica of each master where there is one, else on the master, from a snapshot where the node allows one: the server forks once and runs no command per key."
    }
}

/// The page of one task, or of the kind when `task` is `None`.
pub fn href(instance: &str, kind: TaskKind, task: Option<&str>) -> String {
    match task {
        Some(t) => format!("/instances/{instance}/{}/{t}", kind.plural()),
        None => format!("/instances/{instance}/{}", kind.plural()),
    }
}

/// `kind` is [`TaskKind::Hotkey`] or [`TaskKind::Bigkey`].
#[component]
pub fn KeysPage(kind: TaskKind) -> impl IntoView {
    let location = use_location();
    let instance = Memo::new(move |_| location.segment(1).unwrap_or_default());
    let task_param = Memo::new(move |_| location.segment(3));
    let api = expect_context::<Api>();
    let tick = RwSignal::new(0u32);
    let now = RwSignal::new(js_sys::Date::now() as i64);

    // The one probe of the instance's configuration this page makes: the LFU policy (may hot
    // keys start?) and the log factor (what a counter means) both come from it.
    let configs =
        fetch::<ListConfigurationsResponse>(move || Some(paths::configs(&instance.get())));
    // Whether (and how fast) a task may run, where the proxy offers a choice.
    let pace = PaceChoice::new(instance);
    let history = fetch::<TaskList>(move || {
        tick.track();
        Some(paths::tasks(&instance.get(), kind))
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
                .map(|t| paths::task(&instance.get(), kind, &t))
        },
        read_task,
    );
    // Poll about once a second while anything is waiting or running; the timer itself pauses
    // while the tab is hidden.
    use_task_poll(now, tick, move || {
        // The history and the shown task are fetched apart: poll until both have ended.
        let shown_busy = detail
            .get_untracked()
            .and_then(|d| d.ok())
            .is_some_and(|t| !t.status.is_terminal());
        shown_busy
            || should_poll(history.get_untracked(), |h| {
                h.records.iter().any(|r| !r.status.is_terminal())
            })
    });

    let log_factor = move || {
        configs
            .get()
            .and_then(|c| c.ok())
            .and_then(|c| c.param(LFU_LOG_FACTOR).and_then(|v| v.parse().ok()))
            .unwrap_or(10u32)
    };
    let blocked = Signal::derive(move || blocked_reason(kind, configs.get()));
    // What the history shows: an error about starting goes once it changes.
    let history_state = Signal::derive(move || {
        records_state(history.get(), |h| {
            h.records.iter().map(|r| (r.id.clone(), r.status)).collect()
        })
    });
    let start_error = RwSignal::new(None::<(ApiError, String)>);
    let starting = RwSignal::new(false);
    let navigate = location;
    let a = api.clone();
    let start = move || {
        let (api, inst, navigate) = (a.clone(), instance.get_untracked(), navigate);
        starting.set(true);
        start_error.set(None);
        leptos::task::spawn_local(async move {
            match api.create_task(&inst, kind, None, pace.pace()).await {
                Ok(id) => {
                    tick.update(|t| *t += 1);
                    navigate.navigate(&href(&inst, kind, Some(&id)));
                }
                Err(e) => start_error.set(Some((e, history_state.get_untracked()))),
            }
            starting.set(false);
        });
    };
    // Stopping a hot/big task deletes it: back to the kind's page, its history refetched.
    let after_stop = location;
    let stop_task = move |task: &str| {
        let inst = instance.get_untracked();
        let navigate = after_stop;
        Stop {
            path: paths::task(&inst, kind, task),
            done: Callback::new(move |()| {
                tick.update(|t| *t += 1);
                navigate.navigate(&href(&inst, kind, None));
            }),
        }
    };
    let deleted = history::after_delete(location, instance, kind, task_param, tick);
    let result = move || match detail.get_optional() {
        Some(None) => view! { <p class="muted">"No analysis yet. Start one above."</p> }.into_any(),
        loading_or_loaded => loaded(loading_or_loaded.flatten(), "Loading…", |t| {
            let stop = stop_task(&t.id);
            view! { <TaskDetail task=t kind log_factor=log_factor() now=now.read_only() stop /> }
        }),
    };

    view! {
        <Crumbs instance here=kind />
        <h1>{crate::components::crumbs::label(kind)}</h1>
        <p class="muted">{reads_on(kind)}</p>
        <StartBar
            kind
            blocked
            busy=Signal::derive(move || {
                starting.get()
                    || history
                        .get()
                        .and_then(|h| h.ok())
                        .is_some_and(|h| h.records.iter().any(|r| !r.status.is_terminal()))
            })
            on_start=Callback::new(move |()| start())
        >
            {pace.view()}
        </StartBar>
        {(kind == TaskKind::Hotkey)
            .then(|| {
                let policy = Signal::derive(move || {
                    configs
                        .get()
                        .and_then(|c| c.ok())
                        .and_then(|c| c.param(MAXMEMORY_POLICY).map(str::to_string))
                });
                view! {
                    <LfuSwitch instance policy changed=Callback::new(move |()| configs.refetch()) />
                }
            })}
        <TransientError error=start_error state=history_state />
        <section>
            <div class="section-head">
                <h2>"Result"</h2>
                <a class="jump" href="#history">
                    "History and schedule"
                </a>
            </div>
            {result}
        </section>
        <section class="grid-2 even" id="history">
            <div>
                <h2>"History"</h2>
                {move || {
                    loaded(
                        history.get(),
                        "Loading…",
                        |h| {
                            view! {
                                <History
                                    records=h.records
                                    kind
                                    instance=instance.get()
                                    selected=selected.get()
                                    deleted
                                />
                            }
                        },
                    )
                }}
            </div>
            <div>{move || view! { <ScheduleEditor instance=instance.get() kind /> }}</div>
        </section>
    }
}
