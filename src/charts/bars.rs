//! Horizontal bars: one row per item, labelled, with a value axis.

use leptos::prelude::*;

/// One bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Shown at the bar's end (e.g. "255 · ≥ ~1M").
    pub text: String,
}

const ROW: f64 = 24.0;
const LABEL_W: f64 = 260.0;
const WIDTH: f64 = 760.0;
const VALUE_W: f64 = 130.0;

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

#[component]
pub fn BarChart(bars: Vec<Bar>, #[prop(into)] caption: String, #[prop(into)] testid: String, #[prop(into)] axis: String) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max).max(1.0);
    let plot = WIDTH - LABEL_W - VALUE_W;
    let height = bars.len() as f64 * ROW + 28.0;
    let summary = bars.iter().take(10).map(|b| format!("{}: {}", b.label, b.text)).collect::<Vec<_>>().join("; ");
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let y = i as f64 * ROW;
            let w = (b.value / max * plot).max(1.0);
            let tip = format!("{} — {}", b.label, b.text);
            view! {
                <g class="bar-row">
                    <title>{tip}</title>
                    <text x=LABEL_W - 8.0 y=y + 16.0 text-anchor="end" class="bar-label">{truncate(&b.label, 34)}</text>
                    <rect x=LABEL_W y=y + 4.0 width=w height=ROW - 8.0 rx="3" class="bar" />
                    <text x=LABEL_W + w + 6.0 y=y + 16.0 class="bar-value">{b.text}</text>
                </g>
            }
        })
        .collect_view();
    let axis_y = height - 24.0;
    let ticks = (0..=4)
        .map(|t| {
            let x = LABEL_W + plot * t as f64 / 4.0;
            let v = max * t as f64 / 4.0;
            view! {
                <line x1=x x2=x y1=0 y2=axis_y class="grid" />
                <text x=x y=axis_y + 16.0 text-anchor="middle" class="tick">{format!("{v:.0}")}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=caption.clone() preserveAspectRatio="xMinYMin meet">
                {ticks}
                {rows}
                <text x=WIDTH - VALUE_W y=axis_y + 16.0 class="tick">{axis}</text>
            </svg>
            <figcaption class="sr-only">{caption}": "{summary}</figcaption>
        </figure>
    }
}
