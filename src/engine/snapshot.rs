//! Read-side types: [`Snapshot`], [`ReadGuard`] and [`Reader`].
//!
//! All three give shared access (`&T`) to one published version and never `&mut T`:
//! a published version is immutable for as long as anybody can see it. None of them
//! ever runs a version's destructor while a cell owns the version: dropping the last
//! snapshot of a retired version only decrements its count, and the writer frees it
//! (see `version.rs`).

use core::borrow::Borrow;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, Index};
use core::ptr::NonNull;
use core::slice::SliceIndex;

use super::publish::Guard;
use super::version::{self, Version};
use crate::CowCell;

/// An owned, immutable snapshot of one published version.
///
/// Returned by [`CowCell::snapshot`](crate::CowCell::snapshot) and the collections'
/// `snapshot()`. A reference-counted pointer, like an `Arc`: cloning is O(1) (one atomic increment),
/// it is `Send + Sync + 'static` when `T` is, so it can be held across `.await`, stored,
/// or sent to another thread. It derefs to `&T`, never to `&mut T`, and it never
/// changes: writes to the collection publish new versions and leave this one alone.
/// Java's `CopyOnWriteArrayList.iterator()` snapshot, as a value you can keep.
///
/// Holding a snapshot keeps its version's memory alive (`size_of::<T>()` plus whatever
/// `T` owns, e.g. `len * size_of::<E>()` bytes of a vector's elements) until the last
/// clone of it is dropped. Dropping that last clone does not free the version on the
/// dropping thread while its collection lives: the collection's next writes do (see
/// [`CowCell::reclaim`](crate::CowCell::reclaim)). A snapshot that outlives its
/// collection (and every clone of the collection) frees its version when its last clone
/// is dropped, like an `Arc`.
///
/// `PartialEq`, `Eq`, `Hash`, `PartialOrd`, `Ord` and `Display` compare, hash and print
/// the value only; two snapshots with equal contents are equal whatever their versions.
/// A `Snapshot<Vec<T>>` also indexes and slices like the vector (`snapshot[i]`,
/// `&snapshot[1..3]`, `Index`, `AsRef<[T]>`, `Borrow<[T]>`), and `&Snapshot<T>` iterates
/// like `&T` (`for x in &snapshot`).
///
/// # Examples
///
/// ```
/// use cow_collections::CowVec;
///
/// let list = CowVec::from(vec![1, 2, 3]);
/// let before = list.snapshot();
/// list.push(4);
/// assert_eq!(*before, [1, 2, 3]); // unchanged by the push
/// assert_eq!(before.version(), 0);
/// assert_eq!(list.snapshot().version(), 1);
/// let sum: i32 = before.iter().sum();
/// assert_eq!(sum, 6);
/// ```
pub struct Snapshot<T> {
    /// One holder count of the version (see `version.rs`).
    version: NonNull<Version<T>>,
    _holds: PhantomData<Version<T>>,
}

// SAFETY: a snapshot shares its version between threads like an `Arc<Version<T>>`:
// sending it (or a reference to it) hands out `&T` on another thread, and its drop may
// drop `T` there once no cell owns the version. So both need `T: Send + Sync`, as for
// `Arc<T>`.
unsafe impl<T: Send + Sync> Send for Snapshot<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Snapshot<T> {}

impl<T> Snapshot<T> {
    /// Takes over one holder count of `version`.
    pub(crate) fn from_held(version: NonNull<Version<T>>) -> Self {
        Self {
            version,
            _holds: PhantomData,
        }
    }

    /// Gives up the snapshot's holder count to the caller.
    pub(crate) fn into_held(self) -> NonNull<Version<T>> {
        ManuallyDrop::new(self).version
    }

    #[inline]
    pub(crate) fn inner(&self) -> &Version<T> {
        // SAFETY: the snapshot's holder count keeps the version alive.
        unsafe { self.version.as_ref() }
    }

