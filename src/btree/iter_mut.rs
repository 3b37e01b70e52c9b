//! Mutable iteration (`iter_mut`, `values_mut`, `range_mut`): the values of a range,
//! each handed out as `&mut V`, the leaves that hold them copied first if shared.
//!
//! std's `IterMut` keeps two leaf edges and walks between them through parent pointers
//! with `unsafe` reborrows. Here the walk is safe code: a nested double-ended flatten
//! over the tree. Each internal node entered is made unshared ([`make_mut`]) and its
//! children become a `slice::IterMut` that hands out each child once, to whichever end
//! reaches it first; a leaf becomes a double-ended iterator over its entries. The two
//! ends share the children between their paths (`mid`); when that runs out, an end
//! continues into the other end's pending siblings, and at last into its leaf. The
//! remaining entries are always, in order: the front leaf's, the front's pending
//! siblings (deepest level first), `mid`, the back's pending siblings (shallowest
//! first), the back leaf's.
//!
//! Copies happen as the iteration reaches each node: a leaf copy clones its values, not
//! its keys (they stay shared). A `Clone` that panics leaves the values already handed
//! out as they were written and the others untouched.

use std::borrow::Borrow;
use std::fmt;
use std::iter::FusedIterator;
use std::ops::Bound;
use std::slice;
use std::sync::Arc;

use super::array::Stack;
use super::node::{make_mut, Children, Internal, Leaf, NodeRef, MAX_DEPTH};
use super::search;

/// The entries of one leaf still to visit.
type LeafIter<'a, K, V> = std::iter::Zip<slice::Iter<'a, K>, slice::IterMut<'a, V>>;

/// Children of one internal node still to visit, each given out once.
enum Siblings<'a, K, V> {
    Leaves(slice::IterMut<'a, Arc<Leaf<K, V>>>),
    Internals(slice::IterMut<'a, Arc<Internal<K, V>>>),
}

/// A node given out by [`Siblings`], made unshared.
enum NodeMut<'a, K, V> {
    Leaf(&'a mut Leaf<K, V>),
    Internal(&'a mut Internal<K, V>),
}

impl<'a, K: Clone, V: Clone> Siblings<'a, K, V> {
    fn of(children: &'a mut [Arc<Leaf<K, V>>]) -> Self {
        Siblings::Leaves(children.iter_mut())
    }

    fn next(&mut self) -> Option<NodeMut<'a, K, V>> {
        match self {
            Siblings::Leaves(it) => it.next().map(|n| NodeMut::Leaf(make_mut(n))),
            Siblings::Internals(it) => it.next().map(|n| NodeMut::Internal(make_mut(n))),
        }
    }

    fn next_back(&mut self) -> Option<NodeMut<'a, K, V>> {
        match self {
            Siblings::Leaves(it) => it.next_back().map(|n| NodeMut::Leaf(make_mut(n))),
            Siblings::Internals(it) => it.next_back().map(|n| NodeMut::Internal(make_mut(n))),
        }
    }
}

/// The entries `range` of `leaf` (made unshared by its caller), keys shared, values
/// mutable.
fn leaf_iter<'a, K, V>(leaf: &'a mut Leaf<K, V>, from: usize, to: usize) -> LeafIter<'a, K, V> {
    let Leaf { keys, vals } = leaf;
    let keys: &'a [K] = &keys[..];
    let to = to.max(from);
    keys[from..to].iter().zip(vals[from..to].iter_mut())
}

/// Which child of an internal node a cursor descends into, and which leaf positions it
/// keeps: the range's bound at its end of the range.
enum Side<'b, Q: ?Sized> {
    Front(Bound<&'b Q>),
    Back(Bound<&'b Q>),
}

impl<Q: ?Sized> Clone for Side<'_, Q> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Q: ?Sized> Copy for Side<'_, Q> {}

/// The engine of `IterMut`, `ValuesMut` and `RangeMut` (see the module documentation).
pub(super) struct RawIterMut<'a, K, V> {
    front_leaf: Option<LeafIter<'a, K, V>>,
    back_leaf: Option<LeafIter<'a, K, V>>,
    /// The front's pending right siblings at each level below `mid`'s, shallowest first.
    front: Stack<Siblings<'a, K, V>, MAX_DEPTH>,
    /// The back's pending left siblings at each level below `mid`'s, shallowest first.
    back: Stack<Siblings<'a, K, V>, MAX_DEPTH>,
    /// The children between the two ends' subtrees where their paths part.
    mid: Option<Siblings<'a, K, V>>,
}

impl<'a, K: Clone, V: Clone> RawIterMut<'a, K, V> {
    fn empty() -> Self {
        RawIterMut {
            front_leaf: None,
            back_leaf: None,
            front: Stack::new(),
            back: Stack::new(),
            mid: None,
        }
    }

