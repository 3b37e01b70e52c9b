//! The part of the API every collection shares: the methods that forward to the
//! collection's [`CowCell`](crate::CowCell) and the standard traits (`Clone`, `Default`,
//! `Debug`, `PartialEq`, `Eq`, `FromIterator`, `From`, `Extend`). One macro, so each
//! collection's file holds only what differs. The sets' and maps' own operations come
//! from `set_facade!` and `map_facade!`.

/// The `# Panics` section of every write, written once.
macro_rules! panics_doc {
    () => {
        concat!(
            "# Panics\n\n",
            $crate::collections::facade::reentrant_doc!()
        )
    };
}
pub(crate) use panics_doc;

/// The re-entrancy paragraph of every write's `# Panics` section, for a write that has
/// other panics to list too.
macro_rules! reentrant_doc {
    () => {
        "If called on this collection from inside its own `update` or `try_update` closure, \
         or while this thread holds its `write()` guard: that write would deadlock, so it \
         panics instead, with a message naming the call. A panic in user code the write runs \
         (`Clone`, `Hash`, `Eq`, `Ord`, a closure) propagates; nothing is published then, \
         and the collection stays usable."
    };
}
pub(crate) use reentrant_doc;

/// The shared API of one collection:
///
/// ```text
/// cow_facade! {
///     CowVec<T> => Vec<T>;                      // the collection and its inner value
///     example: "CowVec::from(vec![1, 2, 3])";   // a doctest expression building one
///     change: "v.push(9)";                      // a change to the inner value `v`
///     copy: "one O(n) copy of every element";   // what a private copy costs
///     item: T where [T: Clone];                 // what `extend` adds, with its bounds
///     borrowed: &'a T where [T: Copy + 'a] copied by |x: &T| *x;  // `Extend<&T>`
///     eq: <T> CowVec<T> => Vec<T>, CowVec<T> => Vec<T>;  // `PartialEq`: lhs, rhs, inner
/// }
/// ```
///
/// The lifetime of the borrowed item is `'a`.
macro_rules! cow_facade {
    (
        $name:ident<$($param:ident),*> => $inner:ty;
        example: $example:literal;
        change: $change:literal;
        copy: $copy:literal;
        item: $item:ty where [$($item_bound:tt)*];
        borrowed: $borrowed:ty where [$($borrowed_bound:tt)*] copied by $copied:expr;
        eq: <$($eq_param:ident),*> $lhs:ty => $lhs_inner:ty, $rhs:ty => $rhs_inner:ty;
    ) => {
        impl<$($param),*> $name<$($param),*> {
            #[doc = concat!("A short-lived guard over the current version; derefs to `&",
                stringify!($inner), "`.")]
            ///
            /// Lock-free (a hazard slot), never waits for a writer. Use it to call any
            /// read method of the inner container without a clone.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let guard = c.read();
            /// assert_eq!(guard.len(), c.len());
            /// ```
            #[inline]
            #[must_use = "a read guard does nothing unless its value is used"]
            pub fn read(&self) -> $crate::ReadGuard<'_, $inner> {
                self.cell.read()
            }

            /// An owned, immutable [`Snapshot`](crate::Snapshot) of the current version: O(1)
            /// (one atomic increment), lock-free, `Send + Sync + 'static` when the elements
            /// are. Iterating it cannot change it, and writes never do.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let snap = c.snapshot();
            /// let len = snap.len();
            /// c.clear();
            /// assert_eq!(snap.len(), len);
            /// assert!(c.is_empty());
            /// ```
            #[inline]
            #[must_use = "taking a snapshot does nothing unless it is used"]
            pub fn snapshot(&self) -> $crate::Snapshot<$inner> {
                self.cell.snapshot()
            }

            /// A [`Reader`](crate::Reader) for one thread's hot loop: each `read()` is one
            /// pointer check when nothing changed. Keeps its last version alive until its
            /// next `read()`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let mut reader = c.reader();
            /// let len = reader.read().len();
            /// c.clear();
            /// assert_ne!(reader.read().len(), len);
            /// ```
            #[must_use = "a reader does nothing until `read()` is called on it"]
            pub fn reader(&self) -> $crate::Reader<'_, $inner> {
                self.cell.reader()
            }

            /// The number of elements (entries, for a map) in the current version.
            /// Lock-free, O(1). Java's `size`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let n = c.read().len();
            /// assert_eq!(c.len(), n);
            /// ```
            #[inline]
            #[must_use]
            pub fn len(&self) -> usize {
                self.cell.read().len()
            }

            /// Whether the current version is empty. Lock-free, O(1). Java's `isEmpty`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// assert!(!c.is_empty());
            /// c.clear();
            /// assert!(c.is_empty());
            /// ```
            #[inline]
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.cell.read().is_empty()
            }

            /// The number of the current version: 0 for the initial contents, +1 per
            /// publish. Lock-free.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// assert_eq!(c.version(), 0);
            /// c.clear();
            /// assert_eq!(c.version(), 1);
            /// ```
            #[inline]
            #[must_use]
            pub fn version(&self) -> u64 {
                self.cell.version()
            }

            /// Retired versions still allocated (held by readers, or waiting for the
            /// writer's next scan), the oldest one's number, and the current version's
            /// number. Lock-free, O(1); as of the last write. See
            /// [`CowCell::retired`](crate::CowCell::retired).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let held = c.snapshot();
            /// c.clear();
            /// let retired = c.retired();
            /// assert_eq!((retired.version, retired.alive, retired.oldest), (1, 1, Some(0)));
            /// drop(held);
            /// ```
            #[must_use]
            pub fn retired(&self) -> $crate::Retired {
                self.cell.retired()
            }

            /// Frees now, on this thread, every retired version that no reader holds,
            /// and returns what is left. Takes the writer lock; O(threads + retired
            /// versions) plus the destructors. See
            /// [`CowCell::reclaim`](crate::CowCell::reclaim).
            ///
            /// # Panics
            ///
            /// If called from inside this collection's own `update` closure or while
            /// this thread holds its `write()` guard. Propagates a panic from an
            /// element's `Drop` (after releasing the lock).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let held = c.snapshot();
            /// c.clear();
            /// drop(held); // a reader never frees a retired version
            /// assert_eq!(c.reclaim().alive, 0); // the writer does
            /// ```
            pub fn reclaim(&self) -> $crate::Retired {
                self.cell.reclaim()
            }

            /// Resolves with the first version whose number is above `since` (at once if
            /// the current one is): the latest at that moment, so versions published in
            /// between are skipped. Cancel-safe; any executor, no runtime dependency; a
            /// write with nobody waiting pays one atomic load for this. See
            /// [`CowCell::changed`](crate::CowCell::changed).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
            #[doc = concat!("let c = ", $example, ";")]
            /// let seen = c.version();
            /// std::thread::scope(|s| {
            ///     s.spawn(|| c.clear());
            /// });
            /// let newer = c.changed(seen).await;
            /// assert!(newer.is_empty());
            /// assert_eq!(newer.version(), seen + 1);
            /// # });
            /// ```
            pub async fn changed(&self, since: u64) -> $crate::Snapshot<$inner> {
                self.cell.changed(since).await
            }

            /// Blocks until a version whose number is above `since` is published (at once
            /// if the current one is), for at most `timeout`; `None` on timeout, never an
            /// older version. See [`CowCell::wait_newer`](crate::CowCell::wait_newer).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            /// use std::time::Duration;
            ///
            #[doc = concat!("let c = ", $example, ";")]
            /// assert!(c.wait_newer(c.version(), Duration::from_millis(1)).is_none());
            /// std::thread::scope(|s| {
            ///     s.spawn(|| c.clear());
            ///     let newer = c.wait_newer(0, Duration::from_secs(60)).unwrap();
            ///     assert!(newer.is_empty());
            /// });
            /// ```
            pub fn wait_newer(
                &self,
                since: u64,
                timeout: std::time::Duration,
            ) -> Option<$crate::Snapshot<$inner>> {
                self.cell.wait_newer(since, timeout)
            }

            /// A [`Watcher`](crate::Watcher) that counts the current version as seen and
            /// returns each newer one once (tokio's `watch::Sender::subscribe`). O(1).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            /// use std::time::Duration;
            ///
            #[doc = concat!("let c = ", $example, ";")]
            /// let mut watcher = c.watch();
            /// assert!(!watcher.has_changed());
            /// c.clear();
            /// assert!(watcher.wait(Duration::from_secs(60)).unwrap().is_empty());
            /// ```
            #[must_use = "a watcher does nothing until `changed()` or `wait()` is called on it"]
            pub fn watch(&self) -> $crate::Watcher<'_, $inner> {
                self.cell.watch()
            }

            #[doc = concat!("Runs `f` once on a private copy of the whole `", stringify!($inner),
                "` and publishes it when `f` returns: any number of changes for ", $copy, " and one publish.")]
            ///
            /// Readers see all of the changes or none. If `f` (or a `Clone`, `Hash`, `Eq`
            /// or `Ord` it calls) panics, nothing is published and the collection stays
            /// usable. See [`CowCell::update`](crate::CowCell::update).
            ///
            /// # Panics
            ///
            /// Propagates a panic from `f` or from cloning. Panics if called on this
            /// collection from inside its own `update` or while this thread holds its
            /// `write()` guard (it would deadlock).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let len = c.len();
            #[doc = concat!("c.update(|v| { ", $change, "; ", $change, "; });")]
            /// assert_eq!(c.len(), len + 2);
            /// assert_eq!(c.version(), 1); // one publish for both changes
            /// ```
            pub fn update<R>(&self, f: impl FnOnce(&mut $inner) -> R) -> R
            where
                $inner: Clone,
            {
                self.cell.update(f)
            }

            /// Like [`update`](Self::update), but publishes only if `f` returns `Ok`.
            ///
            /// # Errors
            ///
            /// Returns `f`'s error; nothing is published then.
            ///
            /// # Panics
            ///
            /// As [`update`](Self::update).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let len = c.len();
            #[doc = concat!("let r: Result<(), &str> = c.try_update(|v| { ", $change, "; Err(\"no\") });")]
            /// assert_eq!(r, Err("no"));
            /// assert_eq!(c.len(), len);
            /// assert_eq!(c.version(), 0);
            /// ```
            pub fn try_update<R, E>(
                &self,
                f: impl FnOnce(&mut $inner) -> Result<R, E>,
            ) -> Result<R, E>
            where
                $inner: Clone,
            {
                self.cell.try_update(f)
            }

            /// Publishes `value` whole without copying the old contents, and returns the
            /// version it replaced (dropping it is up to you). O(1). The config-reload
            /// write.
            ///
            /// # Panics
            ///
            /// If this thread holds this collection's write lock (inside `update` or
            /// with a `write()` guard alive).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let previous = c.store(Default::default());
            /// assert!(c.is_empty());
            /// assert!(!previous.is_empty());
            /// assert_eq!(previous.version(), 0);
            /// ```
            pub fn store(&self, value: $inner) -> $crate::Snapshot<$inner> {
                self.cell.store(value)
            }

            /// [`store`](Self::store), but only if `value` differs (`!=`) from the
            /// current version: then it publishes, wakes waiters and watchers, and returns
            /// the version it replaced. Otherwise it publishes nothing (the version number
            /// does not move, nobody is woken), drops `value`, and returns `None`. One
            /// `==` of the whole contents under the writer lock: O(n). The config-reload
            /// write for a file rewritten with the same content; tokio's
            /// `watch::Sender::send_if_modified`. See
            /// [`CowCell::store_if_changed`](crate::CowCell::store_if_changed).
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let same = (*c.read()).clone();
            /// assert!(c.store_if_changed(same).is_none());
            /// assert_eq!(c.version(), 0); // nothing published
            /// let previous = c.store_if_changed(Default::default()).unwrap();
            /// assert!(!previous.is_empty());
            /// assert_eq!(c.version(), 1);
            /// ```
            pub fn store_if_changed(&self, value: $inner) -> Option<$crate::Snapshot<$inner>>
            where
                $inner: PartialEq,
            {
                self.cell.store_if_changed(value)
            }

            #[doc = concat!("A write guard mirroring `RwLock::write()`: `DerefMut` over a private copy (",
                $copy, "), published when the guard is dropped normally; nothing is published if it is \
                dropped during a panic. Other writers wait while it lives; readers never do.")]
            ///
            /// # Panics
            ///
            /// Propagates a panic from cloning. Panics if this thread already holds this
            /// collection's write lock.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let len = c.len();
            /// {
            ///     let mut v = c.write();
            #[doc = concat!("    ", $change, ";")]
            ///     assert_eq!(c.len(), len); // not yet published
            /// }
            /// assert_eq!(c.len(), len + 1);
            /// ```
            #[must_use = "dropping the guard at once publishes an unchanged copy; use `update` for one change"]
            pub fn write(&self) -> $crate::WriteGuard<'_, $inner>
            where
                $inner: Clone,
            {
                self.cell.write()
            }

            #[doc = concat!("Exclusive access without locking; no copy unless a snapshot, guard or \
                reader shares the current version (then ", $copy, "). Counts as one publish.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let mut c = ", $example, ";")]
            /// let len = c.len();
            /// let v = c.get_mut();
            #[doc = concat!($change, ";")]
            /// assert_eq!(c.len(), len + 1);
            /// ```
            pub fn get_mut(&mut self) -> &mut $inner
            where
                $inner: Clone,
            {
                self.cell.get_mut()
            }

            #[doc = concat!("The current contents as a `", stringify!($inner),
                "`; no copy unless a snapshot shares them (then ", $copy, ").")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// let len = c.len();
            /// assert_eq!(c.into_inner().len(), len);
            /// ```
            pub fn into_inner(self) -> $inner
            where
                $inner: Clone,
            {
                self.cell.into_inner()
            }

            /// The [`CowCell`](crate::CowCell) engine underneath, for code that is generic
            /// over copy-on-write cells.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            #[doc = concat!("let c = ", $example, ";")]
            /// assert_eq!(c.as_cell().version(), c.version());
            /// ```
            pub fn as_cell(&self) -> &$crate::CowCell<$inner> {
                &self.cell
            }
        }

        impl<$($param),*> Clone for $name<$($param),*> {
            /// O(1): a new, independent collection starting from the same published
            /// version (Java's shallow `clone()`). Writes to one do not affect the other.
            fn clone(&self) -> Self {
                Self { cell: self.cell.clone() }
            }
        }

        impl<$($param),*> From<$crate::Snapshot<$inner>> for $name<$($param),*> {
            /// A new collection starting from the snapshot's version; no copy.
            fn from(snapshot: $crate::Snapshot<$inner>) -> Self {
                Self { cell: $crate::CowCell::from(snapshot).weighed_by(|v| v.len()) }
            }
        }

        impl<$($param),*> From<$inner> for $name<$($param),*> {
            /// Wraps the container as version 0; no copy.
            fn from(inner: $inner) -> Self {
                Self { cell: $crate::CowCell::new(inner).weighed_by(|v| v.len()) }
            }
        }

        impl<$($param),*> $crate::engine::snapshot::sealed::Sealed<$inner> for $name<$($param),*> {}

        impl<$($param),*> $crate::ReadAs<$inner> for $name<$($param),*> {
            #[doc = concat!("Calls `f` with the current version's `", stringify!($inner), "` (one lock-free read).")]
            fn read_as<R>(&self, f: impl FnOnce(&$inner) -> R) -> R {
                f(&self.cell.read())
            }
        }

        impl<$($param),*> core::fmt::Debug for $name<$($param),*>
        where
            $inner: core::fmt::Debug,
        {
            /// Prints the current version as the inner value does (`{:?}` of a
            /// `CowMap` reads `{1: 'a'}`), without the version number: two equal
            /// collections print alike, whatever their history.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(&*self.cell.read(), f)
            }
        }

        impl<$($param),*> Default for $name<$($param),*>
        where
            $inner: Default,
        {
            /// An empty collection (version 0).
            fn default() -> Self {
                Self::from(<$inner>::default())
            }
        }

        impl<$($param),*> FromIterator<$item> for $name<$($param),*>
        where
            $inner: FromIterator<$item>,
        {
            #[doc = concat!("Collects into a `", stringify!($inner), "` and wraps it as version 0 \
                (no further copy).")]
            fn from_iter<I: IntoIterator<Item = $item>>(iter: I) -> Self {
                Self::from(<$inner>::from_iter(iter))
            }
        }

        impl<$($param),*, const N: usize> From<[$item; N]> for $name<$($param),*>
        where
            $inner: From<[$item; N]>,
        {
            #[doc = concat!("Builds a `", stringify!($inner), "` from the array as version 0.")]
            fn from(array: [$item; N]) -> Self {
                Self::from(<$inner>::from(array))
            }
        }

        impl<$($param),*> Extend<$item> for $name<$($param),*>
        where
            $($item_bound)*
        {
            #[doc = concat!("As [`", stringify!($name), "::extend`]: one copy and one publish \
                per call at most.")]
            fn extend<I: IntoIterator<Item = $item>>(&mut self, iter: I) {
                $name::extend(self, iter);
            }
        }

        impl<'a, $($param),*> Extend<$borrowed> for $name<$($param),*>
        where
            $($borrowed_bound)*
        {
            #[doc = concat!("Copies the items in, as the `Extend<&_>` of `", stringify!($inner),
                "` does, then as [`", stringify!($name), "::extend`].")]
            #[allow(clippy::map_clone)] // `copied` is `|x: &T| *x` or copies a pair
            fn extend<I: IntoIterator<Item = $borrowed>>(&mut self, iter: I) {
                $name::extend(self, iter.into_iter().map($copied));
            }
        }

        impl<$($eq_param),*> PartialEq<$rhs> for $lhs
        where
            $lhs_inner: PartialEq<$rhs_inner>,
        {
            /// Compares the current versions as the inner values compare (each read
            /// lock-free; the two reads are not one atomic step). Version numbers do
            /// not count.
            fn eq(&self, other: &$rhs) -> bool {
                *self.read() == *other.read()
            }
        }

        impl<$($param),*> Eq for $name<$($param),*> where $inner: Eq {}
    };
}

pub(crate) use cow_facade;
