//! Small SVG charts of our own (a chart library doubled a bare app's size when measured). Each
//! has a `<title>` per mark for tooltips and a text alternative for screen readers.

pub mod bars;
pub mod columns;

/// Whether the screen is a phone's (under 600 CSS px wide). Charts are then drawn in a narrower
/// frame, so they fit the screen without scrolling and their text keeps a readable size.
pub fn narrow() -> bool {
    leptos::prelude::window()
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w < 600.0)
}

/// Up to five distinct axis values from 0 to `max`.
pub fn ticks(max: u64) -> Vec<u64> {
    ticks_in(max, 4)
}

/// Up to `parts` + 1 distinct axis values from 0 to `max` (a phone's narrow frame has room for
/// three labels like "512.0 KiB", not five).
pub fn ticks_in(max: u64, parts: u64) -> Vec<u64> {
    let mut t: Vec<u64> = (0..=parts).map(|i| max * i / parts).collect();
    t.dedup();
    t
}

#[cfg(test)]
mod tests {
    #[test]
    fn ticks_are_distinct() {
        assert_eq!(super::ticks(1), vec![0, 1]);
        assert_eq!(super::ticks(100), vec![0, 25, 50, 75, 100]);
        assert_eq!(super::ticks(3), vec![0, 1, 2, 3]);
        assert_eq!(super::ticks_in(1 << 20, 2), vec![0, 1 << 19, 1 << 20]);
    }
}
