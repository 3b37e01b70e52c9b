//! [`PersistentBTreeMap`]: std's `BTreeMap` API over a path-copying B+tree.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem;
use std::ops::{Index, RangeBounds};

use super::iter::{IntoIter, Iter, Keys, Range, RawRange, Values};
use super::node::{self, Leaf, NodeRef};
use super::search;

/// An ordered map whose `clone()` is O(1) and whose writes copy only the path they
/// change: a persistent B+tree with std's [`BTreeMap`](std::collections::BTreeMap) API.
///
/// Nodes sit behind `Arc`s. A clone shares the whole tree; a write copies the nodes on
/// the way from the root to the entry it changes, but only those still shared with
/// another version (copy-on-write B-trees, the rule of `Arc::make_mut`), and leaves the
/// rest shared. After a clone, the first write to a region copies its path (O(log n)
/// nodes); later writes to the same region, on the same value, change the copies in
/// place. Other clones never see a change.
///
/// | operation | cost |
/// |---|---|
/// | `clone`, `ptr_eq`, `len` | O(1): one reference-count increment for `clone` |
/// | `get`, `contains_key`, `range` (start) | O(log n) comparisons, no copy |
/// | `insert`, `remove`, `get_mut`, `pop_*` | O(log n); copies the shared nodes on the path: one leaf (its entries cloned) and the internal nodes above it (child pointers, one `Arc` increment each) |
/// | iteration | O(1) per entry amortized |
/// | `FromIterator` | O(n) for sorted input, O(n log n) otherwise |
///
/// Methods that change the map need `K: Clone` and `V: Clone`, to copy shared nodes.
/// The value is not synchronized: share it between threads by cloning it (it is `Send`
/// and `Sync` when `K` and `V` are), or publish versions of it through a
/// [`CowCell`](crate::CowCell).
///
/// Leaves hold up to 16 entries, internal nodes up to 32 children; the separators of an
/// internal node are shared between its copies until a split or merge changes them.
/// The module documentation of `src/btree/mod.rs` describes the layout and the choice
/// of sizes.
///
/// # Panics in user code
///
/// If `K::clone`, `V::clone` or `Ord::cmp` panics during a write, the map is left in a
/// memory-safe state (nothing leaks or is dropped twice), other clones are unaffected,
/// and an `insert` leaves the map unchanged; a `remove` may leave a node below its
/// minimum fill (every operation still works, a bit less efficiently).
///
/// # Examples
///
/// ```
/// use cow_collections::PersistentBTreeMap;
///
/// let mut v1 = PersistentBTreeMap::new();
/// v1.insert("api".to_string(), 8080);
/// v1.insert("db".to_string(), 5432);
///
/// let mut v2 = v1.clone(); // O(1): shares every node
/// v2.insert("cache".to_string(), 6379); // copies one path
/// v2.remove("db");
///
/// assert_eq!(v1.iter().collect::<Vec<_>>(), [(&"api".to_string(), &8080), (&"db".to_string(), &5432)]);
/// assert_eq!(v2.keys().collect::<Vec<_>>(), ["api", "cache"]);
/// assert_eq!(v2["cache"], 6379);
/// ```
pub struct PersistentBTreeMap<K, V> {
    root: Option<NodeRef<K, V>>,
    len: usize,
}

impl<K, V> PersistentBTreeMap<K, V> {
    /// An empty map. Allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map: PersistentBTreeMap<u32, &str> = PersistentBTreeMap::new();
    /// assert!(map.is_empty());
    /// ```
    pub const fn new() -> Self {
        PersistentBTreeMap { root: None, len: 0 }
    }

