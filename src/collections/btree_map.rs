//! [`CowBTreeMap`]: a copy-on-write ordered map whose writes copy O(log n) nodes.

use core::borrow::Borrow;

use super::facade::cow_facade;
use super::map_facade::map_facade;
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
/// [`get_or_insert_with`](Self::get_or_insert_with), [`compute`](Self::compute),
/// [`compute_if_present`](Self::compute_if_present), [`merge`](Self::merge),
/// [`replace`](Self::replace), [`replace_if_eq`](Self::replace_if_eq),
/// [`remove_if_eq`](Self::remove_if_eq)) plus std `BTreeMap`'s ordered operations
/// ([`first_key_value`](Self::first_key_value), [`pop_first`](Self::pop_first), ...).
/// Conditional writes that change nothing copy and publish nothing.
///
/// [`CowMap`](crate::CowMap) has the faster point reads and iterates in insertion order,
/// but copies all of itself on every write; see [which type](crate#which-type).
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

cow_facade! {
    CowBTreeMap<K, V> => PersistentBTreeMap<K, V>;
    example: "CowBTreeMap::from([(1, 'a'), (2, 'b')])";
    change: "{ let n = v.len() as i32 + 100; v.insert(n, 'z'); }";
    copy: "an O(1) copy: the root is shared, and each change copies only the O(log n) nodes on its path, a shared node at most once";
    item: (K, V) where [K: Ord + Clone, V: Clone];
    borrowed: (&'a K, &'a V) where [K: Ord + Copy + 'a, V: Copy + 'a]
        copied by |(k, v): (&K, &V)| (*k, *v);
    eq: <K, V> CowBTreeMap<K, V> => PersistentBTreeMap<K, V>, CowBTreeMap<K, V> => PersistentBTreeMap<K, V>;
}

map_facade! {
    CowBTreeMap<K, V> => PersistentBTreeMap<K, V>;
    read: [K: Ord];
    write: [K: Ord + Clone, V: Clone];
    lookup: [K: Borrow<Q>, Q: ?Sized + Ord];
    order: "key order", "the entries stay in key order";
    costs: lookup "O(log n)", end "O(log n)", copy "an O(log n) path copy",
        retain "O(log n) per removed entry, or one O(n) rebuild when more than a quarter \
            of the entries go",
        extend "one transaction, O(m log(n + m)) with each shared node copied at most once";
    ends: first_key_value "`firstEntry` (`NavigableMap`)", last_key_value "`lastEntry`";
    pops: [
        pop_first => pop_first, "the entry with the smallest key",
            "`pollFirstEntry` (`NavigableMap`)", "(1, 'a')";
        pop_last => pop_last, "the entry with the largest key", "`pollLastEntry`", "(3, 'c')";
    ];
}

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
