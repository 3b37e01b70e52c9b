//! The entry API of [`PersistentBTreeMap`] (std's `btree/map/entry.rs`): one search,
//! then insert, update or remove at the position found.
//!
//! An entry holds the map and the [`Path`] to its position, not a borrow of a node:
//! reading goes down the path again (no comparisons), writing copies the shared nodes on
//! it first.

use std::fmt;
use std::mem;

use super::map::PersistentBTreeMap;
use super::node::Path;

/// A view into a single entry of a [`PersistentBTreeMap`], vacant or occupied. Made by
/// [`PersistentBTreeMap::entry`].
pub enum Entry<'a, K, V> {
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V>),
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V>),
}

/// A view into a vacant entry of a [`PersistentBTreeMap`]: the key it was made with and
/// where it would go.
pub struct VacantEntry<'a, K, V> {
    pub(super) key: K,
    /// Where the key goes; `None` while the map has no root node.
    pub(super) path: Option<Path>,
    pub(super) map: &'a mut PersistentBTreeMap<K, V>,
}

/// A view into an occupied entry of a [`PersistentBTreeMap`].
pub struct OccupiedEntry<'a, K, V> {
    pub(super) path: Path,
    pub(super) map: &'a mut PersistentBTreeMap<K, V>,
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Vacant(v) => f.debug_tuple("Entry").field(v).finish(),
            Entry::Occupied(o) => f.debug_tuple("Entry").field(o).finish(),
        }
    }
}

impl<K: fmt::Debug, V> fmt::Debug for VacantEntry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(self.key()).finish()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for OccupiedEntry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", self.get())
            .finish()
    }
}

impl<'a, K: Ord + Clone, V: Clone> Entry<'a, K, V> {
    /// The value of the entry, inserting `default` if it is vacant. O(log n): an insert
    /// or a path copy (std's `Entry::or_insert`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut counts = PersistentBTreeMap::new();
    /// *counts.entry("a").or_insert(0) += 1;
    /// *counts.entry("a").or_insert(0) += 1;
    /// assert_eq!(counts["a"], 2);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default),
        }
    }

    /// The value of the entry, inserting `default()` if it is vacant (`default` is
    /// called only then). O(log n) (std's `Entry::or_insert_with`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, String> = PersistentBTreeMap::new();
    /// map.entry("poneyland").or_insert_with(|| "hoho".to_string());
    /// assert_eq!(map["poneyland"], "hoho");
    /// ```
    pub fn or_insert_with<F: FnOnce() -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default()),
        }
    }

    /// The value of the entry, inserting `default(&key)` if it is vacant. O(log n)
    /// (std's `Entry::or_insert_with_key`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, usize> = PersistentBTreeMap::new();
    /// map.entry("poneyland").or_insert_with_key(|key| key.chars().count());
    /// assert_eq!(map["poneyland"], 9);
    /// ```
    pub fn or_insert_with_key<F: FnOnce(&K) -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let value = default(e.key());
                e.insert(value)
            }
        }
    }

    /// Calls `f` on the value if the entry is occupied (copying the value's leaf if it
    /// is shared), and returns the entry. O(log n) (std's `Entry::and_modify`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, usize> = PersistentBTreeMap::new();
    /// map.entry("poneyland").and_modify(|e| *e += 1).or_insert(42);
    /// assert_eq!(map["poneyland"], 42);
    /// map.entry("poneyland").and_modify(|e| *e += 1).or_insert(42);
    /// assert_eq!(map["poneyland"], 43);
    /// ```
    pub fn and_modify<F: FnOnce(&mut V)>(self, f: F) -> Self {
        match self {
            Entry::Occupied(mut e) => {
                f(e.get_mut());
                Entry::Occupied(e)
            }
            Entry::Vacant(e) => Entry::Vacant(e),
        }
    }

    /// Sets the value of the entry (inserting it if vacant) and returns it as an
    /// occupied entry. O(log n) (std's `Entry::insert_entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, String> = PersistentBTreeMap::new();
    /// let entry = map.entry("poneyland").insert_entry("hoho".to_string());
    /// assert_eq!(entry.key(), &"poneyland");
    /// assert_eq!(map["poneyland"], "hoho");
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V> {
        match self {
            Entry::Occupied(mut e) => {
                e.insert(value);
                e
            }
            Entry::Vacant(e) => e.insert_entry(value),
        }
    }
}

impl<'a, K: Ord + Clone, V: Clone + Default> Entry<'a, K, V> {
    /// The value of the entry, inserting `V::default()` if it is vacant. O(log n)
    /// (std's `Entry::or_default`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, Option<usize>> = PersistentBTreeMap::new();
    /// map.entry("poneyland").or_default();
    /// assert_eq!(map["poneyland"], None);
    /// ```
    pub fn or_default(self) -> &'a mut V {
        self.or_insert_with(V::default)
    }
}