    /// The number of entries. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(1, 'a'), (2, 'b')]);
    /// assert_eq!(map.len(), 2);
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the map has no entries. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::new();
    /// assert!(map.is_empty());
    /// map.insert(1, 'a');
    /// assert!(!map.is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Removes every entry. O(1) for this value; the nodes are freed (O(n)) only if no
    /// other clone shares them.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, 'a')]);
    /// let old = map.clone();
    /// map.clear();
    /// assert!(map.is_empty());
    /// assert_eq!(old.len(), 1);
    /// ```
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Whether `self` and `other` are the same version: they share their root node
    /// (both empty counts as the same). O(1). Maps with equal entries built
    /// separately are not `ptr_eq`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let a = PersistentBTreeMap::from([(1, 'a')]);
    /// let mut b = a.clone();
    /// assert!(a.ptr_eq(&b));
    /// b.insert(2, 'b');
    /// assert!(!a.ptr_eq(&b));
    /// assert!(!a.ptr_eq(&PersistentBTreeMap::from([(1, 'a')])));
    /// ```
    pub fn ptr_eq(&self, other: &Self) -> bool {
        match (&self.root, &other.root) {
            (Some(a), Some(b)) => a.ptr_eq(b),
            (None, None) => true,
            _ => false,
        }
    }

    /// An iterator over the entries in key order (double-ended, exact size). Creating it
    /// is O(log n); each step is O(1) amortized.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(3, 'c'), (1, 'a'), (2, 'b')]);
    /// let mut iter = map.iter();
    /// assert_eq!(iter.len(), 3);
    /// assert_eq!(iter.next(), Some((&1, &'a')));
    /// assert_eq!(iter.next_back(), Some((&3, &'c')));
    /// assert_eq!(iter.next(), Some((&2, &'b')));
    /// assert_eq!(iter.next(), None);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            range: RawRange::full(self.root.as_ref()),
            remaining: self.len,
        }
    }

    /// An iterator over the keys in order (double-ended, exact size). O(log n) to
    /// create, O(1) amortized per step.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys { inner: self.iter() }
    }

    /// An iterator over the values in key order (double-ended, exact size). O(log n) to
    /// create, O(1) amortized per step.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(map.values().copied().collect::<String>(), "ab");
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values { inner: self.iter() }
    }

    /// The entry with the smallest key, or `None` if the map is empty. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(map.first_key_value(), Some((&1, &'a')));
    /// ```
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        RawRange::full(self.root.as_ref()).peek()
    }

    /// The entry with the largest key, or `None` if the map is empty. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(2, 'b'), (1, 'a')]);
    /// assert_eq!(map.last_key_value(), Some((&2, &'b')));
    /// ```
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        RawRange::full(self.root.as_ref()).peek_back()
    }
}

/// The shape and node sizes of a tree (for tests and measurements; not a stable API).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeShape {
    /// Internal levels above the leaves (0: the root is a leaf or there is none).
    pub height: usize,
    /// Leaves.
    pub leaves: usize,
    /// Internal nodes.
    pub internals: usize,
    /// `size_of` a leaf (its allocation adds the `Arc` counts, 16 bytes).
    pub leaf_bytes: usize,
    /// `size_of` an internal node (plus 16 bytes of `Arc` counts).
    pub internal_bytes: usize,
    /// `size_of` an internal node's separator array (plus 16 bytes of `Arc` counts).
    pub separators_bytes: usize,
    /// Entries a leaf holds at most.
    pub leaf_capacity: usize,
    /// Children an internal node holds at most.
    pub branch_capacity: usize,
}

impl<K, V> PersistentBTreeMap<K, V> {
    /// The root node, borrowed (`None` for a map that never had one).
    #[cfg(feature = "rayon")]
    pub(super) fn root_node(&self) -> Option<node::Child<'_, K, V>> {
        self.root.as_ref().map(NodeRef::as_child)
    }

    /// The tree's shape and node sizes. O(number of nodes).
    #[doc(hidden)]
    pub fn shape(&self) -> TreeShape {
        let (height, leaves, internals) = self
            .root
            .as_ref()
            .map_or((0, 0, 0), |root| node::count_nodes(root.as_child()));
        TreeShape {
            height,
            leaves,
            internals,
            leaf_bytes: mem::size_of::<Leaf<K, V>>(),
            internal_bytes: mem::size_of::<node::Internal<K, V>>(),
            separators_bytes: mem::size_of::<node::Keys<K>>(),
            leaf_capacity: node::LEAF_CAP,
            branch_capacity: node::BRANCH_CAP,
        }
    }
}

