//! Horizontal bars: one row per item, labelled, with a value axis. Integer coordinates keep
//! float formatting out of the bundle.

use super::ticks;
use leptos::prelude::*;

/// One bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    /// Shown at the bar's end (e.g. "255 (≥ ~1M)").
    pub text: String,
}

const ROW: u64 = 24;
const LABEL_W: u64 = 250;
const WIDTH: u64 = 760;
const VALUE_W: u64 = 150;

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

#[component]
pub fn BarChart(
    bars: Vec<Bar>,
    #[prop(into)] caption: String,
    #[prop(into)] testid: String,
    #[prop(into)] axis: String,
    /// Values are bytes: the axis says "1.5 MiB", not 1572864.
    #[prop(optional)]
    bytes: bool,
    /// The labels are words to translate (TTL bands), not key names left as they are.
    #[prop(optional)]
    words: bool,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let plot = WIDTH - LABEL_W - VALUE_W;
    let axis_y = bars.len() as u64 * ROW + 4;
    let height = axis_y + 24;
    let summary = bars
        .iter()
        .take(10)
        .map(|b| format!("{}: {}", b.label, b.text))
        .collect::<Vec<_>>()
        .join("; ");
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let y = i as u64 * ROW;
            let w = (b.value as u128 * plot as u128 / max as u128).max(1) as u64;
            let tip = format!("{} — {}", b.label, b.text);
            view! {
                <g class="bar-row">
                    <title>{tip}</title>
                    <text
                        x=LABEL_W - 8
                        y=y + 16
                        text-anchor="end"
                        class="bar-label"
                        translate=if words { "yes" } else { "no" }
                    >
                        {truncate(&b.label, 32)}
                    </text>
                    <rect x=LABEL_W y=y + 4 width=w height=ROW - 8 rx="3" class="bar" />
                    <text x=LABEL_W + w + 6 y=y + 16 class="bar-value">
                        {b.text}
                    </text>
                </g>
            }
        })
        .collect_view();
    let ticks = ticks(max)
        .into_iter()
        .map(|v| {
            let x = LABEL_W + plot * v / max;
            view! {
                <line x1=x x2=x y1=0 y2=axis_y class="grid" />
                <text x=x y=axis_y + 16 text-anchor="middle" class="tick">
                    {if bytes { crate::format::bytes(v) } else { v.to_string() }}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                role="img"
                aria-label=caption.clone()
                preserveAspectRatio="xMinYMin meet"
            >
                {ticks}
                {rows}
                <text x=LABEL_W - 8 y=axis_y + 16 text-anchor="end" class="tick">
                    {axis}
                </text>
            </svg>
            <figcaption class="sr-only">{caption}": "{summary}</figcaption>
        </figure>
    }
}