    /// Every entry under `root`. Copies (if shared) the root only; the rest as reached.
    pub(super) fn full(root: Option<&'a mut NodeRef<K, V>>) -> Self {
        let mut iter = Self::empty();
        match root {
            None => {}
            Some(NodeRef::Leaf(leaf)) => {
                let leaf = make_mut(leaf);
                let len = leaf.len();
                iter.front_leaf = Some(leaf_iter(leaf, 0, len));
            }
            Some(NodeRef::Internal(n)) => iter.mid = Some(siblings(make_mut(n), 0, usize::MAX)),
        }
        iter
    }

    /// The entries under `root` within `start..end` (bounds already checked). Compares
    /// keys with the bounds on the two paths (an unbounded side compares none) and
    /// copies (if shared) the nodes on them.
    pub(super) fn range<Q>(root: &'a mut NodeRef<K, V>, start: Bound<&Q>, end: Bound<&Q>) -> Self
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        let mut iter = Self::empty();
        let mut node = match root {
            NodeRef::Leaf(leaf) => NodeMut::Leaf(make_mut(leaf)),
            NodeRef::Internal(n) => NodeMut::Internal(make_mut(n)),
        };
        // Down the common part of the two paths.
        loop {
            let n = match node {
                NodeMut::Leaf(leaf) => {
                    let from = search::before_start(leaf.key_slice(), start);
                    let to = search::before_end(leaf.key_slice(), end);
                    iter.front_leaf = Some(leaf_iter(leaf, from, to));
                    return iter;
                }
                NodeMut::Internal(n) => n,
            };
            let keys = n.key_slice();
            let (first, last) = (
                search::start_child(keys, start),
                search::end_child(keys, end),
            );
            if first > last {
                // Only an inconsistent `Ord` gets here.
                return iter;
            }
            if first < last {
                let mut between = siblings(n, first, last + 1);
                let front = between.next().expect("two children at least");
                let back = between.next_back().expect("two children at least");
                iter.mid = Some(between);
                iter.descend(front, Side::Front(start));
                iter.descend(back, Side::Back(end));
                return iter;
            }
            node = siblings(n, first, first + 1)
                .next()
                .expect("the child on the path");
        }
    }

    /// Descends from `node` to a leaf along one end of the range, pushing the pending
    /// siblings at each level onto that end's stack and setting its leaf.
    fn descend<Q>(&mut self, mut node: NodeMut<'a, K, V>, side: Side<'_, Q>)
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        loop {
            match node {
                NodeMut::Leaf(leaf) => {
                    let len = leaf.len();
                    match side {
                        Side::Front(bound) => {
                            let from = search::before_start(leaf.key_slice(), bound);
                            self.front_leaf = Some(leaf_iter(leaf, from, len));
                        }
                        Side::Back(bound) => {
                            let to = search::before_end(leaf.key_slice(), bound);
                            self.back_leaf = Some(leaf_iter(leaf, 0, to));
                        }
                    }
                    return;
                }
                NodeMut::Internal(n) => {
                    let len = n.children.len();
                    node = match side {
                        Side::Front(bound) => {
                            let first = search::start_child(n.key_slice(), bound);
                            let mut rest = siblings(n, first, len);
                            let node = rest.next().expect("the child on the path");
                            self.front.push(rest);
                            node
                        }
                        Side::Back(bound) => {
                            let last = search::end_child(n.key_slice(), bound);
                            let mut rest = siblings(n, 0, last + 1);
                            let node = rest.next_back().expect("the child on the path");
                            self.back.push(rest);
                            node
                        }
                    };
                }
            }
        }
    }

    /// Descends to the first (`back == false`) or last leaf under `node`, pushing the
    /// pending siblings at each level onto that end's stack.
    fn descend_edge(&mut self, mut node: NodeMut<'a, K, V>, back: bool) {
        loop {
            match node {
                NodeMut::Leaf(leaf) => {
                    let len = leaf.len();
                    let entries = Some(leaf_iter(leaf, 0, len));
                    if back {
                        self.back_leaf = entries;
                    } else {
                        self.front_leaf = entries;
                    }
                    return;
                }
                NodeMut::Internal(n) => {
                    let mut rest = siblings(n, 0, usize::MAX);
                    let first = if back { rest.next_back() } else { rest.next() };
                    node = first.expect("internal nodes have children");
                    if back {
                        self.back.push(rest);
                    } else {
                        self.front.push(rest);
                    }
                }
            }
        }
    }

    pub(super) fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        loop {
            if let Some(entry) = self.front_leaf.as_mut().and_then(Iterator::next) {
                return Some(entry);
            }
            self.front_leaf = None;
            let node = loop {
                let Some(pending) = self.front.last_mut() else {
                    break None;
                };
                match pending.next() {
                    Some(node) => break Some(node),
                    None => drop(self.front.pop()),
                }
            };
            if let Some(node) = node.or_else(|| self.mid.as_mut().and_then(Siblings::next)) {
                self.descend_edge(node, false);
            } else if !self.back.is_empty() {
                // Everything up to the back's subtree is done: its shallowest pending
                // siblings are next.
                self.mid = self.back.remove_first();
            } else {
                return self.back_leaf.as_mut()?.next();
            }
        }
    }

    pub(super) fn next_back(&mut self) -> Option<(&'a K, &'a mut V)> {
        loop {
            if let Some(entry) = self
                .back_leaf
                .as_mut()
                .and_then(DoubleEndedIterator::next_back)
            {
                return Some(entry);
            }
            self.back_leaf = None;
            let node = loop {
                let Some(pending) = self.back.last_mut() else {
                    break None;
                };
                match pending.next_back() {
                    Some(node) => break Some(node),
                    None => drop(self.back.pop()),
                }
            };
            if let Some(node) = node.or_else(|| self.mid.as_mut().and_then(Siblings::next_back)) {
                self.descend_edge(node, true);
            } else if !self.front.is_empty() {
                self.mid = self.front.remove_first();
            } else {
                return self.front_leaf.as_mut()?.next_back();
            }
        }
    }
}

