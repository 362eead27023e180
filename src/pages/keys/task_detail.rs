//! One hot-key or big-key task: its progress while it runs (with Stop), why it failed, or its
//! result — charts, breakdowns by type and shard, and the key table.

use super::charts::{breakdown, result_charts};
use crate::api::{decode, ApiError};
use crate::charts::bars::BarChart;
use crate::components::key_table::KeyTable;
use crate::components::task_status::{FailedBanner, StatusBadge, Stop, StopButton, TaskProgress};
use crate::format::local;
use crate::json::{FromJson, Json, Read};
use crate::keytable::KeyRow;
use dcs_api::task::{AnalyzedNode, KeyThresholds};
use dcs_api::{TaskKind, TaskStatus, Timestamp};
use leptos::prelude::*;

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
    /// Nodes whose snapshot was read (big keys), as `node`.
    pub snapshots: Vec<String>,
    /// What counts as big or hot on the instance.
    pub thresholds: KeyThresholds,
    /// It ran at the fast pace.
    pub fast: bool,
}

/// A key of either kind as the page reads it: a hot-key entry's fields, `freq` only on hot
/// keys (`dcs_api::task::HotkeyEntry`, `BigkeyEntry`).
impl FromJson for KeyRow {
    fn read(j: &Json) -> Read<Self> {
        Ok(KeyRow {
            name: j.str("name")?,
            key_type: j.parsed("type")?,
            shard: j.str("shard")?,
            db: j.u32("db")?,
            size: j.u64("size")?,
            unit: j.parsed("unit")?,
            freq: j.opt_u64("freq").map(|f| f as u32),
            memory: None,
        })
    }
}

/// Replicas read instead of their masters, as `node (of shard)`.
fn replicas(on: &[AnalyzedNode]) -> Vec<String> {
    on.iter()
        .filter(|n| n.role == "replica")
        .map(|n| format!("{} (of {})", n.node, n.shard))
        .collect()
}

/// Nodes read from their snapshot rather than scanned.
fn snapshots(on: &[AnalyzedNode]) -> Vec<String> {
    on.iter()
        .filter(|n| n.source.as_deref() == Some("snapshot"))
        .map(|n| n.node.clone())
        .collect()
}

/// A task's answer (hot or big keys, `dcs_api::task::AnalysisTask`) as the page's view of it.
pub fn read_task(status: u16, text: &str) -> Result<TaskView, ApiError> {
    decode::<TaskView>(status, text)
}

impl FromJson for TaskView {
    fn read(j: &Json) -> Read<Self> {
        let on: Vec<AnalyzedNode> = j.list("analyzed_on")?;
        Ok(TaskView {
            id: j.str("id")?,
            status: j.parsed("status")?,
            created_at: j.time("created_at")?,
            started_at: j.opt_time("started_at")?,
            finished_at: j.opt_time("finished_at")?,
            progress: crate::wire::progress(j),
            scanned_keys: j.opt_u64("scanned_keys"),
            error_msg: j.opt_str("error_msg"),
            rows: j.opt_list("keys")?,
            replicas: replicas(&on),
            snapshots: snapshots(&on),
            thresholds: j.opt("thresholds")?.unwrap_or_default(),
            fast: j.opt_str("pace").and_then(|p| p.parse().ok()) == Some(dcs_api::Pace::Fast),
        })
    }
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
    let thresholds = task.thresholds;
    let head = view! {
        <p class="task-head">
            <StatusBadge status=task.status testid="task-status" />
            " "
            {local(task.created_at)}
            {task
                .scanned_keys
                .map(|n| view! { <span class="muted">" · " {n} " keys scanned"</span> })}
            {task.fast.then(|| view! { <span class="muted">" · fast pace"</span> })}
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
                        {format!(
                            "No key is hot: no LFU counter reaches this instance's minimum ({}). Redis starts every key at 5, so a key there has not been read more than one just written; counters start empty when LFU is switched on. Analyse again once the application has been running a while.",
                            thresholds.hot_min_freq,
                        )}
                    </p>
                }
                    .into_any()
            } else if rows.is_empty() {
                view! { <p class="muted">"The analysis found no keys."</p> }.into_any()
            } else {
                view! { <Result rows kind log_factor thresholds /> }.into_any()
            }
        }
    };
    let replicas = read_note("read-on-replicas", "Read on replicas: ", &task.replicas);
    let snapshots = read_note(
        "read-from-snapshot",
        "Read from a snapshot: ",
        &task.snapshots,
    );
    view! { <div class="panel">{head} {replicas} {snapshots} {body}</div> }
}

/// How the nodes were read, a line under the heading: nothing when no node was read that way.
fn read_note(id: &'static str, label: &'static str, nodes: &[String]) -> Option<impl IntoView> {
    (!nodes.is_empty()).then(|| {
        view! {
            <p class="muted small" data-testid=id>
                {label}
                <span translate="no">{nodes.join(", ")}</span>
            </p>
        }
    })
}

/// A successful task's charts and table.
#[component]
fn Result(
    rows: Vec<KeyRow>,
    kind: TaskKind,
    log_factor: u32,
    thresholds: KeyThresholds,
) -> impl IntoView {
    let hot = kind == TaskKind::Hotkey;
    let (chart_id, caption, axis) = if hot {
        (
            "hotkey-chart",
            "Top keys by estimated accesses (logarithmic scale)",
            "accesses",
        )
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
            // Strings are measured in bytes: their axis says KiB/MiB.
            let bytes = title == "string";
            view! {
                {(!title.is_empty()).then(|| view! { <h3>{title.clone()}</h3> })}
                <BarChart bars=bars caption=caption testid=testid axis=axis log=hot bytes />
            }
        })
        .collect_view();
    let legend = hot
        .then(|| {
            view! {
                <p class="muted small legend" data-testid="hotkey-legend">
                    {format!(
                        "Bars are estimated recent accesses on a logarithmic scale: each grid line is ten times the one before. Redis keeps a logarithmic LFU counter per key (0–255, starting at 5); “≈” is the accesses that counter stands for with this instance's lfu-log-factor ({log_factor}), and “≥ ~1M” means the counter is saturated. Counters decay while a key is idle.",
                    )}
                </p>
            }
        });
    let over = (!hot).then(|| {
        let n = rows
            .iter()
            .filter(|r| thresholds.exceeds(r.size, r.unit))
            .count();
        let any = n > 0;
        view! {
            <p class="summary" class:over=any data-testid="over-threshold">
                {format!(
                    "{n} of {} exceed the big-key thresholds (strings over {}, collections over {} elements).",
                    crate::format::keys(rows.len() as u64),
                    crate::format::bytes(thresholds.big_string_bytes),
                    thresholds.big_elements,
                )}
            </p>
        }
    });
    view! {
        {over}
        {charts}
        {legend}
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
        <KeyTable rows=rows hot=hot log_factor=log_factor thresholds=(!hot).then_some(thresholds) />
    }
}
