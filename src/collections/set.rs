//! [`CowSet`]: a copy-on-write set, Java's `CopyOnWriteArraySet`.

use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use indexmap::{Equivalent, IndexSet};

use super::facade::cow_facade;
use crate::{CowCell, ReadAs};

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
/// # Which set
///
/// `CowSet` copies every element on a write (O(n)) and answers `contains` with one hash
/// lookup; [`CowBTreeSet`](crate::CowBTreeSet) copies one root-to-leaf path (O(log n)),
/// searches a tree, and iterates in order. Pick `CowSet` for small sets written rarely,
/// `CowBTreeSet` for large sets, sets written often, or sets read in order (README,
/// "Which type", has the measured crossover).
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

cow_facade!(CowSet<T, S> => IndexSet<T, S>; "CowSet::from([1, 2, 3])"; "{ let n = v.len() + 100; v.insert(n); }"; "one O(n) copy of every element");

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

impl<T: Hash + Eq, S: BuildHasher> CowSet<T, S> {
    /// Whether the current version contains `value`. Lock-free, O(1) expected.
    ///
    /// # Differences from Java
    ///
    /// O(1) with `Hash + Eq`; Java's `CopyOnWriteArraySet.contains` scans, O(n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s = CowSet::from([String::from("a")]);
    /// assert!(s.contains("a")); // borrowed lookups work
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.read().contains(value)
    }

    /// Whether every element of this set is in `other`: another `CowSet`, a snapshot or
    /// read guard of one, or an `IndexSet` (anything that [`ReadAs`] an `IndexSet`).
    /// Reads each current version once, lock-free; O(n) lookups in `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let small = CowSet::from([1, 2]);
    /// let big = CowSet::from([1, 2, 3]);
    /// assert!(small.is_subset(&big));
    /// assert!(small.is_subset(&big.read()));
    /// assert!(small.is_subset(&big.snapshot()));
    /// assert!(small.is_subset(&indexmap::IndexSet::from([1, 2, 9])));
    /// assert!(!big.is_subset(&small));
    /// ```
    pub fn is_subset<S2: BuildHasher>(&self, other: &impl ReadAs<IndexSet<T, S2>>) -> bool {
        other.read_as(|other| self.read().is_subset(other))
    }

    /// Whether every element of `other` is in this set (Java's `containsAll`). `other` as
    /// for [`is_subset`](Self::is_subset). Lock-free; O(m) lookups in this set.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let big = CowSet::from([1, 2, 3]);
    /// assert!(big.is_superset(&CowSet::from([3, 1])));
    /// assert!(big.is_superset(&CowSet::from([3, 1]).snapshot()));
    /// assert!(!big.is_superset(&CowSet::from([4])));
    /// ```
    pub fn is_superset<S2: BuildHasher>(&self, other: &impl ReadAs<IndexSet<T, S2>>) -> bool {
        other.read_as(|other| self.read().is_superset(other))
    }

    /// Whether this set and `other` have no element in common. `other` as for
    /// [`is_subset`](Self::is_subset). Lock-free; O(min(n, m)) lookups.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let a = CowSet::from([1, 2]);
    /// assert!(a.is_disjoint(&CowSet::from([3])));
    /// assert!(!a.is_disjoint(&CowSet::from([2, 3]).read()));
    /// ```
    pub fn is_disjoint<S2: BuildHasher>(&self, other: &impl ReadAs<IndexSet<T, S2>>) -> bool {
        other.read_as(|other| self.read().is_disjoint(other))
    }
}

