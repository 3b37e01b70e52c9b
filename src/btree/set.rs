//! [`PersistentBTreeSet`]: std's `BTreeSet` API over [`PersistentBTreeMap`] with `()`
//! values.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::FusedIterator;
use std::ops::RangeBounds;

use super::iter::{self, RawRange};
use super::map::PersistentBTreeMap;

/// An ordered set whose `clone()` is O(1) and whose writes copy only the path they
/// change: a [`PersistentBTreeMap`] with `()` values and std's
/// [`BTreeSet`](std::collections::BTreeSet) API.
///
/// Costs are the map's: `clone` O(1), `contains` O(log n), `insert`/`remove` O(log n)
/// copying only the shared nodes on the element's path, iteration O(1) per element.
/// Methods that change the set need `T: Clone`.
///
/// # Examples
///
/// ```
/// use cow_collections::PersistentBTreeSet;
///
/// let mut v1 = PersistentBTreeSet::new();
/// v1.insert("b");
/// v1.insert("a");
/// let mut v2 = v1.clone();
/// v2.insert("c");
/// assert_eq!(v1.iter().copied().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(v2.iter().copied().collect::<Vec<_>>(), ["a", "b", "c"]);
/// assert!(v1.is_subset(&v2));
/// ```
pub struct PersistentBTreeSet<T> {
    map: PersistentBTreeMap<T, ()>,
}

impl<T> PersistentBTreeSet<T> {
    /// The map underneath (elements as keys, `()` values).
    #[cfg(feature = "rayon")]
    pub(super) fn as_map(&self) -> &PersistentBTreeMap<T, ()> {
        &self.map
    }

    /// An empty set. Allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let set: PersistentBTreeSet<u8> = PersistentBTreeSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub const fn new() -> Self {
        PersistentBTreeSet {
            map: PersistentBTreeMap::new(),
        }
    }

    /// The number of elements. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// assert_eq!(PersistentBTreeSet::from([1, 2, 2]).len(), 2);
    /// ```
    pub const fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set has no elements. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// assert!(PersistentBTreeSet::<u8>::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Removes every element. O(1) for this value (shared nodes stay with other clones).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::from([1]);
    /// set.clear();
    /// assert!(set.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Whether `self` and `other` are the same version (share their root). O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1]);
    /// assert!(a.ptr_eq(&a.clone()));
    /// assert!(!a.ptr_eq(&PersistentBTreeSet::from([1])));
    /// ```
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.map.ptr_eq(&other.map)
    }

    /// An iterator over the elements in order (double-ended, exact size). O(log n) to
    /// create, O(1) amortized per step.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let set = PersistentBTreeSet::from([3, 1, 2]);
    /// assert_eq!(set.iter().rev().copied().collect::<Vec<_>>(), [3, 2, 1]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// The smallest element. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// assert_eq!(PersistentBTreeSet::from([2, 1]).first(), Some(&1));
    /// ```
    pub fn first(&self) -> Option<&T> {
        self.map.first_key_value().map(|(k, _)| k)
    }

    /// The largest element. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// assert_eq!(PersistentBTreeSet::from([2, 1]).last(), Some(&2));
    /// ```
    pub fn last(&self) -> Option<&T> {
        self.map.last_key_value().map(|(k, _)| k)
    }
}

