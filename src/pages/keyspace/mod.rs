//! `/instances/:id/keyspace[/:task]`: where the memory goes (DCS's offline key analysis). Choose
//! a node and a stored backup or a new snapshot, start, follow the snapshot being parsed, then
//! read the report ([`report`]); the history below it. The selected task is the one in the URL,
//! else the latest successful one.

pub mod report;

use crate::api::{paths, Api, ApiError};
use crate::components::crumbs::Crumbs;
use crate::components::error_banner::ErrorBanner;
use crate::components::loaded::loaded;
use crate::components::poll::{should_poll, use_task_poll};
use crate::components::task_status::{FailedBanner, StatusBadge, Stop, StopButton, TaskProgress};
use crate::fetch::fetch;
use crate::format::{bytes, local};
use crate::json::{FromJson, Json, Read};
use crate::pages::keys::history::{after_delete, History};
use crate::router::use_location;
use dcs_api::backup::{status, BackupList};
use dcs_api::keyspace::{
    CreateKeyAnalysis, KeyAnalysisList, LargestKey, NodeList, PrefixNode, TtlBand, TypeBytes,
    TypeNum,
};
use dcs_api::task::TaskRecord;
use dcs_api::{ScanType, TaskKind, TaskStatus, Timestamp};
use leptos::prelude::*;
use report::Report;

const KIND: TaskKind = TaskKind::Keyspace;

/// What the page reads of a key analysis: `dcs_api::keyspace::KeyAnalysisTask` without the
/// parts it does not show (databases, element bands, prefixes per type); a test keeps the two
/// in step.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisView {
    pub id: String,
    pub status: TaskStatus,
    pub created_at: Timestamp,
    pub progress: Option<u8>,
    pub bytes_parsed: Option<u64>,
    pub error_msg: Option<String>,
    pub node_ip: String,
    pub group_name: String,
    pub backup_id: String,
    pub total_num: u64,
    pub total_bytes: u64,
    pub type_num: Vec<TypeNum>,
    pub type_bytes: Vec<TypeBytes>,
    pub largest_keys: Vec<LargestKey>,
    pub prefix_tree: Vec<PrefixNode>,
    pub ttl: Vec<TtlBand>,
    pub findings: Vec<String>,
}

impl FromJson for AnalysisView {
    fn read(j: &Json) -> Read<Self> {
        Ok(AnalysisView {
            id: j.str("id")?,
            status: j.parsed("status")?,
            created_at: j.time("created_at")?,
            progress: crate::wire::progress(j),
            bytes_parsed: j.opt_u64("bytes_parsed"),
            error_msg: j.opt_str("error_msg"),
            node_ip: j.str("node_ip")?,
            group_name: j.str("group_name")?,
            backup_id: j.str("backup_id")?,
            total_num: j.opt_u64("total_num").unwrap_or_default(),
            total_bytes: j.opt_u64("total_bytes").unwrap_or_default(),
            type_num: j.list("type_num")?,
            type_bytes: j.list("type_bytes")?,
            largest_keys: j.list("largest_keys")?,
            prefix_tree: j.list("prefix_tree")?,
            ttl: j.list("ttl")?,
            findings: j.strings("findings")?,
        })
    }
}

fn href(instance: &str, task: Option<&str>) -> String {
    match task {
        Some(t) => format!("/instances/{instance}/{}/{t}", KIND.plural()),
        None => format!("/instances/{instance}/{}", KIND.plural()),
    }
}