impl<T, S> CowSet<T, S>
where
    T: Clone + Hash + Eq,
    S: BuildHasher + Clone,
{
    /// Adds `value`; returns whether it was absent. The check and the insert are one
    /// atomic step. No copy when present; otherwise one O(n) copy and one publish.
    /// Java's `add`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s = CowSet::new();
    /// assert!(s.insert(1));
    /// assert!(!s.insert(1));
    /// ```
    pub fn insert(&self, value: T) -> bool {
        self.cell.write_with("CowSet::insert", |current| {
            if current.contains(&value) {
                return (None, false);
            }
            let mut next = current.clone();
            next.insert(value);
            (Some(next), true)
        })
    }

    /// Removes `value`, keeping the order of the rest; returns whether it was present.
    /// No copy when absent; otherwise one O(n) copy. Java's `remove`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s = CowSet::from(["a", "b", "c"]);
    /// assert!(s.remove("b"));
    /// assert!(!s.remove("b"));
    /// assert_eq!(s.read().iter().copied().collect::<Vec<_>>(), ["a", "c"]);
    /// ```
    pub fn remove<Q>(&self, value: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.cell.write_with("CowSet::remove", |current| {
            if !current.contains(value) {
                return (None, false);
            }
            let mut next = current.clone();
            next.shift_remove(value);
            (Some(next), true)
        })
    }

    /// Keeps only the elements for which `keep` returns `true`, in order. `keep` runs on
    /// the current version; publishes nothing if every element is kept; otherwise one
    /// O(n) copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s = CowSet::<_>::from_iter(1..=6);
    /// s.retain(|x| x % 3 == 0);
    /// assert_eq!(s.read().iter().copied().collect::<Vec<_>>(), [3, 6]);
    /// ```
    pub fn retain(&self, mut keep: impl FnMut(&T) -> bool) {
        self.cell.write_with("CowSet::retain", |current| {
            let mut next =
                IndexSet::with_capacity_and_hasher(current.len(), current.hasher().clone());
            next.extend(current.iter().filter(|x| keep(x)).cloned());
            let changed = next.len() != current.len();
            (changed.then_some(next), ())
        });
    }

    /// Removes every element; publishes nothing if already empty. O(1) plus dropping the
    /// old version once no snapshot holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s = CowSet::from([1, 2]);
    /// s.clear();
    /// assert!(s.is_empty());
    /// ```
    pub fn clear(&self) {
        self.cell.write_with("CowSet::clear", |current| {
            let next =
                (!current.is_empty()).then(|| IndexSet::with_hasher(current.hasher().clone()));
            (next, ())
        });
    }

    /// Adds every element of `values` that is absent, in order. The iterator is consumed
    /// before the lock is taken; then at most one O(n + m) copy and one publish (none if
    /// nothing is new). Java's `addAll`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    ///
    /// let s = CowSet::from([1]);
    /// s.extend([1, 2, 3]);
    /// assert_eq!(s.len(), 3);
    /// assert_eq!(s.version(), 1);
    /// ```
    pub fn extend(&self, values: impl IntoIterator<Item = T>) {
        let values: Vec<T> = values.into_iter().collect();
        self.cell.write_with("CowSet::extend", |current| {
            if values.iter().all(|value| current.contains(value)) {
                return (None, ());
            }
            let mut next = current.clone();
            next.extend(values);
            (Some(next), ())
        });
    }
}

impl<T, S: Default> Default for CowSet<T, S> {
    fn default() -> Self {
        Self::from(IndexSet::default())
    }
}

impl<T: Hash + Eq, S: BuildHasher + Default> FromIterator<T> for CowSet<T, S> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from(IndexSet::from_iter(iter))
    }
}

impl<T: Hash + Eq, const N: usize> From<[T; N]> for CowSet<T> {
    fn from(array: [T; N]) -> Self {
        Self::from(IndexSet::from(array))
    }
}

impl<T, S> Extend<T> for CowSet<T, S>
where
    T: Clone + Hash + Eq,
    S: BuildHasher + Clone,
{
    /// One copy and one publish per call; see [`CowSet::extend`].
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        CowSet::extend(self, iter);
    }
}

impl<'a, T, S> Extend<&'a T> for CowSet<T, S>
where
    T: Copy + Hash + Eq + 'a,
    S: BuildHasher + Clone,
{
    /// Copies the elements in, like `IndexSet`'s `Extend<&T>`; at most one copy and one
    /// publish per call.
    ///
    /// ```
    /// let mut s = cow_collections::CowSet::from([1]);
    /// Extend::extend(&mut s, &[1, 2]);
    /// assert_eq!(s.len(), 2);
    /// ```
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        CowSet::extend(self, iter.into_iter().copied());
    }
}

impl<T, S1, S2> PartialEq<CowSet<T, S2>> for CowSet<T, S1>
where
    T: Hash + Eq,
    S1: BuildHasher,
    S2: BuildHasher,
{
    /// Set equality of the current contents, ignoring order (as Java's `equals`).
    fn eq(&self, other: &CowSet<T, S2>) -> bool {
        *self.read() == *other.read()
    }
}

impl<T: Hash + Eq, S: BuildHasher> Eq for CowSet<T, S> {}
