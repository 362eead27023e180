//! The analyses of one kind on an instance, newest first, each linking to its page.

use super::href;
use crate::components::data_table::DataTable;
use crate::components::task_status::StatusBadge;
use crate::format::{duration_ms, local};
use dcs_api::task::TaskRecord;
use dcs_api::TaskKind;
use leptos::prelude::*;

#[component]
pub fn History(
    records: Vec<TaskRecord>,
    kind: TaskKind,
    instance: String,
    selected: Option<String>,
) -> impl IntoView {
    if records.is_empty() {
        return view! { <p class="muted">"No analyses yet."</p> }.into_any();
    }
    let rows = records
        .into_iter()
        .map(|r| {
            let link = href(&instance, kind, Some(&r.id));
            let current = selected.as_deref() == Some(r.id.as_str());
            let duration = match (r.started_at, r.finished_at) {
                (Some(s), Some(f)) => duration_ms(f.millis() - s.millis()),
                _ => "—".into(),
            };
            view! {
                <tr class:current=current>
                    <td>
                        <a href=link>{local(r.created_at)}</a>
                    </td>
                    <td>
                        <StatusBadge status=r.status />
                    </td>
                    <td>{r.scan_type.as_str()}</td>
                    <td>{r.started_at.map(local).unwrap_or_else(|| "—".into())}</td>
                    <td>{r.finished_at.map(local).unwrap_or_else(|| "—".into())}</td>
                    <td>{duration}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption="Analysis history, newest first (local time)"
            columns=&["Created", "Status", "Type", "Started", "Finished", "Duration"]
            compact=true
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
