//! [`CowBTreeSet`]: a copy-on-write ordered set whose writes copy O(log n) nodes.

use core::borrow::Borrow;

use super::facade::cow_facade;
use crate::{CowCell, PersistentBTreeSet, ReadAs};

/// A concurrent copy-on-write ordered set: [`CowSet`](crate::CowSet)'s API over a
/// [`PersistentBTreeSet`], for large or often-written sets, or sets read in order.
///
/// Reads are lock-free snapshots; `read()` and `snapshot()` deref to the persistent
/// set (`set.read().range(a..b)`, in order, one version). A write clones the current
/// version in O(1), changes the clone, which copies only the O(log n) nodes on the
/// element's path, and publishes it in one atomic swap. Writes that change nothing
/// (inserting a present element, removing an absent one) copy and publish nothing.
/// Iteration is in `Ord` order, not insertion order (`CowSet`'s).
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

cow_facade!(
    CowBTreeSet<T> => PersistentBTreeSet<T>;
    "CowBTreeSet::from([1, 2, 3])";
    "{ let n = v.len() as i32 + 100; v.insert(n); }";
    "an O(1) copy: the root is shared, and each change copies only the O(log n) nodes on its path, a shared node at most once"
);

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

impl<T: Ord> CowBTreeSet<T> {
    /// Whether the current version contains `value`. Lock-free, O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from([String::from("a")]);
    /// assert!(s.contains("a")); // borrowed lookups work
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Ord,
    {
        self.read().contains(value)
    }

    /// A clone of the smallest element, or `None` if empty. Lock-free, O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// assert_eq!(CowBTreeSet::from([3, 1, 2]).first(), Some(1));
    /// ```
    pub fn first(&self) -> Option<T>
    where
        T: Clone,
    {
        self.read().first().cloned()
    }

    /// A clone of the largest element, or `None` if empty. Lock-free, O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// assert_eq!(CowBTreeSet::from([3, 1, 2]).last(), Some(3));
    /// ```
    pub fn last(&self) -> Option<T>
    where
        T: Clone,
    {
        self.read().last().cloned()
    }

    /// Whether every element of this set is in `other`: another `CowBTreeSet`, a
    /// snapshot or read guard of one, or a `PersistentBTreeSet` (anything that
    /// [`ReadAs`] one). Reads each current version once, lock-free; O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let small = CowBTreeSet::from([1, 2]);
    /// let big = CowBTreeSet::from([1, 2, 3]);
    /// assert!(small.is_subset(&big));
    /// assert!(small.is_subset(&big.snapshot()));
    /// assert!(!big.is_subset(&small.read()));
    /// ```
    pub fn is_subset(&self, other: &impl ReadAs<PersistentBTreeSet<T>>) -> bool {
        other.read_as(|other| self.read().is_subset(other))
    }

    /// Whether every element of `other` is in this set (Java's `containsAll`). `other`
    /// as for [`is_subset`](Self::is_subset). Lock-free; O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let big = CowBTreeSet::from([1, 2, 3]);
    /// assert!(big.is_superset(&CowBTreeSet::from([3, 1])));
    /// assert!(!big.is_superset(&CowBTreeSet::from([4])));
    /// ```
    pub fn is_superset(&self, other: &impl ReadAs<PersistentBTreeSet<T>>) -> bool {
        other.read_as(|other| self.read().is_superset(other))
    }

    /// Whether this set and `other` have no element in common. `other` as for
    /// [`is_subset`](Self::is_subset). Lock-free; O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let a = CowBTreeSet::from([1, 2]);
    /// assert!(a.is_disjoint(&CowBTreeSet::from([3])));
    /// assert!(!a.is_disjoint(&CowBTreeSet::from([2, 3]).read()));
    /// ```
    pub fn is_disjoint(&self, other: &impl ReadAs<PersistentBTreeSet<T>>) -> bool {
        other.read_as(|other| self.read().is_disjoint(other))
    }
}

impl<T: Ord + Clone> CowBTreeSet<T> {
    /// Adds `value`; returns whether it was absent. The check and the insert are one
    /// atomic step. No copy when present; otherwise O(log n) path copy and one publish.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::new();
    /// assert!(s.insert(1));
    /// assert!(!s.insert(1));
    /// assert_eq!(s.version(), 1);
    /// ```
    pub fn insert(&self, value: T) -> bool {
        self.cell.write_with("CowBTreeSet::insert", |current| {
            if current.contains(&value) {
                return (None, false);
            }
            let mut next = current.clone();
            next.insert(value);
            (Some(next), true)
        })
    }

    /// Removes `value`; returns whether it was present. No copy when absent; otherwise
    /// O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from(["a", "b", "c"]);
    /// assert!(s.remove("b"));
    /// assert!(!s.remove("b"));
    /// assert_eq!(s.read().iter().copied().collect::<Vec<_>>(), ["a", "c"]);
    /// ```
    pub fn remove<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Ord,
    {
        self.cell.write_with("CowBTreeSet::remove", |current| {
            let mut next = current.clone();
            if next.remove(value) {
                (Some(next), true)
            } else {
                (None, false) // nothing was copied
            }
        })
    }

