//! [`PersistentBTreeMap`]: std's `BTreeMap` API over a path-copying B+tree.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem;
use std::ops::{Index, RangeBounds};

use std::sync::Arc;

use super::entry::{Entry, OccupiedEntry, VacantEntry};
use super::extract::{self, ExtractIf, Extraction, MutPred, RefPred};
use super::iter::{IntoIter, IntoKeys, IntoValues, Iter, Keys, Range, RawRange, Values};
use super::iter_mut::{IterMut, RangeMut, RawIterMut, ValuesMut};
use super::node::{self, Leaf, NodeRef, Path};
use super::search;
use super::split;

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
/// | `insert` of a new key, `remove`, `pop_*` | O(log n); copies the shared nodes on the path: one leaf (its values and keys cloned) and the internal nodes above it (child pointers, one `Arc` increment each) |
/// | `insert` of a present key, `get_mut`, `entry` updates | O(log n); the same path copy, but the leaf's keys stay shared: values cloned only |
/// | iteration, `iter_mut`, `range_mut` (per step) | O(1) amortized; the mutable ones copy each shared leaf reached (values only) |
/// | `retain`, `extract_if` | O(n); only leaves that lose an entry get their keys copied |
/// | `append` | O(n + m) |
/// | `split_off` | O(log n) plus counting the smaller half (std's) |
/// | `FromIterator` | O(n) for sorted input, O(n log n) otherwise |
///
/// Methods that change the map need `K: Clone` and `V: Clone`, to copy shared nodes.
/// The value is not synchronized: share it between threads by cloning it (it is `Send`
/// and `Sync` when `K` and `V` are), or publish versions of it through a
/// [`CowCell`](crate::CowCell).
///
/// Leaves hold up to 16 entries, internal nodes up to 32 children; the keys of a node
/// (a leaf's keys, an internal node's separators) are shared between its copies until
/// one is added or removed. The module documentation of `src/btree/mod.rs` describes
/// the layout and the choice of sizes.
///
/// # Panics in user code
///
/// If `K::clone`, `V::clone`, `Ord::cmp` or a closure panics during a write, nothing
/// leaks or is dropped twice, other clones are unaffected, and the map stays
/// consistent (its invariants hold, `len()` is the number of entries) and loses
/// nothing: every write of one entry (`insert`, `remove`, `pop_*`, `get_mut`, the entry
/// API) leaves the map as it was; `retain` and `extract_if` leave every entry the
/// closure did not pick before it panicked, as std's do; `append` and `split_off` leave
/// both maps as they were.
///
/// # Differences from std
///
/// * Writes need `K: Clone` and `V: Clone`, to copy shared nodes.
/// * `==` compares entry by entry even between versions that share their nodes (see
///   `PartialEq`); `ptr_eq` is the O(1) test of sharing.
/// * Within a node the search is binary, where std's is linear: with an inconsistent
///   `Ord`, entries may land elsewhere than in std (std's contract allows anything
///   then; an unbounded `range` side still compares nothing, as in std).
/// * No cursors (`lower_bound`, `upper_bound`: unstable in std).
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
    pub(super) root: Option<NodeRef<K, V>>,
    pub(super) len: usize,
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        RawRange::full(self.root.as_ref()).peek_back()
    }

    /// The entry at `path`, which exists.
    pub(super) fn entry_at(&self, path: &Path) -> (&K, &V) {
        let root = self.root.as_ref().expect("a path into a tree");
        root.leaf(path).entry(path.pos)
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
    #[must_use]
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
            separators_bytes: mem::size_of::<node::Separators<K>>(),
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
                    node = n.children.get(search::child_index(n.key_slice(), key));
                }
                node::Child::Leaf(leaf) => {
                    return search::search_keys(leaf.key_slice(), key)
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    /// key's path (for a present key, the leaf's values only: its keys stay shared); a
    /// full leaf splits (and so, rarely, its ancestors). Atomic: if a `Clone` or `Ord`
    /// panics, the map is unchanged.
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
            Some(path) if path.found => Some(mem::replace(self.value_mut_at(&path), value)),
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

    /// Replaces the stored key equal to `key` with `key` itself, or inserts it with
    /// `value`; returns the key it replaced. The set's `replace`.
    pub(super) fn replace_key(&mut self, key: K, value: V) -> Option<K> {
        match self.search(&key) {
            Some(path) if path.found => {
                let root = self.root.as_mut().expect("a path into a tree");
                let leaf = root.leaf_mut(&path);
                Some(mem::replace(
                    &mut node::make_mut(&mut leaf.keys)[path.pos],
                    key,
                ))
            }
            path => {
                self.insert_absent(path, key, value);
                None
            }
        }
    }

    /// The path to `key`, or `None` if the tree has no root.
    fn search(&self, key: &K) -> Option<Path> {
        self.root.as_ref().map(|root| root.search(key))
    }

    /// Inserts `key`, absent from the tree, at `path` (`None`: the tree has no root);
    /// returns the path to the new entry.
    pub(super) fn insert_absent(&mut self, path: Option<Path>, key: K, value: V) -> Path {
        let path = match (&mut self.root, path) {
            (Some(root), Some(path)) => root.insert(&path, key, value),
            _ => {
                let leaf = Leaf::singleton(key, value);
                self.root = Some(NodeRef::Leaf(Arc::new(leaf)));
                Path::new()
            }
        };
        self.len += 1;
        path
    }

    /// The value at `path` (an entry), made mutable by copying the shared nodes on the
    /// path (the leaf's values, not its keys).
    pub(super) fn value_mut_at(&mut self, path: &Path) -> &mut V {
        let root = self.root.as_mut().expect("a path into a tree");
        &mut root.leaf_mut(path).vals[path.pos]
    }

    /// Removes the entry for `key`; returns its value, or `None` (copying nothing) if
    /// the key is absent. O(log n): copies the shared nodes on the key's path and
    /// rebalances (steals from or merges with a sibling) where a node falls below half
    /// full. Atomic: if a `Clone` or `Ord` panics, the map is unchanged.
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
        path.found.then(|| self.remove_at(&path).0)
    }

    /// Removes the entry at `path`, which exists (see [`NodeRef::remove_at`]).
    pub(super) fn remove_at(&mut self, path: &Path) -> ((K, V), Path) {
        let root = self.root.as_mut().expect("a path into a nonempty tree");
        let removed = root.remove_at(path);
        self.len -= 1;
        removed
    }

    /// A mutable reference to the value for `key`, or `None` (copying nothing) if the
    /// key is absent. O(log n): copies the shared nodes on the key's path (the leaf's
    /// values, not its keys), so that the change is seen by this map only.
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
        let path = self.root.as_ref()?.search(key);
        path.found.then(|| self.value_mut_at(&path))
    }

    /// Removes and returns the entry with the smallest key. O(log n), as
    /// [`remove`](Self::remove), atomic, and compares no keys.
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
        self.first_entry().map(OccupiedEntry::remove_entry)
    }

    /// Removes and returns the entry with the largest key. O(log n), as
    /// [`pop_first`](Self::pop_first).
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
        self.last_entry().map(OccupiedEntry::remove_entry)
    }

    /// The entry for `key`, vacant or occupied, for in-place manipulation. O(log n): one
    /// search; the entry's writes copy what they change (std's `BTreeMap::entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut count: PersistentBTreeMap<&str, usize> = PersistentBTreeMap::new();
    /// for x in ["a", "b", "a", "c", "a", "b"] {
    ///     *count.entry(x).or_insert(0) += 1;
    /// }
    /// assert_eq!(count["a"], 3);
    /// assert_eq!(count["b"], 2);
    /// assert_eq!(count["c"], 1);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match self.search(&key) {
            Some(path) if path.found => Entry::Occupied(OccupiedEntry { path, map: self }),
            path => Entry::Vacant(VacantEntry {
                key,
                path,
                map: self,
            }),
        }
    }

    /// The entry with the smallest key, for in-place manipulation, or `None` if the
    /// map is empty. O(log n), no comparisons (std's `BTreeMap::first_entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, "a"), (2, "b")]);
    /// if let Some(mut entry) = map.first_entry() {
    ///     if *entry.key() > 0 {
    ///         entry.insert("first");
    ///     }
    /// }
    /// assert_eq!(*map.get(&1).unwrap(), "first");
    /// assert_eq!(*map.get(&2).unwrap(), "b");
    /// ```
    pub fn first_entry(&mut self) -> Option<OccupiedEntry<'_, K, V>> {
        let path = self.root.as_ref()?.edge_path(false)?;
        Some(OccupiedEntry { path, map: self })
    }

    /// The entry with the largest key, for in-place manipulation, or `None` if the map
    /// is empty. O(log n), no comparisons (std's `BTreeMap::last_entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, "a"), (2, "b")]);
    /// if let Some(entry) = map.last_entry() {
    ///     assert_eq!(entry.remove_entry(), (2, "b"));
    /// }
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn last_entry(&mut self) -> Option<OccupiedEntry<'_, K, V>> {
        let path = self.root.as_ref()?.edge_path(true)?;
        Some(OccupiedEntry { path, map: self })
    }

    /// Keeps only the entries for which `f` returns `true`, visiting them in key order
    /// (std's `retain`). O(n), a leaf at a time: `f` is asked about each entry of a leaf,
    /// then the rejected ones go together and the leaf is rebalanced once. Each leaf's
    /// values are copied if shared (`f` gets them mutably); its keys only if one of them
    /// goes, and then only the keys that stay. On an unshared map everything happens in
    /// place.
    ///
    /// If `f` panics, the entries it rejected before the panic are gone and every other
    /// entry stays, as with std's `BTreeMap`.
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
        extract::retain(self, &mut MutPred(|k: &K, v: &mut V| !f(k, v)));
    }

    /// [`retain`](Self::retain) with a predicate that reads the values: copies only the
    /// leaves that lose an entry (and the paths to them); on an unshared map, in place.
    /// For the concurrent cells, whose published values are immutable. Returns how many
    /// entries went.
    pub(crate) fn retain_ref<F>(&mut self, mut keep: F) -> usize
    where
        F: FnMut(&K, &V) -> bool,
    {
        let before = self.len;
        extract::retain(self, &mut RefPred(|k: &K, v: &V| !keep(k, v)));
        before - self.len
    }

    /// An iterator that visits the entries in `range` in key order, removes those for
    /// which `pred` returns `true` and yields them (std's `BTreeMap::extract_if`).
    /// Entries `pred` declines, and those the iterator has not reached when it is
    /// dropped, stay. `pred` may change the values it visits.
    ///
    /// Each step is O(1) amortized plus the rebalancing of a removal, O(log n) at
    /// worst; the leaves visited are copied if shared (values; keys only where an entry
    /// goes). The range's end is compared with each key visited; an unbounded end
    /// compares nothing. If `pred` panics, the entry it was asked about stays, as in
    /// std, and the iterator ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<i32, i32> = (0..8).map(|x| (x, x)).collect();
    /// let evens: PersistentBTreeMap<_, _> = map.extract_if(.., |k, _v| k % 2 == 0).collect();
    /// assert_eq!(evens.keys().copied().collect::<Vec<_>>(), [0, 2, 4, 6]);
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [1, 3, 5, 7]);
    ///
    /// let mut map: PersistentBTreeMap<i32, i32> = (0..8).map(|x| (x, x)).collect();
    /// let low: PersistentBTreeMap<_, _> = map.extract_if(0..4, |_k, _v| true).collect();
    /// assert_eq!(low.keys().copied().collect::<Vec<_>>(), [0, 1, 2, 3]);
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [4, 5, 6, 7]);
    /// ```
    pub fn extract_if<F, R>(&mut self, range: R, pred: F) -> ExtractIf<'_, K, V, R, F>
    where
        R: RangeBounds<K>,
        F: FnMut(&K, &mut V) -> bool,
    {
        ExtractIf {
            inner: Extraction::new(self, range),
            pred: MutPred(pred),
        }
    }

    /// A mutable iterator over the entries whose keys lie in `range`, in order (both
    /// ends), copying each leaf reached first if shared (values only). O(log n) to
    /// create (the two ends' paths are searched and copied), O(1) amortized per step
    /// (std's `BTreeMap::range_mut`).
    ///
    /// # Panics
    ///
    /// As [`range`](Self::range): if the start is greater than the end, or both are
    /// equal and excluded (std's messages), unless the map has no root node.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map: PersistentBTreeMap<&str, i32> =
    ///     [("Alice", 0), ("Bob", 0), ("Carol", 0), ("Cheryl", 0)].into();
    /// for (_, balance) in map.range_mut("B".."Cheryl") {
    ///     *balance += 100;
    /// }
    /// assert_eq!(map.values().copied().collect::<Vec<_>>(), [0, 100, 100, 0]);
    /// ```
    pub fn range_mut<Q, R>(&mut self, range: R) -> RangeMut<'_, K, V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        let inner = match self.root.as_mut() {
            None => RawIterMut::full(None),
            Some(root) => {
                let (start, end) = (range.start_bound(), range.end_bound());
                search::check_range(start, end, "BTreeMap");
                RawIterMut::range(root, start, end)
            }
        };
        RangeMut { inner }
    }

    /// Moves every entry of `other` into `self`, leaving `other` empty; for a key in
    /// both, `other`'s value replaces `self`'s (the stored key stays `self`'s), as in
    /// std's `BTreeMap::append`.
    ///
    /// O(n + m): the keys are merged in place first, then the entries move into a tree
    /// built bottom-up. Nodes either map shares with another version are copied (their
    /// entries cloned) before anything moves. O(1) if either map is empty. If a `Clone`
    /// or `Ord` panics, both maps are as they were.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut a = PersistentBTreeMap::from([(1, "a"), (2, "b"), (3, "c")]);
    /// let mut b = PersistentBTreeMap::from([(3, "d"), (4, "e"), (5, "f")]);
    /// a.append(&mut b);
    /// assert_eq!(a.len(), 5);
    /// assert_eq!(b.len(), 0);
    /// assert_eq!(a[&3], "d");
    /// assert_eq!(a.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    /// ```
    pub fn append(&mut self, other: &mut Self) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            mem::swap(self, other);
            return;
        }
        // Everything that may call user code first: the comparisons, the separators of
        // the result, the copies of shared nodes.
        let plan = split::merge_plan(self.keys(), other.keys(), self.len + other.len);
        let n = plan.len();
        let seps = node::leaf_separators(n, split::merged_keys(&plan, self.keys(), other.keys()));
        self.root.iter_mut().for_each(node::unshare_all);
        other.root.iter_mut().for_each(node::unshare_all);
        // Moves only, from here to the drops.
        let (a, b) = (self.root.take(), other.root.take());
        let (mut left, mut right) = (Vec::with_capacity(self.len), Vec::with_capacity(other.len));
        a.into_iter()
            .for_each(|root| node::drain_into(root, &mut left));
        b.into_iter()
            .for_each(|root| node::drain_into(root, &mut right));
        let mut replaced = Vec::new();
        let merged = split::merge_moves(&plan, left, right, &mut replaced);
        self.root = node::bulk_build(merged, n, seps);
        self.len = n;
        other.len = 0;
        drop(replaced);
    }

    /// Splits the map in two at `key`: `self` keeps the entries below it, the returned
    /// map gets those at or above it (std's `BTreeMap::split_off`).
    ///
    /// O(log n) to split (both halves share every node off the split path with the old
    /// tree; the path's leaf entries and separators are cloned) plus O(n / 16) to count
    /// the smaller half, as std's. If a `Clone` or `Ord` panics, the map is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut a = PersistentBTreeMap::from([(1, "a"), (2, "b"), (3, "c"), (17, "d"), (41, "e")]);
    /// let b = a.split_off(&3);
    /// assert_eq!(a.keys().copied().collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(b.keys().copied().collect::<Vec<_>>(), [3, 17, 41]);
    /// ```
    pub fn split_off<Q>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let Some(root) = self.root.as_ref().filter(|_| self.len > 0) else {
            return Self::new();
        };
        let path = root.search(key);
        let (left, right) = root.split_at(&path);
        let left_len = if left.as_child().height() <= right.as_child().height() {
            left.as_child().count_entries()
        } else {
            self.len - right.as_child().count_entries()
        };
        let right_len = self.len - left_len;
        self.root = Some(left);
        self.len = left_len;
        PersistentBTreeMap {
            root: Some(right),
            len: right_len,
        }
    }

    /// A map of `entries`, whose keys are strictly increasing. O(n).
    fn from_sorted(entries: Vec<(K, V)>) -> Self {
        let n = entries.len();
        let seps = node::leaf_separators(n, entries.iter().map(|(k, _)| k));
        PersistentBTreeMap {
            len: n,
            root: node::bulk_build(entries, n, seps),
        }
    }
}

