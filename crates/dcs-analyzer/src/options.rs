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
    /// `rediss://` targets: the CA certificate(s), PEM, that signed the servers' certificates,
    /// when it is not one the system trusts.
    pub tls_ca: Option<std::sync::Arc<[u8]>>,
    /// Gentle (bounded requests, paced) or fast; see [`crate::pace`].
    pub pace: crate::pace::Pace,
    /// Read-only analyses (big keys): a healthy replica of each master, or the masters; see
    /// [`crate::replicas`].
    pub analyze_on: crate::replicas::AnalyzeOn,
    /// Hot and big keys: read each node's snapshot or scan it online; see [`crate::source`].
    pub source: crate::source::Source,
    /// `Source::Auto` reads a snapshot only of a node whose `used_memory` is at most this many
    /// bytes (a fork's pause grows with it); see [`crate::source::SNAPSHOT_MAX_MEMORY`].
    pub snapshot_max_memory: u64,
    /// Hot keys: the smallest LFU counter reported (6–255; a key at Redis's initial counter, 5,
    /// has not been read more than one just written).
    pub min_freq: u32,
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
            tls_ca: None,
            pace: crate::pace::Pace::Gentle,
            analyze_on: crate::replicas::AnalyzeOn::Replica,
            source: crate::source::Source::Auto,
            snapshot_max_memory: crate::source::SNAPSHOT_MAX_MEMORY,
            min_freq: dcs_api::task::KeyThresholds::MIN_HOT_FREQ,
        }
    }
}

/// Longest deadline of a scan (7 days, as the proxy's schedules): larger values are refused
/// rather than overflowing the clock.
pub const MAX_DEADLINE: Duration = Duration::from_secs(dcs_api::expire::MAX_SCAN_SECONDS);
/// Longest pause between batches.
pub const MAX_PAUSE: Duration = Duration::from_secs(60);

impl ScanOptions {
    /// Every knob within its documented range; each analysis checks this before it starts.
    pub fn check(&self) -> Result<(), crate::AnalyzerError> {
        let bad = |what: String| Err(crate::AnalyzerError::InvalidOption(what));
        if !COUNT_RANGE.contains(&self.count) {
            return bad(format!(
                "count {} is outside {}..={}",
                self.count,
                COUNT_RANGE.start(),
                COUNT_RANGE.end()
            ));
        }
        if self.top == 0 || self.top > MAX_TOP {
            return bad(format!("top {} is outside 1..={MAX_TOP}", self.top));
        }
        if self.pause > MAX_PAUSE {
            return bad(format!(
                "a pause of {} ms is longer than {} ms",
                self.pause.as_millis(),
                MAX_PAUSE.as_millis()
            ));
        }
        let mb = SNAPSHOT_MAX_MB_RANGE;
        if !(mb.start() << 20..=mb.end() << 20).contains(&self.snapshot_max_memory) {
            return bad(format!(
                "a snapshot limit of {} bytes is outside {} MB..={} MB",
                self.snapshot_max_memory,
                mb.start(),
                mb.end()
            ));
        }
        if self.deadline.is_some_and(|d| d > MAX_DEADLINE) {
            return bad(format!(
                "a timeout of {} s is longer than {} s (7 days)",
                self.deadline.unwrap_or_default().as_secs(),
                MAX_DEADLINE.as_secs()
            ));
        }
        Ok(())
    }
}

/// Largest `top` accepted for hot keys.
pub const MAX_TOP: usize = 10_000;
/// Bounds of the snapshot limit in MB (`--snapshot-max-mb`, `snapshot_max_mb`): 1 MB to 1 TiB.
pub const SNAPSHOT_MAX_MB_RANGE: std::ops::RangeInclusive<u64> = 1..=1 << 20;
/// Bounds of `count`.
pub const COUNT_RANGE: std::ops::RangeInclusive<u32> = 10..=10_000;
