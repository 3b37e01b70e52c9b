//! `extract_if` (and `retain`, which is `extract_if` with the predicate negated, as in
//! std): a cursor that visits the entries of a range in order, asks a predicate about
//! each, and removes those it picks.
//!
//! The cursor is a [`Path`] (child indices and a leaf position), not a key: a removal
//! rebalances through [`NodeRef::remove_at`], which reports where the entry after the
//! removed one went, so the walk continues without comparing keys. A removal that leaves
//! its leaf at or above the minimum fill (most of them) takes the entry straight out of
//! the leaf.
//!
//! Panics, as std's: if the predicate panics, the entry it was asked about stays, those
//! extracted before are gone, and the iterator yields nothing more. A panicking `Clone`
//! (copying a shared node) leaves the entry where it was too.

use std::fmt;
use std::iter::FusedIterator;
use std::ops::{Bound, RangeBounds};
use std::panic::{self, AssertUnwindSafe};

use super::map::PersistentBTreeMap;
use super::node::{Path, LEAF_MIN};

/// A predicate of the extraction.
pub(super) trait Visit<K, V> {
    /// Whether the predicate takes values mutably: the map's `extract_if`, whose leaves
    /// are then copied if shared; the set's looks at keys only and copies only what it
    /// removes.
    const MUT: bool;
    /// Whether to extract this entry; `val` is `Ok` (mutable) exactly when
    /// [`MUT`](Self::MUT).
    fn extract(&mut self, key: &K, val: Result<&mut V, &V>) -> bool;
}

/// The map's predicate: `FnMut(&K, &mut V) -> bool`.
pub(super) struct MutPred<F>(pub(super) F);

impl<K, V, F: FnMut(&K, &mut V) -> bool> Visit<K, V> for MutPred<F> {
    const MUT: bool = true;

    fn extract(&mut self, key: &K, val: Result<&mut V, &V>) -> bool {
        match val {
            Ok(v) => (self.0)(key, v),
            Err(_) => unreachable!("a mutable predicate gets mutable values"),
        }
    }
}

/// The set's predicate: `FnMut(&T) -> bool`.
pub(super) struct KeyPred<F>(pub(super) F);

impl<K, V, F: FnMut(&K) -> bool> Visit<K, V> for KeyPred<F> {
    const MUT: bool = false;

    fn extract(&mut self, key: &K, _: Result<&mut V, &V>) -> bool {
        (self.0)(key)
    }
}

/// A predicate that reads keys and values: `FnMut(&K, &V) -> bool` (the concurrent
/// cells' `retain`, whose published values are immutable).
pub(super) struct RefPred<F>(pub(super) F);

impl<K, V, F: FnMut(&K, &V) -> bool> Visit<K, V> for RefPred<F> {
    const MUT: bool = false;

    fn extract(&mut self, key: &K, val: Result<&mut V, &V>) -> bool {
        match val {
            Ok(v) => (self.0)(key, v),
            Err(v) => (self.0)(key, v),
        }
    }
}

/// The walk of an extraction over `map`'s entries in `range`.
pub(super) struct Extraction<'a, K, V, R> {
    map: &'a mut PersistentBTreeMap<K, V>,
    /// The next entry to visit (possibly past its leaf's end); `None` when done.
    cur: Option<Path>,
    range: R,
}

impl<'a, K: Ord + Clone, V: Clone, R: RangeBounds<K>> Extraction<'a, K, V, R> {
    /// Starts at the first entry at or after the range's start (the only place the start
    /// bound is compared; an unbounded start compares nothing).
    pub(super) fn new(map: &'a mut PersistentBTreeMap<K, V>, range: R) -> Self {
        let cur = map.root.as_ref().map(|root| match range.start_bound() {
            Bound::Unbounded => Path::first_leaf(root),
            Bound::Included(k) => root.search(k),
            Bound::Excluded(k) => {
                let mut path = root.search(k);
                path.pos += usize::from(path.found);
                path
            }
        });
        Extraction { map, cur, range }
    }

    /// The next entry `pred` picks, removed; `None` when the range is done.
    pub(super) fn next<P: Visit<K, V>>(&mut self, pred: &mut P) -> Option<(K, V)> {
        loop {
            // Taken: if the predicate or a `Clone` panics, the walk is over.
            let mut path = self.cur.take()?;
            let root = self.map.root.as_mut()?;
            if !root.settle(&mut path) {
                return None;
            }
            let end = root.leaf(&path).len();
            let range = &self.range;
            let picked = if P::MUT {
                let leaf = root.leaf_mut(&path);
                let vals = &mut leaf.vals;
                scan(&leaf.keys, path.pos..end, range, |pos, key| {
                    pred.extract(key, Ok(&mut vals[pos]))
                })
            } else {
                let leaf = root.leaf(&path);
                scan(&leaf.keys, path.pos..end, range, |pos, key| {
                    pred.extract(key, Err(&leaf.vals[pos]))
                })
            }?;
            let Some(pos) = picked else {
                path.pos = end;
                self.cur = Some(path);
                continue;
            };
            path.pos = pos;
            let entry = if path.depth == 0 || end > LEAF_MIN {
                // No rebalancing: straight out of the leaf (copied first if shared).
                let entry = root.leaf_mut(&path).take(pos);
                self.cur = Some(path);
                entry
            } else {
                let (entry, next) = root.remove_at(&path);
                self.cur = Some(next);
                entry
            };
            self.map.len -= 1;
            return Some(entry);
        }
    }

