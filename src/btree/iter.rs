//! Double-ended iteration: a cursor at each end of the range, walking leaf to leaf.
//!
//! std's `navigate.rs` moves between leaf edges through parent pointers; a persistent
//! tree has none (a node has as many parents as versions sharing it), so each cursor
//! ([`Edge`]) keeps the stack of internal nodes above its leaf, with the child index
//! taken in each. Both cursors always rest on an entry: the front on the next one to
//! yield, the back on the last one. The range is exhausted after yielding the entry both
//! rest on.

use std::borrow::Borrow;
use std::fmt;
use std::iter::FusedIterator;
use std::ops::Bound;

use arrayvec::ArrayVec;

use super::node::{Child, Internal, Leaf, NodeRef, MAX_DEPTH};
use super::search;

/// A position at one entry of a leaf, with the path of internal nodes above it.
struct Edge<'a, K, V> {
    stack: ArrayVec<(&'a Internal<K, V>, u8), MAX_DEPTH>,
    leaf: &'a Leaf<K, V>,
    pos: usize,
}

impl<K, V> Clone for Edge<'_, K, V> {
    fn clone(&self) -> Self {
        Edge {
            stack: self.stack.clone(),
            leaf: self.leaf,
            pos: self.pos,
        }
    }
}

/// The internal nodes above a cursor's leaf, each with the child index taken.
type Stack<'a, K, V> = ArrayVec<(&'a Internal<K, V>, u8), MAX_DEPTH>;

/// Descends from `node` to a leaf, taking the child `pick(node)` at each level and
/// pushing the path onto `stack`; returns the leaf and `at_leaf(leaf)`.
fn descend<'a, K, V>(
    stack: &mut Stack<'a, K, V>,
    mut node: Child<'a, K, V>,
    pick: impl Fn(&'a Internal<K, V>) -> usize,
    at_leaf: impl FnOnce(&'a Leaf<K, V>) -> usize,
) -> (&'a Leaf<K, V>, usize) {
    loop {
        match node {
            Child::Internal(n) => {
                let idx = pick(n);
                stack.push((n, idx as u8));
                node = n.children.get(idx);
            }
            Child::Leaf(leaf) => return (leaf, at_leaf(leaf)),
        }
    }
}

impl<'a, K, V> Edge<'a, K, V> {
    /// A cursor found by descending from `root` (see [`descend`]).
    fn start(
        root: Child<'a, K, V>,
        pick: impl Fn(&'a Internal<K, V>) -> usize,
        at_leaf: impl FnOnce(&'a Leaf<K, V>) -> usize,
    ) -> Self {
        let mut stack = ArrayVec::new();
        let (leaf, pos) = descend(&mut stack, root, pick, at_leaf);
        Edge { stack, leaf, pos }
    }

    #[inline]
    fn entry(&self) -> (&'a K, &'a V) {
        self.leaf.entry(self.pos)
    }

    #[inline]
    fn same(&self, other: &Self) -> bool {
        self.pos == other.pos && std::ptr::eq(self.leaf, other.leaf)
    }

    /// The first entry of the next leaf; `false` at the last leaf.
    #[cold]
    fn next_leaf(&mut self) -> bool {
        loop {
            let Some((node, idx)) = self.stack.pop() else {
                return false;
            };
            let next = usize::from(idx) + 1;
            if next < node.children.len() {
                self.stack.push((node, next as u8));
                (self.leaf, self.pos) =
                    descend(&mut self.stack, node.children.get(next), |_| 0, |_| 0);
                return true;
            }
        }
    }

    /// One past the last entry of the previous leaf; `false` at the first leaf.
    #[cold]
    fn prev_leaf(&mut self) -> bool {
        loop {
            let Some((node, idx)) = self.stack.pop() else {
                return false;
            };
            if idx > 0 {
                let prev = usize::from(idx) - 1;
                self.stack.push((node, prev as u8));
                (self.leaf, self.pos) = descend(
                    &mut self.stack,
                    node.children.get(prev),
                    |n| n.children.len() - 1,
                    Leaf::len,
                );
                return true;
            }
        }
    }

    /// From a position that may be past its leaf's end, moves to the first entry at or
    /// after it; `false` if there is none.
    #[inline]
    fn settle_front(&mut self) -> bool {
        while self.pos >= self.leaf.len() {
            if !self.next_leaf() {
                return false;
            }
        }
        true
    }

    /// Moves to the next entry; `false` if there is none (the cursor is then spent).
    #[inline]
    fn advance(&mut self) -> bool {
        self.pos += 1;
        self.settle_front()
    }

    /// Moves to the entry before the position; `false` if there is none.
    #[inline]
    fn retreat(&mut self) -> bool {
        while self.pos == 0 {
            if !self.prev_leaf() {
                return false;
            }
        }
        self.pos -= 1;
        true
    }
}

/// The two cursors of a nonempty range.
struct Cursors<'a, K, V> {
    front: Edge<'a, K, V>,
    back: Edge<'a, K, V>,
}

impl<K, V> Clone for Cursors<'_, K, V> {
    fn clone(&self) -> Self {
        Cursors {
            front: self.front.clone(),
            back: self.back.clone(),
        }
    }
}

/// The entries between two cursors: the engine of every borrowing iterator.
pub(super) struct RawRange<'a, K, V> {
    inner: Option<Cursors<'a, K, V>>,
}

