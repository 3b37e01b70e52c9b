//! Double-ended iteration: a cursor at each end of the range, walking leaf to leaf.
//!
//! std's `navigate.rs` moves between leaf edges through parent pointers; a persistent
//! tree has none (a node has as many parents as versions sharing it), so each cursor
//! ([`Edge`]) keeps the stack of internal nodes above its leaf, with the child index
//! taken in each. Both cursors always rest on an entry: the front on the next one to
//! yield, the back on the last one. The range is exhausted after yielding the entry both
//! rest on.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::iter::FusedIterator;
use std::ops::Bound;
use std::sync::Arc;

use super::array::Stack as ArrayStack;
use super::node::{Child, Internal, Leaf, NodeRef, MAX_DEPTH};
use super::search;

/// A position at one entry of a leaf, with the path of internal nodes above it.
struct Edge<'a, K, V> {
    stack: Stack<'a, K, V>,
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
type Stack<'a, K, V> = ArrayStack<(&'a Internal<K, V>, u8), MAX_DEPTH>;

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
        let mut stack = ArrayStack::new();
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

    /// Whether `self` is after `other` in the tree's order (both cursors in the same
    /// tree): compares the child indices from the root down, then the positions. No key
    /// is compared.
    fn after(&self, other: &Self) -> bool {
        let mine = self.stack.iter().map(|&(_, i)| i);
        let theirs = other.stack.iter().map(|&(_, i)| i);
        mine.cmp(theirs).then(self.pos.cmp(&other.pos)) == Ordering::Greater
    }

    /// Starts loading the next leaf's keys (a leaf and its keys are two allocations): a
    /// read whose result nothing waits for, so the processor fetches the next leaf's
    /// lines while this one is walked. Nothing if the next leaf has another parent.
    #[inline]
    fn touch_next_leaf(&self) {
        if let Some(&(parent, idx)) = self.stack.last() {
            let next = usize::from(idx) + 1;
            if next < parent.children.len() {
                if let Child::Leaf(leaf) = parent.children.get(next) {
                    std::hint::black_box(leaf.keys.len());
                }
            }
        }
    }

    /// The first entry of the next leaf; `false` at the last leaf.
    #[cold]
    fn next_leaf(&mut self) -> bool {
        let moved = self.next_leaf_untouched();
        if moved {
            self.touch_next_leaf();
        }
        moved
    }

    /// [`next_leaf`](Self::next_leaf) without loading the leaf after it: for a walk that
    /// may skip the new leaf unread (a diff skipping shared leaves reads only their
    /// addresses, in the parent).
    fn next_leaf_untouched(&mut self) -> bool {
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

    /// [`advance`](Self::advance) without loading the leaf after the next one: for a
    /// walk that is likely to skip that leaf unread.
    #[inline]
    fn advance_untouched(&mut self) -> bool {
        self.pos += 1;
        while self.pos >= self.leaf.len() {
            if !self.next_leaf_untouched() {
                return false;
            }
        }
        true
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
                    |n| search::start_child(n.key_slice(), start),
                    |leaf| search::before_start(leaf.key_slice(), start),
                );
                Some(front)
            },
            |root| {
                let back = Edge::start(
                    root,
                    |n| search::end_child(n.key_slice(), end),
                    |leaf| search::before_end(leaf.key_slice(), end),
                );
                Some(back)
            },
        );
        // The cursors found the first key at or after the start and the last key at or
        // before the end; when no key lies between, they have crossed. Their positions
        // say so without comparing keys (an unbounded side compares none, as std's).
        match &range.inner {
            Some(c) if c.front.after(&c.back) => Self::empty(),
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
#[must_use = "iterators are lazy and do nothing unless consumed"]
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

    /// Walks each leaf's arrays directly: no cursor update per entry.
    fn fold<B, F>(self, init: B, mut f: F) -> B
    where
        F: FnMut(B, Self::Item) -> B,
    {
        let mut acc = init;
        let mut remaining = self.remaining;
        let Some(Cursors { mut front, .. }) = self.range.inner else {
            return acc;
        };
        front.touch_next_leaf();
        while remaining > 0 {
            let leaf = front.leaf;
            let end = leaf.len().min(front.pos + remaining);
            let (keys, vals) = (&leaf.keys[front.pos..end], &leaf.vals[front.pos..end]);
            for entry in keys.iter().zip(vals) {
                acc = f(acc, entry);
            }
            remaining -= end - front.pos;
            front.pos = end - 1;
            if remaining > 0 && !front.advance() {
                break;
            }
        }
        acc
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
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Keys<'a, K, V> {
    pub(super) inner: Iter<'a, K, V>,
}

/// An iterator over the values of a [`PersistentBTreeMap`](super::PersistentBTreeMap),
/// in key order. Made by [`PersistentBTreeMap::values`](super::PersistentBTreeMap::values).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Values<'a, K, V> {
    pub(super) inner: Iter<'a, K, V>,
}