    /// An upper bound of the entries left (std's: the map's length).
    pub(super) fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.map.len))
    }
}

/// `retain`'s walk (the map's, the set's and the cells'): a leaf at a time. `pred` is
/// asked about each entry of the leaf, in order, then the entries it picked go together
/// and the leaf is rebalanced once ([`NodeRef::remove_masked`](super::node::NodeRef)):
/// each leaf, and a sibling a fix needs, is copied at most once, and of a shared leaf
/// only the entries that stay are cloned. The per-entry walk of `extract_if` copies a
/// shared leaf's keys whole at its first removal and then rebalances at every removal
/// below the minimum: removing half of a shared set of 1M `String`s took it 209 ms,
/// this walk 73 ms (a rebuild from the kept elements: 60 ms; with a quarter removed,
/// 75 ms here against 80 ms for the rebuild).
///
/// If `pred` panics, the entries it picked before the panic (in this leaf as in the
/// earlier ones) are removed before the panic goes on, and no other: what std's
/// `retain` leaves, which removes each entry as it goes.
pub(super) fn retain<K, V, P>(map: &mut PersistentBTreeMap<K, V>, pred: &mut P)
where
    K: Ord + Clone,
    V: Clone,
    P: Visit<K, V>,
{
    let Some(root) = map.root.as_ref() else {
        return;
    };
    let mut path = Path::first_leaf(root);
    loop {
        let Some(root) = map.root.as_mut() else {
            return;
        };
        if !root.settle(&mut path) {
            return;
        }
        let end = root.leaf(&path).len();
        let mut mask = 0u32;
        let asked = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut ask = |pos: usize, key: &K, val: Result<&mut V, &V>| {
                if pred.extract(key, val) {
                    mask |= 1 << pos;
                }
            };
            if P::MUT {
                let leaf = root.leaf_mut(&path);
                for pos in path.pos..end {
                    ask(pos, &leaf.keys[pos], Ok(&mut leaf.vals[pos]));
                }
            } else {
                let leaf = root.leaf(&path);
                for pos in path.pos..end {
                    ask(pos, &leaf.keys[pos], Err(&leaf.vals[pos]));
                }
            }
        }));
        if mask == 0 {
            path.pos = end;
        } else {
            let (taken, next) = root.remove_masked(&path, mask);
            map.len -= mask.count_ones() as usize;
            path = next;
            drop(taken);
        }
        if let Err(payload) = asked {
            panic::resume_unwind(payload);
        }
    }
}

/// Asks `pick` about the entries `positions` of a leaf with `keys`, in order, stopping
/// at the first it picks (`Some(Some(pos))`), at the end of the positions
/// (`Some(None)`), or at a key past the range's end (`None`: the walk is over). The
/// range's end is the only bound compared; an unbounded end compares nothing.
fn scan<K: Ord, R: RangeBounds<K>>(
    keys: &[K],
    positions: std::ops::Range<usize>,
    range: &R,
    mut pick: impl FnMut(usize, &K) -> bool,
) -> Option<Option<usize>> {
    for pos in positions {
        let key = &keys[pos];
        let within = match range.end_bound() {
            Bound::Included(end) => key <= end,
            Bound::Excluded(end) => key < end,
            Bound::Unbounded => true,
        };
        if !within {
            return None;
        }
        if pick(pos, key) {
            return Some(Some(pos));
        }
    }
    Some(None)
}

/// An iterator that removes and yields the entries of a range of a
/// [`PersistentBTreeMap`] that a predicate picks, in key order. Made by
/// [`PersistentBTreeMap::extract_if`]; entries it has not reached when dropped stay.
#[must_use = "iterators are lazy and do nothing unless consumed; \
              use `retain` or `extract_if().for_each(drop)` to remove and discard elements"]
pub struct ExtractIf<'a, K, V, R, F> {
    pub(super) inner: Extraction<'a, K, V, R>,
    pub(super) pred: MutPred<F>,
}

impl<K, V, R, F> Iterator for ExtractIf<'_, K, V, R, F>
where
    K: Ord + Clone,
    V: Clone,
    R: RangeBounds<K>,
    F: FnMut(&K, &mut V) -> bool,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next(&mut self.pred)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, R, F> FusedIterator for ExtractIf<'_, K, V, R, F>
where
    K: Ord + Clone,
    V: Clone,
    R: RangeBounds<K>,
    F: FnMut(&K, &mut V) -> bool,
{
}

impl<K: fmt::Debug, V: fmt::Debug, R, F> fmt::Debug for ExtractIf<'_, K, V, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf")
            .field("remaining_at_most", &self.inner.map.len)
            .finish_non_exhaustive()
    }
}