impl<K, V> Clone for RawRange<'_, K, V> {
    fn clone(&self) -> Self {
        RawRange {
            inner: self.inner.clone(),
        }
    }
}

impl<'a, K, V> RawRange<'a, K, V> {
    pub(super) fn empty() -> Self {
        RawRange { inner: None }
    }

    /// Every entry of the tree under `root`.
    pub(super) fn full(root: Option<&'a NodeRef<K, V>>) -> Self {
        Self::new(root, |_| None, |_| None)
    }

    /// The entries of the tree under `root` within `start..end` (bounds already checked).
    pub(super) fn bounded<Q>(root: &'a NodeRef<K, V>, start: Bound<&Q>, end: Bound<&Q>) -> Self
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        let range = Self::new(
            Some(root),
            |root| {
                let front = Edge::start(
                    root,
                    |n| search::start_child(&n.keys, start),
                    |leaf| search::before_start(&leaf.keys, start),
                );
                Some(front)
            },
            |root| {
                let back = Edge::start(
                    root,
                    |n| search::end_child(&n.keys, end),
                    |leaf| search::before_end(&leaf.keys, end),
                );
                Some(back)
            },
        );
        // The cursors found the first key at or after the start and the last key at or
        // before the end; when no key lies between, they have crossed.
        match &range.inner {
            Some(c) if c.front.entry().0 > c.back.entry().0 => Self::empty(),
            _ => range,
        }
    }

    /// A range from a front cursor (`None`: the start of the tree) and a back cursor
    /// (`None`: the end). The front cursor rests at the position of the first entry in
    /// the range, or past its leaf's end; the back one at the position after the last
    /// entry in the range. Both are settled onto entries here.
    fn new(
        root: Option<&'a NodeRef<K, V>>,
        front: impl FnOnce(Child<'a, K, V>) -> Option<Edge<'a, K, V>>,
        back: impl FnOnce(Child<'a, K, V>) -> Option<Edge<'a, K, V>>,
    ) -> Self {
        let Some(root) = root.map(NodeRef::as_child) else {
            return Self::empty();
        };
        let mut f = front(root).unwrap_or_else(|| Edge::start(root, |_| 0, |_| 0));
        let mut b =
            back(root).unwrap_or_else(|| Edge::start(root, |n| n.children.len() - 1, Leaf::len));
        if !f.settle_front() || !b.retreat() {
            return Self::empty();
        }
        RawRange {
            inner: Some(Cursors { front: f, back: b }),
        }
    }

    /// The next entry from the front.
    #[inline]
    pub(super) fn next(&mut self) -> Option<(&'a K, &'a V)> {
        let c = self.inner.as_mut()?;
        let entry = c.front.entry();
        if c.front.same(&c.back) || !c.front.advance() {
            self.inner = None;
        }
        Some(entry)
    }

    /// The next entry from the back.
    #[inline]
    pub(super) fn next_back(&mut self) -> Option<(&'a K, &'a V)> {
        let c = self.inner.as_mut()?;
        let entry = c.back.entry();
        if c.front.same(&c.back) || !c.back.retreat() {
            self.inner = None;
        }
        Some(entry)
    }

    /// The first entry, without moving.
    pub(super) fn peek(&self) -> Option<(&'a K, &'a V)> {
        self.inner.as_ref().map(|c| c.front.entry())
    }

    /// The last entry, without moving.
    pub(super) fn peek_back(&self) -> Option<(&'a K, &'a V)> {
        self.inner.as_ref().map(|c| c.back.entry())
    }
}

/// An iterator over the entries of a [`PersistentBTreeMap`](super::PersistentBTreeMap),
/// in key order (both ends). Made by
/// [`PersistentBTreeMap::iter`](super::PersistentBTreeMap::iter).
pub struct Iter<'a, K, V> {
    pub(super) range: RawRange<'a, K, V>,
    pub(super) remaining: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        // The count says whether another entry follows: no need to compare cursors.
        let c = self.range.inner.as_mut()?;
        let entry = c.front.entry();
        if self.remaining > 0 {
            c.front.advance();
        }
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }

