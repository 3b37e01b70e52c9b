//! `older.diff(&newer)` on snapshots of the flat collections ([`CowMap`](crate::CowMap)
//! and [`CowSet`](crate::CowSet), whose versions are indexmap's `IndexMap` and
//! `IndexSet`; [`CowVec`](crate::CowVec), an edit script), and `diff()` on a
//! watcher's [`Changes`] for all five.
//!
//! A flat version shares nothing with the next one (a write copies the whole table), so
//! there is no structure to skip: the diff looks every key of one version up in the
//! other. First the older version's entries in its order, each looked up in the newer
//! one (the keys it lacks are [`Removed`](DiffItem::Removed)); then the newer
//! version's, each looked up in the older one ([`Added`](DiffItem::Added), or
//! [`Changed`](DiffItem::Changed) where the values differ). One hash lookup per key,
//! O(n + m) in all, lazily, with no allocation. Two snapshots of the same version (the
//! same allocation) give nothing at once, without a walk.
//!
//! The B+tree snapshots (`Snapshot<PersistentBTreeMap<K, V>>` and
//! `Snapshot<PersistentBTreeSet<T>>`) deref to the trees, whose own
//! [`diff`](crate::PersistentBTreeMap::diff) skips every subtree two versions share.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;

use indexmap::{map, set, IndexMap, IndexSet};

use crate::{
    btree_map, btree_set, Changes, DiffItem, PersistentBTreeMap, PersistentBTreeSet, SetDiffItem,
    Snapshot, VecEdit,
};

/// A lazy iterator over the differences between two versions of a
/// [`CowMap`](crate::CowMap) (two `IndexMap`s): first the removed entries, in the older
/// version's order, then the added and changed ones, in the newer version's order.
/// Made by [`Snapshot::<IndexMap<K, V, S>>::diff`](Snapshot::diff) and
/// [`Changes::<IndexMap<K, V, S>>::diff`](Changes::diff).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct MapDiff<'a, K, V, S> {
    older: &'a IndexMap<K, V, S>,
    newer: &'a IndexMap<K, V, S>,
    /// The older version's entries not yet looked up in the newer one.
    removed: map::Iter<'a, K, V>,
    /// The newer version's entries not yet looked up in the older one.
    added: map::Iter<'a, K, V>,
}

/// A lazy iterator over the differences between two versions of a
/// [`CowSet`](crate::CowSet) (two `IndexSet`s): first the removed elements, in the
/// older version's order, then the added ones, in the newer version's order. Made by
/// [`Snapshot::<IndexSet<T, S>>::diff`](Snapshot::diff) and
/// [`Changes::<IndexSet<T, S>>::diff`](Changes::diff).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct SetDiff<'a, T, S> {
    older: &'a IndexSet<T, S>,
    newer: &'a IndexSet<T, S>,
    removed: set::Iter<'a, T>,
    added: set::Iter<'a, T>,
}

impl<'a, K, V, S> MapDiff<'a, K, V, S> {
    fn new(older: &'a IndexMap<K, V, S>, newer: &'a IndexMap<K, V, S>) -> Self {
        let same = core::ptr::eq(older, newer);
        let walk = |m: &'a IndexMap<K, V, S>| if same { map::Iter::default() } else { m.iter() };
        Self {
            older,
            newer,
            removed: walk(older),
            added: walk(newer),
        }
    }
}

impl<'a, T, S> SetDiff<'a, T, S> {
    fn new(older: &'a IndexSet<T, S>, newer: &'a IndexSet<T, S>) -> Self {
        let same = core::ptr::eq(older, newer);
        let walk = |s: &'a IndexSet<T, S>| if same { set::Iter::default() } else { s.iter() };
        Self {
            older,
            newer,
            removed: walk(older),
            added: walk(newer),
        }
    }
}

