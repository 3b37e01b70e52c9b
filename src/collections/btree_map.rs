//! [`CowBTreeMap`]: a copy-on-write ordered map whose writes copy O(log n) nodes.

use core::borrow::Borrow;

use super::facade::cow_facade;
use crate::{CowCell, PersistentBTreeMap};

/// A concurrent copy-on-write ordered map for large or often-written read-mostly data:
/// routing tables, registries, indexes read in key order.
///
/// Backed by a [`PersistentBTreeMap`], a path-copying B+tree with std's `BTreeMap` API.
/// Reads are lock-free snapshots, as for every collection of this crate; `read()` and
/// `snapshot()` deref to the persistent map, so `map.read().range(a..b)` iterates one
/// consistent version in key order. A write does not copy the map: it clones the
/// current version in O(1) (the root is shared), changes the clone, which copies only
/// the O(log n) nodes on the changed key's path, and publishes it in one atomic swap.
/// Every other node stays shared by the old version, the new one and every snapshot.
/// [`update`](Self::update) is the transaction: any number of changes, each shared node
/// copied at most once, one publish.
///
/// The API is [`CowMap`](crate::CowMap)'s (Java's `ConcurrentMap` operations as single
/// atomic steps: [`insert_if_absent`](Self::insert_if_absent),
/// [`replace`](Self::replace), [`replace_if_eq`](Self::replace_if_eq),
/// [`remove_if_eq`](Self::remove_if_eq), [`compute`](Self::compute)) plus std
/// `BTreeMap`'s ordered operations ([`first_key_value`](Self::first_key_value),
/// [`pop_first`](Self::pop_first), ...). Conditional writes that change nothing copy and
/// publish nothing.
///
/// # Which map
///
/// [`CowMap`](crate::CowMap) (a hash map) has the fastest point reads and iterates in
/// insertion order, but every write copies all of it: O(n). `CowBTreeMap` writes in
/// O(log n) and keeps keys ordered, for a somewhat slower point read. The README's
/// "Which type" table has the measured crossover sizes.
///
/// # Examples
///
/// ```
/// use cow_collections::CowBTreeMap;
///
/// let routes = CowBTreeMap::new();
/// routes.insert("/api/users".to_string(), "users:8080");
/// routes.insert("/api/orders".to_string(), "orders:8080");
/// routes.insert("/static".to_string(), "cdn:80");
/// let api: Vec<_> = routes
///     .read()
///     .range("/api".to_string().."/api~".to_string())
///     .map(|(path, _)| path.clone())
///     .collect();
/// assert_eq!(api, ["/api/orders", "/api/users"]); // key order, one version
/// assert_eq!(routes.insert_if_absent("/static".into(), "other:80"), Some("cdn:80"));
/// ```
pub struct CowBTreeMap<K, V> {
    cell: CowCell<PersistentBTreeMap<K, V>>,
}

cow_facade!(
    CowBTreeMap<K, V> => PersistentBTreeMap<K, V>;
    "CowBTreeMap::from([(1, 'a'), (2, 'b')])";
    "{ let n = v.len() as i32 + 100; v.insert(n, 'z'); }";
    "an O(1) copy: the root is shared, and each change copies only the O(log n) nodes on its path, a shared node at most once"
);

impl<K, V> CowBTreeMap<K, V> {
    /// An empty map (version 0). Allocates one `Arc`, no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m: CowBTreeMap<String, u16> = CowBTreeMap::new();
    /// assert!(m.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::from(PersistentBTreeMap::new())
    }
}

impl<K: Ord, V> CowBTreeMap<K, V> {
    /// A clone of the value for `key`, or `None`. Lock-free, O(log n) plus one
    /// `V::clone`; `map.read().get(key)` borrows instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([("a".to_string(), 1)]);
    /// assert_eq!(m.get("a"), Some(1));
    /// assert_eq!(m.get("b"), None);
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Ord,
        V: Clone,
    {
        self.read().get(key).cloned()
    }

    /// Whether the current version has an entry for `key`. Lock-free, O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// assert!(CowBTreeMap::from([(1, 'x')]).contains_key(&1));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Ord,
    {
        self.read().contains_key(key)
    }