    /// The version number of this snapshot: 0 for a collection's initial value, +1 for
    /// every publish after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(String::from("a"));
    /// cell.update(|s| s.push('b'));
    /// assert_eq!(cell.snapshot().version(), 1);
    /// ```
    #[inline]
    pub fn version(&self) -> u64 {
        self.inner().version
    }

    /// Whether `a` and `b` are the same published version (the same allocation), like
    /// [`Arc::ptr_eq`](std::sync::Arc::ptr_eq). O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{CowVec, Snapshot};
    ///
    /// let list = CowVec::from(vec![1]);
    /// let a = list.snapshot();
    /// assert!(Snapshot::ptr_eq(&a, &list.snapshot()));
    /// list.push(2);
    /// assert!(!Snapshot::ptr_eq(&a, &list.snapshot()));
    /// ```
    #[inline]
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        a.version == b.version
    }

    /// The value, or a clone of it if other snapshots still share it. O(1) when this is
    /// the last reference, otherwise one O(n) clone.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let list = CowVec::from(vec![1, 2]);
    /// let snap = list.snapshot();
    /// let mut owned: Vec<i32> = snap.into_inner();
    /// owned.push(3);
    /// assert_eq!(list.to_vec(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T
    where
        T: Clone,
    {
        if version::is_sole_holder(self.inner()) {
            // SAFETY: no owner and no other holder: the version is ours alone.
            return unsafe { version::free(self.into_held()) }.value;
        }
        self.inner().value.clone()
    }
}

impl<T> Clone for Snapshot<T> {
    /// O(1): one atomic reference-count increment.
    #[inline]
    fn clone(&self) -> Self {
        version::acquire_holder(self.inner());
        Self::from_held(self.version)
    }
}

impl<T> Drop for Snapshot<T> {
    /// One atomic decrement. Frees the version only if no cell owns it any more and this
    /// was its last snapshot; while a cell owns it, the cell's writer frees it.
    #[inline]
    fn drop(&mut self) {
        // SAFETY: we give up the snapshot's holder count, once.
        if unsafe { version::release_holder(self.version) } {
            // SAFETY: no owner and no holder is left.
            drop(unsafe { version::free(self.version) });
        }
    }
}

impl<T> Deref for Snapshot<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner().value
    }
}

