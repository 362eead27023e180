//! A bounded heap that keeps the `n` greatest items seen, in O(log n) per item.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Keeps the `n` greatest items by `Ord`. Ties are impossible to leave undecided as long as the
/// item's `Ord` is total over everything that identifies it (callers break ties by key name).
#[derive(Clone, Debug)]
pub struct TopN<T: Ord> {
    n: usize,
    heap: BinaryHeap<Reverse<T>>,
}

impl<T: Ord> TopN<T> {
    pub fn new(n: usize) -> Self {
        TopN {
            n,
            heap: BinaryHeap::with_capacity(n.min(1 << 16) + 1),
        }
    }

    /// Whether `item` would be kept (cheap to call before building an item).
    pub fn would_keep(&self, item: &T) -> bool {
        self.n > 0
            && (self.heap.len() < self.n || self.heap.peek().is_some_and(|Reverse(min)| item > min))
    }

    pub fn push(&mut self, item: T) {
        if !self.would_keep(&item) {
            return;
        }
        if self.heap.len() == self.n {
            self.heap.pop();
        }
        self.heap.push(Reverse(item));
    }

    /// Adds everything another heap kept.
    pub fn merge(&mut self, other: TopN<T>) {
        for Reverse(item) in other.heap {
            self.push(item);
        }
    }

    /// The least item kept, once `n` are kept (anything not above it is not kept).
    pub fn floor(&self) -> Option<&T> {
        match self.heap.len() >= self.n {
            true => self.heap.peek().map(|Reverse(min)| min),
            false => None,
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The kept items, greatest first.
    pub fn into_sorted_desc(self) -> Vec<T> {
        let mut v: Vec<T> = self.heap.into_iter().map(|Reverse(t)| t).collect();
        v.sort_by(|a, b| b.cmp(a));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_greatest_in_order() {
        let mut t = TopN::new(3);
        for x in [5, 1, 9, 3, 7, 9, 2] {
            t.push(x);
        }
        assert_eq!(t.into_sorted_desc(), vec![9, 9, 7]);
    }

    #[test]
    fn floor_once_full() {
        let mut t = TopN::new(2);
        t.push(4);
        assert_eq!(t.floor(), None);
        t.push(9);
        assert_eq!(t.floor(), Some(&4));
        t.push(6);
        assert_eq!(t.floor(), Some(&6));
        assert_eq!(TopN::<u8>::new(0).floor(), None);
    }

    #[test]
    fn zero_and_small_inputs() {
        let mut z = TopN::new(0);
        z.push(1);
        assert!(z.is_empty());
        let mut t = TopN::new(10);
        t.push(2);
        t.push(1);
        assert_eq!(t.into_sorted_desc(), vec![2, 1]);
    }

    #[test]
    fn merge_equals_one_pass() {
        let data: Vec<u32> = (0..1000).map(|i| (i * 7919) % 1009).collect();
        let mut one = TopN::new(50);
        data.iter().for_each(|x| one.push(*x));
        let (mut a, mut b) = (TopN::new(50), TopN::new(50));
        data[..400].iter().for_each(|x| a.push(*x));
        data[400..].iter().for_each(|x| b.push(*x));
        a.merge(b);
        assert_eq!(a.into_sorted_desc(), one.into_sorted_desc());
    }

    #[test]
    fn ties_follow_the_items_order() {
        // (freq, Reverse(name)): equal freq keeps the alphabetically smaller names.
        let mut t = TopN::new(2);
        for (f, n) in [(5, "b"), (5, "c"), (5, "a"), (1, "0")] {
            t.push((f, Reverse(n)));
        }
        assert_eq!(
            t.into_sorted_desc(),
            vec![(5, Reverse("a")), (5, Reverse("b"))]
        );
    }
}
