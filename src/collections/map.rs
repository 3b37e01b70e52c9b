//! [`CowMap`]: a copy-on-write map with `ConcurrentMap`'s atomic operations.

use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use indexmap::{Equivalent, IndexMap};

use super::facade::cow_facade;
use super::map_facade::map_facade;
use crate::CowCell;

/// A concurrent copy-on-write map for read-mostly data: configuration, routing tables,
/// service registries.
///
/// Backed by an [`indexmap::IndexMap`]: iteration in insertion order, O(1) lookups.
/// Reads are lock-free snapshots; every write that changes the map copies it (O(n)
/// entries cloned), changes the copy and publishes it in one atomic swap. Java's
/// `ConcurrentMap` operations are here as single atomic steps:
/// [`insert_if_absent`](Self::insert_if_absent) (`putIfAbsent`),
/// [`get_or_insert_with`](Self::get_or_insert_with) (`computeIfAbsent`),
/// [`compute`](Self::compute), [`compute_if_present`](Self::compute_if_present),
/// [`merge`](Self::merge), [`replace`](Self::replace),
/// [`replace_if_eq`](Self::replace_if_eq) (`replace(k, old, new)`) and
/// [`remove_if_eq`](Self::remove_if_eq) (`remove(k, v)`). Conditional writes that
/// change nothing copy nothing.
///
/// For a whole reload, build the new `IndexMap` outside and [`store`](Self::store) it:
/// no copy at all.
///
/// Equality compares entries, ignoring order.
///
/// For large maps, maps written often or read in key order, see
/// [`CowBTreeMap`](crate::CowBTreeMap) and [which type](crate#which-type).
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

cow_facade! {
    CowMap<K, V, S> => IndexMap<K, V, S>;
    example: "CowMap::from([(1, 'a'), (2, 'b')])";
    change: "{ let n = v.len() + 100; v.insert(n, 'z'); }";
    copy: "one O(n) copy of every entry";
    item: (K, V) where [K: Clone + Hash + Eq, V: Clone, S: BuildHasher + Clone];
    borrowed: (&'a K, &'a V) where [K: Copy + Hash + Eq + 'a, V: Copy + 'a, S: BuildHasher + Clone]
        copied by |(k, v): (&K, &V)| (*k, *v);
    eq: <K, V, S1, S2> CowMap<K, V, S1> => IndexMap<K, V, S1>, CowMap<K, V, S2> => IndexMap<K, V, S2>;
}

map_facade! {
    CowMap<K, V, S> => IndexMap<K, V, S>;
    read: [K: Hash + Eq, S: BuildHasher];
    write: [K: Clone + Hash + Eq, V: Clone, S: BuildHasher + Clone];
    lookup: [Q: ?Sized + Hash + Equivalent<K>];
    order: "insertion order",
        "a new key goes last in the iteration order, a present one keeps its place";
    costs: lookup "O(1) expected", end "O(1)", copy "one O(n) copy",
        retain "one O(n) copy of the kept entries", extend "one O(n + m) copy";
    ends: first "`firstEntry` (`SequencedMap`)", last "`lastEntry`";
    pops: [
        pop => pop_last, "the last entry in insertion order (the last key inserted)",
            "`pollLastEntry` (`SequencedMap`)", "(3, 'c')";
    ];
}

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