impl<'a, K, V, S> Iterator for MapDiff<'a, K, V, S>
where
    K: Hash + Eq,
    V: PartialEq,
    S: BuildHasher,
{
    type Item = DiffItem<'a, K, V>;

    fn next(&mut self) -> Option<Self::Item> {
        let newer = self.newer;
        if let Some((key, value)) = self.removed.find(|(key, _)| !newer.contains_key(*key)) {
            return Some(DiffItem::Removed(key, value));
        }
        let older = self.older;
        self.added.find_map(|(key, new)| match older.get(key) {
            None => Some(DiffItem::Added(key, new)),
            Some(old) if old != new => Some(DiffItem::Changed { key, old, new }),
            Some(_) => None,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.removed.len() + self.added.len()))
    }
}

impl<'a, T, S> Iterator for SetDiff<'a, T, S>
where
    T: Hash + Eq,
    S: BuildHasher,
{
    type Item = SetDiffItem<'a, T>;

    fn next(&mut self) -> Option<Self::Item> {
        let (older, newer) = (self.older, self.newer);
        if let Some(value) = self.removed.find(|value| !newer.contains(*value)) {
            return Some(SetDiffItem::Removed(value));
        }
        let added = self.added.find(|value| !older.contains(*value))?;
        Some(SetDiffItem::Added(added))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.removed.len() + self.added.len()))
    }
}

impl<K: Hash + Eq, V: PartialEq, S: BuildHasher> FusedIterator for MapDiff<'_, K, V, S> {}

impl<T: Hash + Eq, S: BuildHasher> FusedIterator for SetDiff<'_, T, S> {}

// Written out rather than derived: a derive would require `K`, `V`, `S: Clone`.
impl<K, V, S> Clone for MapDiff<'_, K, V, S> {
    fn clone(&self) -> Self {
        Self {
            older: self.older,
            newer: self.newer,
            removed: self.removed.clone(),
            added: self.added.clone(),
        }
    }
}

impl<T, S> Clone for SetDiff<'_, T, S> {
    fn clone(&self) -> Self {
        Self {
            older: self.older,
            newer: self.newer,
            removed: self.removed.clone(),
            added: self.added.clone(),
        }
    }
}

