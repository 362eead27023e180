//! A key-space report: the findings, memory by type, the prefix tree (open a prefix for the
//! next level; other delimiters regroup the first level here, in the browser), the TTL bands
//! and the largest keys (sortable, filterable, CSV).

use super::AnalysisView;
use crate::charts::bars::{Bar, BarChart};
use crate::components::key_table::KeyTable;
use crate::format::{bytes, tenths};
use crate::keytable::KeyRow;
use crate::prefix_tree::{has_children, regroup, visible};
use dcs_api::keyspace::PrefixNode;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// A band's name as the page says it.
fn ttl_label(band: &str) -> &'static str {
    match band {
        "none" => "no expiry",
        "expired" => "expired, not yet reclaimed",
        "<1h" => "within an hour",
        "<1d" => "within a day",
        "<7d" => "within a week",
        "<30d" => "within 30 days",
        _ => "later",
    }
}

/// `part` of `total` as "12.3 %".
fn share(part: u64, total: u64) -> String {
    format!("{} %", tenths(part * 1000 / total.max(1)))
}

#[component]
pub fn Report(task: AnalysisView) -> impl IntoView {
    let (report, shard) = (&task, &task.group_name);
    let total = report.total_bytes;
    let types: Vec<Bar> = report
        .type_bytes
        .iter()
        .map(|t| {
            let num = report
                .type_num
                .iter()
                .find(|n| n.key_type == t.key_type)
                .map_or(0, |n| n.num);
            Bar {
                label: t.key_type.clone(),
                value: t.bytes,
                text: format!("{} · {}", bytes(t.bytes), crate::format::keys(num)),
            }
        })
        .collect();
    let ttl: Vec<Bar> = report
        .ttl
        .iter()
        .map(|b| Bar {
            label: ttl_label(&b.ttl).into(),
            value: b.num,
            text: format!("{} · {}", bytes(b.bytes), crate::format::keys(b.num)),
        })
        .collect();
    let rows: Vec<KeyRow> = report
        .largest_keys
        .iter()
        .filter_map(|k| KeyRow::from_largest(k, shard))
        .collect();
    let findings = report
        .findings
        .iter()
        .cloned()
        .map(|f| view! { <li>{f}</li> })
        .collect_view();
    view! {
        <p data-testid="keyspace-summary">
            <strong>{crate::format::keys(report.total_num)}</strong>
            ", "
            <strong>{bytes(total)}</strong>
            " estimated in memory"
        </p>
        <ul class="findings" data-testid="keyspace-findings">
            {findings}
        </ul>
        <h3>"Memory by type"</h3>
        <BarChart
            bars=types
            caption="Estimated memory by type"
            testid="keyspace-type-chart"
            axis=""
            bytes=true
        />
        <h3>"Prefixes"</h3>
        <PrefixTree tree=report.prefix_tree.clone() total />
        <h3>"Time to live"</h3>
        <BarChart
            bars=ttl
            caption="Keys by time to live"
            testid="keyspace-ttl-chart"
            axis="keys"
            words=true
        />
        <h3>"Largest keys by memory"</h3>
        <KeyTable rows hot=false log_factor=0 />
    }
}

/// The prefix tree as a table: keys, memory, share of memory and a bar per prefix.
#[component]
fn PrefixTree(tree: Vec<PrefixNode>, total: u64) -> impl IntoView {
    let tree = StoredValue::new(tree);
    let open = RwSignal::new(BTreeSet::<String>::new());
    let delimiters = RwSignal::new(":".to_string());
    let rows = move || {
        let delims = delimiters.get();
        let regrouped = delims != ":";
        let shown = tree.with_value(|t| {
            if regrouped {
                regroup(t, &delims)
            } else {
                open.with(|o| visible(t, o))
            }
        });
        shown
            .into_iter()
            .map(|n| {
                let openable = !regrouped && tree.with_value(|t| has_children(t, &n));
                let key = StoredValue::new(n.prefix.clone());
                let is_open = move || open.with(|o| key.with_value(|k| o.contains(k)));
                let toggle = move |_| {
                    let k = key.get_value();
                    open.update(|o| {
                        if !o.remove(&k) {
                            o.insert(k);
                        }
                    })
                };
                let width = n.bytes * 100 / total.max(1);
                view! {
                    <tr>
                        <th scope="row" class=format!("key-name depth-{}", n.depth.min(5))>
                            {openable
                                .then(|| {
                                    view! {
                                        <button
                                            class="copy"
                                            aria-expanded=move || is_open().to_string()
                                            aria-label=format!("Open {}", n.prefix)
                                            on:click=toggle
                                        >
                                            {move || if is_open() { "▾" } else { "▸" }}
                                        </button>
                                    }
                                })}
                            <code translate="no">{n.prefix.clone()}</code>
                        </th>
                        <td>{n.num}</td>
                        <td>{bytes(n.bytes)}</td>
                        <td>{share(n.bytes, total)}</td>
                        <td>
                            <svg class="share-bar" viewBox="0 0 100 8" aria-hidden="true">
                                <rect width=width.max(1) height="8" class="bar" />
                            </svg>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="toolbar">
            <label class="inline">
                "Delimiters"
                <input
                    data-testid="keyspace-delimiters"
                    size="4"
                    prop:value=move || delimiters.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        delimiters.set(if v.is_empty() { ":".into() } else { v })
                    }
                />
            </label>
            <span class="muted small">
                "The analysis splits at “:”; other delimiters regroup the first level here."
            </span>
        </div>
        <div class="table-wrap">
            <table class="data" data-testid="keyspace-prefix-tree">
                <caption class="sr-only">"Key prefixes by memory"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Prefix"</th>
                        <th scope="col">"Keys"</th>
                        <th scope="col">"Memory"</th>
                        <th scope="col">"Share"</th>
                        // Not a hidden span: positioned, it would widen a phone's page past the
                        // table's own scrolling.
                        <th scope="col" aria-label="Share of memory"></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