/// An iterator over a sub-range of the entries of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends). Made by
/// [`PersistentBTreeMap::range`](super::PersistentBTreeMap::range).
#[must_use = "iterators are lazy and do nothing unless consumed"]
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

            fn fold<B, F>(self, init: B, mut f: F) -> B
            where
                F: FnMut(B, Self::Item) -> B,
            {
                self.inner.fold(init, |acc, ($k, $v)| f(acc, $pick))
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
#[must_use = "iterators are lazy and do nothing unless consumed"]
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

/// An owning iterator over the keys of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in order (both ends). Made by
/// [`PersistentBTreeMap::into_keys`](super::PersistentBTreeMap::into_keys).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct IntoKeys<K, V> {
    pub(super) inner: IntoIter<K, V>,
}

/// An owning iterator over the values of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends). Made by
/// [`PersistentBTreeMap::into_values`](super::PersistentBTreeMap::into_values).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct IntoValues<K, V> {
    pub(super) inner: IntoIter<K, V>,
}

/// Implements the iterator traits for an adapter over [`IntoIter`] that keeps one half
/// of each entry.
macro_rules! into_adapter {
    ($name:ident, $item:ident, |$k:ident, $v:ident| $pick:expr) => {
        impl<K, V> Iterator for $name<K, V> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|($k, $v)| $pick)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }

            fn last(mut self) -> Option<$item> {
                self.next_back()
            }
        }

        impl<K, V> DoubleEndedIterator for $name<K, V> {
            fn next_back(&mut self) -> Option<$item> {
                self.inner.next_back().map(|($k, $v)| $pick)
            }
        }

        impl<K, V> ExactSizeIterator for $name<K, V> {}
        impl<K, V> FusedIterator for $name<K, V> {}

        impl<K, V> Default for $name<K, V> {
            /// An empty iterator.
            fn default() -> Self {
                $name {
                    inner: IntoIter::default(),
                }
            }
        }

        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for $name<K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let items = self.inner.entries.as_slice().iter().map(|($k, $v)| $pick);
                f.debug_list().entries(items).finish()
            }
        }
    };
}

into_adapter!(IntoKeys, K, |k, _v| k);
into_adapter!(IntoValues, V, |_k, v| v);

impl<K, V> Default for IntoIter<K, V> {
    /// An empty iterator.
    fn default() -> Self {
        IntoIter {
            entries: Vec::new().into_iter(),
        }
    }
}

/// A cursor over a tree's entries in order that knows which subtrees it stands at the
/// start of, and can skip one whole: the walk of `is_subset`, `is_disjoint` and `diff`
/// (`diff.rs`), which skip the subtrees two versions share.
pub(super) struct SubtreeWalk<'a, K, V> {
    /// `None` once past the last entry.
    edge: Option<Edge<'a, K, V>>,
}

impl<K, V> Clone for SubtreeWalk<'_, K, V> {
    fn clone(&self) -> Self {
        SubtreeWalk {
            edge: self.edge.clone(),
        }
    }
}

impl<'a, K, V> SubtreeWalk<'a, K, V> {
    /// At the first entry of the tree under `root`.
    pub(super) fn new(root: Option<&'a NodeRef<K, V>>) -> Self {
        let edge = root.and_then(|root| {
            let mut edge = Edge::start(root.as_child(), |_| 0, |_| 0);
            edge.settle_front().then_some(edge)
        });
        SubtreeWalk { edge }
    }