    /// Clones of the entry with the smallest key, or `None` if empty. Lock-free,
    /// O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(m.first_key_value(), Some((1, 'a')));
    /// ```
    pub fn first_key_value(&self) -> Option<(K, V)>
    where
        K: Clone,
        V: Clone,
    {
        let current = self.read();
        current
            .first_key_value()
            .map(|(k, v)| (k.clone(), v.clone()))
    }

    /// Clones of the entry with the largest key, or `None` if empty. Lock-free,
    /// O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(m.last_key_value(), Some((2, 'b')));
    /// ```
    pub fn last_key_value(&self) -> Option<(K, V)>
    where
        K: Clone,
        V: Clone,
    {
        let current = self.read();
        current
            .last_key_value()
            .map(|(k, v)| (k.clone(), v.clone()))
    }
}

impl<K: Ord + Clone, V: Clone> CowBTreeMap<K, V> {
    /// Inserts or overwrites the entry for `key`; returns the previous value. O(log n):
    /// copies the nodes on the key's path, one publish.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::new();
    /// assert_eq!(m.insert("k", 1), None);
    /// assert_eq!(m.insert("k", 2), Some(1));
    /// assert_eq!(m.version(), 2);
    /// ```
    pub fn insert(&self, key: K, value: V) -> Option<V> {
        self.cell.write_with("CowBTreeMap::insert", |current| {
            let mut next = current.clone();
            let previous = next.insert(key, value);
            (Some(next), previous)
        })
    }

    /// Removes the entry for `key`; returns its value. Copies and publishes nothing when
    /// the key is absent; otherwise O(log n) path copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(1, 'a'), (2, 'b')]);
    /// assert_eq!(m.remove(&2), Some('b'));
    /// assert_eq!(m.remove(&2), None);
    /// assert_eq!(m.version(), 1);
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Ord,
    {
        self.cell.write_with("CowBTreeMap::remove", |current| {
            let mut next = current.clone();
            match next.remove(key) {
                Some(removed) => (Some(next), Some(removed)),
                None => (None, None), // nothing was copied
            }
        })
    }

    /// Keeps only the entries for which `keep` returns `true`. `keep` runs once per
    /// entry, in key order, on the current version; publishes nothing if every entry is
    /// kept. Otherwise removes the others from a copy: O(log n) per removed entry, or one
    /// O(n) rebuild when more than a quarter of the entries go.
    ///
    /// # Differences from std
    ///
    /// `keep` gets `&V`, not `&mut V`: published values are immutable. Change values
    /// with [`update`](Self::update).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(1, 10), (2, 20), (3, 30)]);
    /// m.retain(|k, v| k % 2 == 1 && *v > 10);
    /// assert_eq!(m.read().keys().copied().collect::<Vec<_>>(), [3]);
    /// ```
    pub fn retain(&self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.cell.write_with("CowBTreeMap::retain", |current| {
            let decisions: Vec<bool> = current.iter().map(|(k, v)| keep(k, v)).collect();
            let removed = decisions.iter().filter(|&&kept| !kept).count();
            if removed == 0 {
                return (None, ());
            }
            let next = if removed * 4 <= current.len() {
                let mut next = current.clone();
                for ((key, _), _) in current.iter().zip(&decisions).filter(|(_, &kept)| !kept) {
                    next.remove(key);
                }
                next
            } else {
                // A sorted input: `FromIterator` builds the tree bottom-up in O(n).
                current
                    .iter()
                    .zip(decisions)
                    .filter(|&(_, kept)| kept)
                    .map(|((k, v), _)| (k.clone(), v.clone()))
                    .collect()
            };
            (Some(next), ())
        });
    }

    /// Removes every entry; publishes nothing if already empty. O(1) plus dropping the
    /// old version once no snapshot holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(1, 1)]);
    /// m.clear();
    /// assert!(m.is_empty());
    /// ```
    pub fn clear(&self) {
        self.cell.write_with("CowBTreeMap::clear", |current| {
            ((!current.is_empty()).then(PersistentBTreeMap::new), ())
        });
    }

