//! How a caller watches and steers a running analysis: progress and cancellation.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

/// Keys scanned so far out of the total the servers reported (`DBSIZE` summed over masters and
/// databases when the analysis started; keys added meanwhile can push `scanned` past it) — or,
/// for a key-space analysis, snapshot bytes received and parsed out of the snapshot's size
/// (0 while unknown: a diskless snapshot announces no size).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub scanned: u64,
    pub total: u64,
    pub unit: Unit,
}

/// What [`Progress`] counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unit {
    #[default]
    Keys,
    Bytes,
}

impl Progress {
    /// 0–100, never 100 before the analysis has finished.
    pub fn percent(&self) -> u8 {
        if self.total == 0 {
            return 0;
        }
        ((self.scanned.saturating_mul(100) / self.total).min(99)) as u8
    }
}

/// Shared by the caller and every per-master task of one analysis. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Control {
    cancelled: Arc<AtomicBool>,
    /// The control this one was made from ([`Control::child`]): its cancel stops this one too.
    parent: Option<Arc<AtomicBool>>,
    bytes: Arc<AtomicBool>,
    scanned: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    tx: Arc<watch::Sender<Progress>>,
}

impl Default for Control {
    fn default() -> Self {
        Control::new().0
    }
}

impl Control {
    /// A new control and a receiver that sees every progress update.
    pub fn new() -> (Control, watch::Receiver<Progress>) {
        let (tx, rx) = watch::channel(Progress::default());
        let c = Control {
            cancelled: Arc::default(),
            parent: None,
            bytes: Arc::default(),
            scanned: Arc::default(),
            total: Arc::default(),
            tx: Arc::new(tx),
        };
        (c, rx)
    }

    /// Asks the analysis to stop at its next batch boundary; it then fails with `Cancelled`.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
            || self
                .parent
                .as_ref()
                .is_some_and(|p| p.load(Ordering::SeqCst))
    }

    /// A control that shares this one's progress and stops when it does, and that can also be
    /// stopped alone (by a deadline) while this one runs on.
    pub(crate) fn child(&self) -> Control {
        Control {
            cancelled: Arc::default(),
            parent: Some(self.cancelled.clone()),
            ..self.clone()
        }
    }

    pub fn progress(&self) -> Progress {
        *self.tx.borrow()
    }

    /// From now on progress counts snapshot bytes.
    pub(crate) fn count_bytes(&self) {
        self.bytes.store(true, Ordering::SeqCst);
        self.publish();
    }

    pub(crate) fn add_total(&self, n: u64) {
        self.total.fetch_add(n, Ordering::SeqCst);
        self.publish();
    }

    pub(crate) fn add_scanned(&self, n: u64) {
        self.scanned.fetch_add(n, Ordering::SeqCst);
        self.publish();
    }

    /// Takes back what a way of reading that was given up had counted (a snapshot that failed
    /// midway, before its node is scanned online from the start).
    pub(crate) fn take_back(&self, scanned: u64, total: u64) {
        self.scanned.fetch_sub(scanned, Ordering::SeqCst);
        self.total.fetch_sub(total, Ordering::SeqCst);
        self.publish();
    }

    fn publish(&self) {
        let p = Progress {
            scanned: self.scanned.load(Ordering::SeqCst),
            total: self.total.load(Ordering::SeqCst),
            unit: if self.bytes.load(Ordering::SeqCst) {
                Unit::Bytes
            } else {
                Unit::Keys
            },
        };
        self.tx.send_replace(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_stops_with_its_parent_or_alone() {
        let (parent, rx) = Control::new();
        let child = parent.child();
        child.add_total(10);
        assert_eq!(rx.borrow().total, 10, "the same progress");
        child.cancel();
        assert!(child.is_cancelled() && !parent.is_cancelled());
        let other = parent.child();
        parent.cancel();
        assert!(other.is_cancelled());
    }

    #[test]
    fn progress_is_shared_and_capped() {
        let (c, rx) = Control::new();
        let other = c.clone();
        c.add_total(200);
        other.add_scanned(150);
        assert_eq!(
            *rx.borrow(),
            Progress {
                scanned: 150,
                total: 200,
                unit: Unit::Keys,
            }
        );
        assert_eq!(rx.borrow().percent(), 75);
        c.add_scanned(100);
        assert_eq!(c.progress().percent(), 99);
        assert_eq!(Progress::default().percent(), 0);
        assert!(!c.is_cancelled());
        other.cancel();
        assert!(c.is_cancelled());
    }

    #[test]
    fn a_way_given_up_is_taken_back() {
        let (c, rx) = Control::new();
        c.add_total(100); // another node
        c.add_scanned(40);
        c.add_total(300); // a snapshot that fails after 120 keys
        c.add_scanned(120);
        c.take_back(120, 300);
        assert_eq!((rx.borrow().scanned, rx.borrow().total), (40, 100));
    }
}