    /// Keeps only the elements for which `keep` returns `true`. `keep` runs once per
    /// element, in order, on the current version; publishes nothing if every element is
    /// kept. Otherwise O(log n) per removed element, or one O(n) rebuild when more than
    /// a quarter of the elements go.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from_iter(1..=6);
    /// s.retain(|x| x % 3 == 0);
    /// assert_eq!(s.read().iter().copied().collect::<Vec<_>>(), [3, 6]);
    /// ```
    pub fn retain(&self, mut keep: impl FnMut(&T) -> bool) {
        self.cell.write_with("CowBTreeSet::retain", |current| {
            let decisions: Vec<bool> = current.iter().map(&mut keep).collect();
            let removed = decisions.iter().filter(|&&kept| !kept).count();
            if removed == 0 {
                return (None, ());
            }
            let next = if removed * 4 <= current.len() {
                let mut next = current.clone();
                for (value, _) in current.iter().zip(&decisions).filter(|(_, &kept)| !kept) {
                    next.remove(value);
                }
                next
            } else {
                current
                    .iter()
                    .zip(decisions)
                    .filter(|&(_, kept)| kept)
                    .map(|(value, _)| value.clone())
                    .collect()
            };
            (Some(next), ())
        });
    }

    /// Removes every element; publishes nothing if already empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from([1, 2]);
    /// s.clear();
    /// assert!(s.is_empty());
    /// ```
    pub fn clear(&self) {
        self.cell.write_with("CowBTreeSet::clear", |current| {
            ((!current.is_empty()).then(PersistentBTreeSet::new), ())
        });
    }

    /// Adds every element of `values` that is absent. The iterator is consumed before
    /// the lock is taken; then at most one transaction and one publish (none if nothing
    /// is new). Java's `addAll`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from([1]);
    /// s.extend([1, 2, 3]);
    /// assert_eq!(s.len(), 3);
    /// assert_eq!(s.version(), 1);
    /// s.extend([3, 2]);
    /// assert_eq!(s.version(), 1); // nothing new
    /// ```
    pub fn extend(&self, values: impl IntoIterator<Item = T>) {
        let values: Vec<T> = values.into_iter().collect();
        self.cell.write_with("CowBTreeSet::extend", |current| {
            if values.iter().all(|value| current.contains(value)) {
                return (None, ());
            }
            let mut next = current.clone();
            next.extend(values);
            (Some(next), ())
        });
    }

    /// Removes and returns the smallest element; publishes nothing if empty. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from([2, 1]);
    /// assert_eq!(s.pop_first(), Some(1));
    /// assert_eq!(s.pop_first(), Some(2));
    /// assert_eq!(s.pop_first(), None);
    /// ```
    pub fn pop_first(&self) -> Option<T> {
        self.cell.write_with("CowBTreeSet::pop_first", |current| {
            if current.is_empty() {
                return (None, None);
            }
            let mut next = current.clone();
            let first = next.pop_first();
            (Some(next), first)
        })
    }

    /// Removes and returns the largest element; publishes nothing if empty. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    ///
    /// let s = CowBTreeSet::from([2, 1]);
    /// assert_eq!(s.pop_last(), Some(2));
    /// assert_eq!(s.len(), 1);
    /// ```
    pub fn pop_last(&self) -> Option<T> {
        self.cell.write_with("CowBTreeSet::pop_last", |current| {
            if current.is_empty() {
                return (None, None);
            }
            let mut next = current.clone();
            let last = next.pop_last();
            (Some(next), last)
        })
    }
}

impl<T> Default for CowBTreeSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Ord + Clone> FromIterator<T> for CowBTreeSet<T> {
    /// Builds the set as version 0; a sorted input is built bottom-up in O(n).
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from(PersistentBTreeSet::from_iter(iter))
    }
}

impl<T: Ord + Clone, const N: usize> From<[T; N]> for CowBTreeSet<T> {
    fn from(array: [T; N]) -> Self {
        Self::from(PersistentBTreeSet::from(array))
    }
}

impl<T: Ord + Clone> Extend<T> for CowBTreeSet<T> {
    /// At most one transaction and one publish per call; see [`CowBTreeSet::extend`].
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        CowBTreeSet::extend(self, iter);
    }
}

impl<'a, T: Ord + Copy + 'a> Extend<&'a T> for CowBTreeSet<T> {
    /// Copies the elements in, like `BTreeSet`'s `Extend<&T>`.
    ///
    /// ```
    /// let mut s = cow_collections::CowBTreeSet::from([1]);
    /// Extend::extend(&mut s, &[1, 2]);
    /// assert_eq!(s.len(), 2);
    /// ```
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        CowBTreeSet::extend(self, iter.into_iter().copied());
    }
}

impl<T: PartialEq> PartialEq for CowBTreeSet<T> {
    /// Set equality of the current contents.
    fn eq(&self, other: &Self) -> bool {
        *self.read() == *other.read()
    }
}

impl<T: Eq> Eq for CowBTreeSet<T> {}
