//! [`CowSet`]: a copy-on-write set, Java's `CopyOnWriteArraySet`.

use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use indexmap::{Equivalent, IndexSet};

use super::facade::cow_facade;
use super::set_facade::set_facade;
use crate::CowCell;

/// A concurrent copy-on-write set: Java's `CopyOnWriteArraySet` for Rust.
///
/// Backed by an [`indexmap::IndexSet`]: iteration is in insertion order, as in Java,
/// while [`contains`](Self::contains) is O(1) instead of Java's O(n) scan. Reads are
/// lock-free snapshots; every write that changes the set copies it (O(n)), changes the
/// copy and publishes it in one atomic swap. Writes that change nothing (inserting a
/// present value, removing an absent one) copy and publish nothing.
///
/// Equality is set equality: order does not matter, as in Java's `AbstractSet.equals`.
///
/// For large sets, sets written often or read in order, see
/// [`CowBTreeSet`](crate::CowBTreeSet) and [which type](crate#which-type).
///
/// # Examples
///
/// ```
/// use cow_collections::CowSet;
///
/// let subscribers = CowSet::new();
/// assert!(subscribers.insert("alice"));
/// assert!(subscribers.insert("bob"));
/// assert!(!subscribers.insert("alice")); // present: no copy, no publish
/// assert_eq!(subscribers.version(), 2);
/// let names: Vec<_> = subscribers.snapshot().iter().copied().collect();
/// assert_eq!(names, ["alice", "bob"]); // insertion order
/// ```
pub struct CowSet<T, S = RandomState> {
    cell: CowCell<IndexSet<T, S>>,
}

cow_facade! {
    CowSet<T, S> => IndexSet<T, S>;
    example: "CowSet::from([1, 2, 3])";
    change: "{ let n = v.len() + 100; v.insert(n); }";
    copy: "one O(n) copy of every element";
    item: T where [T: Clone + Hash + Eq, S: BuildHasher + Clone];
    borrowed: &'a T where [T: Copy + Hash + Eq + 'a, S: BuildHasher + Clone] copied by |x: &T| *x;
    eq: <T, S1, S2> CowSet<T, S1> => IndexSet<T, S1>, CowSet<T, S2> => IndexSet<T, S2>;
}

set_facade! {
    CowSet<T, S> => IndexSet<T, S>;
    read: [T: Hash + Eq, S: BuildHasher];
    write: [T: Clone + Hash + Eq, S: BuildHasher + Clone];
    lookup: [Q: ?Sized + Hash + Equivalent<T>];
    relations: <S2: BuildHasher> IndexSet<T, S2>;
    order: "insertion order";
    java: first "`getFirst` (`SequencedCollection`)", last "`getLast`";
    costs: lookup "O(1) expected", end "O(1)",
        relation "O(n + m) hash lookups at most (one per element of the side checked)",
        copy "one O(n) copy", retain "one O(n) copy of the kept elements",
        extend "at most one O(n + m) copy";
    pops: [
        pop => pop_last, "the last element in insertion order (the last one inserted)",
            "`removeLast` (`SequencedCollection`)", "3";
    ];
}

impl<T> CowSet<T> {
    /// An empty set with the default hasher (version 0). Allocates one `Arc`, no
    /// elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s: CowSet<u32> = CowSet::new();
    /// assert!(s.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }
}

impl<T, S> CowSet<T, S> {
    /// An empty set that hashes with `hasher` (version 0). Allocates one `Arc`, no
    /// elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    /// use std::hash::RandomState;
    ///
    /// let s = CowSet::with_hasher(RandomState::new());
    /// s.insert(1);
    /// assert!(s.contains(&1));
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        Self::from(IndexSet::with_hasher(hasher))
    }
}