impl<T> AsRef<T> for Snapshot<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T> Borrow<T> for Snapshot<T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T> AsRef<[T]> for Snapshot<Vec<T>> {
    /// The snapshot's elements as a slice, for code generic over `AsRef<[T]>`.
    ///
    /// ```
    /// fn total(xs: impl AsRef<[u32]>) -> u32 {
    ///     xs.as_ref().iter().sum()
    /// }
    /// let list = cow_collections::CowVec::from(vec![1, 2, 3]);
    /// assert_eq!(total(list.snapshot()), 6);
    /// ```
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T> Borrow<[T]> for Snapshot<Vec<T>> {
    /// Hashes and compares like the slice, as `Vec<T>`'s `Borrow<[T]>` does, so a set of
    /// snapshots can be looked up by slice.
    ///
    /// ```
    /// use std::collections::HashSet;
    ///
    /// let list = cow_collections::CowVec::from(vec![1, 2]);
    /// let mut seen = HashSet::new();
    /// seen.insert(list.snapshot());
    /// assert!(seen.contains(&[1, 2][..]));
    /// assert!(!seen.contains(&[2, 1][..]));
    /// ```
    fn borrow(&self) -> &[T] {
        self
    }
}

impl<T, I: SliceIndex<[T]>> Index<I> for Snapshot<Vec<T>> {
    type Output = I::Output;
    /// Indexes the snapshot's elements as a slice: `snapshot[i]`, `&snapshot[1..3]`.
    ///
    /// # Panics
    ///
    /// If the index is out of bounds, as slice indexing does.
    ///
    /// ```
    /// use std::ops::Index;
    ///
    /// let list = cow_collections::CowVec::from(vec!['a', 'b', 'c']);
    /// let snapshot = list.snapshot();
    /// assert_eq!(snapshot[1], 'b');
    /// assert_eq!(snapshot[1..], ['b', 'c']);
    /// assert_eq!(*snapshot.index(..1), ['a']); // generic `Index` code works too
    /// ```
    #[inline]
    fn index(&self, index: I) -> &I::Output {
        &(**self)[index]
    }
}

impl<T> From<T> for Snapshot<T> {
    /// A snapshot of `value` as version 0 that belongs to no collection; turn it into one
    /// with `CowCell::from(snapshot)` (no copy).
    ///
    /// ```
    /// use cow_collections::{CowVec, Snapshot};
    ///
    /// let snapshot = Snapshot::from(vec![1, 2]);
    /// assert_eq!(snapshot.version(), 0);
    /// let list = CowVec::from(snapshot.clone());
    /// assert!(Snapshot::ptr_eq(&list.snapshot(), &snapshot));
    /// assert_eq!(Snapshot::<Vec<u8>>::default().len(), 0);
    /// ```
    fn from(value: T) -> Self {
        Self::from_held(Version::held(0, value))
    }
}

impl<T: Default> Default for Snapshot<T> {
    /// A snapshot of `T::default()` as version 0 that belongs to no collection.
    fn default() -> Self {
        Self::from(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Snapshot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version())
            .field("value", &**self)
            .finish()
    }
}

impl<T: fmt::Display> fmt::Display for Snapshot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: PartialEq> PartialEq for Snapshot<T> {
    /// Compares the values, as `T` does, whatever the versions.
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let list = CowVec::from(vec![1.0, f64::NAN]);
    /// let snapshot = list.snapshot();
    /// // Like the vector itself, a snapshot holding NaN is not equal to itself.
    /// assert!(*snapshot != *snapshot);
    /// assert!(snapshot != snapshot.clone());
    /// assert_eq!(CowVec::from(vec![1]).snapshot(), CowVec::from(vec![1]).snapshot());
    /// ```
    fn eq(&self, other: &Self) -> bool {
        // No `ptr_eq` shortcut: `T` may not be reflexive (`f64::NAN`), and `eq` must agree
        // with `T`'s and with `partial_cmp`. (std's `Arc` takes it only for `T: Eq`.)
        **self == **other
    }
}

impl<T: Eq> Eq for Snapshot<T> {}

impl<T: PartialOrd> PartialOrd for Snapshot<T> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Ord> Ord for Snapshot<T> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: Hash> Hash for Snapshot<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl<'a, T> IntoIterator for &'a Snapshot<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (**self).into_iter()
    }
}

/// A short-lived read guard over the current version; derefs to `&T`.
///
/// Returned by [`CowCell::read`](crate::CowCell::read) and the collections' `read()`.
/// Taking one is lock-free and never waits for a writer: it publishes the version's
/// address in one of the thread's hazard slots (a store and a fence; no shared write,
/// no read-modify-write), and dropping it is one store. It borrows the collection, so
/// it is meant for one-off reads; use [`Snapshot`] to keep a version, [`Reader`] in a
/// hot loop.
///
/// While the guard lives, the version it shows stays alive and unchanged, even if
/// writers publish newer ones. Hold it briefly: a thread has 3 hazard slots for guards,
/// and guards beyond those (held at the same time, on any collections) fall back to a
/// reference-count increment and decrement. Dropping a guard never frees a version.
///
/// # Examples
///
/// ```
/// use cow_collections::CowVec;
///
/// let list = CowVec::from(vec![3, 1, 2]);
/// let guard = list.read();
/// assert_eq!(guard.len(), 3);
/// assert_eq!(guard.iter().max(), Some(&3));
/// ```
#[must_use = "a read guard does nothing unless its value is used"]
pub struct ReadGuard<'a, T> {
    guard: Guard<T>,
    // Ties the guard to the cell: `get_mut(&mut self)` and the cell's `Drop` rely on no
    // guard outliving it.
    _cell: PhantomData<&'a ()>,
}

