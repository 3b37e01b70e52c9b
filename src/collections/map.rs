//! [`CowMap`]: a copy-on-write map with `ConcurrentMap`'s atomic operations.

use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use indexmap::{Equivalent, IndexMap};

use super::facade::cow_facade;
use crate::CowCell;

/// A concurrent copy-on-write map for read-mostly data: configuration, routing tables,
/// service registries.
///
/// Backed by an [`indexmap::IndexMap`]: iteration in insertion order, O(1) lookups.
/// Reads are lock-free snapshots; every write that changes the map copies it (O(n)
/// entries cloned), changes the copy and publishes it in one atomic swap. Java's
/// `ConcurrentMap` atomic operations are here as single atomic steps:
/// [`insert_if_absent`](Self::insert_if_absent) (`putIfAbsent`),
/// [`replace`](Self::replace), [`replace_if_eq`](Self::replace_if_eq)
/// (`replace(k, old, new)`), [`remove_if_eq`](Self::remove_if_eq) (`remove(k, v)`) and
/// [`compute`](Self::compute). Conditional writes that change nothing copy nothing.
///
/// For a whole reload, build the new `IndexMap` outside and [`store`](Self::store) it:
/// no copy at all.
///
/// Equality compares entries, ignoring order.
///
/// # Which map
///
/// | | `CowMap` | [`CowBTreeMap`](crate::CowBTreeMap) |
/// |---|---|---|
/// | a write copies | every entry: O(n) | one root-to-leaf path: O(log n) |
/// | a point read | one hash lookup, O(1) | a tree search, O(log n) |
/// | iteration order | insertion | key, with ranges |
///
/// `CowMap` reads faster from about 64 entries on; `CowBTreeMap` writes faster at every
/// size (README, "Which type", has the measured crossover). Pick `CowMap` for maps read
/// far more often than written and up to a few thousand entries.
///
/// # Examples
///
/// ```
/// use cow_collections::CowMap;
///
/// let ports = CowMap::new();
/// ports.insert("http".to_string(), 80u16);
/// ports.insert("ssh".to_string(), 22);
/// assert_eq!(ports.get("http"), Some(80));
/// assert_eq!(ports.insert_if_absent("http".to_string(), 8080), Some(80));
/// assert!(ports.replace_if_eq("ssh", &22, 2222));
/// assert_eq!(ports.read()["ssh"], 2222);
/// ```
pub struct CowMap<K, V, S = RandomState> {
    cell: CowCell<IndexMap<K, V, S>>,
}

cow_facade!(CowMap<K, V, S> => IndexMap<K, V, S>; "CowMap::from([(1, 'a'), (2, 'b')])"; "{ let n = v.len() + 100; v.insert(n, 'z'); }"; "one O(n) copy of every entry");

impl<K, V> CowMap<K, V> {
    /// An empty map with the default hasher (version 0). Allocates one `Arc`, no
    /// entries.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m: CowMap<String, u16> = CowMap::new();
    /// assert!(m.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }
}

impl<K, V, S> CowMap<K, V, S> {
    /// An empty map that hashes with `hasher` (version 0). Allocates one `Arc`, no
    /// entries.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    /// use std::hash::RandomState;
    ///
    /// let m = CowMap::with_hasher(RandomState::new());
    /// m.insert(1, 2);
    /// assert_eq!(m.get(&1), Some(2));
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        Self::from(IndexMap::with_hasher(hasher))
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> CowMap<K, V, S> {
    /// A clone of the value for `key`, or `None`. Lock-free, O(1) expected plus one
    /// `V::clone`; `map.read().get(key)` borrows instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([("a".to_string(), 1)]);
    /// assert_eq!(m.get("a"), Some(1));
    /// assert_eq!(m.get("b"), None);
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
        V: Clone,
    {
        self.read().get(key).cloned()
    }

    /// Whether the current version has an entry for `key`. Lock-free, O(1) expected.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// assert!(CowMap::from([(1, 'x')]).contains_key(&1));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.read().contains_key(key)
    }
}

