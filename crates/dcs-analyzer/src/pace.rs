//! How hard an analysis presses on a server.
//!
//! Redis runs commands on one thread: a pipeline of 1,000 commands holds it for about a
//! millisecond, and every client waits meanwhile. **Gentle** (the default) keeps each hold short
//! and the analysis's share of the server's time small, so a production workload barely notices:
//! SCAN asks for at most [`GENTLE_SCAN_COUNT`] keys, per-key commands go in pipelines of at most
//! [`GENTLE_CHUNK`], and after each round trip the [`Pacer`] waits in proportion to it — more
//! when the round trips slow down (the server is busy with others), less when they are quick.
//! Where a batch is one request — hot and big keys' script (`scan_script.rs`), or the expired-key
//! scan's SCAN, which has nothing to do per key — gentle keeps each request to the keys that hold
//! the server about as long as one of `redis-cli`'s ([`GENTLE_SCAN_ALONE`], [`GENTLE_HOT_SCRIPT`],
//! [`GENTLE_BIG_SCRIPT`]) and sends the next as soon as one is answered, waiting only once the
//! server is busier than it was ([`Pacer::one_request`]).
//! **Fast** sends whole batches back to back (the next SCAN already in flight when pipelined):
//! for a replica, a quiet hour, or a server nobody else uses.

use std::time::Duration;

/// The analysis's pace; see the module's comment (the wire's word for it, so records and the
/// engine name it alike).
pub use dcs_api::Pace;

/// Gentle: the most keys one SCAN asks for.
pub const GENTLE_SCAN_COUNT: u32 = 50;
/// Gentle: the most per-key commands in one pipeline. Small holds are what keep a concurrent
/// workload's p99 down (BENCHMARKS.md: 16 keys per pipeline and SCAN COUNT 50 stay within 1.5×
/// of its p99 alone; 32 and 100 do not).
pub const GENTLE_CHUNK: usize = 16;
/// Gentle, a batch that is one request: the most keys of one. A request holds the server for all
/// its keys, so each kind is sized by what a key costs the server in it, for holds of about
/// 30–50 µs (BENCHMARKS.md, measured by `INFO commandstats`): a SCAN alone about 1.2 µs a key…
pub const GENTLE_SCAN_ALONE: u32 = 40;
/// …the hot-key script (SCAN, OBJECT FREQ) about 1.5 µs: 20 kept the workload's p99 within its
/// bound, 30 did not…
pub const GENTLE_HOT_SCRIPT: u32 = 20;
/// …and the big-key script (SCAN, TYPE and a size command) about 2.5 µs: 20 cost the workload
/// 1.8× its p99, 13 about 1.5×.
pub const GENTLE_BIG_SCRIPT: u32 = 12;
/// Waits shorter than this are saved up (timers are not finer), so the pace holds on average.
const MIN_WAIT: Duration = Duration::from_millis(1);
/// The share of the server's time a gentle analysis aims to take: requests are spaced so that
/// what one costs the server (about its quickest round trip) is this share of the spacing.
const BUDGET: f64 = 0.2;
/// The share a gentle analysis of one-request batches aims at while the server answers as quickly as usual:
/// all of it, which is no wait of its own. One small script is in flight at a time, and the
/// server's event loop serves every other client between two of them, as it does for
/// `redis-cli --hotkeys`; waits of a millisecond (the timer's grain) between bursts cost the
/// workload more than an even stream does (BENCHMARKS.md). Once round trips slow down, the
/// budget halves as for pipelines and the waits begin.
const ONE_REQUEST_BUDGET: f64 = 1.0;
/// The least it falls to while the server is busier than it was.
const MIN_BUDGET: f64 = 0.02;
/// Recent round trips this many times their usual time mean the server got busier (others'
/// load rose, or it is slow): the budget halves, and recovers slowly once they are back.
const BUSY_RATIO: f64 = 2.0;
/// Round trips between two halvings, so one burst of slow answers costs one step.
const BACKOFF_EVERY: u32 = 50;

