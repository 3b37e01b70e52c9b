//! The set operations of [`PersistentBTreeSet`]: the lazy iterators `difference`,
//! `symmetric_difference`, `intersection` and `union`, and the walks of `is_subset` and
//! `is_disjoint`.
//!
//! The iterators are std's (`btree/set.rs`, `btree/merge_iter.rs`): a merge of the two
//! sorted sequences ("stitch"), or, when one set is much smaller than the other, a
//! lookup of each of its elements in the larger one ("search").
//!
//! `is_subset` and `is_disjoint` walk both trees side by side with cursors that know
//! which subtrees they stand at the start of ([`SubtreeWalk`]). Where both stand at the
//! start of the same node, a subtree the two versions share, the elements under it are
//! in both sets: `is_subset` skips it whole, `is_disjoint` has its answer. Two versions
//! of a set one insert apart share all but one path, so `is_subset` between them visits
//! O(log n) nodes instead of every element.

use std::cmp::Ordering::{self, Equal, Greater, Less};
use std::cmp::{max, min};
use std::fmt;
use std::iter::{FusedIterator, Peekable};

use super::iter::SubtreeWalk;
use super::set::{Iter, PersistentBTreeSet};

/// Below this size ratio, std's set operations look elements up in the larger set
/// instead of merging both sequences.
const ITER_PERFORMANCE_TIPPING_SIZE_DIFF: usize = 16;

/// A lazy iterator over the elements of one set that are not in another, in order.
/// Made by [`PersistentBTreeSet::difference`].
#[must_use = "this returns the difference as an iterator, without modifying either input set"]
pub struct Difference<'a, T> {
    inner: DifferenceInner<'a, T>,
}

// The variants are std's; boxing the iterators would allocate for every `difference`.
#[allow(clippy::large_enum_variant)]
enum DifferenceInner<'a, T> {
    /// Merge both sequences.
    Stitch {
        self_iter: Iter<'a, T>,
        other_iter: Peekable<Iter<'a, T>>,
    },
    /// Look each element of `self` up in the (much larger) other set.
    Search {
        self_iter: Iter<'a, T>,
        other_set: &'a PersistentBTreeSet<T>,
    },
    /// The ranges do not overlap: every element of `self` (maybe but an end).
    Iterate(Iter<'a, T>),
}

/// A lazy iterator over the elements in exactly one of two sets, in order. Made by
/// [`PersistentBTreeSet::symmetric_difference`].
#[must_use = "this returns the difference as an iterator, without modifying either input set"]
pub struct SymmetricDifference<'a, T>(MergeIterInner<Iter<'a, T>>);

/// A lazy iterator over the elements in both sets, in order. Made by
/// [`PersistentBTreeSet::intersection`].
#[must_use = "this returns the intersection as an iterator, without modifying either input set"]
pub struct Intersection<'a, T> {
    inner: IntersectionInner<'a, T>,
}

#[allow(clippy::large_enum_variant)]
enum IntersectionInner<'a, T> {
    Stitch {
        a: Iter<'a, T>,
        b: Iter<'a, T>,
    },
    Search {
        small_iter: Iter<'a, T>,
        large_set: &'a PersistentBTreeSet<T>,
    },
    /// Known from the ends alone: no element, or one.
    Answer(Option<&'a T>),
}

/// A lazy iterator over the elements in either set, in order, each once. Made by
/// [`PersistentBTreeSet::union`].
#[must_use = "this returns the union as an iterator, without modifying either input set"]
pub struct Union<'a, T>(MergeIterInner<Iter<'a, T>>);