#[component]
pub fn KeyspacePage() -> impl IntoView {
    let location = use_location();
    let instance = Memo::new(move |_| location.segment(1).unwrap_or_default());
    let task_param = Memo::new(move |_| location.segment(3));
    let api = expect_context::<Api>();
    let tick = RwSignal::new(0u32);
    let now = RwSignal::new(js_sys::Date::now() as i64);

    let nodes = fetch::<NodeList>(move || Some(paths::nodes(&instance.get())));
    let backups = fetch::<BackupList>(move || Some(paths::backups(&instance.get())));
    let history = fetch::<KeyAnalysisList>(move || {
        tick.track();
        Some(paths::tasks(&instance.get(), KIND))
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
    let detail = fetch::<AnalysisView>(move || {
        tick.track();
        selected
            .get()
            .map(|t| paths::task(&instance.get(), KIND, &t))
    });
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

    // The node to read ("": the first the instance lists) and the backup ("": a new snapshot).
    let node = RwSignal::new(String::new());
    let backup = RwSignal::new(String::new());
    let start_error = RwSignal::new(None::<ApiError>);
    let starting = RwSignal::new(false);
    let navigate = location;
    let start = move |_| {
        let first = nodes
            .get_untracked()
            .and_then(|n| n.ok())
            .and_then(|n| n.nodes.first().map(|n| n.node_id.clone()));
        let chosen = Some(node.get_untracked())
            .filter(|n| !n.is_empty())
            .or(first);
        let body = CreateKeyAnalysis {
            node_id: chosen,
            backup_id: Some(backup.get_untracked()).filter(|b| !b.is_empty()),
        };
        let (api, inst, navigate) = (api.clone(), instance.get_untracked(), navigate);
        starting.set(true);
        start_error.set(None);
        leptos::task::spawn_local(async move {
            let body = serde_json::to_string(&body).ok();
            match api.create_task(&inst, KIND, body, None).await {
                Ok(id) => {
                    tick.update(|t| *t += 1);
                    navigate.navigate(&href(&inst, Some(&id)));
                }
                Err(e) => start_error.set(Some(e)),
            }
            starting.set(false);
        });
    };
    let node_options = move || {
        nodes.get().and_then(|n| n.ok()).map(|n| {
            n.nodes
                .into_iter()
                .map(|n| {
                    let label = format!("{}:{} ({})", n.node_ip, n.node_port, n.node_role);
                    view! { <option value=n.node_id>{label}</option> }
                })
                .collect_view()
        })
    };
    let backup_options = move || {
        backups.get().and_then(|b| b.ok()).map(|b| {
            b.backup_record_response
                .into_iter()
                .filter(|b| b.status == status::SUCCEEDED)
                .map(|b| {
                    let label = format!("{} · {}", local(b.created_at), bytes(b.size));
                    view! { <option value=b.backup_id>{label}</option> }
                })
                .collect_view()
        })
    };

    // Stopping a key analysis deletes it (as DCS's DELETE does): back to the page.
    let after_stop = location;
    let result = move || match detail.get_optional() {
        Some(None) => view! { <p class="muted">"No analysis yet. Start one above."</p> }.into_any(),
        loading_or_loaded => loaded(loading_or_loaded.flatten(), "Loading…", |t| {
            let inst = instance.get_untracked();
            let navigate = after_stop;
            let stop = Stop {
                path: paths::task(&inst, KIND, &t.id),
                done: Callback::new(move |()| {
                    tick.update(|t| *t += 1);
                    navigate.navigate(&href(&inst, None));
                }),
            };
            view! { <TaskDetail task=t now=now.read_only() stop /> }
        }),
    };
    let deleted = after_delete(location, instance, KIND, task_param, tick);
    let records = move || {
        loaded(history.get(), "Loading…", |h| {
            let records = h.records.into_iter().map(|r| TaskRecord {
                id: r.id,
                instance_id: None,
                scan_type: ScanType::Manual,
                status: r.status,
                created_at: r.created_at,
                started_at: r.started_at,
                finished_at: r.finished_at,
                progress: r.progress,
                error_msg: r.error_msg,
            });
            view! {
                <History
                    records=records.collect()
                    kind=KIND
                    instance=instance.get()
                    selected=selected.get()
                    deleted
                />
            }
        })
    };

    view! {
        <Crumbs instance here=KIND />
        <h1>"Key space"</h1>
        <p class="muted">
            "Where the memory goes, from one node's snapshot: the server forks once, as for a new replica; a stored backup costs it nothing."
        </p>
        <div class="actions">
            <label class="inline">
                "Node"
                <select
                    data-testid="keyspace-node"
                    on:change=move |ev| node.set(event_target_value(&ev))
                >
                    {node_options}
                </select>
            </label>
            <label class="inline">
                "Snapshot"
                <select
                    data-testid="keyspace-backup"
                    on:change=move |ev| backup.set(event_target_value(&ev))
                >
                    <option value="">"New snapshot"</option>
                    {backup_options}
                </select>
            </label>
            <button
                class="button primary"
                data-testid="start-keyspace-analysis"
                disabled=move || {
                    starting.get()
                        || history
                            .get()
                            .and_then(|h| h.ok())
                            .is_some_and(|h| h.records.iter().any(|r| !r.status.is_terminal()))
                }
                on:click=start
            >
                "Start key-space analysis"
            </button>
        </div>
        {move || nodes.get().and_then(|n| n.err()).map(|e| view! { <ErrorBanner error=e /> })}
        {move || start_error.get().map(|e| view! { <ErrorBanner error=e /> })}
        <section>
            <h2>"Result"</h2>
            {result}
        </section>
        <section>
            <h2>"History"</h2>
            {records}
        </section>
    }
}

/// One key analysis: its progress (snapshot bytes parsed) with Stop, why it failed, or the report.
#[component]
fn TaskDetail(task: AnalysisView, now: ReadSignal<i64>, stop: Stop) -> impl IntoView {
    let source = if task.backup_id.is_empty() {
        "new snapshot".to_string()
    } else {
        format!("backup {}", task.backup_id)
    };
    let head = view! {
        <p class="task-head">
            <StatusBadge status=task.status testid="task-status" />
            " "
            {local(task.created_at)}
            <span class="muted" translate="no">
                " · "
                {format!("{} ({})", task.node_ip, task.group_name)}
            </span>
            <span class="muted">" · " {source}</span>
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
            <p class="muted small" data-testid="keyspace-bytes-parsed">
                {bytes(task.bytes_parsed.unwrap_or(0))}
                " of the snapshot parsed"
            </p>
            <StopButton stop />
        }
        .into_any(),
        TaskStatus::Failed => view! { <FailedBanner error_msg=task.error_msg /> }.into_any(),
        TaskStatus::Success => view! { <Report task /> }.into_any(),
    };
    view! { <div class="panel">{head} {body}</div> }
}

// Read with the browser's JSON.parse: runs in Chromium (`make test-components`).
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::AnalysisView;
    use dcs_api::keyspace::{
        KeyAnalysisTask, KeyspaceReport, LargestKey, PrefixNode, TtlBand, TypeBytes, TypeNum,
    };
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The page's view reads what the proxy sends: every field it shows, from the wire record.
    #[test]
    fn the_view_reads_the_wire_record() {
        let task = KeyAnalysisTask {
            id: "t1".into(),
            instance_id: "i".into(),
            node_id: "n".into(),
            backup_id: String::new(),
            group_name: "10.0.0.1:6379".into(),
            node_ip: "10.0.0.1".into(),
            node_type: "redis-server".into(),
            analysis_type: "new_backup".into(),
            status: dcs_api::TaskStatus::Success,
            created_at: dcs_api::Timestamp::from_millis(1).unwrap(),
            started_at: None,
            finished_at: None,
            progress: None,
            bytes_parsed: None,
            error_msg: None,
            report: KeyspaceReport {
                total_num: 3,
                total_bytes: 300,
                prefix_tree: vec![PrefixNode {
                    prefix: "a:".into(),
                    depth: 1,
                    num: 3,
                    bytes: 300,
                }],
                ttl: vec![TtlBand {
                    ttl: "none".into(),
                    num: 3,
                    bytes: 300,
                }],
                findings: vec!["f".into()],
                type_num: vec![TypeNum {
                    key_type: "hash".into(),
                    num: 3,
                }],
                type_bytes: vec![TypeBytes {
                    key_type: "hash".into(),
                    bytes: 300,
                }],
                largest_keys: vec![LargestKey {
                    key: "a:1".into(),
                    key_type: "hash".into(),
                    bytes: 200,
                    num_of_elem: 9,
                    db: 2,
                }],
                ..Default::default()
            },
        };
        let view: AnalysisView =
            crate::api::decode(200, &serde_json::to_string(&task).unwrap()).unwrap();
        assert_eq!(
            (
                view.total_num,
                view.total_bytes,
                view.prefix_tree,
                view.ttl,
                view.findings
            ),
            (
                3,
                300,
                task.report.prefix_tree,
                task.report.ttl,
                task.report.findings
            )
        );
        assert_eq!(
            (view.node_ip, view.group_name),
            (task.node_ip, task.group_name)
        );
        assert_eq!(
            (view.type_num, view.type_bytes, view.largest_keys),
            (
                task.report.type_num,
                task.report.type_bytes,
                task.report.largest_keys
            )
        );
    }
}