impl<K, V, S> fmt::Debug for MapDiff<'_, K, V, S>
where
    K: Hash + Eq + fmt::Debug,
    V: PartialEq + fmt::Debug,
    S: BuildHasher,
{
    /// The items not yet yielded (a walk of a clone).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<T, S> fmt::Debug for SetDiff<'_, T, S>
where
    T: Hash + Eq + fmt::Debug,
    S: BuildHasher,
{
    /// The items not yet yielded (a walk of a clone).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V, S> Snapshot<IndexMap<K, V, S>>
where
    K: Hash + Eq,
    V: PartialEq,
    S: BuildHasher,
{
    /// The differences from this version of a [`CowMap`](crate::CowMap) to `newer`,
    /// lazily: first [`Removed`](DiffItem::Removed) for each key only `self` has, in
    /// `self`'s order, then [`Added`](DiffItem::Added) for each key only `newer` has and
    /// [`Changed`](DiffItem::Changed) for each key both have with values that are not
    /// equal (`old != new`), in `newer`'s order. Nothing for two versions with equal
    /// entries (the order of the entries is not compared).
    ///
    /// # Cost
    ///
    /// One hash lookup per key of each version, O(n + m), whatever the number of
    /// changes: flat versions share no structure to skip. Nothing, at once, when both
    /// are the same version (the same allocation). No allocation; creating the iterator
    /// is O(1). For diffs that cost O(changes · log n), use a
    /// [`CowBTreeMap`](crate::CowBTreeMap).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowMap, DiffItem};
    ///
    /// let config = CowMap::from([("port", 8080), ("workers", 4), ("debug", 0)]);
    /// let before = config.snapshot();
    /// config.update(|m| {
    ///     m.insert("workers", 8);
    ///     m.insert("port", 8080); // the same value: not a change
    ///     m.shift_remove("debug");
    ///     m.insert("tls", 1);
    /// });
    /// let after = config.snapshot();
    /// let changes: Vec<_> = before.diff(&after).collect();
    /// assert_eq!(
    ///     changes,
    ///     [
    ///         DiffItem::Removed(&"debug", &0),
    ///         DiffItem::Changed { key: &"workers", old: &4, new: &8 },
    ///         DiffItem::Added(&"tls", &1),
    ///     ]
    /// );
    /// assert_eq!(after.diff(&after).count(), 0);
    /// ```
    pub fn diff<'a>(&'a self, newer: &'a IndexMap<K, V, S>) -> MapDiff<'a, K, V, S> {
        MapDiff::new(self, newer)
    }
}

impl<T, S> Snapshot<IndexSet<T, S>>
where
    T: Hash + Eq,
    S: BuildHasher,
{
    /// The differences from this version of a [`CowSet`](crate::CowSet) to `newer`,
    /// lazily: first [`Removed`](SetDiffItem::Removed) for each element only `self`
    /// has, in `self`'s order, then [`Added`](SetDiffItem::Added) for each element only
    /// `newer` has, in `newer`'s order.
    ///
    /// # Cost
    ///
    /// One hash lookup per element of each version, O(n + m); nothing, at once, when
    /// both are the same version. No allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowSet, SetDiffItem};
    ///
    /// let hosts = CowSet::from(["10.0.0.1", "10.0.0.2"]);
    /// let before = hosts.snapshot();
    /// hosts.insert("10.0.0.3");
    /// hosts.remove("10.0.0.1");
    /// let after = hosts.snapshot();
    /// let changes: Vec<_> = before.diff(&after).collect();
    /// assert_eq!(changes, [SetDiffItem::Removed(&"10.0.0.1"), SetDiffItem::Added(&"10.0.0.3")]);
    /// ```
    pub fn diff<'a>(&'a self, newer: &'a IndexSet<T, S>) -> SetDiff<'a, T, S> {
        SetDiff::new(self, newer)
    }
}

impl<K, V, S> Changes<IndexMap<K, V, S>>
where
    K: Hash + Eq,
    V: PartialEq,
    S: BuildHasher,
{
    /// What changed from [`older`](Self::older) to [`newer`](Self::newer): their
    /// [`diff`](Snapshot::diff), removals first, then additions and changes. Lazy; one
    /// hash lookup per key of each version, O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    /// use std::time::Duration;
    ///
    /// let routes = CowMap::from([("/", "a"), ("/old", "b")]);
    /// let mut watcher = routes.watch();
    /// routes.insert("/", "c");
    /// routes.remove("/old");
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// let lines: Vec<String> = changes.diff().map(|item| item.to_string()).collect();
    /// assert_eq!(lines, ["- /old: b", "~ /: a -> c"]);
    /// ```
    pub fn diff(&self) -> MapDiff<'_, K, V, S> {
        self.older().diff(self.newer())
    }
}

impl<T, S> Changes<IndexSet<T, S>>
where
    T: Hash + Eq,
    S: BuildHasher,
{
    /// What changed from [`older`](Self::older) to [`newer`](Self::newer): their
    /// [`diff`](Snapshot::diff), removals first, then additions. Lazy; one hash lookup
    /// per element of each version, O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowSet, SetDiffItem};
    /// use std::time::Duration;
    ///
    /// let flags = CowSet::from(["a"]);
    /// let mut watcher = flags.watch();
    /// flags.insert("b");
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// assert!(changes.diff().eq([SetDiffItem::Added(&"b")]));
    /// ```
    pub fn diff(&self) -> SetDiff<'_, T, S> {
        self.older().diff(self.newer())
    }
}

impl<K: Ord, V: PartialEq> Changes<PersistentBTreeMap<K, V>> {
    /// What changed from [`older`](Self::older) to [`newer`](Self::newer), in key order:
    /// [`PersistentBTreeMap::diff`], which skips every subtree the two versions share,
    /// O(changes · log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    /// use std::time::Duration;
    ///
    /// let limits: CowBTreeMap<u32, u32> = (0..10_000).map(|i| (i, 100)).collect();
    /// let mut watcher = limits.watch();
    /// limits.insert(42, 5);
    /// limits.insert(43, 7);
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// let changed: Vec<u32> = changes.diff().map(|item| *item.key()).collect();
    /// assert_eq!(changed, [42, 43]);
    /// ```
    pub fn diff(&self) -> btree_map::Diff<'_, K, V> {
        self.older().diff(self.newer())
    }
}