impl<T: Ord> PersistentBTreeSet<T> {
    /// The elements of `self` not in `other`, lazily, in order (std's
    /// `BTreeSet::difference`). O(n + m) merged, or O(n log m) when `self` is at most a
    /// sixteenth of `other`; O(1) to create.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1, 2]);
    /// let b = PersistentBTreeSet::from([2, 3]);
    /// assert_eq!(a.difference(&b).copied().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn difference<'a>(&'a self, other: &'a Self) -> Difference<'a, T> {
        let inner = match (self.first(), self.last(), other.first(), other.last()) {
            (Some(self_min), Some(self_max), Some(other_min), Some(other_max)) => {
                match (self_min.cmp(other_max), self_max.cmp(other_min)) {
                    (Greater, _) | (_, Less) => DifferenceInner::Iterate(self.iter()),
                    (Equal, _) => {
                        let mut self_iter = self.iter();
                        self_iter.next();
                        DifferenceInner::Iterate(self_iter)
                    }
                    (_, Equal) => {
                        let mut self_iter = self.iter();
                        self_iter.next_back();
                        DifferenceInner::Iterate(self_iter)
                    }
                    _ if self.len() <= other.len() / ITER_PERFORMANCE_TIPPING_SIZE_DIFF => {
                        DifferenceInner::Search {
                            self_iter: self.iter(),
                            other_set: other,
                        }
                    }
                    _ => DifferenceInner::Stitch {
                        self_iter: self.iter(),
                        other_iter: other.iter().peekable(),
                    },
                }
            }
            _ => DifferenceInner::Iterate(self.iter()),
        };
        Difference { inner }
    }

    /// The elements in `self` or `other` but not both, lazily, in order (std's
    /// `BTreeSet::symmetric_difference`). O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1, 2]);
    /// let b = PersistentBTreeSet::from([2, 3]);
    /// assert_eq!(a.symmetric_difference(&b).copied().collect::<Vec<_>>(), [1, 3]);
    /// ```
    pub fn symmetric_difference<'a>(&'a self, other: &'a Self) -> SymmetricDifference<'a, T> {
        SymmetricDifference(MergeIterInner::new(self.iter(), other.iter()))
    }

    /// The elements in both `self` and `other`, lazily, in order (std's
    /// `BTreeSet::intersection`). O(n + m) merged, or O(min log max) when one set is at
    /// most a sixteenth of the other.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1, 2]);
    /// let b = PersistentBTreeSet::from([2, 3]);
    /// assert_eq!(a.intersection(&b).copied().collect::<Vec<_>>(), [2]);
    /// ```
    pub fn intersection<'a>(&'a self, other: &'a Self) -> Intersection<'a, T> {
        let inner = match (self.first(), self.last(), other.first(), other.last()) {
            (Some(self_min), Some(self_max), Some(other_min), Some(other_max)) => {
                match (self_min.cmp(other_max), self_max.cmp(other_min)) {
                    (Greater, _) | (_, Less) => IntersectionInner::Answer(None),
                    (Equal, _) => IntersectionInner::Answer(Some(self_min)),
                    (_, Equal) => IntersectionInner::Answer(Some(self_max)),
                    _ if self.len() <= other.len() / ITER_PERFORMANCE_TIPPING_SIZE_DIFF => {
                        IntersectionInner::Search {
                            small_iter: self.iter(),
                            large_set: other,
                        }
                    }
                    _ if other.len() <= self.len() / ITER_PERFORMANCE_TIPPING_SIZE_DIFF => {
                        IntersectionInner::Search {
                            small_iter: other.iter(),
                            large_set: self,
                        }
                    }
                    _ => IntersectionInner::Stitch {
                        a: self.iter(),
                        b: other.iter(),
                    },
                }
            }
            _ => IntersectionInner::Answer(None),
        };
        Intersection { inner }
    }

    /// The elements in `self` or `other`, each once, lazily, in order (std's
    /// `BTreeSet::union`). O(n + m).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1, 2]);
    /// let b = PersistentBTreeSet::from([2, 3]);
    /// assert_eq!(a.union(&b).copied().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn union<'a>(&'a self, other: &'a Self) -> Union<'a, T> {
        Union(MergeIterInner::new(self.iter(), other.iter()))
    }

    /// Whether every element of `self` is in `other`. O(1) if both are the same version
    /// (or `self` is larger); otherwise a walk of both trees side by side that skips
    /// every subtree they share (the same node in both, whose elements are then in
    /// both): O(log n) node visits for two versions one insert apart, O(n + m) for
    /// unrelated sets; or, when `self` is at most a sixteenth of `other`, a lookup of
    /// each of its elements (std's `is_subset` strategy).
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
    ///
    /// let v1: PersistentBTreeSet<u32> = (0..10_000).collect();
    /// let mut v2 = v1.clone();
    /// v2.insert(20_000); // shares every node but one path with v1
    /// assert!(v1.is_subset(&v2));
    /// assert!(!v2.is_subset(&v1));
    /// ```
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        if self.ptr_eq(other) || self.is_empty() {
            return true;
        }
        if self.len() > other.len() {
            return false;
        }
        if self.len() <= other.len() / ITER_PERFORMANCE_TIPPING_SIZE_DIFF {
            return self.iter().all(|x| other.contains(x));
        }
        let (mut a, mut b) = (self.walk(), other.walk());
        loop {
            let Some(x) = a.key() else {
                return true;
            };
            if let Some(height) = a.shared_start(&b) {
                let run = a.shared_run(&b, height);
                a.skip(height, run);
                b.skip(height, run);
                continue;
            }
            let Some(y) = b.key() else {
                return false;
            };
            match x.cmp(y) {
                Less => return false,
                Equal => {
                    a.advance();
                    b.advance();
                }
                Greater => b.advance(),
            }
        }
    }

    /// Whether every element of `other` is in `self` (`other.is_subset(self)`, with its
    /// cost: O(n + m) at worst, and the subtrees both sets share are skipped).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// assert!(PersistentBTreeSet::from([1, 2]).is_superset(&PersistentBTreeSet::from([2])));
    /// ```
    #[must_use]
    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }

    /// Whether `self` and `other` have no element in common. O(1) if they share a node
    /// at the start of their walks (the same version, for one); otherwise std's
    /// `intersection(other).next().is_none()` over a walk that stops at the first shared
    /// subtree: O(n + m) at worst, O(min log max) when one set is at most a sixteenth of
    /// the other.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::PersistentBTreeSet;
    ///
    /// let a = PersistentBTreeSet::from([1, 2]);
    /// assert!(a.is_disjoint(&PersistentBTreeSet::from([3])));
    /// assert!(!a.is_disjoint(&PersistentBTreeSet::from([2, 3])));
    /// assert!(!a.is_disjoint(&a.clone()));
    /// ```
    #[must_use]
    pub fn is_disjoint(&self, other: &Self) -> bool {
        if self.is_empty() || other.is_empty() {
            return true;
        }
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        if small.len() <= large.len() / ITER_PERFORMANCE_TIPPING_SIZE_DIFF {
            return !small.iter().any(|x| large.contains(x));
        }
        let (mut a, mut b) = (self.walk(), other.walk());
        while let (Some(x), Some(y)) = (a.key(), b.key()) {
            if a.shared_start(&b).is_some() {
                return false;
            }
            match x.cmp(y) {
                Less => a.advance(),
                Greater => b.advance(),
                Equal => return false,
            }
        }
        true
    }

    /// A [`SubtreeWalk`] over the set's tree.
    fn walk(&self) -> SubtreeWalk<'_, T, ()> {
        SubtreeWalk::new(self.as_map().root.as_ref())
    }
}