// SAFETY: the guard shares its version like an `Arc<Version<T>>` does (so `T: Send +
// Sync`), and dropping it on another thread is one atomic store into its slot (or one
// decrement), which any thread may do (see `hazard.rs`).
unsafe impl<T: Send + Sync> Send for ReadGuard<'_, T> {}
// SAFETY: `&ReadGuard` only hands out `&T`.
unsafe impl<T: Send + Sync> Sync for ReadGuard<'_, T> {}

impl<T> ReadGuard<'_, T> {
    pub(crate) fn new(guard: Guard<T>) -> Self {
        Self {
            guard,
            _cell: PhantomData,
        }
    }

    /// The version number of the value this guard shows. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let list = CowVec::<u8>::new();
    /// assert_eq!(list.read().version(), 0);
    /// list.push(1);
    /// assert_eq!(list.read().version(), 1);
    /// ```
    #[inline]
    pub fn version(&self) -> u64 {
        self.guard.version().version
    }

    /// Turns the guard into an owned [`Snapshot`] of the same version (one reference-count
    /// increment at most).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let list = CowVec::from(vec![1]);
    /// let snap = list.read().to_snapshot();
    /// list.push(2);
    /// assert_eq!(*snap, [1]);
    /// ```
    pub fn to_snapshot(&self) -> Snapshot<T> {
        Snapshot::from_held(self.guard.to_held())
    }
}

impl<T> Deref for ReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.guard.version().value
    }
}

impl<T: fmt::Debug> fmt::Debug for ReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadGuard")
            .field("version", &self.version())
            .field("value", &**self)
            .finish()
    }
}

impl<'g, T> IntoIterator for &'g ReadGuard<'_, T>
where
    &'g T: IntoIterator,
{
    type Item = <&'g T as IntoIterator>::Item;
    type IntoIter = <&'g T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (**self).into_iter()
    }
}

/// A per-thread read handle for hot loops (arc-swap's `Cache` pattern).
///
/// Returned by [`CowCell::reader`](crate::CowCell::reader) and the collections'
/// `reader()`. [`read`](Reader::read) checks whether a newer version was published (one
/// `Relaxed` atomic load of the collection's latest version number, which only changes on
/// writes, so its cache line stays shared) and returns `&T` of the latest version; when
/// nothing changed it costs about as much as an unsynchronized load and writes no shared
/// memory. It is lock-free and never waits for a writer.
///
/// # Retention
///
/// A `Reader` keeps the version it last returned alive until its next `read()` (or until
/// it is dropped). A reader that stops calling `read()` therefore pins one old version,
/// with all its elements, in memory. Drop readers you no longer poll.
///
/// When a `read()` replaces the cached version, it only gives up its count of the old
/// one: freeing it, however large, is the writer's work.
///
/// A `Reader` borrows the collection and is meant to stay on one thread's stack; it is
/// `Send` when `T: Send + Sync`, so it can be created and then moved into a scoped thread.
///
/// # Examples
///
/// ```
/// use cow_collections::CowVec;
///
/// let list = CowVec::from(vec![1, 2]);
/// let mut reader = list.reader();
/// assert_eq!(reader.read().len(), 2);
/// list.push(3);
/// assert_eq!(reader.read().len(), 3); // sees the new version
/// ```
pub struct Reader<'a, T> {
    cell: &'a CowCell<T>,
    /// The version last returned; kept alive until the next refresh replaces it.
    cached: Snapshot<T>,
}

impl<'a, T> Reader<'a, T> {
    pub(crate) fn new(cell: &'a CowCell<T>, cached: Snapshot<T>) -> Self {
        Self { cell, cached }
    }

