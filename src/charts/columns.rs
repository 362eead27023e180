//! Vertical columns over time (expired keys reclaimed per scan).

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Short label under the column (e.g. a date).
    pub label: String,
    pub value: f64,
    pub title: String,
}

const HEIGHT: f64 = 220.0;
const WIDTH: f64 = 760.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 40.0;

#[component]
pub fn ColumnChart(columns: Vec<Column>, #[prop(into)] caption: String, #[prop(into)] testid: String) -> impl IntoView {
    let max = columns.iter().map(|c| c.value).fold(0.0_f64, f64::max).max(1.0);
    let plot_h = HEIGHT - BOTTOM - 10.0;
    let step = (WIDTH - LEFT) / columns.len().max(1) as f64;
    let summary = columns.iter().map(|c| c.title.clone()).collect::<Vec<_>>().join("; ");
    let every = (columns.len() / 8).max(1);
    let marks = columns
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let h = (c.value / max * plot_h).max(if c.value > 0.0 { 2.0 } else { 0.0 });
            let x = LEFT + i as f64 * step + step * 0.15;
            let label = (i % every == 0).then(|| {
                view! { <text x=x + step * 0.35 y=HEIGHT - BOTTOM + 16.0 text-anchor="middle" class="tick">{c.label.clone()}</text> }
            });
            view! {
                <g>
                    <title>{c.title}</title>
                    <rect x=x y=HEIGHT - BOTTOM - h width=step * 0.7 height=h rx="2" class="bar" />
                    {label}
                </g>
            }
        })
        .collect_view();
    let ticks = (0..=4)
        .map(|t| {
            let y = HEIGHT - BOTTOM - plot_h * t as f64 / 4.0;
            view! {
                <line x1=LEFT x2=WIDTH y1=y y2=y class="grid" />
                <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end" class="tick">{format!("{:.0}", max * t as f64 / 4.0)}</text>
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