impl<T> Clone for Difference<'_, T> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            DifferenceInner::Stitch {
                self_iter,
                other_iter,
            } => DifferenceInner::Stitch {
                self_iter: self_iter.clone(),
                other_iter: other_iter.clone(),
            },
            DifferenceInner::Search {
                self_iter,
                other_set,
            } => DifferenceInner::Search {
                self_iter: self_iter.clone(),
                other_set,
            },
            DifferenceInner::Iterate(iter) => DifferenceInner::Iterate(iter.clone()),
        };
        Difference { inner }
    }
}

impl<'a, T: Ord> Iterator for Difference<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        match &mut self.inner {
            DifferenceInner::Stitch {
                self_iter,
                other_iter,
            } => {
                let mut self_next = self_iter.next()?;
                loop {
                    match other_iter
                        .peek()
                        .map_or(Less, |other_next| self_next.cmp(other_next))
                    {
                        Less => return Some(self_next),
                        Equal => {
                            self_next = self_iter.next()?;
                            other_iter.next();
                        }
                        Greater => {
                            other_iter.next();
                        }
                    }
                }
            }
            DifferenceInner::Search {
                self_iter,
                other_set,
            } => loop {
                let self_next = self_iter.next()?;
                if !other_set.contains(self_next) {
                    return Some(self_next);
                }
            },
            DifferenceInner::Iterate(iter) => iter.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (self_len, other_len) = match &self.inner {
            DifferenceInner::Stitch {
                self_iter,
                other_iter,
            } => (self_iter.len(), other_iter.len()),
            DifferenceInner::Search {
                self_iter,
                other_set,
            } => (self_iter.len(), other_set.len()),
            DifferenceInner::Iterate(iter) => (iter.len(), 0),
        };
        (self_len.saturating_sub(other_len), Some(self_len))
    }

    fn min(mut self) -> Option<&'a T> {
        self.next()
    }
}

