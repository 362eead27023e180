//! The key table: sortable by every column (click or Enter/Space on the header), filterable by
//! name and type, with CSV export of exactly the rows shown.

use crate::components::key_panel::{KeyPanel, OpenKey};
use crate::components::pager::{page_range, Pager};
use crate::keytable::{to_csv, view as table_view, Column, KeyRow};
use crate::thresholds::advice;
use dcs_api::task::KeyThresholds;
use dcs_api::KeyType;
use leptos::prelude::*;

/// Rows a page: 10,000 keys stay quick, and what follows the table stays within reach.
const PAGE: usize = 200;

#[component]
pub fn KeyTable(
    rows: Vec<KeyRow>,
    hot: bool,
    log_factor: u32,
    /// Big keys: rows over these are flagged, with what to do about them.
    #[prop(optional_no_strip)]
    thresholds: Option<KeyThresholds>,
) -> impl IntoView {
    let memory = rows.iter().any(|r| r.memory.is_some());
    let rows = StoredValue::new(rows);
    let needle = RwSignal::new(String::new());
    let key_type = RwSignal::new(None::<KeyType>);
    let sort = RwSignal::new((
        match (hot, memory) {
            (true, _) => Column::Freq,
            (_, true) => Column::Memory,
            _ => Column::Size,
        },
        true,
    ));
    let page = RwSignal::new(0usize);
    // A new order or filter starts at the first page (a set of the same page would redraw).
    let first_page = move || {
        if page.get_untracked() != 0 {
            page.set(0)
        }
    };
    let copied = RwSignal::new(None::<String>);
    let visible = Memo::new(move |_| {
        let (col, desc) = sort.get();
        rows.with_value(|r| table_view(r, &needle.get(), key_type.get(), col, desc))
    });
    let columns: Vec<Column> = if hot {
        vec![
            Column::Name,
            Column::Type,
            Column::Size,
            Column::Freq,
            Column::Db,
            Column::Shard,
        ]
    } else if memory {
        vec![
            Column::Name,
            Column::Type,
            Column::Size,
            Column::Memory,
            Column::Db,
            Column::Shard,
        ]
    } else {
        vec![
            Column::Name,
            Column::Type,
            Column::Size,
            Column::Db,
            Column::Shard,
        ]
    };
    let header = columns
        .into_iter()
        .map(|c| {
            let toggle = move || {
                first_page();
                sort.update(|(col, desc)| {
                    if *col == c {
                        *desc = !*desc
                    } else {
                        (*col, *desc) = (c, c != Column::Name)
                    }
                })
            };
            let aria = move || match sort.get() {
                (col, true) if col == c => "descending",
                (col, false) if col == c => "ascending",
                _ => "none",
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button class="th-button" on:click=move |_| toggle()>
                        {c.label()}
                        <span aria-hidden="true">
                            {move || match sort.get() {
                                (col, true) if col == c => " ▼",
                                (col, false) if col == c => " ▲",
                                _ => "",
                            }}
                        </span>
                    </button>
                </th>
            }
        })
        .collect_view();
    let location = use_context::<crate::router::Location>();
    // Local mode only: a name opens the key-details panel (DCS has no such call).
    let instance = location
        .filter(|_| {
            use_context::<crate::api::Api>()
                .is_some_and(|a| a.config().mode.as_deref() != Some("cloud"))
        })
        .and_then(|l| l.segment(1));
    let open = RwSignal::new(None::<OpenKey>);
    let export = move |_| {
        let csv = to_csv(&visible.get_untracked(), hot);
        download(&csv_name(location), &csv);
    };
    let export_label = move || {
        let (shown, all) = (visible.read().len(), rows.with_value(Vec::len));
        if shown == all {
            "Export all as CSV".to_string()
        } else {
            format!("Export the {shown} shown as CSV")
        }
    };
    view! {
        <div class="toolbar">
            <label class="inline">
                "Filter by name"
                <input
                    type="search"
                    placeholder="substring"
                    data-testid="key-table-filter"
                    prop:value=move || needle.get()
                    on:input=move |ev| {
                        first_page();
                        needle.set(event_target_value(&ev));
                    }
                />
            </label>
            <label class="inline">
                "Type"
                <select on:change=move |ev| {
                    first_page();
                    key_type.set(event_target_value(&ev).parse().ok());
                }>
                    <option value="">"all"</option>
                    {KeyType::ALL
                        .iter()
                        .map(|t| view! { <option value=t.as_str()>{t.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            <span class="muted">{move || crate::format::keys(visible.get().len() as u64)}</span>
            <button class="button" data-testid="export-csv" on:click=export>
                {export_label}
            </button>
        </div>
        {move || open.get().map(|key| view! { <KeyPanel key open /> })}
        <div class="table-wrap">
            <table class="data keys" data-testid="key-table">
                <caption class="sr-only">"Keys found by the analysis"</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        {header}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let (first, end) = page_range(visible.read().len(), PAGE, page.get());
                        let rows = visible.with(|v| v[first..end].to_vec());
                        rows.into_iter()
                            .enumerate()
                            .map(|(i, r)| {
                                let i = first + i;
                                let freq = r
                                    .freq
                                    .map(|f| {
                                        format!(
                                            "{f} ({})",
                                            crate::lfu::accesses_label(f, log_factor),
                                        )
                                    });
                                let over = thresholds.is_some_and(|t| t.exceeds(r.size, r.unit));
                                let target = instance
                                    .clone()
                                    .filter(|_| !r.name.ends_with(dcs_api::task::CUT_MARK))
                                    .map(|instance| OpenKey {
                                        instance,
                                        name: r.name.clone(),
                                        db: r.db,
                                    });
                                let name = match target {
                                    Some(k) => {
                                        // A cut name cannot be looked up.
                                        view! {
                                            <button
                                                class="link-button"
                                                title="Key details"
                                                data-testid="key-open"
                                                on:click=move |_| open.set(Some(k.clone()))
                                            >
                                                <code>{r.name.clone()}</code>
                                            </button>
                                        }
                                            .into_any()
                                    }
                                    None => view! { <code>{r.name.clone()}</code> }.into_any(),
                                };
                                view! {
                                    <tr class:over=over>
                                        <td class="muted">{i + 1}</td>
                                        <th scope="row" class="key-name">
                                            {name}
                                            <CopyButton name=r.name.clone() copied />
                                            {over
                                                .then(|| {
                                                    view! {
                                                        <span class="flag" data-testid="over-flag">
                                                            <strong>"Over the threshold."</strong>
                                                            " "
                                                            {advice(r.key_type)}
                                                        </span>
                                                    }
                                                })}
                                        </th>
                                        <td data-label="Type">{r.key_type.as_str()}</td>
                                        <td
                                            data-label="Size"
                                            title=(r.unit == dcs_api::KeyUnit::Byte)
                                                .then(|| { format!("{} bytes", r.size) })
                                        >
                                            {crate::format::size(r.size, r.unit)}
                                        </td>
                                        {freq.map(|f| view! { <td data-label="Freq">{f}</td> })}
                                        {r
                                            .memory
                                            .map(|m| {
                                                view! {
                                                    <td data-label="Memory">{crate::format::bytes(m)}</td>
                                                }
                                            })}
                                        <td data-label="DB">{r.db}</td>
                                        <td data-label="Shard">
                                            <code>{r.shard.clone()}</code>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
        // Pages only for a result longer than one.
        {(rows.with_value(Vec::len) > PAGE)
            .then(|| {
                view! {
                    <Pager
                        total=Signal::derive(move || visible.read().len())
                        size=PAGE
                        page
                        testid="key-table-pages"
                    />
                }
            })}
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(
    inline_js = "export function copy_text(t) { if (!navigator.clipboard) return false; navigator.clipboard.writeText(t); return true; }"
)]
extern "C" {
    /// The asynchronous clipboard API, through a one-line binding (web-sys's costs more);
    /// `false` where there is none (pages not served over https or from localhost).
    fn copy_text(text: &str) -> bool;
}

/// Copies a key name; the button then says "Copied".
#[component]
fn CopyButton(name: String, copied: RwSignal<Option<String>>) -> impl IntoView {
    let name = StoredValue::new(name);
    let copy = move |_| {
        if copy_text(&name.read_value()) {
            copied.set(Some(name.get_value()));
        }
    };
    view! {
        <button class="copy" title="Copy key name" aria-label="Copy key name" on:click=copy>
            {move || {
                if copied.read().as_deref() == Some(name.read_value().as_str()) {
                    "Copied"
                } else {
                    "Copy"
                }
            }}
        </button>
    }
}

/// `orders-hotkeys-202611251542.csv`: the instance, the analysis and when (the reader's time).
fn csv_name(location: Option<crate::router::Location>) -> String {
    let now = dcs_api::Timestamp::from_millis(js_sys::Date::now() as i64);
    let stamp: String = now
        .map(crate::format::local)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    let place = location
        .and_then(|l| Some(format!("{}-{}", l.segment(1)?, l.segment(2)?)))
        .unwrap_or_else(|| "keys".into());
    format!("{place}-{stamp}.csv")
}

/// Saves `text` as a file through a `data:` link (no Blob bindings: they cost the bundle more).
fn download(name: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        js_sys::encode_uri_component(text)
    );
    if let Some(a) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&href);
        a.set_download(name);
        a.click();
    }
}
