//! `/`: the instances this console can analyse.

use crate::api::{paths, Api};
use crate::components::data_table::DataTable;
use crate::components::loaded::loaded;
use crate::fetch::fetch;
use dcs_api::config::ListConfigurationsResponse;
use dcs_api::config::{is_lfu_policy, MAXMEMORY_POLICY};
use dcs_api::instance::InstanceListInfo;
use dcs_api::instance::ListInstancesResponse;
use dcs_api::TaskKind;
use leptos::prelude::*;

#[component]
pub fn InstancesPage() -> impl IntoView {
    let instances = fetch::<ListInstancesResponse>(|| Some(paths::instances()));
    view! {
        <h1>"Instances"</h1>
        {move || {
            loaded(
                instances.get(),
                "Loading instances…",
                |list| {
                    if list.instances.is_empty() {
                        view! { <p class="muted">"No instances are configured."</p> }.into_any()
                    } else {
                        view! { <InstanceTable rows=list.instances /> }.into_any()
                    }
                },
            )
        }}
    }
}

const COLUMNS: &[&str] = &[
    "Name",
    "Engine",
    "Status",
    "Mode",
    "maxmemory-policy",
    "Address",
    "Memory used / max",
    "Analyses",
];

#[component]
fn InstanceTable(rows: Vec<InstanceListInfo>) -> impl IntoView {
    view! {
        <DataTable caption="Configured Redis instances" columns=COLUMNS>
            {rows.into_iter().map(|i| view! { <InstanceRow info=i /> }).collect_view()}
        </DataTable>
    }
}

/// The policy and what it allows.
fn policy_cell(policy: String) -> AnyView {
    let note = if is_lfu_policy(&policy) {
        "all analyses available"
    } else {
        "hot keys need allkeys-lfu or volatile-lfu"
    };
    view! {
        <code>{policy}</code>
        <div class="muted small">{note}</div>
    }
    .into_any()
}

#[component]
fn InstanceRow(info: InstanceListInfo) -> impl IntoView {
    // The proxy lists each instance's policy (one request for the whole page); DCS does not, so
    // in cloud mode a row asks its instance's configuration.
    let listed = info.maxmemory_policy.clone();
    let ask = listed.is_none() && expect_context::<Api>().config().mode.as_deref() == Some("cloud");
    let id = info.instance_id.clone();
    let configs = fetch::<ListConfigurationsResponse>(move || ask.then(|| paths::configs(&id)));
    // Local mode lists the mode; DCS only shows it per instance.
    let mode = info.cache_mode.clone().unwrap_or_else(|| "—".into())
        + &info
            .sharding_count
            .map(|n| format!(" ({n} shards)"))
            .unwrap_or_default();
    let policy = move || match (listed.clone(), configs.get_optional()) {
        (Some(p), _) => policy_cell(p),
        (None, Some(Some(Ok(c)))) => {
            policy_cell(c.param(MAXMEMORY_POLICY).unwrap_or("unknown").into())
        }
        (None, Some(_)) => view! { <span class="muted">"unavailable"</span> }.into_any(),
        (None, None) => view! { <span class="muted">"…"</span> }.into_any(),
    };
    let base = format!("/instances/{}", info.instance_id);
    let status_class = if info.status == dcs_api::instance::STATUS_RUNNING {
        "badge badge-ok"
    } else {
        "badge badge-bad"
    };
    let max = if info.max_memory == 0 {
        "unlimited".to_string()
    } else {
        format!("{} MB", info.max_memory)
    };
    view! {
        <tr data-testid="instance-row">
            <th scope="row">
                {info.name}<div class="muted small">
                    <code>{info.instance_id}</code>
                </div>
            </th>
            <td data-label="Engine">{info.engine}" "{info.engine_version}</td>
            <td data-label="Status">
                <span class=status_class>{info.status}</span>
            </td>
            <td data-label="Mode">{mode}</td>
            <td data-label="maxmemory-policy">{policy}</td>
            <td data-label="Address">
                <code>{format!("{}:{}", info.ip, info.port)}</code>
            </td>
            <td data-label="Memory used / max">{format!("{} MB / {max}", info.used_memory)}</td>
            <td class="analyses">
                <div class="links">
                    {TaskKind::ALL
                        .iter()
                        .map(|k| {
                            view! {
                                <a href=format!(
                                    "{base}/{}",
                                    k.plural(),
                                )>{crate::components::crumbs::label(*k)}</a>
                            }
                        })
                        .collect_view()}
                </div>
            </td>
        </tr>
    }
}