/// Decides, round trip by round trip, how long a gentle analysis waits. Pure: fed with measured
/// round-trip times (and the time it really slept), so it is tested without a server.
#[derive(Clone, Debug)]
pub struct Pacer {
    pace: Pace,
    /// The quickest recent round trip: about what one request costs the server (a floor that
    /// rises 1 % a round trip, so it follows a server that became slower for good).
    quickest: Option<f64>,
    /// Round-trip times averaged over the last few dozen (`recent`) and the last thousand or so
    /// (`usual`).
    recent: Option<f64>,
    usual: Option<f64>,
    budget: f64,
    /// The budget it recovers to, and the most keys of one SCAN.
    ceiling: f64,
    scan_max: u32,
    since_backoff: u32,
    /// Seconds of wait owed (negative: slept too long before, owed back).
    owed: f64,
}

impl Pacer {
    /// The pace of pipelined batches.
    pub fn new(pace: Pace) -> Pacer {
        Pacer::with(pace, BUDGET, GENTLE_SCAN_COUNT)
    }

    /// The pace of batches that are one request each (a script, a SCAN alone), of at most
    /// `keys` keys when gentle.
    pub fn one_request(pace: Pace, keys: u32) -> Pacer {
        Pacer::with(pace, ONE_REQUEST_BUDGET, keys)
    }

    fn with(pace: Pace, budget: f64, scan_max: u32) -> Pacer {
        Pacer {
            pace,
            quickest: None,
            recent: None,
            usual: None,
            budget,
            ceiling: budget,
            scan_max,
            since_backoff: BACKOFF_EVERY,
            owed: 0.0,
        }
    }

    /// Keys per pipeline of per-key commands.
    pub fn chunk(&self) -> usize {
        match self.pace {
            Pace::Gentle => GENTLE_CHUNK,
            Pace::Fast => usize::MAX,
        }
    }

    /// The `COUNT` of each SCAN, given the one asked for.
    pub fn scan_count(&self, asked: u32) -> u32 {
        match self.pace {
            Pace::Gentle => asked.min(self.scan_max),
            Pace::Fast => asked,
        }
    }

    /// The share of the server's time the analysis aims at now.
    pub fn budget(&self) -> f64 {
        self.budget
    }

    /// After a round trip that took `rtt`: how long to wait before the next request (zero
    /// while less than [`MIN_WAIT`] is owed). Tell [`Pacer::slept`] how long the wait really was.
    pub fn after(&mut self, rtt: Duration) -> Duration {
        if self.pace == Pace::Fast {
            return Duration::ZERO;
        }
        let secs = rtt.as_secs_f64();
        let quickest = self.quickest.map_or(secs, |q| (q * 1.01).min(secs));
        let usual = self.usual.map_or(secs, |u| u + (secs - u) * 0.002);
        // One very slow answer moves the recent average a little, a run of them a lot.
        let capped = secs.min(usual * 2.0 * BUSY_RATIO);
        let recent = self.recent.map_or(secs, |r| r + (capped - r) * 0.05);
        (self.quickest, self.recent, self.usual) = (Some(quickest), Some(recent), Some(usual));
        self.since_backoff = self.since_backoff.saturating_add(1);
        if recent > usual * BUSY_RATIO && self.since_backoff >= BACKOFF_EVERY {
            self.budget = (self.budget * 0.5).max(MIN_BUDGET);
            self.since_backoff = 0;
        } else if recent <= usual * BUSY_RATIO {
            self.budget = (self.budget * 1.002).min(self.ceiling);
        }
        // The round trip itself counts towards the spacing.
        self.owed += quickest / self.budget - secs;
        if self.owed < MIN_WAIT.as_secs_f64() {
            // A long stall is not made up for by a burst afterwards.
            self.owed = self.owed.max(-MIN_WAIT.as_secs_f64() * 10.0);
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.owed)
    }

    /// The wait [`Pacer::after`] asked for took `slept` (timers round up): the difference is
    /// owed back.
    pub fn slept(&mut self, slept: Duration) {
        self.owed -= slept.as_secs_f64();
    }