impl<T: Ord> FusedIterator for Difference<'_, T> {}

impl<T> Clone for SymmetricDifference<'_, T> {
    fn clone(&self) -> Self {
        SymmetricDifference(self.0.clone())
    }
}

impl<'a, T: Ord> Iterator for SymmetricDifference<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        loop {
            let (a_next, b_next) = self.0.nexts(|a: &&T, b: &&T| a.cmp(b));
            if a_next.and(b_next).is_none() {
                return a_next.or(b_next);
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (a_len, b_len) = self.0.lens();
        (0, Some(a_len + b_len))
    }

    fn min(mut self) -> Option<&'a T> {
        self.next()
    }
}

impl<T: Ord> FusedIterator for SymmetricDifference<'_, T> {}

impl<T> Clone for Intersection<'_, T> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            IntersectionInner::Stitch { a, b } => IntersectionInner::Stitch {
                a: a.clone(),
                b: b.clone(),
            },
            IntersectionInner::Search {
                small_iter,
                large_set,
            } => IntersectionInner::Search {
                small_iter: small_iter.clone(),
                large_set,
            },
            IntersectionInner::Answer(answer) => IntersectionInner::Answer(*answer),
        };
        Intersection { inner }
    }
}

impl<'a, T: Ord> Iterator for Intersection<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        match &mut self.inner {
            IntersectionInner::Stitch { a, b } => {
                let mut a_next = a.next()?;
                let mut b_next = b.next()?;
                loop {
                    match a_next.cmp(b_next) {
                        Less => a_next = a.next()?,
                        Greater => b_next = b.next()?,
                        Equal => return Some(a_next),
                    }
                }
            }
            IntersectionInner::Search {
                small_iter,
                large_set,
            } => loop {
                let small_next = small_iter.next()?;
                if large_set.contains(small_next) {
                    return Some(small_next);
                }
            },
            IntersectionInner::Answer(answer) => answer.take(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            IntersectionInner::Stitch { a, b } => (0, Some(min(a.len(), b.len()))),
            IntersectionInner::Search { small_iter, .. } => (0, Some(small_iter.len())),
            IntersectionInner::Answer(None) => (0, Some(0)),
            IntersectionInner::Answer(Some(_)) => (1, Some(1)),
        }
    }

    fn min(mut self) -> Option<&'a T> {
        self.next()
    }
}