    fn last(mut self) -> Option<Self::Item> {
        self.next_back()
    }

    fn min(mut self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.next()
    }

    fn max(mut self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.next_back()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let c = self.range.inner.as_mut()?;
        let entry = c.back.entry();
        if self.remaining > 0 {
            c.back.retreat();
        }
        Some(entry)
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter {
            range: self.range.clone(),
            remaining: self.remaining,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// An iterator over the keys of a [`PersistentBTreeMap`](super::PersistentBTreeMap), in
/// order. Made by [`PersistentBTreeMap::keys`](super::PersistentBTreeMap::keys).
pub struct Keys<'a, K, V> {
    pub(super) inner: Iter<'a, K, V>,
}

/// An iterator over the values of a [`PersistentBTreeMap`](super::PersistentBTreeMap),
/// in key order. Made by [`PersistentBTreeMap::values`](super::PersistentBTreeMap::values).
pub struct Values<'a, K, V> {
    pub(super) inner: Iter<'a, K, V>,
}

/// An iterator over a sub-range of the entries of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends). Made by
/// [`PersistentBTreeMap::range`](super::PersistentBTreeMap::range).
pub struct Range<'a, K, V> {
    pub(super) inner: RawRange<'a, K, V>,
}

impl<'a, K, V> Iterator for Range<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn last(mut self) -> Option<Self::Item> {
        self.next_back()
    }

    fn min(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.inner.peek()
    }

    fn max(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.inner.peek_back()
    }
}

impl<K, V> DoubleEndedIterator for Range<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}

impl<K, V> FusedIterator for Range<'_, K, V> {}

impl<K, V> Clone for Range<'_, K, V> {
    fn clone(&self) -> Self {
        Range {
            inner: self.inner.clone(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Range<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Implements the iterator traits for an adapter over [`Iter`] that maps each entry.
macro_rules! entry_adapter {
    ($name:ident, $item:ty, |$k:ident, $v:ident| $pick:expr) => {
        impl<'a, K, V> Iterator for $name<'a, K, V> {
            type Item = $item;

            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map(|($k, $v)| $pick)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }

            fn last(mut self) -> Option<Self::Item> {
                self.next_back()
            }
        }

        impl<K, V> DoubleEndedIterator for $name<'_, K, V> {
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map(|($k, $v)| $pick)
            }
        }

        impl<K, V> ExactSizeIterator for $name<'_, K, V> {}
        impl<K, V> FusedIterator for $name<'_, K, V> {}

        impl<K, V> Clone for $name<'_, K, V> {
            fn clone(&self) -> Self {
                $name {
                    inner: self.inner.clone(),
                }
            }
        }

        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for $name<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    };
}

entry_adapter!(Keys, &'a K, |k, _v| k);
entry_adapter!(Values, &'a V, |_k, v| v);

/// An owning iterator over the entries of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends). Made by
/// `into_iter`: entries of nodes no other version shares are moved out, those of shared
/// nodes are cloned.
pub struct IntoIter<K, V> {
    pub(super) entries: std::vec::IntoIter<(K, V)>,
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.entries.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IntoIter<K, V> {
    fn next_back(&mut self) -> Option<(K, V)> {
        self.entries.next_back()
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.as_slice()).finish()
    }
}