    /// Waits on this thread as [`Pacer::after`] asks after a round trip sent at `sent`: the
    /// blocking loops on a connection of our own (`raw_conn.rs`); async ones use `Conn::pace`.
    pub(crate) fn wait_after(&mut self, sent: std::time::Instant) {
        let wait = self.after(sent.elapsed());
        if !wait.is_zero() {
            let start = std::time::Instant::now();
            std::thread::sleep(wait);
            self.slept(start.elapsed());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    /// Feeds `n` round trips of `rtt`, sleeping exactly what is asked; returns the time waited.
    fn feed(p: &mut Pacer, n: usize, rtt: Duration) -> Duration {
        let mut waited = Duration::ZERO;
        for _ in 0..n {
            let w = p.after(rtt);
            assert!(w.is_zero() || w >= MIN_WAIT, "{w:?}");
            p.slept(w);
            waited += w;
        }
        waited
    }

    #[test]
    fn fast_never_waits_and_sends_whole_batches() {
        let mut p = Pacer::new(Pace::Fast);
        assert_eq!(p.after(us(5_000)), Duration::ZERO);
        assert_eq!((p.chunk(), p.scan_count(1000)), (usize::MAX, 1000));
    }

    #[test]
    fn gentle_bounds_each_request() {
        let p = Pacer::new(Pace::Gentle);
        assert_eq!(p.chunk(), GENTLE_CHUNK);
        assert_eq!(p.scan_count(1000), GENTLE_SCAN_COUNT);
        assert_eq!(p.scan_count(10), 10, "smaller asks are kept");
    }

    #[test]
    fn one_request_batches_are_small_and_wait_only_for_a_busy_server() {
        let mut p = Pacer::one_request(Pace::Gentle, GENTLE_HOT_SCRIPT);
        assert_eq!(p.scan_count(1000), GENTLE_HOT_SCRIPT);
        assert_eq!(p.scan_count(5), 5, "smaller asks are kept");
        assert_eq!(feed(&mut p, 2_000, us(100)), Duration::ZERO);
        // Round trips six times slower: it backs off as the pipelined pace does, and waits…
        let waited = feed(&mut p, 400, us(600));
        assert!(p.budget() < ONE_REQUEST_BUDGET / 4.0, "{}", p.budget());
        assert!(waited > Duration::from_millis(100), "{waited:?}");
        // …until they are quick again.
        feed(&mut p, 5_000, us(100));
        assert_eq!(p.budget(), ONE_REQUEST_BUDGET);
        assert_eq!(feed(&mut p, 100, us(100)), Duration::ZERO);
        let mut fast = Pacer::one_request(Pace::Fast, GENTLE_BIG_SCRIPT);
        assert_eq!(fast.scan_count(1000), 1000);
        assert_eq!(feed(&mut fast, 100, us(5_000)), Duration::ZERO);
    }

    #[test]
    fn a_steady_server_gets_its_budget_of_time() {
        let mut p = Pacer::new(Pace::Gentle);
        let waited = feed(&mut p, 2_000, us(100));
        // Busy 100 µs, then waiting 400 µs: the analysis takes a fifth of the time.
        let share = 0.2 / (0.2 + waited.as_secs_f64());
        assert!((0.18..=0.22).contains(&share), "{share}");
        assert_eq!(p.budget(), BUDGET);
    }

    #[test]
    fn oversleeping_is_paid_back() {
        let mut p = Pacer::new(Pace::Gentle);
        let mut waited = Duration::ZERO;
        for _ in 0..2_000 {
            let w = p.after(us(100));
            // The timer rounds every wait up by a millisecond.
            let slept = if w.is_zero() {
                w
            } else {
                w + Duration::from_millis(1)
            };
            p.slept(slept);
            waited += slept;
        }
        let share = 0.2 / (0.2 + waited.as_secs_f64());
        assert!((0.17..=0.22).contains(&share), "{share}");
    }

    #[test]
    fn backs_off_when_the_server_gets_busy_and_recovers() {
        let mut p = Pacer::new(Pace::Gentle);
        feed(&mut p, 500, us(100));
        feed(&mut p, 400, us(600));
        assert!(p.budget() < BUDGET / 4.0, "backed off: {}", p.budget());
        assert!(p.budget() >= MIN_BUDGET);
        feed(&mut p, 5_000, us(100));
        assert_eq!(p.budget(), BUDGET, "and came back");
    }

    #[test]
    fn one_slow_answer_is_not_a_busy_server() {
        let mut p = Pacer::new(Pace::Gentle);
        feed(&mut p, 500, us(100));
        feed(&mut p, 1, us(5_000));
        feed(&mut p, 10, us(100));
        assert_eq!(p.budget(), BUDGET);
    }
}
