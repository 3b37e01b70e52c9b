//! Rayon support (feature `rayon`): parallel iteration over snapshots, and parallel
//! building of the collections with one publish at the end.
//!
//! * `&Snapshot<T>` and `&ReadGuard<'_, T>` are [`IntoParallelIterator`] whenever `&T`
//!   is, so `snapshot.par_iter()` and `(&snapshot).into_par_iter()` work for
//!   `Snapshot<Vec<T>>` (an indexed iterator over `&T`), `Snapshot<IndexSet<T>>` (over
//!   `&T`), `Snapshot<IndexMap<K, V>>` (over `(&K, &V)`), and the B+trees'
//!   `Snapshot<PersistentBTreeMap<K, V>>` and `Snapshot<PersistentBTreeSet<T>>` (split
//!   along the tree, no copy), and in code generic over `IntoParallelIterator`. A snapshot never changes, so the worker threads all see the
//!   same version while writers go on publishing.
//! * [`FromParallelIterator`] builds a new collection in parallel (version 0).
//! * [`ParallelExtend`] and the inherent `par_extend(&self, ..)` collect the new elements
//!   in parallel *outside* the writer lock, then do the one O(n + m) copy and one
//!   publish of `extend`.
//!
//! Parallel iteration hands out shared references only, like sequential iteration:
//!
//! ```compile_fail,E0599
//! use rayon::prelude::*;
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! snapshot.par_iter_mut().for_each(|x| *x += 1);
//! ```
//!
//! ```
//! use rayon::prelude::*;
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! assert_eq!(snapshot.par_iter().map(|x| x + 1).sum::<i32>(), 5);
//! ```

use core::hash::{BuildHasher, Hash};

use ::rayon::iter::{FromParallelIterator, IntoParallelIterator, ParallelExtend};
use indexmap::{IndexMap, IndexSet};