impl<T: Ord> FusedIterator for Intersection<'_, T> {}

impl<T> Clone for Union<'_, T> {
    fn clone(&self) -> Self {
        Union(self.0.clone())
    }
}

impl<'a, T: Ord> Iterator for Union<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let (a_next, b_next) = self.0.nexts(|a: &&T, b: &&T| a.cmp(b));
        a_next.or(b_next)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (a_len, b_len) = self.0.lens();
        (max(a_len, b_len), Some(a_len + b_len))
    }

    fn min(mut self) -> Option<&'a T> {
        self.next()
    }
}

impl<T: Ord> FusedIterator for Union<'_, T> {}

impl<T: fmt::Debug> fmt::Debug for Difference<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rest = match &self.inner {
            DifferenceInner::Stitch { self_iter, .. }
            | DifferenceInner::Search { self_iter, .. }
            | DifferenceInner::Iterate(self_iter) => self_iter,
        };
        f.debug_struct("Difference")
            .field("self_iter", rest)
            .finish_non_exhaustive()
    }
}

impl<T: fmt::Debug> fmt::Debug for SymmetricDifference<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SymmetricDifference").field(&self.0).finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for Intersection<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Intersection").finish_non_exhaustive()
    }
}

impl<T: fmt::Debug> fmt::Debug for Union<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Union").field(&self.0).finish()
    }
}

/// Two sorted iterators merged, one element of each looked at per step (std's
/// `MergeIterInner`).
struct MergeIterInner<I: Iterator> {
    a: I,
    b: I,
    peeked: Option<Peeked<I>>,
}

/// The element a merge step looked at but did not hand out, and from which side.
enum Peeked<I: Iterator> {
    A(I::Item),
    B(I::Item),
}

impl<I: Iterator + Clone> Clone for MergeIterInner<I>
where
    I::Item: Clone,
{
    fn clone(&self) -> Self {
        MergeIterInner {
            a: self.a.clone(),
            b: self.b.clone(),
            peeked: match &self.peeked {
                Some(Peeked::A(x)) => Some(Peeked::A(x.clone())),
                Some(Peeked::B(x)) => Some(Peeked::B(x.clone())),
                None => None,
            },
        }
    }
}

impl<I: Iterator + fmt::Debug> fmt::Debug for MergeIterInner<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MergeIterInner")
            .field(&self.a)
            .field(&self.b)
            .finish()
    }
}

impl<I: Iterator> MergeIterInner<I> {
    fn new(a: I, b: I) -> Self {
        MergeIterInner { a, b, peeked: None }
    }

    /// The next element of each side, or of the side whose element is smaller (the
    /// other is kept for the next step); equal elements come out together.
    fn nexts(
        &mut self,
        cmp: impl Fn(&I::Item, &I::Item) -> Ordering,
    ) -> (Option<I::Item>, Option<I::Item>)
    where
        I: FusedIterator,
    {
        let (mut a_next, mut b_next) = match self.peeked.take() {
            Some(Peeked::A(next)) => (Some(next), self.b.next()),
            Some(Peeked::B(next)) => (self.a.next(), Some(next)),
            None => (self.a.next(), self.b.next()),
        };
        if let (Some(a1), Some(b1)) = (&a_next, &b_next) {
            match cmp(a1, b1) {
                Less => self.peeked = b_next.take().map(Peeked::B),
                Greater => self.peeked = a_next.take().map(Peeked::A),
                Equal => (),
            }
        }
        (a_next, b_next)
    }

    /// The elements left on each side.
    fn lens(&self) -> (usize, usize)
    where
        I: ExactSizeIterator,
    {
        match self.peeked {
            Some(Peeked::A(_)) => (1 + self.a.len(), self.b.len()),
            Some(Peeked::B(_)) => (self.a.len(), 1 + self.b.len()),
            None => (self.a.len(), self.b.len()),
        }
    }
}
