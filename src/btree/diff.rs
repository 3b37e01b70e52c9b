//! `diff` between two versions of a [`PersistentBTreeMap`] or [`PersistentBTreeSet`]:
//! a merge of the two entry sequences that skips every subtree the versions share.
//!
//! Two cursors ([`SubtreeWalk`]) walk the trees in key order, the older version's and
//! the newer one's, as a merge does: the smaller key is yielded as removed (older) or
//! added (newer), equal keys compare their values. Before each step, if both cursors
//! stand at the start of the same node (the same allocation in both trees, a subtree
//! the versions share), both skip it whole: its entries are the same objects in both
//! versions. The cursors then stand on the first entries after the subtree, which the
//! next step compares like any other. Getting that last point wrong is imbl's
//! `OrdMap::diff` bug (jneem/imbl#160, #161, fixed in imbl 7.0.2): after skipping a
//! shared leaf it stepped both cursors past the next pair without comparing it.
//!
//! Why both cursors reach a shared node's start together: a node holds the same keys
//! in both trees, so its first key is in both, and a merge stops at a key present on
//! both sides with both cursors on it. Whichever cursor gets there first waits (the
//! other side's smaller keys are yielded first), and at that step both stand at the
//! node's start. A node shared lower down (a leaf under a copied parent) is found the
//! same way, at its own height.
//!
//! A leaf copied for a value update keeps its keys' array shared with the original
//! (see `node.rs`); where both cursors stand at the same position of one key array the
//! keys are known equal, and only the values are compared.
//!
//! The cost is the walk's: O(1) per skipped subtree (plus O(height) to find it), O(1)
//! per entry of the leaves that differ. Two versions c changed keys apart differ in at
//! most c root-to-leaf paths, and the walk visits those leaves' entries and skips the
//! siblings along the paths: O(c · (leaf size + height · fan-out)) = O(c log n). Trees
//! that share nothing are merged whole, O(n + m).

use std::fmt;
use std::iter::FusedIterator;

use super::iter::SubtreeWalk;
use super::map::PersistentBTreeMap;
use super::set::PersistentBTreeSet;
use crate::{DiffItem, SetDiffItem};

/// A lazy iterator over the differences between two versions of a
/// [`PersistentBTreeMap`], in key order. Made by [`PersistentBTreeMap::diff`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Diff<'a, K, V> {
    older: SubtreeWalk<'a, K, V>,
    newer: SubtreeWalk<'a, K, V>,
}

/// A lazy iterator over the differences between two versions of a
/// [`PersistentBTreeSet`], in order. Made by [`PersistentBTreeSet::diff`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct SetDiff<'a, T> {
    inner: Diff<'a, T, ()>,
}

impl<K: Ord, V: PartialEq> PersistentBTreeMap<K, V> {
    /// The differences from `self`, the older version, to `newer`, lazily, in key
    /// order: [`Added`](DiffItem::Added) for a key only `newer` has,
    /// [`Removed`](DiffItem::Removed) for a key only `self` has,
    /// [`Changed`](DiffItem::Changed) for a key both have whose values are not equal
    /// (`old != new`). Nothing for two maps with equal entries.
    ///
    /// # Cost
    ///
    /// The two trees are walked side by side, and every subtree they share (the same
    /// node in both: an internal node, a leaf) is skipped whole. Between versions of one
    /// map, a clone and its later writes, or the snapshots of a
    /// [`CowBTreeMap`](crate::CowBTreeMap), which share everything but the paths that
    /// writes copied, a diff c changed keys apart costs O(c log n): a diff one write
    /// apart visits one leaf and the nodes beside its path. Trees that share nothing
    /// (built separately, or every leaf rewritten) are merged entry by entry, O(n + m)
    /// key comparisons, with the same answer. Where a value update copied a leaf but
    /// not its keys (`insert` of a present key, `get_mut`, `entry`), the leaf's values
    /// are compared without comparing keys.
    ///
    /// Creating the iterator costs O(log n) (a descent to each first leaf); it holds two
    /// cursors of fixed size and allocates nothing.
    ///
    /// # Shared entries and `==`
    ///
    /// An entry in a shared subtree is the same object in both versions and is not
    /// compared. That matters only to a value type whose `==` is not reflexive (a `f64`
    /// that is NaN, not equal to itself): it is reported as `Changed` where the two
    /// versions hold separate copies of it, and not where they share it. The map's own
    /// `==` compares every entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{DiffItem, PersistentBTreeMap};
    ///
    /// let v1: PersistentBTreeMap<u32, String> = (0..100_000).map(|i| (i, format!("v{i}"))).collect();
    /// let mut v2 = v1.clone();
    /// v2.insert(7, "seven".to_string());
    /// v2.insert(8, "v8".to_string()); // the same value: no change
    /// v2.remove(&50_000);
    /// v2.insert(200_000, "new".to_string());
    ///
    /// let changes: Vec<_> = v1.diff(&v2).collect();
    /// assert_eq!(
    ///     changes,
    ///     [
    ///         DiffItem::Changed { key: &7, old: &"v7".to_string(), new: &"seven".to_string() },
    ///         DiffItem::Removed(&50_000, &"v50000".to_string()),
    ///         DiffItem::Added(&200_000, &"new".to_string()),
    ///     ]
    /// );
    ///
    /// // Built separately, equal content: no difference (a full merge of both).
    /// let rebuilt: PersistentBTreeMap<u32, String> = v1.iter().map(|(k, v)| (*k, v.clone())).collect();
    /// assert_eq!(v1.diff(&rebuilt).count(), 0);
    /// ```
    ///
    /// Snapshots of a [`CowBTreeMap`](crate::CowBTreeMap) deref to the map:
    ///
    /// ```
    /// use cow_collections::{CowBTreeMap, DiffItem};
    ///
    /// let config = CowBTreeMap::from([("port", 8080), ("workers", 4)]);
    /// let before = config.snapshot();
    /// config.insert("workers", 8);
    /// let after = config.snapshot();
    /// let changes: Vec<_> = before.diff(&after).collect();
    /// assert_eq!(changes, [DiffItem::Changed { key: &"workers", old: &4, new: &8 }]);
    /// ```
    ///
    /// The idea is the structural diff of persistent trees: imbl's `OrdMap::diff`
    /// (whose skip bug, jneem/imbl#160 and #161, this walk avoids by comparing the
    /// entries after a skipped subtree like any others), and Git's tree diff, which
    /// skips subtrees whose object ids are equal.
    pub fn diff<'a>(&'a self, newer: &'a Self) -> Diff<'a, K, V> {
        Diff {
            older: SubtreeWalk::new(self.root.as_ref()),
            newer: SubtreeWalk::new(newer.root.as_ref()),
        }
    }
}