impl<K: Clone, V: Clone> PersistentBTreeMap<K, V> {
    /// A mutable iterator over the entries in key order (double-ended, exact size):
    /// keys by reference, values by `&mut`. Each leaf reached is copied first if shared
    /// (its values; the keys stay shared), so the changes are seen by this map only.
    /// O(1) amortized per step (std's `BTreeMap::iter_mut`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([("a", 1), ("b", 2), ("c", 3)]);
    /// let before = map.clone();
    /// for (key, value) in map.iter_mut() {
    ///     if key != &"a" {
    ///         *value += 10;
    ///     }
    /// }
    /// assert_eq!(map.values().copied().collect::<Vec<_>>(), [1, 12, 13]);
    /// assert_eq!(before.values().copied().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let remaining = self.len;
        IterMut {
            inner: RawIterMut::full(self.root.as_mut()),
            remaining,
        }
    }

    /// A mutable iterator over the values in key order (double-ended, exact size),
    /// copying each leaf reached first if shared (values only). O(1) amortized per step
    /// (std's `BTreeMap::values_mut`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let mut map = PersistentBTreeMap::from([(1, String::from("hello")), (2, String::from("goodbye"))]);
    /// for value in map.values_mut() {
    ///     value.push_str("!");
    /// }
    /// assert_eq!(map.values().cloned().collect::<Vec<_>>(), ["hello!", "goodbye!"]);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut {
            inner: self.iter_mut(),
        }
    }

    /// The keys in order, moved out of the nodes no other version shares and cloned from
    /// the shared ones. O(n), collected up front (std's `BTreeMap::into_keys`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.into_keys().collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn into_keys(self) -> IntoKeys<K, V> {
        IntoKeys {
            inner: self.into_iter(),
        }
    }

    /// The values in key order, moved out of the nodes no other version shares and
    /// cloned from the shared ones. O(n), collected up front (std's
    /// `BTreeMap::into_values`).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeMap;
    ///
    /// let map = PersistentBTreeMap::from([(1, "hello"), (2, "goodbye")]);
    /// assert_eq!(map.into_values().collect::<Vec<_>>(), ["hello", "goodbye"]);
    /// ```
    pub fn into_values(self) -> IntoValues<K, V> {
        IntoValues {
            inner: self.into_iter(),
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
    /// Equal entries in the same order. O(n); O(1) if the lengths differ.
    ///
    /// Two versions that share their nodes are still compared entry by entry: `==` need
    /// not be reflexive (a map holding `f64::NAN` is not equal to its clone, as with
    /// std's `BTreeMap`), and without specialization the shortcut cannot be limited to
    /// `Eq` types the way `Arc`'s is.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
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

impl<'a, K: Clone, V: Clone> IntoIterator for &'a mut PersistentBTreeMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
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

#[cfg(test)]
mod tests {
    use super::PersistentBTreeMap;
    use crate::btree::node::{Child, NodeRef};

    /// The addresses of the leaves of a tree, in order.
    fn leaves<K, V>(root: &NodeRef<K, V>) -> Vec<*const ()> {
        fn walk<K, V>(node: Child<'_, K, V>, out: &mut Vec<*const ()>) {
            match node {
                Child::Leaf(leaf) => out.push(std::ptr::from_ref(leaf).cast()),
                Child::Internal(n) => {
                    (0..n.children.len()).for_each(|i| walk(n.children.get(i), out));
                }
            }
        }
        let mut out = Vec::new();
        walk(root.as_child(), &mut out);
        out
    }

    #[test]
    fn retain_ref_copies_only_the_leaves_it_changes() {
        let n = if cfg!(miri) { 200 } else { 5_000 };
        let old: PersistentBTreeMap<u32, u32> = (0..n).map(|k| (k, k)).collect();
        let mut new = old.clone();
        // Nothing goes: nothing is copied.
        assert_eq!(new.retain_ref(|_, _| true), 0);
        assert!(new.ptr_eq(&old));
        // Two entries far apart go: two leaves (and their paths) are copied, no other.
        assert_eq!(new.retain_ref(|&k, &v| k != 3 && v != n - 3), 2);
        new.check_invariants();
        let (a, b) = (
            leaves(old.root.as_ref().unwrap()),
            leaves(new.root.as_ref().unwrap()),
        );
        let shared = b.iter().filter(|p| a.contains(p)).count();
        assert_eq!(shared, a.len() - 2, "only the two changed leaves are new");
        assert_eq!(old.len(), n as usize);
        assert!(old.keys().copied().eq(0..n));
        // On an unshared map, in place: no leaf changes address.
        drop(old);
        let before = leaves(new.root.as_ref().unwrap());
        assert_eq!(new.retain_ref(|&k, _| k != 100), 1);
        assert_eq!(leaves(new.root.as_ref().unwrap()), before);
    }
}
