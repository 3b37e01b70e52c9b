//! How each inner value provides the traits of the shared operations (`ops.rs`):
//! indexmap's `IndexSet` and `IndexMap` (lookup by `Hash + Equivalent`; a clone copies
//! every item) and the persistent B+trees (lookup by `Ord + Borrow`; a clone is O(1)).
//! Each method forwards to the container's own method of that meaning; `retain` is the
//! one with a strategy per kind of value, written once for each kind below.

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use indexmap::{Equivalent, IndexMap, IndexSet};

use super::ops::{
    Inner, Lookup, Map, MapRead, MapWrite, Ordered, Relations, Set, SetRead, SetWrite,
};
use crate::{PersistentBTreeMap, PersistentBTreeSet};

/// A flat value's `retain`: `kept` clones the items `keep` accepts, in one pass in which
/// `keep` sees each item once, into `empty` (which has room for all of them).
fn retained_by_filtering<C: Inner>(
    current: &C,
    mut empty: C,
    kept: impl Iterator<Item = C::Item>,
) -> Option<C> {
    empty.extend(kept);
    (empty.len() != current.len()).then_some(empty)
}

/// A B+tree's `retain`: `keep` decides for every item of `items()` first. Up to a
/// quarter removed: the removals are made on an O(1) clone, O(log n) each; more: the
/// tree is rebuilt bottom-up from clones of the kept items, O(n) (`FromIterator` builds
/// sorted input that way).
fn retained_by_removing<C, I>(
    current: &C,
    items: impl Fn() -> I,
    keep: impl FnMut(I::Item) -> bool,
    owned: impl Fn(I::Item) -> C::Item,
    remove: impl Fn(&mut C, I::Item),
) -> Option<C>
where
    C: Inner + FromIterator<C::Item>,
    I: Iterator<Item: Copy>,
{
    let decisions: Vec<bool> = items().map(keep).collect();
    let removed = decisions.iter().filter(|&&kept| !kept).count();
    if removed == 0 {
        return None;
    }
    let decided = || items().zip(decisions.iter().copied());
    Some(if removed * 4 <= current.len() {
        let mut next = current.clone();
        for (item, _) in decided().filter(|&(_, kept)| !kept) {
            remove(&mut next, item);
        }
        next
    } else {
        decided()
            .filter(|&(_, kept)| kept)
            .map(|(item, _)| owned(item))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------
// IndexSet
// ---------------------------------------------------------------------------------------

impl<T, S> Set for IndexSet<T, S> {
    type Elem = T;
}

impl<T, S, Q> SetRead<Q> for IndexSet<T, S>
where
    T: Hash + Eq,
    S: BuildHasher,
    Q: ?Sized + Hash + Equivalent<T>,
{
    fn get(&self, value: &Q) -> Option<&T> {
        IndexSet::get(self, value)
    }
}

impl<T: Clone + Hash + Eq, S: BuildHasher + Clone> Inner for IndexSet<T, S> {
    type Item = T;
    const CLONE_IS_O1: bool = false;

    fn len(&self) -> usize {
        IndexSet::len(self)
    }
    fn cleared(&self) -> Self {
        IndexSet::with_hasher(self.hasher().clone())
    }
    fn end(&self, last: bool) -> Option<T> {
        if last { self.last() } else { self.first() }.cloned()
    }
    fn pop_last(&mut self) -> Option<T> {
        self.pop()
    }
}

impl<T, S, Q> Lookup<Q> for IndexSet<T, S>
where
    T: Clone + Hash + Eq,
    S: BuildHasher + Clone,
    Q: ?Sized + Hash + Equivalent<T>,
{
    fn contains(&self, value: &Q) -> bool {
        IndexSet::contains(self, value)
    }
    fn take(&mut self, value: &Q) -> Option<T> {
        self.shift_take(value)
    }
}

impl<T: Clone + Hash + Eq, S: BuildHasher + Clone> SetWrite for IndexSet<T, S> {
    fn insert(&mut self, value: T) -> bool {
        IndexSet::insert(self, value)
    }
    fn retained(&self, mut keep: impl FnMut(&T) -> bool) -> Option<Self> {
        let empty = IndexSet::with_capacity_and_hasher(self.len(), self.hasher().clone());
        retained_by_filtering(self, empty, self.iter().filter(|x| keep(x)).cloned())
    }
}

impl<T, S1, S2> Relations<IndexSet<T, S2>> for IndexSet<T, S1>
where
    T: Hash + Eq,
    S1: BuildHasher,
    S2: BuildHasher,
{
    fn is_subset(&self, other: &IndexSet<T, S2>) -> bool {
        IndexSet::is_subset(self, other)
    }
    fn is_superset(&self, other: &IndexSet<T, S2>) -> bool {
        IndexSet::is_superset(self, other)
    }
    fn is_disjoint(&self, other: &IndexSet<T, S2>) -> bool {
        IndexSet::is_disjoint(self, other)
    }
}

// ---------------------------------------------------------------------------------------
// IndexMap
// ---------------------------------------------------------------------------------------

impl<K, V, S> Map for IndexMap<K, V, S> {
    type Key = K;
    type Value = V;
}

impl<K, V, S, Q> MapRead<Q> for IndexMap<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
    Q: ?Sized + Hash + Equivalent<K>,
{
    fn get_key_value(&self, key: &Q) -> Option<(&K, &V)> {
        IndexMap::get_key_value(self, key)
    }
}

impl<K, V, S> Inner for IndexMap<K, V, S>
where
    K: Clone + Hash + Eq,
    V: Clone,
    S: BuildHasher + Clone,
{
    type Item = (K, V);
    const CLONE_IS_O1: bool = false;

    fn len(&self) -> usize {
        IndexMap::len(self)
    }
    fn cleared(&self) -> Self {
        IndexMap::with_hasher(self.hasher().clone())
    }
    fn end(&self, last: bool) -> Option<(K, V)> {
        let entry = if last { self.last() } else { self.first() };
        entry.map(|(k, v)| (k.clone(), v.clone()))
    }
    fn pop_last(&mut self) -> Option<(K, V)> {
        self.pop()
    }
}

impl<K, V, S, Q> Lookup<Q> for IndexMap<K, V, S>
where
    K: Clone + Hash + Eq,
    V: Clone,
    S: BuildHasher + Clone,
    Q: ?Sized + Hash + Equivalent<K>,
{
    fn contains(&self, key: &Q) -> bool {
        self.contains_key(key)
    }
    fn take(&mut self, key: &Q) -> Option<(K, V)> {
        self.shift_remove_entry(key)
    }
}

impl<K, V, S> MapWrite for IndexMap<K, V, S>
where
    K: Clone + Hash + Eq,
    V: Clone,
    S: BuildHasher + Clone,
{
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        IndexMap::insert(self, key, value)
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        IndexMap::get_mut(self, key)
    }
    fn retained(&self, mut keep: impl FnMut(&K, &V) -> bool) -> Option<Self> {
        let empty = IndexMap::with_capacity_and_hasher(self.len(), self.hasher().clone());
        let kept = self.iter().filter(|(k, v)| keep(k, v));
        retained_by_filtering(self, empty, kept.map(|(k, v)| (k.clone(), v.clone())))
    }
}

// ---------------------------------------------------------------------------------------
// PersistentBTreeSet
// ---------------------------------------------------------------------------------------

impl<T> Set for PersistentBTreeSet<T> {
    type Elem = T;
}

impl<T, Q> SetRead<Q> for PersistentBTreeSet<T>
where
    T: Ord + Borrow<Q>,
    Q: ?Sized + Ord,
{
    fn get(&self, value: &Q) -> Option<&T> {
        PersistentBTreeSet::get(self, value)
    }
}

impl<T: Ord + Clone> Inner for PersistentBTreeSet<T> {
    type Item = T;
    const CLONE_IS_O1: bool = true;

    fn len(&self) -> usize {
        PersistentBTreeSet::len(self)
    }
    fn cleared(&self) -> Self {
        PersistentBTreeSet::new()
    }
    fn end(&self, last: bool) -> Option<T> {
        if last { self.last() } else { self.first() }.cloned()
    }
    fn pop_last(&mut self) -> Option<T> {
        PersistentBTreeSet::pop_last(self)
    }
}

impl<T: Ord + Clone> Ordered for PersistentBTreeSet<T> {
    fn pop_first(&mut self) -> Option<T> {
        PersistentBTreeSet::pop_first(self)
    }
}

impl<T, Q> Lookup<Q> for PersistentBTreeSet<T>
where
    T: Ord + Clone + Borrow<Q>,
    Q: ?Sized + Ord,
{
    fn contains(&self, value: &Q) -> bool {
        PersistentBTreeSet::contains(self, value)
    }
    fn take(&mut self, value: &Q) -> Option<T> {
        PersistentBTreeSet::take(self, value)
    }
}

impl<T: Ord + Clone> SetWrite for PersistentBTreeSet<T> {
    fn insert(&mut self, value: T) -> bool {
        PersistentBTreeSet::insert(self, value)
    }
    fn retained(&self, keep: impl FnMut(&T) -> bool) -> Option<Self> {
        let remove = |next: &mut Self, value: &T| {
            next.remove(value);
        };
        retained_by_removing(self, || self.iter(), keep, T::clone, remove)
    }
}

impl<T: Ord> Relations<PersistentBTreeSet<T>> for PersistentBTreeSet<T> {
    fn is_subset(&self, other: &Self) -> bool {
        PersistentBTreeSet::is_subset(self, other)
    }
    fn is_superset(&self, other: &Self) -> bool {
        PersistentBTreeSet::is_superset(self, other)
    }
    fn is_disjoint(&self, other: &Self) -> bool {
        PersistentBTreeSet::is_disjoint(self, other)
    }
}

// ---------------------------------------------------------------------------------------
// PersistentBTreeMap
// ---------------------------------------------------------------------------------------

impl<K, V> Map for PersistentBTreeMap<K, V> {
    type Key = K;
    type Value = V;
}

impl<K, V, Q> MapRead<Q> for PersistentBTreeMap<K, V>
where
    K: Ord + Borrow<Q>,
    Q: ?Sized + Ord,
{
    fn get_key_value(&self, key: &Q) -> Option<(&K, &V)> {
        PersistentBTreeMap::get_key_value(self, key)
    }
}

impl<K: Ord + Clone, V: Clone> Inner for PersistentBTreeMap<K, V> {
    type Item = (K, V);
    const CLONE_IS_O1: bool = true;

    fn len(&self) -> usize {
        PersistentBTreeMap::len(self)
    }
    fn cleared(&self) -> Self {
        PersistentBTreeMap::new()
    }
    fn end(&self, last: bool) -> Option<(K, V)> {
        let entry = if last {
            self.last_key_value()
        } else {
            self.first_key_value()
        };
        entry.map(|(k, v)| (k.clone(), v.clone()))
    }
    fn pop_last(&mut self) -> Option<(K, V)> {
        PersistentBTreeMap::pop_last(self)
    }
}

impl<K: Ord + Clone, V: Clone> Ordered for PersistentBTreeMap<K, V> {
    fn pop_first(&mut self) -> Option<(K, V)> {
        PersistentBTreeMap::pop_first(self)
    }
}

impl<K, V, Q> Lookup<Q> for PersistentBTreeMap<K, V>
where
    K: Ord + Clone + Borrow<Q>,
    V: Clone,
    Q: ?Sized + Ord,
{
    fn contains(&self, key: &Q) -> bool {
        self.contains_key(key)
    }
    fn take(&mut self, key: &Q) -> Option<(K, V)> {
        self.remove_entry(key)
    }
}

impl<K: Ord + Clone, V: Clone> MapWrite for PersistentBTreeMap<K, V> {
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        PersistentBTreeMap::insert(self, key, value)
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        PersistentBTreeMap::get_mut(self, key)
    }
    fn retained(&self, mut keep: impl FnMut(&K, &V) -> bool) -> Option<Self> {
        let owned = |(k, v): (&K, &V)| (k.clone(), v.clone());
        let remove = |next: &mut Self, (k, _): (&K, &V)| drop(next.remove(k));
        retained_by_removing(self, || self.iter(), |(k, v)| keep(k, v), owned, remove)
    }
}
