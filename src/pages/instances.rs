//! `/`: the instances this console can analyse.

use crate::api::paths;
use crate::components::error_banner::ErrorBanner;
use crate::fetch::fetch;
use dcs_api::config::ListConfigurationsResponse;
use dcs_api::config::{is_lfu_policy, MAXMEMORY_POLICY};
use dcs_api::instance::InstanceListInfo;
use dcs_api::instance::ListInstancesResponse;
use leptos::prelude::*;

#[component]
pub fn InstancesPage() -> impl IntoView {
    let instances = fetch::<ListInstancesResponse>(|| Some(paths::instances()));
    view! {
            <h1>"Instances"</h1>
            {move || match instances.get() { None => view! { <p class="muted">"Loading instances…"</p> }.into_any(), Some(loaded) =>
                match loaded {
                    Ok(list) if list.instances.is_empty() => view! {
                        <p class="muted">"No instances are configured."</p>
                    }.into_any(),
                    Ok(list) => view! { <InstanceTable rows=list.instances /> }.into_any(),
                    Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                },
    }}
        }
}

#[component]
fn InstanceTable(rows: Vec<InstanceListInfo>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <caption class="sr-only">"Configured Redis instances"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Engine"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Mode"</th>
                        <th scope="col">"maxmemory-policy"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Memory used / max"</th>
                        <th scope="col">"Analyses"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|i| view! { <InstanceRow info=i /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn InstanceRow(info: InstanceListInfo) -> impl IntoView {
    let id = info.instance_id.clone();
    let configs = fetch::<ListConfigurationsResponse>(move || Some(paths::configs(&id)));
    // Local mode lists the mode; DCS only shows it per instance.
    let mode = info.cache_mode.clone().unwrap_or_else(|| "—".into())
        + &info
            .sharding_count
            .map(|n| format!(" ({n} shards)"))
            .unwrap_or_default();
    let policy = move || match configs.get() {
        Some(Ok(c)) => {
            let p = c.param(MAXMEMORY_POLICY).unwrap_or("unknown").to_string();
            let note = if is_lfu_policy(&p) {
                "all analyses available"
            } else {
                "hot keys need allkeys-lfu or volatile-lfu"
            };
            view! { <code>{p}</code><div class="muted small">{note}</div> }.into_any()
        }
        Some(Err(_)) => view! { <span class="muted">"unavailable"</span> }.into_any(),
        None => view! { <span class="muted">"…"</span> }.into_any(),
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
            <th scope="row">{info.name}<div class="muted small"><code>{info.instance_id}</code></div></th>
            <td>{info.engine}" "{info.engine_version}</td>
            <td><span class=status_class>{info.status}</span></td>
            <td>{mode}</td>
            <td>{policy}</td>
            <td><code>{format!("{}:{}", info.ip, info.port)}</code></td>
            <td>{format!("{} MB / {max}", info.used_memory)}</td>
            <td>
                <div class="links">
                    <a href=format!("{base}/hotkeys")>"Hot keys"</a>
                    <a href=format!("{base}/bigkeys")>"Big keys"</a>
                    <a href=format!("{base}/expired")>"Expired keys"</a>
                </div>
            </td>
        </tr>
    }
}
