//! [`CowBTreeSet`]: a copy-on-write ordered set whose writes copy O(log n) nodes.

use core::borrow::Borrow;

use super::facade::cow_facade;
use super::set_facade::set_facade;
use crate::{CowCell, PersistentBTreeSet};

/// A concurrent copy-on-write ordered set: [`CowSet`](crate::CowSet)'s API over a
/// [`PersistentBTreeSet`], for large or often-written sets, or sets read in order.
///
/// Reads are lock-free snapshots; `read()` and `snapshot()` deref to the persistent
/// set (`set.read().range(a..b)`, in order, one version). A write clones the current
/// version in O(1), changes the clone, which copies only the O(log n) nodes on the
/// element's path, and publishes it in one atomic swap. Writes that change nothing
/// (inserting a present element, removing an absent one) copy and publish nothing.
/// Iteration is in `Ord` order, not insertion order (`CowSet`'s); see
/// [which type](crate#which-type).
///
/// # Examples
///
/// ```
/// use cow_collections::CowBTreeSet;
///
/// let banned = CowBTreeSet::new();
/// assert!(banned.insert("10.0.0.7"));
/// assert!(banned.insert("10.0.0.3"));
/// assert!(!banned.insert("10.0.0.7")); // present: no copy, no publish
/// assert_eq!(banned.version(), 2);
/// assert_eq!(banned.first().as_deref(), Some("10.0.0.3"));
/// let all: Vec<_> = banned.snapshot().iter().copied().collect();
/// assert_eq!(all, ["10.0.0.3", "10.0.0.7"]);
/// ```
pub struct CowBTreeSet<T> {
    cell: CowCell<PersistentBTreeSet<T>>,
}

cow_facade! {
    CowBTreeSet<T> => PersistentBTreeSet<T>;
    example: "CowBTreeSet::from([1, 2, 3])";
    change: "{ let n = v.len() as i32 + 100; v.insert(n); }";
    copy: "an O(1) copy: the root is shared, and each change copies only the O(log n) nodes on its path, a shared node at most once";
    item: T where [T: Ord + Clone];
    borrowed: &'a T where [T: Ord + Copy + 'a] copied by |x: &T| *x;
    eq: <T> CowBTreeSet<T> => PersistentBTreeSet<T>, CowBTreeSet<T> => PersistentBTreeSet<T>;
}

set_facade! {
    CowBTreeSet<T> => PersistentBTreeSet<T>;
    read: [T: Ord];
    write: [T: Ord + Clone];
    lookup: [T: Borrow<Q>, Q: ?Sized + Ord];
    relations: <> PersistentBTreeSet<T>;
    order: "order (the smallest first)";
    java: first "`first` (`SortedSet`)", last "`last`";
    costs: lookup "O(log n)", end "O(log n)", relation "O(n + m)",
        copy "an O(log n) path copy",
        retain "O(log n) per removed element, or one O(n) rebuild when more than a \
            quarter of the elements go",
        extend "at most one transaction, each shared node copied at most once";
    pops: [
        pop_first => pop_first, "the smallest element", "`pollFirst` (`NavigableSet`)", "1";
        pop_last => pop_last, "the largest element", "`pollLast`", "3";
    ];
}

impl<T> CowBTreeSet<T> {
    /// An empty set (version 0). Allocates one `Arc`, no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s: CowBTreeSet<u32> = CowBTreeSet::new();
    /// assert!(s.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::from(PersistentBTreeSet::new())
    }
}
