//! What an LFU counter (`OBJECT FREQ`, 0–255) says about accesses.
//!
//! Redis starts a key at 5 and, on each access, increments the counter with probability
//! `1 / ((counter - 5) * lfu_log_factor + 1)`. So climbing from `k` to `k + 1` takes about
//! `(k - 5) * factor + 1` accesses, and reaching `c` about `(c - 5) + factor * (c - 5)(c - 6) / 2`.
//! Idle keys decay (one step per `lfu-decay-time` minutes), so this is "≈ recent accesses".
//! A saturated counter (255) stands for about a million accesses or more (Redis's own table).

use crate::format::compact;

/// Approximate accesses a counter stands for.
pub fn estimated_accesses(freq: u32, log_factor: u32) -> u64 {
    let n = freq.saturating_sub(5) as u64;
    n + log_factor as u64 * n * n.saturating_sub(1) / 2
}

/// The label the console shows: "≈ 1.2K", or "≥ ~1M" for a saturated counter.
pub fn accesses_label(freq: u32, log_factor: u32) -> String {
    if freq >= 255 {
        return "≥ ~1M".into();
    }
    format!("≈ {}", compact(estimated_accesses(freq, log_factor)))
}

/// Accesses a bar stands for: the estimate, or a million for a saturated counter (what the
/// label "≥ ~1M" says), so the hottest bar is never shorter than its label claims.
pub fn plotted_accesses(freq: u32, log_factor: u32) -> u64 {
    let n = estimated_accesses(freq, log_factor);
    if freq >= 255 {
        n.max(1_000_000)
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_documented_table_for_factor_10() {
        // redis.conf: factor 10 → 100 hits ≈ 10, 1K ≈ 18, 100K ≈ 142.
        assert!((50..=200).contains(&estimated_accesses(10, 10)));
        assert!((500..=2_000).contains(&estimated_accesses(18, 10)));
        assert!((50_000..=200_000).contains(&estimated_accesses(142, 10)));
    }

    #[test]
    fn edges_and_labels() {
        assert_eq!(estimated_accesses(0, 10), 0);
        assert_eq!(estimated_accesses(5, 10), 0);
        assert_eq!(estimated_accesses(6, 10), 1);
        assert_eq!(
            estimated_accesses(25, 0),
            20,
            "factor 0: one access per step"
        );
        assert_eq!(accesses_label(255, 10), "≥ ~1M");
        assert_eq!(accesses_label(18, 10), "≈ 793");
        assert_eq!(plotted_accesses(255, 10), 1_000_000);
        assert_eq!(plotted_accesses(18, 10), 793);
    }
}