impl<T: Ord> PersistentBTreeSet<T> {
    /// Whether the set contains `value`. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let set = PersistentBTreeSet::from(["a".to_string()]);
    /// assert!(set.contains("a"));
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`, or `None`. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let set = PersistentBTreeSet::from(["a".to_string()]);
    /// assert_eq!(set.get("a").map(String::as_str), Some("a"));
    /// ```
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.get_key_value(value).map(|(k, _)| k)
    }

    /// A double-ended iterator over the elements in `range`, in order. O(log n) to
    /// create.
    ///
    /// # Panics
    ///
    /// If the range's start is greater than its end, or start and end are equal and
    /// both excluded, with std's messages ("range start is greater than range end in
    /// BTreeSet", "range start and end are equal and excluded in BTreeSet"); skipped, as
    /// std does, while the set has no root node (from `new` or `clear` until the first
    /// insert).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let set: PersistentBTreeSet<u32> = (0..10).collect();
    /// assert_eq!(set.range(3..6).copied().collect::<Vec<_>>(), [3, 4, 5]);
    /// assert_eq!(set.range(8..).next_back(), Some(&9));
    /// ```
    pub fn range<Q, R>(&self, range: R) -> Range<'_, T>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        Range {
            inner: self.map.raw_range(&range, "BTreeSet"),
        }
    }

    /// Whether every element of `self` is in `other`. O(n log m); O(1) if both are the
    /// same version.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let small = PersistentBTreeSet::from([1, 2]);
    /// let big = PersistentBTreeSet::from([1, 2, 3]);
    /// assert!(small.is_subset(&big));
    /// assert!(!big.is_subset(&small));
    /// ```
    pub fn is_subset(&self, other: &Self) -> bool {
        self.ptr_eq(other) || (self.len() <= other.len() && self.iter().all(|x| other.contains(x)))
    }

    /// Whether every element of `other` is in `self`. O(m log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// assert!(PersistentBTreeSet::from([1, 2]).is_superset(&PersistentBTreeSet::from([2])));
    /// ```
    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }

    /// Whether `self` and `other` have no element in common. O(min(n, m) log max(n, m)).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1, 2]);
    /// assert!(a.is_disjoint(&PersistentBTreeSet::from([3])));
    /// assert!(!a.is_disjoint(&PersistentBTreeSet::from([2, 3])));
    /// ```
    pub fn is_disjoint(&self, other: &Self) -> bool {
        let (small, big) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        !small.iter().any(|x| big.contains(x))
    }

    /// Checks the tree's invariants (see [`PersistentBTreeMap`]'s); panics on the first
    /// one broken. O(n).
    #[doc(hidden)]
    pub fn check_invariants(&self) {
        self.map.check_invariants();
    }
}

impl<T: Ord + Clone> PersistentBTreeSet<T> {
    /// Adds `value`; returns whether it was absent (a present element is kept, not
    /// replaced). O(log n): copies the shared nodes on the element's path; a present
    /// element copies nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::new();
    /// assert!(set.insert(1));
    /// assert!(!set.insert(1));
    /// ```
    pub fn insert(&mut self, value: T) -> bool {
        self.map.insert_if_absent(value, ())
    }

    /// Removes `value`; returns whether it was present. O(log n), copying nothing if it
    /// was absent.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::from([1]);
    /// assert!(set.remove(&1));
    /// assert!(!set.remove(&1));
    /// ```
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::from([1]);
    /// assert_eq!(set.take(&1), Some(1));
    /// assert!(set.is_empty());
    /// ```
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.remove_entry(value).map(|(k, ())| k)
    }

    /// Removes and returns the smallest element. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::from([2, 1]);
    /// assert_eq!(set.pop_first(), Some(1));
    /// ```
    pub fn pop_first(&mut self) -> Option<T> {
        self.map.pop_first().map(|(k, ())| k)
    }

    /// Removes and returns the largest element. O(log n).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::from([2, 1]);
    /// assert_eq!(set.pop_last(), Some(2));
    /// ```
    pub fn pop_last(&mut self) -> Option<T> {
        self.map.pop_last().map(|(k, ())| k)
    }

    /// Keeps only the elements for which `f` returns `true`, visiting them in order.
    /// O(n): rebuilds the set bottom-up (see [`PersistentBTreeMap::retain`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set: PersistentBTreeSet<u32> = (0..6).collect();
    /// set.retain(|&x| x % 2 == 1);
    /// assert_eq!(set.iter().copied().collect::<Vec<_>>(), [1, 3, 5]);
    /// ```
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut f: F) {
        self.map.retain(|k, ()| f(k));
    }
}

