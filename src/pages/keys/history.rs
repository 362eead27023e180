//! The analyses of one kind on an instance, newest first, each linking to its page; an ended
//! one can be deleted.

use super::href;
use crate::api::paths;
use crate::components::data_table::DataTable;
use crate::components::task_status::{DeleteButton, StatusBadge, Stop};
use crate::format::{duration_ms, local};
use crate::router::Location;
use dcs_api::task::TaskRecord;
use dcs_api::TaskKind;
use leptos::prelude::*;

/// What deleting a record does on a page of `kind`: the history is read again (`tick`), and a
/// page whose address names the deleted task goes back to the kind's page.
pub fn after_delete(
    location: Location,
    instance: Memo<String>,
    kind: TaskKind,
    task_param: Memo<Option<String>>,
    tick: RwSignal<u32>,
) -> Callback<String> {
    Callback::new(move |id: String| {
        tick.update(|t| *t += 1);
        if task_param.get_untracked().as_deref() == Some(id.as_str()) {
            location.navigate(&href(&instance.get_untracked(), kind, None));
        }
    })
}

#[component]
pub fn History(
    records: Vec<TaskRecord>,
    kind: TaskKind,
    instance: String,
    selected: Option<String>,
    /// Called with a task's id once its record is deleted.
    deleted: Callback<String>,
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
            let delete = r.status.is_terminal().then(|| {
                let id = r.id.clone();
                let delete = Stop {
                    path: paths::task(&instance, kind, &r.id),
                    done: Callback::new(move |()| deleted.run(id.clone())),
                };
                view! { <DeleteButton delete /> }
            });
            view! {
                <tr class:current=current>
                    <td>
                        <a href=link>{local(r.created_at)}</a>
                    </td>
                    <td>
                        <StatusBadge status=r.status />
                    </td>
                    <td>{r.scan_type.as_str()}</td>
                    <td>{duration}</td>
                    <td>{delete}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption="Analysis history, newest first (local time)"
            columns=&["Created", "Status", "Type", "Duration", ""]
            compact=true
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
