//! Horizontal bars: one row per item, labelled, with a value axis, linear or logarithmic.
//! Integer coordinates keep float formatting out of the bundle.

use super::{ticks, ticks_in};
use crate::format::compact;
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

/// The frame: its width, the label column, the room kept for the value text, and the longest
/// label (characters) before it is cut.
#[derive(Clone, Copy)]
struct Frame {
    width: u64,
    label_w: u64,
    value_w: u64,
    label_chars: usize,
}

const WIDE: Frame = Frame {
    width: 760,
    label_w: 250,
    value_w: 150,
    label_chars: 32,
};
const NARROW: Frame = Frame {
    width: 400,
    label_w: 120,
    value_w: 130,
    label_chars: 15,
};

/// A value's place on a logarithmic axis: log2(v + 1) in 1/1024ths, linear between powers of
/// two (within 9 % of the true logarithm: enough to draw, and no floating point).
pub fn log_position(v: u64) -> u64 {
    let x = v as u128 + 1;
    let k = x.ilog2();
    let base = 1u128 << k;
    (k as u128 * 1024 + (x - base) * 1024 / base) as u64
}

/// The powers of ten from 1 up to `max`: a logarithmic axis's ticks.
pub fn log_ticks(max: u64) -> Vec<u64> {
    std::iter::successors(Some(1u64), |p| p.checked_mul(10))
        .take_while(|p| *p <= max)
        .collect()
}

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
    /// Bar lengths on a logarithmic axis (values spanning several orders of magnitude).
    #[prop(optional)]
    log: bool,
) -> impl IntoView {
    let narrow = super::narrow();
    let Frame {
        width,
        label_w,
        value_w,
        label_chars,
    } = if narrow { NARROW } else { WIDE };
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    // Where a value sits, 0..=scale_max, on the chosen axis.
    let at = move |v: u64| if log { log_position(v) } else { v };
    let scale_max = at(max).max(1);
    let plot = width - label_w - value_w;
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
            let w = (at(b.value) as u128 * plot as u128 / scale_max as u128).max(1) as u64;
            let tip = format!("{} — {}", b.label, b.text);
            view! {
                <g class="bar-row">
                    <title>{tip}</title>
                    <text
                        x=label_w - 8
                        y=y + 16
                        text-anchor="end"
                        class="bar-label"
                        translate=if words { "yes" } else { "no" }
                    >
                        {truncate(&b.label, label_chars)}
                    </text>
                    <rect x=label_w y=y + 4 width=w height=ROW - 8 rx="3" class="bar" />
                    <text x=label_w + w + 6 y=y + 16 class="bar-value">
                        {b.text}
                    </text>
                </g>
            }
        })
        .collect_view();
    let ticks = match (log, narrow) {
        (true, _) => log_ticks(max),
        // A phone's frame: five labels such as "768.0 KiB" would overlap.
        (false, true) => ticks_in(max, 2),
        (false, false) => ticks(max),
    };
    let ticks = ticks
        .into_iter()
        .map(|v| {
            let x = label_w + (at(v) as u128 * plot as u128 / scale_max as u128) as u64;
            view! {
                <line x1=x x2=x y1=0 y2=axis_y class="grid" />
                <text x=x y=axis_y + 16 text-anchor="middle" class="tick">
                    {if bytes { crate::format::bytes(v) } else { compact(v) }}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-label=caption.clone()
                preserveAspectRatio="xMinYMin meet"
            >
                {ticks}
                {rows}
                <text x=label_w - 24 y=axis_y + 16 text-anchor="end" class="tick">
                    {axis}
                </text>
            </svg>
            <figcaption class="sr-only">{caption}": "{summary}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_axis_gives_each_power_of_ten_the_same_width() {
        assert_eq!(log_position(0), 0);
        assert_eq!(log_position(1), 1024);
        assert_eq!(log_position(3), 2048);
        let decade = |p: u64| log_position(p * 10) - log_position(p);
        // 10×, 100×, 1000×… each add about log2(10) = 3.32 powers of two.
        for p in [10, 100, 1_000, 10_000, 100_000] {
            let d = decade(p);
            assert!((3_100..=3_700).contains(&d), "{p}: {d}");
        }
        // 111.9K accesses against 51.6K: about one power of two apart, not 1.45× the bar.
        let (a, b) = (log_position(111_900), log_position(51_600));
        assert!(a > b && a - b > 900 && a - b < 1_200, "{a} {b}");
        assert_eq!(log_position(u64::MAX), 64 * 1024);
    }

    #[test]
    fn log_ticks_are_powers_of_ten_up_to_the_largest_value() {
        assert_eq!(log_ticks(1), [1]);
        assert_eq!(log_ticks(5_000), [1, 10, 100, 1_000]);
        assert_eq!(log_ticks(u64::MAX).len(), 20);
    }
}