impl<K: Ord, V> PersistentBTreeMap<K, V> {
    /// The leaf that holds `key` if the map does, and its position there.
    fn find<Q>(&self, key: &Q) -> Option<(&Leaf<K, V>, usize)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let mut node = self.root.as_ref()?.as_child();
        loop {
            match node {
                node::Child::Internal(n) => {
                    node = n.children.get(search::child_index(&n.keys, key));
                }
                node::Child::Leaf(leaf) => {
                    return search::search_keys(&leaf.keys, key)
                        .ok()
                        .map(|pos| (leaf, pos));
                }
            }
        }
    }

    /// The value for `key`, or `None`. O(log n) comparisons.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([("a".to_string(), 1)]);
    /// assert_eq!(map.get("a"), Some(&1));
    /// assert_eq!(map.get("b"), None);
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).map(|(leaf, pos)| &leaf.vals[pos])
    }

    /// The stored key and the value for `key`, or `None`. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(1, 'a')]);
    /// assert_eq!(map.get_key_value(&1), Some((&1, &'a')));
    /// ```
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).map(|(leaf, pos)| leaf.entry(pos))
    }

    /// Whether the map has an entry for `key`. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(1, 'a')]);
    /// assert!(map.contains_key(&1));
    /// assert!(!map.contains_key(&2));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_some()
    }

    /// A double-ended iterator over the entries whose keys lie in `range`, in order.
    /// O(log n) to create, O(1) amortized per step.
    ///
    /// # Panics
    ///
    /// If the range's start is greater than its end, or start and end are equal and
    /// both excluded, with std's messages ("range start is greater than range end in
    /// BTreeMap", "range start and end are equal and excluded in BTreeMap"). Like std's,
    /// the check is skipped while the map has no root node: from `new`, `clear` or
    /// `default` until the first insert (removing every entry keeps the root).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    /// use std::ops::Bound::{Excluded, Included};
    ///
    /// let map: PersistentBTreeMap<String, u32> =
    ///     ["a", "b", "c", "d"].iter().map(|s| (s.to_string(), 0)).collect();
    /// // Borrowed bounds: a `(Bound<&str>, Bound<&str>)` pair.
    /// let keys: Vec<_> = map.range::<str, _>((Included("b"), Excluded("d"))).map(|(k, _)| k).collect();
    /// assert_eq!(keys, ["b", "c"]);
    /// assert_eq!(map.range(..="c".to_string()).next_back().unwrap().0, "c");
    /// ```
    pub fn range<Q, R>(&self, range: R) -> Range<'_, K, V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        Range {
            inner: self.raw_range(&range, "BTreeMap"),
        }
    }

    /// [`range`](Self::range), naming `what` in its panic messages.
    pub(super) fn raw_range<Q, R>(&self, range: &R, what: &str) -> RawRange<'_, K, V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        let Some(root) = &self.root else {
            // std checks the bounds only when there is a tree to search.
            return RawRange::empty();
        };
        let (start, end) = (range.start_bound(), range.end_bound());
        search::check_range(start, end, what);
        RawRange::bounded(root, start, end)
    }

    /// Checks the tree's invariants and panics with a description of the first one
    /// broken: keys strictly increasing across the whole tree, separators consistent
    /// with the keys below them, every node but the root at least half full, every leaf
    /// at the same depth, and `len()` equal to the number of entries. O(n).
    #[doc(hidden)]
    pub fn check_invariants(&self) {
        let counted = self.root.as_ref().map_or(0, node::check);
        assert_eq!(counted, self.len, "len() is not the number of entries");
    }
}