impl<K, V, S> CowMap<K, V, S>
where
    K: Clone + Hash + Eq,
    V: Clone,
    S: BuildHasher + Clone,
{
    /// Inserts or overwrites the entry for `key`; returns the previous value. One O(n)
    /// copy and one publish. A new key goes last; an existing key keeps its position.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::new();
    /// assert_eq!(m.insert("k", 1), None);
    /// assert_eq!(m.insert("k", 2), Some(1));
    /// ```
    pub fn insert(&self, key: K, value: V) -> Option<V> {
        self.cell.write_with("CowMap::insert", |current| {
            let mut next = current.clone();
            let previous = next.insert(key, value);
            (Some(next), previous)
        })
    }

    /// Removes the entry for `key`, keeping the order of the rest; returns its value.
    /// No copy when absent; otherwise one O(n) copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([(1, 'a'), (2, 'b'), (3, 'c')]);
    /// assert_eq!(m.remove(&2), Some('b'));
    /// assert_eq!(m.remove(&2), None);
    /// assert_eq!(m.read().keys().copied().collect::<Vec<_>>(), [1, 3]);
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.cell.write_with("CowMap::remove", |current| {
            if !current.contains_key(key) {
                return (None, None);
            }
            let mut next = current.clone();
            let removed = next.shift_remove(key);
            (Some(next), removed)
        })
    }

    /// Keeps only the entries for which `keep` returns `true`, in order. `keep` runs on
    /// the current version's entries and only kept entries are cloned; publishes nothing
    /// if every entry is kept, otherwise one O(n) copy.
    ///
    /// # Differences from std
    ///
    /// `keep` gets `&V`, not `&mut V`: published values are immutable. Change values
    /// with [`update`](Self::update).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([(1, 10), (2, 20), (3, 30)]);
    /// m.retain(|k, v| k % 2 == 1 && *v > 10);
    /// assert_eq!(m.read().keys().copied().collect::<Vec<_>>(), [3]);
    /// ```
    pub fn retain(&self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.cell.write_with("CowMap::retain", |current| {
            let mut next =
                IndexMap::with_capacity_and_hasher(current.len(), current.hasher().clone());
            next.extend(
                current
                    .iter()
                    .filter(|(k, v)| keep(k, v))
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            let changed = next.len() != current.len();
            (changed.then_some(next), ())
        });
    }

    /// Removes every entry; publishes nothing if already empty. O(1) plus dropping the
    /// old version once no snapshot holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([(1, 1)]);
    /// m.clear();
    /// assert!(m.is_empty());
    /// ```
    pub fn clear(&self) {
        self.cell.write_with("CowMap::clear", |current| {
            let next =
                (!current.is_empty()).then(|| IndexMap::with_hasher(current.hasher().clone()));
            (next, ())
        });
    }

    /// Inserts every entry of `entries` (later ones overwrite earlier ones). The iterator
    /// is consumed before the lock is taken; then one O(n + m) copy and one publish
    /// (none if `entries` is empty). Java's `putAll`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::new();
    /// m.extend([(1, 'a'), (2, 'b')]);
    /// assert_eq!(m.len(), 2);
    /// assert_eq!(m.version(), 1);
    /// ```
    pub fn extend(&self, entries: impl IntoIterator<Item = (K, V)>) {
        let entries: Vec<(K, V)> = entries.into_iter().collect();
        if entries.is_empty() {
            return;
        }
        self.cell.write_with("CowMap::extend", |current| {
            let mut next = current.clone();
            next.extend(entries);
            (Some(next), ())
        });
    }

    /// Inserts `value` only if `key` is absent; returns the existing value if present
    /// (and then copies and publishes nothing). One atomic step. Java's `putIfAbsent`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::new();
    /// assert_eq!(m.insert_if_absent("leader", "node-a"), None);
    /// assert_eq!(m.insert_if_absent("leader", "node-b"), Some("node-a"));
    /// assert_eq!(m.get("leader"), Some("node-a"));
    /// ```
    pub fn insert_if_absent(&self, key: K, value: V) -> Option<V> {
        self.cell.write_with("CowMap::insert_if_absent", |current| {
            if let Some(existing) = current.get(&key) {
                return (None, Some(existing.clone()));
            }
            let mut next = current.clone();
            next.insert(key, value);
            (Some(next), None)
        })
    }

    /// Replaces the value for `key` only if present; returns the previous value. The
    /// stored key is kept (the key is borrowed, as in `replace_if_eq`). No copy when
    /// absent; otherwise one O(n) copy. Java's `replace(K, V)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([("a".to_string(), 1)]);
    /// assert_eq!(m.replace("a", 2), Some(1));
    /// assert_eq!(m.replace("b", 3), None);
    /// assert!(!m.contains_key("b"));
    /// ```
    pub fn replace<Q>(&self, key: &Q, value: V) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.cell.write_with("CowMap::replace", |current| {
            let Some(index) = current.get_index_of(key) else {
                return (None, None);
            };
            let mut next = current.clone();
            let previous = core::mem::replace(&mut next[index], value);
            (Some(next), Some(previous))
        })
    }

    /// Compare-and-set: replaces the value for `key` with `new` only if it equals
    /// `expected`; returns whether it did. One atomic step; no copy on mismatch. Java's
    /// `replace(K, V oldValue, V newValue)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([("epoch", 1)]);
    /// assert!(m.replace_if_eq("epoch", &1, 2));
    /// assert!(!m.replace_if_eq("epoch", &1, 3)); // someone else won
    /// assert_eq!(m.get("epoch"), Some(2));
    /// ```
    pub fn replace_if_eq<Q>(&self, key: &Q, expected: &V, new: V) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
        V: PartialEq,
    {
        self.cell.write_with("CowMap::replace_if_eq", |current| {
            let Some(index) = current.get_index_of(key) else {
                return (None, false);
            };
            if current[index] != *expected {
                return (None, false);
            }
            let mut next = current.clone();
            next[index] = new;
            (Some(next), true)
        })
    }

    /// Removes the entry for `key` only if its value equals `expected`; returns whether
    /// it did. One atomic step; no copy on mismatch. Java's `remove(Object, Object)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let m = CowMap::from([("lock", "owner-1")]);
    /// assert!(!m.remove_if_eq("lock", &"owner-2"));
    /// assert!(m.remove_if_eq("lock", &"owner-1"));
    /// assert!(m.is_empty());
    /// ```
    pub fn remove_if_eq<Q>(&self, key: &Q, expected: &V) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
        V: PartialEq,
    {
        self.cell.write_with("CowMap::remove_if_eq", |current| {
            let Some(index) = current.get_index_of(key) else {
                return (None, false);
            };
            if current[index] != *expected {
                return (None, false);
            }
            let mut next = current.clone();
            next.shift_remove_index(index);
            (Some(next), true)
        })
    }

    /// Computes the entry for `key` from its current value in one atomic step: `f`
    /// gets `Some(&value)` or `None`, and returns the new value (`Some`) or asks for
    /// removal (`None`). Returns the new value. Copies and publishes nothing when `f`
    /// returns `None` for an absent key. Java's `compute`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// let hits = CowMap::new();
    /// let bump = |old: Option<&u32>| Some(old.map_or(1, |n| n + 1));
    /// assert_eq!(hits.compute("/", bump), Some(1));
    /// assert_eq!(hits.compute("/", bump), Some(2));
    /// assert_eq!(hits.compute("/", |_| None), None); // removes
    /// assert!(hits.is_empty());
    /// ```
    pub fn compute(&self, key: K, f: impl FnOnce(Option<&V>) -> Option<V>) -> Option<V> {
        self.cell.write_with("CowMap::compute", |current| {
            let index = current.get_index_of(&key);
            match (index, f(index.map(|i| &current[i]))) {
                (None, None) => (None, None),
                (Some(index), None) => {
                    // The key is not needed: drop it before copying, so a panicking
                    // `K::drop` cannot leak the copy.
                    drop(key);
                    let mut next = current.clone();
                    next.shift_remove_index(index);
                    (Some(next), None)
                }
                (Some(index), Some(value)) => {
                    drop(key);
                    let mut next = current.clone();
                    next[index] = value.clone();
                    (Some(next), Some(value))
                }
                (None, Some(value)) => {
                    let mut next = current.clone();
                    next.insert(key, value.clone());
                    (Some(next), Some(value))
                }
            }
        })
    }
}