impl<T> Clone for PersistentBTreeSet<T> {
    /// Another handle to the same version: O(1).
    fn clone(&self) -> Self {
        PersistentBTreeSet {
            map: self.map.clone(),
        }
    }
}

impl<T> Default for PersistentBTreeSet<T> {
    /// An empty set.
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for PersistentBTreeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: PartialEq> PartialEq for PersistentBTreeSet<T> {
    /// Equal elements. O(1) for the same version, O(n) otherwise.
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<T: Eq> Eq for PersistentBTreeSet<T> {}

impl<T: PartialOrd> PartialOrd for PersistentBTreeSet<T> {
    /// Lexicographic order of the element sequences, as std's.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<T: Ord> Ord for PersistentBTreeSet<T> {
    /// Lexicographic order of the element sequences, as std's.
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<T: Hash> Hash for PersistentBTreeSet<T> {
    /// Hashes the length, then each element in order (what std's `BTreeSet` feeds the
    /// hasher).
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for x in self {
            x.hash(state);
        }
    }
}

impl<T: Ord + Clone> FromIterator<T> for PersistentBTreeSet<T> {
    /// Builds the tree bottom-up in O(n) for strictly increasing input, after a sort
    /// otherwise.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        PersistentBTreeSet {
            map: iter.into_iter().map(|x| (x, ())).collect(),
        }
    }
}

impl<T: Ord + Clone, const N: usize> From<[T; N]> for PersistentBTreeSet<T> {
    /// A set of the array's elements.
    fn from(values: [T; N]) -> Self {
        values.into_iter().collect()
    }
}

impl<T: Ord + Clone> Extend<T> for PersistentBTreeSet<T> {
    /// Inserts every element, as [`insert`](PersistentBTreeSet::insert) does.
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.insert(x);
        }
    }
}

impl<'a, T: Ord + Copy + 'a> Extend<&'a T> for PersistentBTreeSet<T> {
    /// Inserts a copy of every element.
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

impl<'a, T> IntoIterator for &'a PersistentBTreeSet<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Clone> IntoIterator for PersistentBTreeSet<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    /// The elements in order, moved out of unshared nodes, cloned from shared ones.
    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            inner: self.map.into_iter(),
        }
    }
}

/// An iterator over the elements of a [`PersistentBTreeSet`], in order (both ends).
pub struct Iter<'a, T> {
    inner: iter::Keys<'a, T, ()>,
}

/// An iterator over a sub-range of the elements of a [`PersistentBTreeSet`], in order
/// (both ends). Made by [`PersistentBTreeSet::range`].
pub struct Range<'a, T> {
    inner: RawRange<'a, T, ()>,
}

/// An owning iterator over the elements of a [`PersistentBTreeSet`], in order.
pub struct IntoIter<T> {
    inner: iter::IntoIter<T, ()>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }

    fn last(mut self) -> Option<&'a T> {
        self.next_back()
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}
impl<T> FusedIterator for Iter<'_, T> {}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'a, T> Iterator for Range<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.inner.next().map(|(k, ())| k)
    }

    fn last(mut self) -> Option<&'a T> {
        self.next_back()
    }
}

impl<T> DoubleEndedIterator for Range<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(k, ())| k)
    }
}

impl<T> FusedIterator for Range<'_, T> {}

impl<T> Clone for Range<'_, T> {
    fn clone(&self) -> Self {
        Range {
            inner: self.inner.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Range<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.inner.next().map(|(k, ())| k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> DoubleEndedIterator for IntoIter<T> {
    fn next_back(&mut self) -> Option<T> {
        self.inner.next_back().map(|(k, ())| k)
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}
impl<T> FusedIterator for IntoIter<T> {}

impl<T: fmt::Debug> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.inner).finish()
    }
}
