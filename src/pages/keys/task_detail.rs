//! One hot-key or big-key task: its progress while it runs (with Stop), why it failed, or its
//! result — charts, breakdowns by type and shard, and the key table.

use super::charts::{breakdown, result_charts};
use crate::api::{decode, ApiError};
use crate::charts::bars::BarChart;
use crate::components::key_table::KeyTable;
use crate::components::task_status::{FailedBanner, StatusBadge, Stop, StopButton, TaskProgress};
use crate::format::local;
use crate::keytable::KeyRow;
use dcs_api::task::AnalysisTask;
use dcs_api::{TaskKind, TaskStatus, Timestamp};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

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
    /// Replicas read instead of their masters, as `node (of shard)`.
    pub replicas: Vec<String>,
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
            replicas: t
                .analyzed_on
                .unwrap_or_default()
                .into_iter()
                .filter(|n| n.role == "replica")
                .map(|n| format!("{} (of {})", n.node, n.shard))
                .collect(),
        }
    }
}

/// A task's answer as the page's view of it.
pub fn read_task<K: DeserializeOwned>(status: u16, text: &str) -> Result<TaskView, ApiError>
where
    for<'a> KeyRow: From<&'a K>,
{
    decode::<AnalysisTask<K>>(status, text).map(TaskView::from)
}

#[component]
pub fn TaskDetail(
    task: TaskView,
    kind: TaskKind,
    log_factor: u32,
    now: ReadSignal<i64>,
    /// Offered while the task runs (the page passes it; component tests need not).
    #[prop(optional)]
    stop: Option<Stop>,
) -> impl IntoView {
    let head = view! {
        <p class="task-head">
            <StatusBadge status=task.status testid="task-status" />
            " "
            {local(task.created_at)}
            {task
                .scanned_keys
                .map(|n| view! { <span class="muted">" · " {n} " keys scanned"</span> })}
        </p>
    };
    let body = match task.status {
        TaskStatus::Waiting | TaskStatus::Running => view! {
            <TaskProgress
                status=task.status
                progress=task.progress
                since=task.created_at
                now_ms=now
            />
            {stop.map(|s| view! { <StopButton stop=s /> })}
        }
        .into_any(),
        TaskStatus::Failed => view! { <FailedBanner error_msg=task.error_msg /> }.into_any(),
        TaskStatus::Success => {
            let rows = task.rows.unwrap_or_default();
            if rows.is_empty() && kind == TaskKind::Hotkey {
                view! {
                    <p class="muted" data-testid="no-hot-keys">
                        "No key is hot: every LFU counter is at or below its starting value (5), so no key has been read more than one just written. Counters start empty when LFU is switched on; analyse again once the application has been running a while."
                    </p>
                }
                    .into_any()
            } else if rows.is_empty() {
                view! { <p class="muted">"The analysis found no keys."</p> }.into_any()
            } else {
                view! { <Result rows kind log_factor /> }.into_any()
            }
        }
    };
    let replicas = (!task.replicas.is_empty()).then(|| {
        view! {
            <p class="muted small" data-testid="read-on-replicas">
                "Read on replicas: "
                <span translate="no">{task.replicas.join(", ")}</span>
            </p>
        }
    });
    view! { <div class="panel">{head} {replicas} {body}</div> }
}

/// A successful task's charts and table.
#[component]
fn Result(rows: Vec<KeyRow>, kind: TaskKind, log_factor: u32) -> impl IntoView {
    let hot = kind == TaskKind::Hotkey;
    let (chart_id, caption, axis) = if hot {
        ("hotkey-chart", "Top keys by LFU counter (freq)", "freq")
    } else {
        (
            "bigkey-chart",
            "Largest keys (bytes for strings, elements for collections)",
            "size",
        )
    };
    let by_type = breakdown(rows.iter().map(|r| r.key_type.to_string()));
    let by_shard = breakdown(rows.iter().map(|r| r.shard.clone()));
    let charts = result_charts(kind, &rows, log_factor)
        .into_iter()
        .enumerate()
        .map(|(i, (title, bars))| {
            let caption = if title.is_empty() {
                caption.to_string()
            } else {
                format!("{caption}: {title}")
            };
            // The first chart carries the stable test hook.
            let testid = if i == 0 {
                chart_id.to_string()
            } else {
                format!("{chart_id}-{title}")
            };
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
        {(by_shard.len() > 1)
            .then(|| {
                view! {
                    <h3>"By shard"</h3>
                    <BarChart
                        bars=by_shard
                        caption="Keys by shard"
                        testid="by-shard-chart"
                        axis="keys"
                    />
                }
            })}
        <KeyTable rows=rows hot=hot log_factor=log_factor />
    }
}