impl<T: Ord> Changes<PersistentBTreeSet<T>> {
    /// What changed from [`older`](Self::older) to [`newer`](Self::newer), in order:
    /// [`PersistentBTreeSet::diff`], which skips every subtree the two versions share,
    /// O(changes · log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowBTreeSet, SetDiffItem};
    /// use std::time::Duration;
    ///
    /// let banned: CowBTreeSet<u32> = (0..10_000).collect();
    /// let mut watcher = banned.watch();
    /// banned.remove(&7);
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// assert!(changes.diff().eq([SetDiffItem::Removed(&7)]));
    /// ```
    pub fn diff(&self) -> btree_set::Diff<'_, T> {
        self.older().diff(self.newer())
    }
}

impl<T: Hash + Eq> Snapshot<Vec<T>> {
    /// The edit script from this version of a [`CowVec`](crate::CowVec) to `newer`: the
    /// runs of elements removed and inserted, in order, each with its index in both
    /// versions ([`VecEdit`]); empty for equal vectors. Applied in order at each step's
    /// `new_index`, it turns a copy of `self` into `newer`.
    ///
    /// # Cost
    ///
    /// The script comes from the [`similar`](https://docs.rs/similar) crate's Myers
    /// diff: the common prefix and suffix are trimmed in O(n + m), then the middle costs
    /// O((n + m) · d) for d differing elements, with a hash of every element; its
    /// heuristics bound the work on hard inputs, so the script is short but not always
    /// the shortest. Eager: the script is a `Vec`. Nothing, at once, when both are the
    /// same version (the same allocation).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowVec, VecEdit};
    ///
    /// let steps = CowVec::from(vec!["fetch", "build", "test"]);
    /// let before = steps.snapshot();
    /// steps.insert(2, "lint");
    /// steps.retain(|s| *s != "fetch");
    /// let after = steps.snapshot();
    /// assert_eq!(
    ///     before.diff(&after),
    ///     [
    ///         VecEdit::Removed { old_index: 0, new_index: 0, elements: &["fetch"][..] },
    ///         VecEdit::Inserted { old_index: 2, new_index: 1, elements: &["lint"][..] },
    ///     ]
    /// );
    /// assert!(after.diff(&after).is_empty());
    /// ```
    #[must_use]
    pub fn diff<'a>(&'a self, newer: &'a [T]) -> Vec<VecEdit<'a, T>> {
        let older: &'a [T] = self;
        if core::ptr::eq(older, newer) {
            return Vec::new();
        }
        let ops = similar::capture_diff_slices(similar::Algorithm::Myers, older, newer);
        let mut script = Vec::new();
        for op in ops {
            let (old_index, old_len, new_index, new_len) = match op {
                similar::DiffOp::Equal { .. } => continue,
                similar::DiffOp::Delete {
                    old_index,
                    old_len,
                    new_index,
                } => (old_index, old_len, new_index, 0),
                similar::DiffOp::Insert {
                    old_index,
                    new_index,
                    new_len,
                } => (old_index, 0, new_index, new_len),
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => (old_index, old_len, new_index, new_len),
            };
            if old_len > 0 {
                script.push(VecEdit::Removed {
                    old_index,
                    new_index,
                    elements: &older[old_index..old_index + old_len],
                });
            }
            if new_len > 0 {
                script.push(VecEdit::Inserted {
                    old_index: old_index + old_len,
                    new_index,
                    elements: &newer[new_index..new_index + new_len],
                });
            }
        }
        script
    }
}

impl<T: Hash + Eq> Changes<Vec<T>> {
    /// The edit script from [`older`](Self::older) to [`newer`](Self::newer): their
    /// [`diff`](Snapshot::diff) ([`VecEdit`]s), O((n + m) · d) for d differing elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowVec, VecEdit};
    /// use std::time::Duration;
    ///
    /// let log = CowVec::from(vec![1, 2]);
    /// let mut watcher = log.watch();
    /// log.push(3);
    /// log.push(4);
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// assert_eq!(
    ///     changes.diff(),
    ///     [VecEdit::Inserted { old_index: 2, new_index: 2, elements: &[3, 4][..] }]
    /// );
    /// ```
    #[must_use]
    pub fn diff(&self) -> Vec<VecEdit<'_, T>> {
        self.older().diff(self.newer())
    }
}
