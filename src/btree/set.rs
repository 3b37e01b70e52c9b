//! [`PersistentBTreeSet`]: std's `BTreeSet` API over [`PersistentBTreeMap`] with `()`
//! values.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::FusedIterator;
use std::ops::{BitAnd, BitOr, BitXor, RangeBounds, Sub};

use super::extract::{Extraction, KeyPred};
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
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

    /// Adds `value`, replacing the stored element equal to it if there is one (std's
    /// `BTreeSet::replace`); returns the replaced element. O(log n): copies the shared
    /// nodes on the element's path, and the leaf's keys if it replaces one.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set = PersistentBTreeSet::new();
    /// set.insert(Vec::<i32>::new());
    /// assert_eq!(set.get(&[][..]).unwrap().capacity(), 0);
    /// set.replace(Vec::with_capacity(10));
    /// assert_eq!(set.get(&[][..]).unwrap().capacity(), 10);
    /// ```
    pub fn replace(&mut self, value: T) -> Option<T> {
        self.map.replace_key(value, ())
    }

    /// Moves every element of `other` into `self`, leaving `other` empty (std's
    /// `BTreeSet::append`). O(n + m), as [`PersistentBTreeMap::append`]; if a `Clone` or
    /// `Ord` panics, both sets are as they were.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut a = PersistentBTreeSet::from([1, 2, 3]);
    /// let mut b = PersistentBTreeSet::from([3, 4, 5]);
    /// a.append(&mut b);
    /// assert_eq!(a.iter().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    /// assert!(b.is_empty());
    /// ```
    pub fn append(&mut self, other: &mut Self) {
        self.map.append(&mut other.map);
    }

    /// Splits the set in two at `value`: `self` keeps the elements below it, the
    /// returned set gets the rest (std's `BTreeSet::split_off`). O(log n) plus counting
    /// the smaller half, as [`PersistentBTreeMap::split_off`].
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut a = PersistentBTreeSet::from([1, 2, 3, 17, 41]);
    /// let b = a.split_off(&3);
    /// assert_eq!(a.iter().copied().collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(b.iter().copied().collect::<Vec<_>>(), [3, 17, 41]);
    /// ```
    pub fn split_off<Q>(&mut self, value: &Q) -> Self
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        PersistentBTreeSet {
            map: self.map.split_off(value),
        }
    }

    /// An iterator that visits the elements in `range` in order, removes those for which
    /// `pred` returns `true` and yields them (std's `BTreeSet::extract_if`); the others,
    /// and those not reached when it is dropped, stay. O(1) amortized per step plus the
    /// rebalancing of a removal; only the leaves that lose an element are copied. If
    /// `pred` panics, the element it was asked about stays and the iterator ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let mut set: PersistentBTreeSet<i32> = (0..8).collect();
    /// let evens: PersistentBTreeSet<_> = set.extract_if(.., |v| v % 2 == 0).collect();
    /// assert_eq!(evens.into_iter().collect::<Vec<_>>(), [0, 2, 4, 6]);
    /// assert_eq!(set.into_iter().collect::<Vec<_>>(), [1, 3, 5, 7]);
    /// ```
    pub fn extract_if<F, R>(&mut self, range: R, pred: F) -> ExtractIf<'_, T, R, F>
    where
        R: RangeBounds<T>,
        F: FnMut(&T) -> bool,
    {
        ExtractIf {
            inner: Extraction::new(&mut self.map, range),
            pred: KeyPred(pred),
        }
    }

    /// Keeps only the elements for which `f` returns `true`, visiting them in order
    /// (std's `BTreeSet::retain`). O(n), a leaf at a time (see
    /// [`PersistentBTreeMap::retain`]); only the leaves that lose an element are copied,
    /// and of those only the elements that stay. If `f` panics, the elements it rejected
    /// before are gone and the others stay.
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
        super::extract::retain(&mut self.map, &mut KeyPred(|v: &T| !f(v)));
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
    /// Equal elements in the same order. O(n) (see the map's `PartialEq` for why two
    /// versions that share nodes are still compared element by element).
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

/// An iterator that removes and yields the elements of a range of a
/// [`PersistentBTreeSet`] that a predicate picks, in order. Made by
/// [`PersistentBTreeSet::extract_if`].
#[must_use = "iterators are lazy and do nothing unless consumed; \
              use `retain` or `extract_if().for_each(drop)` to remove and discard elements"]
pub struct ExtractIf<'a, T, R, F> {
    inner: Extraction<'a, T, (), R>,
    pred: KeyPred<F>,
}

impl<T, R, F> Iterator for ExtractIf<'_, T, R, F>
where
    T: Ord + Clone,
    R: RangeBounds<T>,
    F: FnMut(&T) -> bool,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.inner.next(&mut self.pred).map(|(k, ())| k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T, R, F> FusedIterator for ExtractIf<'_, T, R, F>
where
    T: Ord + Clone,
    R: RangeBounds<T>,
    F: FnMut(&T) -> bool,
{
}

impl<T, R, F> fmt::Debug for ExtractIf<'_, T, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// Implements a std set operator on `&PersistentBTreeSet`: the elements of the lazy
/// iterator, cloned, into a new set built bottom-up (they come in order).
macro_rules! set_operator {
    ($trait:ident, $method:ident, $iter:ident, $what:literal) => {
        impl<T: Ord + Clone> $trait<&PersistentBTreeSet<T>> for &PersistentBTreeSet<T> {
            type Output = PersistentBTreeSet<T>;

            #[doc = concat!("The ", $what, " of `self` and `rhs` as a new set. O(n + m).")]
            fn $method(self, rhs: &PersistentBTreeSet<T>) -> PersistentBTreeSet<T> {
                self.$iter(rhs).cloned().collect()
            }
        }
    };
}

set_operator!(Sub, sub, difference, "difference");
set_operator!(BitXor, bitxor, symmetric_difference, "symmetric difference");
set_operator!(BitAnd, bitand, intersection, "intersection");
set_operator!(BitOr, bitor, union, "union");

/// An iterator over the elements of a [`PersistentBTreeSet`], in order (both ends).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Iter<'a, T> {
    inner: iter::Keys<'a, T, ()>,
}

/// An iterator over a sub-range of the elements of a [`PersistentBTreeSet`], in order
/// (both ends). Made by [`PersistentBTreeSet::range`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Range<'a, T> {
    inner: RawRange<'a, T, ()>,
}

/// An owning iterator over the elements of a [`PersistentBTreeSet`], in order.
#[must_use = "iterators are lazy and do nothing unless consumed"]
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
