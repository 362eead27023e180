//! Vertical columns over time (expired keys reclaimed per scan). Integer coordinates.

use super::ticks;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Short label under the column (e.g. a date).
    pub label: String,
    pub value: u64,
    pub title: String,
}

const HEIGHT: u64 = 220;
const WIDTH: u64 = 760;
const LEFT: u64 = 56;
const BOTTOM: u64 = 40;

#[component]
pub fn ColumnChart(
    columns: Vec<Column>,
    #[prop(into)] caption: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let max = columns.iter().map(|c| c.value).max().unwrap_or(0).max(1);
    let plot_h = HEIGHT - BOTTOM - 10;
    // At most 60 units per column, so a short history does not draw slabs.
    let step = ((WIDTH - LEFT) / columns.len().max(1) as u64).min(60);
    let summary = columns
        .iter()
        .map(|c| c.title.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let every = (columns.len() / 8).max(1);
    let marks = columns
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let h = (c.value as u128 * plot_h as u128 / max as u128) as u64;
            let h = if c.value > 0 { h.max(2) } else { 0 };
            let x = LEFT + i as u64 * step + step * 15 / 100;
            let label = (i % every == 0).then(|| {
                view! {
                    <text
                        x=x + step * 35 / 100
                        y=HEIGHT - BOTTOM + 16
                        text-anchor="middle"
                        class="tick"
                    >
                        {c.label.clone()}
                    </text>
                }
            });
            view! {
                <g>
                    <title>{c.title}</title>
                    <rect
                        x=x
                        y=HEIGHT - BOTTOM - h
                        width=step * 70 / 100
                        height=h
                        rx="2"
                        class="bar"
                    />
                    {label}
                </g>
            }
        })
        .collect_view();
    let ticks = ticks(max)
        .into_iter()
        .map(|v| {
            let y = HEIGHT - BOTTOM - plot_h * v / max;
            view! {
                <line x1=LEFT x2=WIDTH y1=y y2=y class="grid" />
                <text x=LEFT - 6 y=y + 4 text-anchor="end" class="tick">
                    {v}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=caption.clone()>
                {ticks}
                {marks}
            </svg>
            <figcaption class="sr-only">{caption}": "{summary}</figcaption>
        </figure>
    }
}
