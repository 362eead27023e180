//! A table of records: scrollable on a phone, captioned for screen readers, its columns named
//! once. The rows are the children.

use leptos::prelude::*;

#[component]
pub fn DataTable(
    /// What the table holds, for screen readers.
    caption: &'static str,
    columns: &'static [&'static str],
    /// Tighter rows (histories beside other content).
    #[prop(optional)]
    compact: bool,
    children: Children,
) -> impl IntoView {
    let head = columns
        .iter()
        .map(|c| view! { <th scope="col">{*c}</th> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data" class:compact=compact>
                <caption class="sr-only">{caption}</caption>
                <thead>
                    <tr>{head}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