impl<T: Ord> PersistentBTreeSet<T> {
    /// The differences from `self`, the older version, to `newer`, lazily, in order:
    /// [`Added`](SetDiffItem::Added) for an element only `newer` has,
    /// [`Removed`](SetDiffItem::Removed) for one only `self` has. Nothing for two sets
    /// with equal elements.
    ///
    /// The same walk as [`PersistentBTreeMap::diff`]: every subtree the two versions
    /// share is skipped whole, so versions c changes apart cost O(c log n), and sets
    /// that share nothing are merged, O(n + m). As a sequence it is
    /// [`symmetric_difference`](Self::symmetric_difference) with each element
    /// labelled by its side; that one does not skip shared subtrees.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{PersistentBTreeSet, SetDiffItem};
    ///
    /// let v1: PersistentBTreeSet<u32> = (0..100_000).collect();
    /// let mut v2 = v1.clone();
    /// v2.remove(&3);
    /// v2.insert(100_000);
    /// let changes: Vec<_> = v1.diff(&v2).collect();
    /// assert_eq!(changes, [SetDiffItem::Removed(&3), SetDiffItem::Added(&100_000)]);
    /// assert_eq!(v2.diff(&v1).collect::<Vec<_>>(), [SetDiffItem::Added(&3), SetDiffItem::Removed(&100_000)]);
    ///
    /// let rebuilt: PersistentBTreeSet<u32> = v2.iter().copied().collect();
    /// assert_eq!(v2.diff(&rebuilt).count(), 0);
    /// ```
    pub fn diff<'a>(&'a self, newer: &'a Self) -> SetDiff<'a, T> {
        SetDiff {
            inner: self.as_map().diff(newer.as_map()),
        }
    }
}

impl<'a, K: Ord, V: PartialEq> Iterator for Diff<'a, K, V> {
    type Item = DiffItem<'a, K, V>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(height) = self.older.shared_start(&self.newer) {
                // With the shared siblings after it, read from the parents' child arrays.
                // Both then stand on the first entry after them, not yet compared.
                let run = self.older.shared_run(&self.newer, height);
                self.older.skip(height, run);
                self.newer.skip(height, run);
                continue;
            }
            let (old, new) = match (self.older.entry(), self.newer.entry()) {
                (None, None) => return None,
                (Some((key, value)), None) => {
                    self.older.advance();
                    return Some(DiffItem::Removed(key, value));
                }
                (None, Some((key, value))) => {
                    self.newer.advance();
                    return Some(DiffItem::Added(key, value));
                }
                (Some(old), Some(new)) => (old, new),
            };
            let order = if self.older.same_key(&self.newer) {
                std::cmp::Ordering::Equal
            } else {
                old.0.cmp(new.0)
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.older.advance();
                    return Some(DiffItem::Removed(old.0, old.1));
                }
                std::cmp::Ordering::Greater => {
                    self.newer.advance();
                    return Some(DiffItem::Added(new.0, new.1));
                }
                std::cmp::Ordering::Equal => {
                    self.older.advance();
                    self.newer.advance();
                    if old.1 != new.1 {
                        return Some(DiffItem::Changed {
                            key: new.0,
                            old: old.1,
                            new: new.1,
                        });
                    }
                }
            }
        }
    }
}

impl<K: Ord, V: PartialEq> FusedIterator for Diff<'_, K, V> {}

impl<'a, T: Ord> Iterator for SetDiff<'a, T> {
    type Item = SetDiffItem<'a, T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.inner.next()? {
                DiffItem::Added(value, ()) => return Some(SetDiffItem::Added(value)),
                DiffItem::Removed(value, ()) => return Some(SetDiffItem::Removed(value)),
                // `() != ()` is false: the map's diff never yields it for a set.
                DiffItem::Changed { .. } => {}
            }
        }
    }
}

impl<T: Ord> FusedIterator for SetDiff<'_, T> {}

impl<K, V> Clone for Diff<'_, K, V> {
    fn clone(&self) -> Self {
        Diff {
            older: self.older.clone(),
            newer: self.newer.clone(),
        }
    }
}

impl<T> Clone for SetDiff<'_, T> {
    fn clone(&self) -> Self {
        SetDiff {
            inner: self.inner.clone(),
        }
    }
}

impl<K: Ord + fmt::Debug, V: PartialEq + fmt::Debug> fmt::Debug for Diff<'_, K, V> {
    /// The differences not yet yielded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<T: Ord + fmt::Debug> fmt::Debug for SetDiff<'_, T> {
    /// The differences not yet yielded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}