impl<K, V, S: Default> Default for CowMap<K, V, S> {
    fn default() -> Self {
        Self::from(IndexMap::default())
    }
}

impl<K: Hash + Eq, V, S: BuildHasher + Default> FromIterator<(K, V)> for CowMap<K, V, S> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from(IndexMap::from_iter(iter))
    }
}

impl<K: Hash + Eq, V, const N: usize> From<[(K, V); N]> for CowMap<K, V> {
    fn from(array: [(K, V); N]) -> Self {
        Self::from(IndexMap::from(array))
    }
}

impl<K, V, S> Extend<(K, V)> for CowMap<K, V, S>
where
    K: Clone + Hash + Eq,
    V: Clone,
    S: BuildHasher + Clone,
{
    /// One copy and one publish per call; see [`CowMap::extend`].
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        CowMap::extend(self, iter);
    }
}

impl<'a, K, V, S> Extend<(&'a K, &'a V)> for CowMap<K, V, S>
where
    K: Copy + Hash + Eq + 'a,
    V: Copy + 'a,
    S: BuildHasher + Clone,
{
    /// Copies the entries in, like `IndexMap`'s `Extend<(&K, &V)>`; one copy and one
    /// publish per call.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    ///
    /// let mut m = cow_collections::CowMap::from([(1, 'a')]);
    /// Extend::extend(&mut m, &BTreeMap::from([(2, 'b')]));
    /// assert_eq!(m.get(&2), Some('b'));
    /// ```
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        CowMap::extend(self, iter.into_iter().map(|(k, v)| (*k, *v)));
    }
}

impl<K, V, S1, S2> PartialEq<CowMap<K, V, S2>> for CowMap<K, V, S1>
where
    K: Hash + Eq,
    V: PartialEq,
    S1: BuildHasher,
    S2: BuildHasher,
{
    /// Compares the current entries, ignoring order.
    fn eq(&self, other: &CowMap<K, V, S2>) -> bool {
        *self.read() == *other.read()
    }
}

impl<K: Hash + Eq, V: Eq, S: BuildHasher> Eq for CowMap<K, V, S> {}
