//! Vertical columns over time (expired keys reclaimed per scan). Integer coordinates.

use super::ticks;
use crate::format::compact;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Short label under the column (e.g. a date).
    pub label: String,
    pub value: u64,
    pub title: String,
}

const HEIGHT: u64 = 220;
const LEFT: u64 = 56;
const BOTTOM: u64 = 40;
/// Width of one character of a tick label, in the chart's units (11 px text, with a margin).
const CHAR_W: u64 = 7;

/// Label every n-th column so that labels of `chars` characters never overlap, and at most
/// eight are written.
pub fn label_every(count: usize, step: u64, chars: usize) -> usize {
    let width = chars as u64 * CHAR_W + 8;
    let by_width = width.div_ceil(step.max(1)) as usize;
    by_width.max(count.div_ceil(8)).max(1)
}

/// A column's height: a value of 0 still gets a 2-unit stub on the axis, so a scan that
/// reclaimed nothing is seen as a scan, not as a gap.
pub fn column_height(value: u64, max: u64, plot_h: u64) -> u64 {
    ((value as u128 * plot_h as u128 / max.max(1) as u128) as u64).max(2)
}

#[component]
pub fn ColumnChart(
    columns: Vec<Column>,
    #[prop(into)] caption: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    // A phone's frame is narrower, so the chart fits and its text stays readable.
    let width: u64 = if super::narrow() { 400 } else { 760 };
    let max = columns.iter().map(|c| c.value).max().unwrap_or(0).max(1);
    // Room above the tallest column for its value.
    let plot_h = HEIGHT - BOTTOM - 22;
    // At most 60 units per column, so a short history does not draw slabs.
    let step = ((width - LEFT) / columns.len().max(1) as u64).min(60);
    let summary = columns
        .iter()
        .map(|c| c.title.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let chars = columns
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0);
    let every = label_every(columns.len(), step, chars);
    // Values over the columns while each has room for its number.
    let values = step >= 36;
    let marks = columns
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let h = column_height(c.value, max, plot_h);
            let x = LEFT + i as u64 * step + step * 15 / 100;
            let value = values.then(|| {
                view! {
                    <text
                        x=x + step * 35 / 100
                        y=HEIGHT - BOTTOM - h - 4
                        text-anchor="middle"
                        class="tick"
                    >
                        {compact(c.value)}
                    </text>
                }
            });
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
                    {value}
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
                <line x1=LEFT x2=width y1=y y2=y class="grid" />
                <text x=LEFT - 6 y=y + 4 text-anchor="end" class="tick">
                    {compact(v)}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg viewBox=format!("0 0 {width} {HEIGHT}") role="img" aria-label=caption.clone()>
                {ticks}
                {marks}
            </svg>
            <figcaption class="sr-only">{caption}": "{summary}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_labels_never_overlap() {
        // "11-25 15:42" under columns 60 units apart: every other one.
        let every = label_every(8, 60, 11);
        assert!(every as u64 * 60 >= 11 * CHAR_W, "{every}");
        // The first column is always labelled (every n-th from 0), so a single scan is too.
        assert_eq!(label_every(1, 704, 11), 1);
        assert!(label_every(100, 7, 11) >= 13, "at most eight labels");
        assert_eq!(label_every(3, 200, 5), 1);
    }

    #[test]
    fn a_scan_that_reclaimed_nothing_is_still_drawn() {
        assert_eq!(column_height(0, 0, 170), 2);
        assert_eq!(column_height(5_000, 5_000, 170), 170);
        assert_eq!(column_height(1, 5_000, 170), 2);
    }
}