impl<K: Ord + Clone, V: Clone> PersistentBTreeMap<K, V> {
    /// Inserts `value` for `key`; returns the previous value if the key was present (the
    /// stored key is then kept, as std does). O(log n): copies the shared nodes on the
    /// key's path; a full leaf splits (and so, rarely, its ancestors).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::new();
    /// assert_eq!(map.insert(1, 'a'), None);
    /// let before = map.clone();
    /// assert_eq!(map.insert(1, 'b'), Some('a'));
    /// assert_eq!(map[&1], 'b');
    /// assert_eq!(before[&1], 'a');
    /// ```
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.search(&key) {
            Some(path) if path.found => {
                let root = self.root.as_mut().expect("a path into a tree");
                let leaf = root.leaf_mut(&path);
                Some(mem::replace(&mut leaf.vals[path.pos], value))
            }
            path => {
                self.insert_absent(path, key, value);
                None
            }
        }
    }

    /// Inserts `key` only if it is absent (one search; nothing copied if present);
    /// returns whether it was inserted. The set's `insert`, and a conditional write
    /// for the concurrent facade.
    pub(crate) fn insert_if_absent(&mut self, key: K, value: V) -> bool {
        match self.search(&key) {
            Some(path) if path.found => false,
            path => {
                self.insert_absent(path, key, value);
                true
            }
        }
    }

    /// The path to `key`, or `None` if the tree has no root.
    fn search(&self, key: &K) -> Option<node::Path> {
        self.root.as_ref().map(|root| root.search(key))
    }

    /// Inserts `key`, absent from the tree, at `path` (`None`: the tree has no root).
    fn insert_absent(&mut self, path: Option<node::Path>, key: K, value: V) {
        match (&mut self.root, path) {
            (Some(root), Some(path)) => {
                if let Some((sep, right)) = root.insert(&path, key, value) {
                    let left = self.root.take().expect("the root just split");
                    self.root = Some(node::grow(left, sep, right));
                }
            }
            _ => {
                let leaf = Leaf::singleton(key, value);
                self.root = Some(NodeRef::Leaf(std::sync::Arc::new(leaf)));
            }
        }
        self.len += 1;
    }

    /// Removes the entry for `key`; returns its value, or `None` (copying nothing) if
    /// the key is absent. O(log n): copies the shared nodes on the key's path and
    /// rebalances (steals from or merges with a sibling) where a node falls below half
    /// full.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, 'a')]);
    /// assert_eq!(map.remove(&1), Some('a'));
    /// assert_eq!(map.remove(&1), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes the entry for `key`; returns the stored key and its value. O(log n), as
    /// [`remove`](Self::remove).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("a".to_string(), 1)]);
    /// assert_eq!(map.remove_entry("a"), Some(("a".to_string(), 1)));
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let path = self.root.as_ref()?.search(key);
        path.found.then(|| self.remove_at(&path))
    }

    /// Removes the entry at `path`, which exists.
    fn remove_at(&mut self, path: &node::Path) -> (K, V) {
        let root = self.root.as_mut().expect("a path into a nonempty tree");
        let entry = root.remove(path);
        self.len -= 1;
        entry
    }

    /// A mutable reference to the value for `key`, or `None` (copying nothing) if the
    /// key is absent. O(log n): copies the shared nodes on the key's path, so that the
    /// change is seen by this map only.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, 10)]);
    /// let snapshot = map.clone();
    /// *map.get_mut(&1).unwrap() += 1;
    /// assert_eq!(map[&1], 11);
    /// assert_eq!(snapshot[&1], 10);
    /// ```
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let root = self.root.as_mut()?;
        let path = root.search(key);
        if !path.found {
            return None;
        }
        Some(&mut root.leaf_mut(&path).vals[path.pos])
    }

    /// Removes and returns the entry with the smallest key. O(log n), as
    /// [`remove`](Self::remove).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, 'a'), (2, 'b')]);
    /// assert_eq!(map.pop_first(), Some((1, 'a')));
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        let path = self.root.as_ref()?.edge_path(false)?;
        Some(self.remove_at(&path))
    }

    /// Removes and returns the entry with the largest key. O(log n), as
    /// [`remove`](Self::remove).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, 'a'), (2, 'b')]);
    /// assert_eq!(map.pop_last(), Some((2, 'b')));
    /// ```
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        let path = self.root.as_ref()?.edge_path(true)?;
        Some(self.remove_at(&path))
    }

    /// Keeps only the entries for which `f` returns `true`, visiting them in key order.
    /// O(n): `f` may change every value, so the map is rebuilt (bottom-up, O(n)) from
    /// its entries, which are moved out of unshared nodes and cloned from shared ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<u32, u32> = (0..8).map(|i| (i, i * 10)).collect();
    /// map.retain(|&k, v| {
    ///     *v += 1;
    ///     k % 2 == 0
    /// });
    /// assert_eq!(map.into_iter().collect::<Vec<_>>(), [(0, 1), (2, 21), (4, 41), (6, 61)]);
    /// ```
    pub fn retain<F>(&mut self, mut f: F)
    where
        F: FnMut(&K, &mut V) -> bool,
    {
        let had_root = self.root.is_some();
        let entries = mem::take(self)
            .into_iter()
            .filter_map(|(k, mut v)| f(&k, &mut v).then_some((k, v)))
            .collect();
        *self = Self::from_sorted(entries);
        if had_root && self.root.is_none() {
            // What std's `retain` leaves: an empty root (see `range`).
            self.root = Some(node::empty_root());
        }
    }

    /// A map of `entries`, whose keys are strictly increasing. O(n).
    fn from_sorted(entries: Vec<(K, V)>) -> Self {
        PersistentBTreeMap {
            len: entries.len(),
            root: node::bulk_build(entries),
        }
    }
}