    /// Inserts every entry of `entries` (later ones overwrite earlier ones). The iterator
    /// is consumed before the lock is taken; then one transaction, O(m log(n + m)) with
    /// each shared node copied at most once, and one publish (none if `entries` is
    /// empty). Java's `putAll`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::new();
    /// m.extend([(2, 'b'), (1, 'a')]);
    /// assert_eq!(m.len(), 2);
    /// assert_eq!(m.version(), 1);
    /// ```
    pub fn extend(&self, entries: impl IntoIterator<Item = (K, V)>) {
        let entries: Vec<(K, V)> = entries.into_iter().collect();
        if entries.is_empty() {
            return;
        }
        self.cell.write_with("CowBTreeMap::extend", |current| {
            let mut next = current.clone();
            next.extend(entries);
            (Some(next), ())
        });
    }

    /// Inserts `value` only if `key` is absent; returns a clone of the existing value if
    /// present (and then copies and publishes nothing). One atomic step. Java's
    /// `putIfAbsent`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::new();
    /// assert_eq!(m.insert_if_absent("leader", "node-a"), None);
    /// assert_eq!(m.insert_if_absent("leader", "node-b"), Some("node-a"));
    /// assert_eq!(m.get("leader"), Some("node-a"));
    /// ```
    pub fn insert_if_absent(&self, key: K, value: V) -> Option<V> {
        self.cell
            .write_with("CowBTreeMap::insert_if_absent", |current| {
                if let Some(existing) = current.get(&key) {
                    return (None, Some(existing.clone()));
                }
                let mut next = current.clone();
                next.insert(key, value);
                (Some(next), None)
            })
    }

