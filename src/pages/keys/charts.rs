//! The data of a result's charts, from its rows: plain functions, tested without a browser.

use crate::charts::bars::Bar;
use crate::format;
use crate::keytable::KeyRow;
use crate::lfu::{accesses_label, plotted_accesses};
use dcs_api::{KeyType, TaskKind};

/// Hot keys charted.
pub const HOT_BARS: usize = 20;
/// Big keys charted per type.
pub const BIG_BARS_PER_TYPE: usize = 10;

/// The result's main charts, each with its title (empty for the only one). Hot keys: one chart
/// of the hottest, by estimated accesses (the counter itself is logarithmic: drawn as is, 112K
/// accesses looked 1.45× of 52K). Big keys: sizes are comparable only within a type (bytes vs
/// elements), so one chart per type that has keys, in `KeyType` order.
pub fn result_charts(kind: TaskKind, rows: &[KeyRow], log_factor: u32) -> Vec<(String, Vec<Bar>)> {
    if kind == TaskKind::Hotkey {
        let bars = rows.iter().take(HOT_BARS).map(|r| {
            let f = r.freq.unwrap_or(0);
            Bar {
                label: r.name.clone(),
                value: plotted_accesses(f, log_factor),
                text: format!("{} (counter {f})", accesses_label(f, log_factor)),
            }
        });
        return vec![(String::new(), bars.collect())];
    }
    KeyType::ALL
        .iter()
        .filter_map(|t| {
            let bars: Vec<Bar> = rows
                .iter()
                .filter(|r| r.key_type == *t)
                .take(BIG_BARS_PER_TYPE)
                .map(|r| Bar {
                    label: r.name.clone(),
                    value: r.size,
                    text: format::size(r.size, r.unit),
                })
                .collect();
            (!bars.is_empty()).then(|| (t.to_string(), bars))
        })
        .collect()
}

/// Counts per label, largest first (ties by label).
pub fn breakdown(labels: impl Iterator<Item = String>) -> Vec<Bar> {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for l in labels {
        match counts.iter_mut().find(|(k, _)| *k == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
        .into_iter()
        .map(|(label, n)| Bar {
            label,
            value: n,
            text: format::keys(n),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcs_api::KeyUnit;

    fn row(name: &str, key_type: KeyType, size: u64, freq: Option<u32>) -> KeyRow {
        KeyRow {
            name: name.into(),
            key_type,
            shard: "127.0.0.1:6379".into(),
            db: 0,
            size,
            unit: key_type.unit(),
            freq,
            memory: None,
        }
    }

    fn labels(bars: &[Bar]) -> Vec<&str> {
        bars.iter().map(|b| b.label.as_str()).collect()
    }

    #[test]
    fn breakdown_counts_and_orders() {
        let b = breakdown(["string", "hash", "string"].into_iter().map(String::from));
        assert_eq!(
            b.iter()
                .map(|b| (b.label.as_str(), b.value))
                .collect::<Vec<_>>(),
            [("string", 2), ("hash", 1)]
        );
        let tie = breakdown(["b", "a"].into_iter().map(String::from));
        assert_eq!(labels(&tie), ["a", "b"], "ties by label");
    }

    #[test]
    fn hot_keys_make_one_chart_of_the_hottest_with_access_estimates() {
        let rows: Vec<KeyRow> = (0..30)
            .map(|i| row(&format!("k{i}"), KeyType::String, 1, Some(255 - i)))
            .collect();
        let charts = result_charts(TaskKind::Hotkey, &rows, 10);
        assert_eq!(charts.len(), 1);
        let (title, bars) = &charts[0];
        assert!(title.is_empty());
        assert_eq!(bars.len(), HOT_BARS);
        assert_eq!(
            (bars[0].value, bars[0].text.as_str()),
            (1_000_000, "≥ ~1M (counter 255)")
        );
        // Bars are accesses, not counters: counter 200 is ~190K accesses, 140 ~92K.
        assert_eq!(bars[1].value, crate::lfu::estimated_accesses(254, 10));
        assert_eq!(
            bars[1].text,
            format!("{} (counter 254)", accesses_label(254, 10))
        );
    }

    #[test]
    fn big_keys_make_one_chart_per_type_in_type_order() {
        let mut rows = vec![
            row("h", KeyType::Hash, 5, None),
            row("s", KeyType::String, 2048, None),
        ];
        rows.extend((0..12).map(|i| row(&format!("l{i}"), KeyType::List, 100 - i, None)));
        let charts = result_charts(TaskKind::Bigkey, &rows, 10);
        let titles: Vec<&str> = charts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles, ["string", "list", "hash"]);
        assert_eq!(charts[0].1[0].text, format::size(2048, KeyUnit::Byte));
        assert_eq!(charts[1].1.len(), BIG_BARS_PER_TYPE, "at most 10 per type");
        assert_eq!(charts[1].1[0].label, "l0");
        assert!(result_charts(TaskKind::Bigkey, &[], 10).is_empty());
    }
}