/// The children `from..to` of `n` (clamped to its children), as [`Siblings`].
fn siblings<K: Clone, V: Clone>(
    n: &mut Internal<K, V>,
    from: usize,
    to: usize,
) -> Siblings<'_, K, V> {
    match &mut n.children {
        Children::Leaves(c) => {
            let to = to.min(c.len());
            Siblings::of(&mut c[from..to])
        }
        Children::Internals(c) => {
            let to = to.min(c.len());
            Siblings::Internals(c[from..to].iter_mut())
        }
    }
}

/// A mutable iterator over the entries of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends): keys by
/// reference, values by mutable reference. Made by
/// [`PersistentBTreeMap::iter_mut`](super::PersistentBTreeMap::iter_mut).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct IterMut<'a, K, V> {
    pub(super) inner: RawIterMut<'a, K, V>,
    pub(super) remaining: usize,
}

impl<'a, K: Clone, V: Clone> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }

    fn last(mut self) -> Option<Self::Item> {
        self.next_back()
    }
}

impl<K: Clone, V: Clone> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.inner.next_back()
    }
}

impl<K: Clone, V: Clone> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K: Clone, V: Clone> FusedIterator for IterMut<'_, K, V> {}

impl<K, V> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

/// A mutable iterator over the values of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends). Made by
/// [`PersistentBTreeMap::values_mut`](super::PersistentBTreeMap::values_mut).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct ValuesMut<'a, K, V> {
    pub(super) inner: IterMut<'a, K, V>,
}

impl<'a, K: Clone, V: Clone> Iterator for ValuesMut<'a, K, V> {
    type Item = &'a mut V;

    fn next(&mut self) -> Option<&'a mut V> {
        self.inner.next().map(|(_, v)| v)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }

    fn last(mut self) -> Option<&'a mut V> {
        self.next_back()
    }
}

impl<'a, K: Clone, V: Clone> DoubleEndedIterator for ValuesMut<'a, K, V> {
    fn next_back(&mut self) -> Option<&'a mut V> {
        self.inner.next_back().map(|(_, v)| v)
    }
}

impl<K: Clone, V: Clone> ExactSizeIterator for ValuesMut<'_, K, V> {}
impl<K: Clone, V: Clone> FusedIterator for ValuesMut<'_, K, V> {}

impl<K, V> fmt::Debug for ValuesMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ValuesMut").field(&self.inner).finish()
    }
}

/// A mutable iterator over a sub-range of the entries of a
/// [`PersistentBTreeMap`](super::PersistentBTreeMap), in key order (both ends). Made by
/// [`PersistentBTreeMap::range_mut`](super::PersistentBTreeMap::range_mut).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RangeMut<'a, K, V> {
    pub(super) inner: RawIterMut<'a, K, V>,
}

impl<'a, K: Clone, V: Clone> Iterator for RangeMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn last(mut self) -> Option<Self::Item> {
        self.next_back()
    }
}

impl<K: Clone, V: Clone> DoubleEndedIterator for RangeMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}

impl<K: Clone, V: Clone> FusedIterator for RangeMut<'_, K, V> {}

impl<K, V> fmt::Debug for RangeMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangeMut").finish_non_exhaustive()
    }
}
