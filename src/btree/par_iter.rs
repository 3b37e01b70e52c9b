//! Parallel iteration over the persistent B+trees (feature `rayon`): `&PersistentBTreeMap`
//! and `&PersistentBTreeSet` are `IntoParallelIterator`, so a snapshot of a
//! `CowBTreeMap` iterates in parallel with `snapshot.par_iter()`.
//!
//! The work is split along the tree: a piece of work is a run of sibling subtrees in key
//! order; a run of several is cut in half, a single internal node is opened into its
//! children, and a single leaf is folded in place. No entry is copied and no
//! intermediate list of entries is built.

use rayon::iter::plumbing::{bridge_unindexed, Folder, UnindexedConsumer, UnindexedProducer};
use rayon::iter::{IntoParallelIterator, ParallelIterator};

use super::node::Child;
use super::{PersistentBTreeMap, PersistentBTreeSet};

/// Parallel iterator over a [`PersistentBTreeMap`]'s entries (`(&K, &V)`), from
/// `map.par_iter()`. Unindexed: `collect` keeps key order, `for_each` runs in any.
pub struct ParIter<'a, K, V> {
    root: Option<Child<'a, K, V>>,
}

impl<K, V> core::fmt::Debug for ParIter<'_, K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ParIter").finish_non_exhaustive()
    }
}

impl<'a, K: Send + Sync, V: Send + Sync> ParallelIterator for ParIter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge_unindexed(
            Subtrees {
                nodes: self.root.into_iter().collect(),
            },
            consumer,
        )
    }
}

/// A run of sibling subtrees, in key order: one piece of the parallel work.
struct Subtrees<'a, K, V> {
    nodes: Vec<Child<'a, K, V>>,
}

impl<'a, K: Send + Sync, V: Send + Sync> UnindexedProducer for Subtrees<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn split(mut self) -> (Self, Option<Self>) {
        if let [Child::Internal(node)] = self.nodes[..] {
            self.nodes = (0..node.children.len())
                .map(|i| node.children.get(i))
                .collect();
        }
        if self.nodes.len() < 2 {
            return (self, None);
        }
        let right = self.nodes.split_off(self.nodes.len() / 2);
        (self, Some(Subtrees { nodes: right }))
    }

    fn fold_with<F: Folder<Self::Item>>(self, mut folder: F) -> F {
        for node in self.nodes {
            folder = fold_subtree(node, folder);
            if folder.full() {
                break;
            }
        }
        folder
    }
}

/// Feeds every entry of the subtree under `node` to `folder`, in key order.
fn fold_subtree<'a, K, V, F: Folder<(&'a K, &'a V)>>(node: Child<'a, K, V>, mut folder: F) -> F {
    match node {
        Child::Leaf(leaf) => folder.consume_iter(leaf.keys.iter().zip(leaf.vals.iter())),
        Child::Internal(node) => {
            for i in 0..node.children.len() {
                folder = fold_subtree(node.children.get(i), folder);
                if folder.full() {
                    break;
                }
            }
            folder
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'a, K: Send + Sync, V: Send + Sync> IntoParallelIterator for &'a PersistentBTreeMap<K, V> {
    type Item = (&'a K, &'a V);
    type Iter = ParIter<'a, K, V>;

    /// The entries in parallel, split along the tree (no copy).
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    /// use rayon::prelude::*;
    ///
    /// let map: CowBTreeMap<u64, u64> = (0..10_000).map(|i| (i, i * 2)).collect();
    /// let snapshot = map.snapshot();
    /// let total: u64 = snapshot.par_iter().map(|(_, v)| *v).sum();
    /// assert_eq!(total, 2 * (0..10_000).sum::<u64>());
    /// let keys: Vec<u64> = snapshot.par_iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, (0..10_000).collect::<Vec<_>>()); // `collect` keeps the order
    /// ```
    fn into_par_iter(self) -> ParIter<'a, K, V> {
        ParIter {
            root: self.root_node(),
        }
    }
}

/// Parallel iterator over a [`PersistentBTreeSet`]'s elements (`&T`), from
/// `set.par_iter()`. Unindexed: `collect` keeps the order, `for_each` runs in any.
pub struct SetParIter<'a, T> {
    entries: ParIter<'a, T, ()>,
}

impl<T> core::fmt::Debug for SetParIter<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SetParIter").finish_non_exhaustive()
    }
}

impl<'a, T: Send + Sync> ParallelIterator for SetParIter<'a, T> {
    type Item = &'a T;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        let key: fn((&'a T, &'a ())) -> &'a T = |(k, ())| k;
        self.entries.map(key).drive_unindexed(consumer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'a, T: Send + Sync> IntoParallelIterator for &'a PersistentBTreeSet<T> {
    type Item = &'a T;
    type Iter = SetParIter<'a, T>;

    /// The elements in parallel, split along the tree (no copy).
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    /// use rayon::prelude::*;
    ///
    /// let set: CowBTreeSet<u32> = (0..5_000).collect();
    /// assert_eq!(set.snapshot().par_iter().filter(|x| *x % 2 == 0).count(), 2_500);
    /// ```
    fn into_par_iter(self) -> SetParIter<'a, T> {
        SetParIter {
            entries: self.as_map().into_par_iter(),
        }
    }
}