impl<K, V> Clone for PersistentBTreeMap<K, V> {
    /// Another handle to the same version: O(1), one reference-count increment. The two
    /// values share every node until one of them writes.
    fn clone(&self) -> Self {
        PersistentBTreeMap {
            root: self.root.clone(),
            len: self.len,
        }
    }
}

impl<K, V> Default for PersistentBTreeMap<K, V> {
    /// An empty map.
    fn default() -> Self {
        Self::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for PersistentBTreeMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for PersistentBTreeMap<K, V> {
    /// Equal entries in the same order. O(1) when both share their root, O(n) otherwise.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && (self.ptr_eq(other) || self.iter().eq(other.iter()))
    }
}

impl<K: Eq, V: Eq> Eq for PersistentBTreeMap<K, V> {}

impl<K: PartialOrd, V: PartialOrd> PartialOrd for PersistentBTreeMap<K, V> {
    /// Lexicographic order of the entry sequences, as std's.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<K: Ord, V: Ord> Ord for PersistentBTreeMap<K, V> {
    /// Lexicographic order of the entry sequences, as std's.
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<K: Hash, V: Hash> Hash for PersistentBTreeMap<K, V> {
    /// Hashes the length, then each entry in order (what std's `BTreeMap` feeds the
    /// hasher).
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len);
        for entry in self {
            entry.hash(state);
        }
    }
}

impl<K, Q, V> Index<&Q> for PersistentBTreeMap<K, V>
where
    K: Borrow<Q> + Ord,
    Q: Ord + ?Sized,
{
    type Output = V;

    /// The value for `key`.
    ///
    /// # Panics
    ///
    /// If the key is absent ("no entry found for key", as std).
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for PersistentBTreeMap<K, V> {
    /// Builds the tree bottom-up in O(n) when the keys arrive strictly increasing;
    /// otherwise sorts them first (stable, O(n log n)). For a repeated key the last
    /// entry wins, as with std's `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            // `dedup_by` keeps the first of a run: move each later entry into it.
            entries.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    mem::swap(later, kept);
                }
                same
            });
        }
        Self::from_sorted(entries)
    }
}

impl<K: Ord + Clone, V: Clone, const N: usize> From<[(K, V); N]> for PersistentBTreeMap<K, V> {
    /// A map of the array's entries (for a repeated key the last one wins). O(N log N).
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Ord + Clone, V: Clone> Extend<(K, V)> for PersistentBTreeMap<K, V> {
    /// Inserts every entry, as [`insert`](PersistentBTreeMap::insert) does. O(m log n).
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K: Ord + Copy, V: Copy> Extend<(&'a K, &'a V)> for PersistentBTreeMap<K, V> {
    /// Inserts a copy of every entry.
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        self.extend(iter.into_iter().map(|(&k, &v)| (k, v)));
    }
}

impl<'a, K, V> IntoIterator for &'a PersistentBTreeMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<K: Clone, V: Clone> IntoIterator for PersistentBTreeMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    /// The entries in order, moved out of the nodes no other version shares and cloned
    /// from the shared ones. O(n), collected up front.
    fn into_iter(self) -> IntoIter<K, V> {
        let mut entries = Vec::with_capacity(self.len);
        if let Some(root) = self.root {
            node::drain_into(root, &mut entries);
        }
        IntoIter {
            entries: entries.into_iter(),
        }
    }
}