    /// Replaces the value for `key` only if present; returns the previous value. The
    /// stored key is kept. No copy when absent; otherwise O(log n). Java's
    /// `replace(K, V)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([("a".to_string(), 1)]);
    /// assert_eq!(m.replace("a", 2), Some(1));
    /// assert_eq!(m.replace("b", 3), None);
    /// assert!(!m.contains_key("b"));
    /// ```
    pub fn replace<Q>(&self, key: &Q, value: V) -> Option<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Ord,
    {
        self.cell.write_with("CowBTreeMap::replace", |current| {
            if !current.contains_key(key) {
                return (None, None);
            }
            let mut next = current.clone();
            let slot = next
                .get_mut(key)
                .expect("present in the version it was cloned from");
            let previous = core::mem::replace(slot, value);
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
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([("epoch", 1)]);
    /// assert!(m.replace_if_eq("epoch", &1, 2));
    /// assert!(!m.replace_if_eq("epoch", &1, 3)); // someone else won
    /// assert_eq!(m.get("epoch"), Some(2));
    /// ```
    pub fn replace_if_eq<Q>(&self, key: &Q, expected: &V, new: V) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Ord,
        V: PartialEq,
    {
        self.cell
            .write_with("CowBTreeMap::replace_if_eq", |current| {
                if current.get(key) != Some(expected) {
                    return (None, false);
                }
                let mut next = current.clone();
                *next
                    .get_mut(key)
                    .expect("present in the version it was cloned from") = new;
                (Some(next), true)
            })
    }

    /// Removes the entry for `key` only if its value equals `expected`; returns whether
    /// it did. One atomic step; no copy on mismatch. Java's `remove(Object, Object)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([("lock", "owner-1")]);
    /// assert!(!m.remove_if_eq("lock", &"owner-2"));
    /// assert!(m.remove_if_eq("lock", &"owner-1"));
    /// assert!(m.is_empty());
    /// ```
    pub fn remove_if_eq<Q>(&self, key: &Q, expected: &V) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Ord,
        V: PartialEq,
    {
        self.cell
            .write_with("CowBTreeMap::remove_if_eq", |current| {
                if current.get(key) != Some(expected) {
                    return (None, false);
                }
                let mut next = current.clone();
                next.remove(key);
                (Some(next), true)
            })
    }

    /// Computes the entry for `key` from its current value in one atomic step: `f`
    /// gets `Some(&value)` or `None`, and returns the new value (`Some`) or asks for
    /// removal (`None`). Returns the new value. Copies and publishes nothing when `f`
    /// returns `None` for an absent key; otherwise O(log n). Java's `compute`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let hits = CowBTreeMap::new();
    /// let bump = |old: Option<&u32>| Some(old.map_or(1, |n| n + 1));
    /// assert_eq!(hits.compute("/", bump), Some(1));
    /// assert_eq!(hits.compute("/", bump), Some(2));
    /// assert_eq!(hits.compute("/", |_| None), None); // removes
    /// assert!(hits.is_empty());
    /// ```
    pub fn compute(&self, key: K, f: impl FnOnce(Option<&V>) -> Option<V>) -> Option<V> {
        self.cell.write_with("CowBTreeMap::compute", |current| {
            let existing = current.get_key_value(&key);
            match (existing, f(existing.map(|(_, v)| v))) {
                (None, None) => (None, None),
                (Some((stored, _)), None) => {
                    // The key is not needed: drop it before copying, so a panicking
                    // `K::drop` cannot leak the copy.
                    drop(key);
                    let mut next = current.clone();
                    next.remove(stored);
                    (Some(next), None)
                }
                (Some((stored, _)), Some(value)) => {
                    drop(key);
                    let mut next = current.clone();
                    *next.get_mut(stored).expect("present") = value.clone();
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

    /// Removes and returns the entry with the smallest key; publishes nothing if empty.
    /// O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(m.pop_first(), Some((1, 'a')));
    /// assert_eq!(m.pop_first(), Some((2, 'b')));
    /// assert_eq!(m.pop_first(), None);
    /// assert_eq!(m.version(), 2);
    /// ```
    pub fn pop_first(&self) -> Option<(K, V)> {
        self.cell.write_with("CowBTreeMap::pop_first", |current| {
            if current.is_empty() {
                return (None, None);
            }
            let mut next = current.clone();
            let first = next.pop_first();
            (Some(next), first)
        })
    }

    /// Removes and returns the entry with the largest key; publishes nothing if empty.
    /// O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    ///
    /// let m = CowBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(m.pop_last(), Some((2, 'b')));
    /// assert_eq!(m.len(), 1);
    /// ```
    pub fn pop_last(&self) -> Option<(K, V)> {
        self.cell.write_with("CowBTreeMap::pop_last", |current| {
            if current.is_empty() {
                return (None, None);
            }
            let mut next = current.clone();
            let last = next.pop_last();
            (Some(next), last)
        })
    }
}

impl<K, V> Default for CowBTreeMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for CowBTreeMap<K, V> {
    /// Builds the map as version 0; a sorted input is built bottom-up in O(n).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from(PersistentBTreeMap::from_iter(iter))
    }
}

impl<K: Ord + Clone, V: Clone, const N: usize> From<[(K, V); N]> for CowBTreeMap<K, V> {
    fn from(array: [(K, V); N]) -> Self {
        Self::from(PersistentBTreeMap::from(array))
    }
}

impl<K: Ord + Clone, V: Clone> Extend<(K, V)> for CowBTreeMap<K, V> {
    /// One transaction and one publish per call; see [`CowBTreeMap::extend`].
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        CowBTreeMap::extend(self, iter);
    }
}

impl<'a, K: Ord + Copy + 'a, V: Copy + 'a> Extend<(&'a K, &'a V)> for CowBTreeMap<K, V> {
    /// Copies the entries in, like `BTreeMap`'s `Extend<(&K, &V)>`; one publish per call.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    ///
    /// let mut m = cow_collections::CowBTreeMap::from([(1, 'a')]);
    /// Extend::extend(&mut m, &BTreeMap::from([(2, 'b')]));
    /// assert_eq!(m.get(&2), Some('b'));
    /// ```
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        CowBTreeMap::extend(self, iter.into_iter().map(|(k, v)| (*k, *v)));
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for CowBTreeMap<K, V> {
    /// Compares the current entries, in key order.
    fn eq(&self, other: &Self) -> bool {
        *self.read() == *other.read()
    }
}

impl<K: Eq, V: Eq> Eq for CowBTreeMap<K, V> {}