    /// The current key.
    #[inline]
    pub(super) fn key(&self) -> Option<&'a K> {
        self.edge.as_ref().map(|e| e.entry().0)
    }

    /// The current entry.
    #[inline]
    pub(super) fn entry(&self) -> Option<(&'a K, &'a V)> {
        self.edge.as_ref().map(Edge::entry)
    }

    /// Whether both cursors stand at the same position of one key array (leaves that
    /// share their keys): their keys are then the same key, known equal without a
    /// comparison.
    #[inline]
    pub(super) fn same_key(&self, other: &Self) -> bool {
        match (&self.edge, &other.edge) {
            (Some(a), Some(b)) => a.pos == b.pos && Arc::ptr_eq(&a.leaf.keys, &b.leaf.keys),
            _ => false,
        }
    }

    /// Moves to the next entry. At the end of a leaf, the next leaf is not loaded
    /// ahead: a walk between versions usually skips it (it is shared).
    #[inline]
    pub(super) fn advance(&mut self) {
        if let Some(edge) = &mut self.edge {
            if !edge.advance_untouched() {
                self.edge = None;
            }
        }
    }

    /// The height of the highest subtree the cursor stands at the start of (0: its
    /// leaf); `None` if the cursor is inside a leaf.
    fn start_height(&self) -> Option<usize> {
        let edge = self.edge.as_ref()?;
        if edge.pos != 0 {
            return None;
        }
        let below = edge
            .stack
            .iter()
            .rev()
            .take_while(|&&(_, idx)| idx == 0)
            .count();
        Some(below)
    }

    /// The address of the node of `height` the cursor stands at the start of.
    fn subtree(&self, height: usize) -> *const () {
        let edge = self.edge.as_ref().expect("a cursor on an entry");
        if height == 0 {
            return std::ptr::from_ref(edge.leaf).cast();
        }
        // `stack[l].0` is the node at level `l`; the leaf is at level `stack.len()`.
        std::ptr::from_ref(edge.stack.get(edge.stack.len() - height).0).cast()
    }

    /// If both cursors stand at the start of the same node (one both trees share), the
    /// height of the highest such node.
    pub(super) fn shared_start(&self, other: &Self) -> Option<usize> {
        let top = self.start_height()?.min(other.start_height()?);
        (0..=top)
            .rev()
            .find(|&h| std::ptr::eq(self.subtree(h), other.subtree(h)))
    }

    /// How many subtrees in a row both trees share, from the one of `height` (shared)
    /// that both cursors stand at the start of: it and the siblings after it that are
    /// the same nodes in both parents, compared by address in the parents' child arrays
    /// without loading the children (at least 1). Skipping them with one
    /// [`skip`](Self::skip) is the same as skipping them one by one, at the cost of a
    /// pointer comparison each: between two versions a few writes apart, most siblings
    /// of a copied path are shared.
    pub(super) fn shared_run(&self, other: &Self, height: usize) -> usize {
        let (Some(a), Some(b)) = (&self.edge, &other.edge) else {
            return 1;
        };
        // The parents: at level `stack.len() - height - 1`, with the subtree's index.
        let parent = |edge: &Edge<'a, K, V>| {
            let level = edge.stack.len().checked_sub(height + 1)?;
            let &(node, idx) = edge.stack.get(level);
            Some((node, usize::from(idx)))
        };
        let (Some((pa, ia)), Some((pb, ib))) = (parent(a), parent(b)) else {
            return 1; // the roots: nothing after them
        };
        let n = (pa.children.len() - ia).min(pb.children.len() - ib);
        1 + (1..n)
            .take_while(|&j| std::ptr::eq(child_addr(pa, ia + j), child_addr(pb, ib + j)))
            .count()
    }

    /// Skips `run` subtrees of `height` in a row, from the one the cursor stands at the
    /// start of (`run` no more than its parent has from there).
    pub(super) fn skip(&mut self, height: usize, run: usize) {
        let Some(edge) = &mut self.edge else {
            return;
        };
        edge.stack.truncate(edge.stack.len() - height);
        if run > 1 {
            let (parent, idx) = edge.stack.pop().expect("a run has a parent");
            let last = usize::from(idx) + run - 1;
            debug_assert!(last < parent.children.len());
            edge.stack.push((parent, last as u8));
        }
        if !edge.next_leaf_untouched() {
            self.edge = None;
        }
    }
}

/// The address of child `idx` of `node`, as [`SubtreeWalk`] compares subtrees.
fn child_addr<K, V>(node: &Internal<K, V>, idx: usize) -> *const () {
    match node.children.get(idx) {
        Child::Leaf(leaf) => std::ptr::from_ref(leaf).cast(),
        Child::Internal(internal) => std::ptr::from_ref(internal).cast(),
    }
}