    /// The latest published version, checked with one atomic load. `&mut self` because
    /// it may replace the cached version (and drop the old one).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(1u32);
    /// let mut reader = cell.reader();
    /// assert_eq!(*reader.read(), 1);
    /// cell.store(2);
    /// assert_eq!(*reader.read(), 2);
    /// ```
    #[inline]
    pub fn read(&mut self) -> &T {
        self.cell.refresh(&mut self.cached)
    }

    /// Like [`read`](Reader::read), and also returns that version's number. The pair is
    /// consistent: the number belongs to the value returned. Same cost as `read`: one
    /// pointer check when nothing changed, lock-free.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(1u32);
    /// let mut reader = cell.reader();
    /// cell.store(5);
    /// assert_eq!(reader.read_with_version(), (&5, 1));
    /// ```
    #[inline]
    pub fn read_with_version(&mut self) -> (&T, u64) {
        let version = self.cell.refresh(&mut self.cached);
        (version, version.version())
    }

    /// An owned [`Snapshot`] of the latest version (one reference-count increment).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1]);
    /// let mut reader = cell.reader();
    /// let snap = reader.snapshot();
    /// cell.update(|v| v.push(2));
    /// assert_eq!(*snap, [1]);
    /// ```
    pub fn snapshot(&mut self) -> Snapshot<T> {
        self.cell.refresh(&mut self.cached).clone()
    }
}

impl<T> fmt::Debug for Reader<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader").finish_non_exhaustive()
    }
}

/// Types that can lend their contents as a `&C` for the length of a call: a `C` itself,
/// a [`Snapshot<C>`], a [`ReadGuard`] over a `C`, a [`CowCell<C>`](crate::CowCell), and
/// the collection that wraps a `C` (a [`CowSet`](crate::CowSet) reads as its
/// `IndexSet`). A collection or cell reads its current version once, lock-free.
///
/// Methods that compare with another collection take `&impl ReadAs<_>`, so
/// `a.is_subset(&b)` works whether `b` is another `CowSet`, a snapshot or guard of one,
/// or a plain `IndexSet`. Sealed: implemented by this crate's types only.
///
/// # Examples
///
/// ```
/// use cow_collections::{CowSet, ReadAs};
/// use indexmap::IndexSet;
///
/// fn count<S: ReadAs<IndexSet<u32>>>(set: &S) -> usize {
///     set.read_as(|s| s.len())
/// }
/// let set = CowSet::from([1, 2, 3]);
/// assert_eq!(count(&set), 3);
/// assert_eq!(count(&set.snapshot()), 3);
/// assert_eq!(count(&set.read()), 3);
/// assert_eq!(count(&IndexSet::from([4])), 1);
/// ```
pub trait ReadAs<C: ?Sized>: sealed::Sealed<C> {
    /// Calls `f` with the contents (the current version, for a collection or cell) and
    /// returns what it returns.
    fn read_as<R>(&self, f: impl FnOnce(&C) -> R) -> R;
}

pub(crate) mod sealed {
    /// Keeps [`ReadAs`](super::ReadAs) to this crate's types.
    pub trait Sealed<C: ?Sized> {}
}

impl<C> sealed::Sealed<C> for C {}
impl<C> ReadAs<C> for C {
    fn read_as<R>(&self, f: impl FnOnce(&C) -> R) -> R {
        f(self)
    }
}

impl<C> sealed::Sealed<C> for Snapshot<C> {}
impl<C> ReadAs<C> for Snapshot<C> {
    fn read_as<R>(&self, f: impl FnOnce(&C) -> R) -> R {
        f(self)
    }
}

impl<C> sealed::Sealed<C> for ReadGuard<'_, C> {}
impl<C> ReadAs<C> for ReadGuard<'_, C> {
    fn read_as<R>(&self, f: impl FnOnce(&C) -> R) -> R {
        f(self)
    }
}

impl<C> sealed::Sealed<C> for CowCell<C> {}
impl<C> ReadAs<C> for CowCell<C> {
    fn read_as<R>(&self, f: impl FnOnce(&C) -> R) -> R {
        f(&self.read())
    }
}
