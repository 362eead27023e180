//! Knobs shared by every analysis.

use std::time::Duration;

/// How an analysis treats the server.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// `COUNT` of each `SCAN` (and so the size of each pipelined batch). Bounded so no single call
    /// holds the server for long.
    pub count: u32,
    /// Pause between batches, to leave the server room under production load.
    pub pause: Duration,
    /// How many winners to keep (hot keys; big keys use DCS's fixed 20 + 80).
    pub top: usize,
    /// Connecting must succeed within this.
    pub connect_timeout: Duration,
    /// Every reply must arrive within this, so a server that stops answering fails the analysis
    /// instead of hanging it.
    pub response_timeout: Duration,
    /// Big keys: also measure `MEMORY USAGE` of each winner.
    pub memory_usage: bool,
    /// Expired keys: stop scanning after this long and report what was reclaimed.
    pub deadline: Option<Duration>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            count: 1000,
            pause: Duration::ZERO,
            top: 100,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(10),
            memory_usage: false,
            deadline: None,
        }
    }
}

/// Largest `top` accepted for hot keys.
pub const MAX_TOP: usize = 10_000;
/// Bounds of `count`.
pub const COUNT_RANGE: std::ops::RangeInclusive<u32> = 10..=10_000;