use crate::{
    CowBTreeMap, CowBTreeSet, CowMap, CowSet, CowVec, PersistentBTreeMap, PersistentBTreeSet,
    ReadGuard, Snapshot,
};

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'a, T> IntoParallelIterator for &'a Snapshot<T>
where
    &'a T: IntoParallelIterator,
{
    type Item = <&'a T as IntoParallelIterator>::Item;
    type Iter = <&'a T as IntoParallelIterator>::Iter;

    /// Iterates the snapshot's value in parallel, as `(&*snapshot).into_par_iter()`.
    fn into_par_iter(self) -> Self::Iter {
        (**self).into_par_iter()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'g, T> IntoParallelIterator for &'g ReadGuard<'_, T>
where
    &'g T: IntoParallelIterator,
{
    type Item = <&'g T as IntoParallelIterator>::Item;
    type Iter = <&'g T as IntoParallelIterator>::Iter;

    /// Iterates the guarded version in parallel, as `(&*guard).into_par_iter()`.
    fn into_par_iter(self) -> Self::Iter {
        (**self).into_par_iter()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Send> FromParallelIterator<T> for CowVec<T> {
    /// Collects in parallel into a `Vec` and wraps it as version 0 (no further copy).
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(par_iter: I) -> Self {
        Self::from(Vec::from_par_iter(par_iter))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T, S> FromParallelIterator<T> for CowSet<T, S>
where
    T: Send + Hash + Eq,
    S: Send + BuildHasher + Default,
{
    /// Collects in parallel into an `IndexSet` and wraps it as version 0.
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(par_iter: I) -> Self {
        Self::from(IndexSet::from_par_iter(par_iter))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K, V, S> FromParallelIterator<(K, V)> for CowMap<K, V, S>
where
    K: Send + Hash + Eq,
    V: Send,
    S: Send + BuildHasher + Default,
{
    /// Collects in parallel into an `IndexMap` and wraps it as version 0.
    fn from_par_iter<I: IntoParallelIterator<Item = (K, V)>>(par_iter: I) -> Self {
        Self::from(IndexMap::from_par_iter(par_iter))
    }
}

impl<T: Clone + Send> CowVec<T> {
    /// Appends every element of `values`, in order: the elements are produced and
    /// collected in parallel before the lock is taken, then one O(n + m) copy and one
    /// publish (none if `values` is empty), as [`extend`](Self::extend).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    /// use rayon::prelude::*;
    ///
    /// let v = CowVec::from(vec![0]);
    /// v.par_extend((1..=1000).into_par_iter().map(|i| i * 2));
    /// assert_eq!(v.len(), 1001);
    /// assert_eq!(v.get(1000), Some(2000)); // order kept
    /// assert_eq!(v.version(), 1); // one publish
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_extend(&self, values: impl IntoParallelIterator<Item = T>) {
        self.extend(Vec::from_par_iter(values));
    }
}

impl<T, S> CowSet<T, S>
where
    T: Clone + Send + Hash + Eq,
    S: BuildHasher + Clone,
{
    /// Adds every absent element of `values`: the elements are produced and collected in
    /// parallel before the lock is taken, then at most one O(n + m) copy and one publish
    /// (none if nothing is new), as [`extend`](Self::extend). Elements are added in
    /// `values`' order.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    /// use rayon::prelude::*;
    ///
    /// let s = CowSet::from([0]);
    /// s.par_extend((0..100).into_par_iter().map(|i| i % 10));
    /// assert_eq!(s.len(), 10);
    /// assert_eq!(s.version(), 1);
    /// s.par_extend((0..10).into_par_iter()); // nothing new: no publish
    /// assert_eq!(s.version(), 1);
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_extend(&self, values: impl IntoParallelIterator<Item = T>) {
        self.extend(Vec::from_par_iter(values));
    }
}

impl<K, V, S> CowMap<K, V, S>
where
    K: Clone + Send + Hash + Eq,
    V: Clone + Send,
    S: BuildHasher + Clone,
{
    /// Inserts every entry of `entries` (later ones overwrite earlier ones): the entries
    /// are produced and collected in parallel before the lock is taken, then one
    /// O(n + m) copy and one publish (none if `entries` is empty), as
    /// [`extend`](Self::extend).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    /// use rayon::prelude::*;
    ///
    /// let squares = CowMap::new();
    /// squares.par_extend((0..100u64).into_par_iter().map(|i| (i, i * i)));
    /// assert_eq!(squares.len(), 100);
    /// assert_eq!(squares.get(&9), Some(81));
    /// assert_eq!(squares.version(), 1);
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_extend(&self, entries: impl IntoParallelIterator<Item = (K, V)>) {
        self.extend(Vec::from_par_iter(entries));
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Clone + Send> ParallelExtend<T> for CowVec<T> {
    /// One parallel collect, then one copy and one publish; see [`CowVec::par_extend`].
    fn par_extend<I: IntoParallelIterator<Item = T>>(&mut self, par_iter: I) {
        CowVec::par_extend(self, par_iter);
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T, S> ParallelExtend<T> for CowSet<T, S>
where
    T: Clone + Send + Hash + Eq,
    S: BuildHasher + Clone,
{
    /// One parallel collect, then at most one copy and one publish; see
    /// [`CowSet::par_extend`].
    fn par_extend<I: IntoParallelIterator<Item = T>>(&mut self, par_iter: I) {
        CowSet::par_extend(self, par_iter);
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K, V, S> ParallelExtend<(K, V)> for CowMap<K, V, S>
where
    K: Clone + Send + Hash + Eq,
    V: Clone + Send,
    S: BuildHasher + Clone,
{
    /// One parallel collect, then one copy and one publish; see [`CowMap::par_extend`].
    fn par_extend<I: IntoParallelIterator<Item = (K, V)>>(&mut self, par_iter: I) {
        CowMap::par_extend(self, par_iter);
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K: Ord + Clone + Send, V: Clone + Send> FromParallelIterator<(K, V)> for CowBTreeMap<K, V> {
    /// Collects in parallel into a `Vec`, then builds the tree (bottom-up in O(n) when
    /// the keys come sorted) as version 0.
    fn from_par_iter<I: IntoParallelIterator<Item = (K, V)>>(par_iter: I) -> Self {
        Vec::from_par_iter(par_iter)
            .into_iter()
            .collect::<PersistentBTreeMap<K, V>>()
            .into()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Ord + Clone + Send> FromParallelIterator<T> for CowBTreeSet<T> {
    /// Collects in parallel into a `Vec`, then builds the tree as version 0.
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(par_iter: I) -> Self {
        Vec::from_par_iter(par_iter)
            .into_iter()
            .collect::<PersistentBTreeSet<T>>()
            .into()
    }
}

impl<K: Ord + Clone + Send, V: Clone + Send> CowBTreeMap<K, V> {
    /// Inserts every entry of `entries` (later ones overwrite earlier ones): the entries
    /// are produced and collected in parallel before the lock is taken, then one
    /// transaction and one publish (none if `entries` is empty), as
    /// [`extend`](Self::extend).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeMap;
    /// use rayon::prelude::*;
    ///
    /// let squares = CowBTreeMap::new();
    /// squares.par_extend((0..100u64).into_par_iter().map(|i| (i, i * i)));
    /// assert_eq!((squares.len(), squares.get(&9), squares.version()), (100, Some(81), 1));
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_extend(&self, entries: impl IntoParallelIterator<Item = (K, V)>) {
        self.extend(Vec::from_par_iter(entries));
    }
}

impl<T: Ord + Clone + Send> CowBTreeSet<T> {
    /// Adds every absent element of `values`: collected in parallel before the lock is
    /// taken, then at most one transaction and one publish (none if nothing is new), as
    /// [`extend`](Self::extend).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowBTreeSet;
    /// use rayon::prelude::*;
    ///
    /// let s = CowBTreeSet::new();
    /// s.par_extend((0..100).into_par_iter().map(|i| i % 10));
    /// assert_eq!((s.len(), s.version()), (10, 1));
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_extend(&self, values: impl IntoParallelIterator<Item = T>) {
        self.extend(Vec::from_par_iter(values));
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K: Ord + Clone + Send, V: Clone + Send> ParallelExtend<(K, V)> for CowBTreeMap<K, V> {
    /// One parallel collect, then one transaction and one publish; see
    /// [`CowBTreeMap::par_extend`].
    fn par_extend<I: IntoParallelIterator<Item = (K, V)>>(&mut self, par_iter: I) {
        CowBTreeMap::par_extend(self, par_iter);
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Ord + Clone + Send> ParallelExtend<T> for CowBTreeSet<T> {
    /// One parallel collect, then at most one transaction and one publish; see
    /// [`CowBTreeSet::par_extend`].
    fn par_extend<I: IntoParallelIterator<Item = T>>(&mut self, par_iter: I) {
        CowBTreeSet::par_extend(self, par_iter);
    }
}