impl<K, V> Entry<'_, K, V> {
    /// The entry's key. O(1) for a vacant entry, O(log n) for an occupied one (down the
    /// path found, no comparisons) (std's `Entry::key`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, usize> = PersistentBTreeMap::new();
    /// assert_eq!(map.entry("poneyland").key(), &"poneyland");
    /// ```
    #[must_use]
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => e.key(),
        }
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    /// The key that would be inserted. O(1) (std's `VacantEntry::key`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, usize> = PersistentBTreeMap::new();
    /// if let Entry::Vacant(v) = map.entry("poneyland") {
    ///     assert_eq!(v.key(), &"poneyland");
    /// }
    /// ```
    #[must_use]
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Takes the key back without inserting. O(1) (std's `VacantEntry::into_key`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<String, usize> = PersistentBTreeMap::new();
    /// if let Entry::Vacant(v) = map.entry("poneyland".to_string()) {
    ///     assert_eq!(v.into_key(), "poneyland");
    /// }
    /// assert!(map.is_empty());
    /// ```
    #[must_use]
    pub fn into_key(self) -> K {
        self.key
    }
}

impl<'a, K: Ord + Clone, V: Clone> VacantEntry<'a, K, V> {
    /// Inserts the entry with `value` and returns the value. O(log n): the insert, with
    /// no second search (std's `VacantEntry::insert`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, u32> = PersistentBTreeMap::new();
    /// if let Entry::Vacant(o) = map.entry("poneyland") {
    ///     *o.insert(37) += 1;
    /// }
    /// assert_eq!(map["poneyland"], 38);
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        self.insert_entry(value).into_mut()
    }

    /// Inserts the entry with `value` and returns it as an occupied entry. O(log n)
    /// (std's `VacantEntry::insert_entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, u32> = PersistentBTreeMap::new();
    /// if let Entry::Vacant(v) = map.entry("poneyland") {
    ///     let o = v.insert_entry(37);
    ///     assert_eq!(o.get(), &37);
    /// }
    /// assert_eq!(map["poneyland"], 37);
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V> {
        let path = self.map.insert_absent(self.path, self.key, value);
        OccupiedEntry {
            path,
            map: self.map,
        }
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    /// The entry's key (the one stored in the map). O(log n), no comparisons (std's
    /// `OccupiedEntry::key`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// assert_eq!(map.entry("poneyland").key(), &"poneyland");
    /// ```
    #[must_use]
    pub fn key(&self) -> &K {
        self.map.entry_at(&self.path).0
    }

    /// The entry's value. O(log n), no comparisons (std's `OccupiedEntry::get`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     assert_eq!(o.get(), &12);
    /// }
    /// ```
    #[must_use]
    pub fn get(&self) -> &V {
        self.map.entry_at(&self.path).1
    }
}

impl<'a, K: Ord + Clone, V: Clone> OccupiedEntry<'a, K, V> {
    /// The entry's value, mutably. O(log n): copies the shared nodes on the path (the
    /// leaf's values, not its keys) (std's `OccupiedEntry::get_mut`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// let before = map.clone();
    /// if let Entry::Occupied(mut o) = map.entry("poneyland") {
    ///     *o.get_mut() += 10;
    /// }
    /// assert_eq!(map["poneyland"], 22);
    /// assert_eq!(before["poneyland"], 12);
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        self.map.value_mut_at(&self.path)
    }

    /// The entry's value, mutably, for the map's whole borrow. O(log n), as
    /// [`get_mut`](Self::get_mut) (std's `OccupiedEntry::into_mut`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     *o.into_mut() += 10;
    /// }
    /// assert_eq!(map["poneyland"], 22);
    /// ```
    #[must_use = "`self` will be dropped if the result is not used"]
    pub fn into_mut(self) -> &'a mut V {
        self.map.value_mut_at(&self.path)
    }

    /// Replaces the entry's value, returning the old one. O(log n), as
    /// [`get_mut`](Self::get_mut) (std's `OccupiedEntry::insert`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// if let Entry::Occupied(mut o) = map.entry("poneyland") {
    ///     assert_eq!(o.insert(15), 12);
    /// }
    /// assert_eq!(map["poneyland"], 15);
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning the stored key and the value. O(log n): copies the
    /// shared nodes on the path and rebalances, atomically (std's
    /// `OccupiedEntry::remove_entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     assert_eq!(o.remove_entry(), ("poneyland", 12));
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn remove_entry(self) -> (K, V) {
        self.map.remove_at(&self.path).0
    }

    /// Removes the entry, returning the value. O(log n), as
    /// [`remove_entry`](Self::remove_entry) (std's `OccupiedEntry::remove`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::btree_map::Entry;
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("poneyland", 12)]);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     assert_eq!(o.remove(), 12);
    /// }
    /// assert!(!map.contains_key("poneyland"));
    /// ```
    pub fn remove(self) -> V {
        self.remove_entry().1
    }
}
