//! [`CowCell`]: the copy-on-write engine. All synchronization in the crate lives here.
//!
//! # The writer protocol
//!
//! 1. Detect re-entrancy: if this thread already holds the writer lock, panic (naming
//!    the call) instead of deadlocking.
//! 2. Lock the writer mutex and record this thread as the holder.
//! 3. Load the current version (it cannot change: every publish holds the lock).
//! 4. Build the next value from it on a private copy (user code runs here and may panic:
//!    nothing has been published, so unwinding just drops the copy and the lock).
//! 5. Publish the copy with version + 1 in one atomic swap, and retire the replaced
//!    version onto the cell's list (it stays owned by the cell: no reader frees it).
//! 6. Every so often, scan the hazard slots and pick the retired versions nobody can see
//!    any more (`publish.rs`).
//! 7. Clear the holder, unlock, wake waiters, and only then free what the scan picked,
//!    so a panicking or slow `Drop` of old elements runs outside the lock, on this
//!    (the writer's) thread.
//!
//! Readers never take the lock: they load whichever version is published.

use core::fmt;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use std::time::{Duration, Instant};

use super::publish::{Garbage, PublishCell, RetiredList};
use super::snapshot::{ReadGuard, Reader, Snapshot};
use super::sync::{
    self, AtomicU64, AtomicUsize, Event, EventListener, Listener, Mutex, MutexGuard, Ordering,
};
use super::version::{self, Version};
use crate::Watcher;

/// A generic copy-on-write cell: lock-free snapshot reads, serialized copy-and-swap
/// writes. The engine under [`CowVec`](crate::CowVec), [`CowSet`](crate::CowSet) and
/// [`CowMap`](crate::CowMap); use it directly for your own `Clone` type (a `Config`
/// struct, a `BTreeMap`, a routing table).
///
/// The current value is an immutable, reference-counted version behind one atomic
/// pointer (the crate's own publication cell, with hazard slots for readers):
///
/// * Reads ([`read`](Self::read), [`snapshot`](Self::snapshot), [`reader`](Self::reader))
///   are lock-free: they never block and never wait for a writer.
/// * Writes ([`update`](Self::update), [`try_update`](Self::try_update),
///   [`store`](Self::store), [`write`](Self::write)) are serialized by one
///   `parking_lot` mutex per cell. Each one copies the current value (`T::clone`,
///   O(size of `T`)), changes the copy, and publishes it in one atomic swap, so readers
///   see either the whole old value or the whole new one. `store` needs no copy.
/// * Every published version has a number: 0 for the initial value, +1 per publish.
///
/// # Consistency
///
/// A reader sees a version that really was published, whole: never a half-applied
/// update. Once a publish has returned, every read that starts afterwards (on any thread
/// that synchronizes with the writer) sees that version or a later one. A snapshot never
/// changes. Writes are linearizable: each takes effect at its publish, in lock order, and
/// none is lost.
///
/// # Panics and re-entrancy
///
/// If user code panics during a write (the closure, `T::clone`, or `Hash`, `Eq`, `Ord`
/// or a comparator called by the collections), nothing is published: the previous
/// version stays, the lock is released, and the cell stays usable. A write on the same
/// cell from inside its own `update` closure, or while its [`WriteGuard`] is alive on
/// the same thread, panics with a message naming the call instead of deadlocking.
///
/// The retired version is dropped after the lock is released. If an element's `Drop`
/// panics there, the write has already been published: the panic reaches the caller,
/// the new version stays, and the cell stays usable.
///
/// # Examples
///
/// ```
/// use cow_collections::CowCell;
/// use std::collections::BTreeMap;
///
/// #[derive(Clone, Debug, Default)]
/// struct Config { timeout_ms: u64, routes: BTreeMap<String, String> }
///
/// let config = CowCell::new(Config::default());
/// let before = config.snapshot();
/// config.update(|c| {
///     c.timeout_ms = 250;
///     c.routes.insert("/api".into(), "backend:8080".into());
/// }); // one copy, one publish, however many changes
/// assert_eq!(config.read().timeout_ms, 250);
/// assert_eq!(before.timeout_ms, 0); // the old snapshot is untouched
/// assert_eq!(config.version(), 1);
/// ```
pub struct CowCell<T> {
    /// What readers touch, on a cache line of its own: a writer's stores to the fields
    /// below never invalidate it, only its publish does.
    read_side: ReadSide<T>,
    /// The writer mutex and the retired versions it guards.
    writer: Mutex<Writer<T>>,
    /// [`sync::thread_token`] of the thread holding `writer`, 0 when none does.
    writer_thread: AtomicU64,
    /// Waiters for a newer version (`changed`, `wait_newer`, [`Watcher`]).
    changes: Event,
    /// How many waiters are registered with `changes`: a publish with none pays one
    /// load of this instead of a call into `changes`. See [`CowCell::listen`].
    waiters: AtomicUsize,
    /// Figures as of the last write, for [`CowCell::retired`]: how many retired
    /// versions are allocated, and the number of the oldest (`u64::MAX`: none).
    retired_alive: AtomicUsize,
    oldest_retired: AtomicU64,
    /// How many elements a version holds: what freeing it is worth (see `publish.rs`).
    weigh: fn(&T) -> usize,
}

#[repr(align(128))]
struct ReadSide<T> {
    current: PublishCell<T>,
    /// The number of the newest version handed to `current`: stored just before the
    /// swap that publishes it. Only a hint for [`Reader`]s ("has anything changed?");
    /// everything they read comes through `current`.
    published: AtomicU64,
}

/// What the writer lock guards.
struct Writer<T> {
    retired: RetiredList<T>,
}

impl<T> Drop for Writer<T> {
    fn drop(&mut self) {
        // The cell is being dropped: no guard of it is alive.
        drop(self.retired.drop_all());
    }
}

// SAFETY: a cell shares its versions between the threads that read it (`&T` on each)
// and may drop one on any thread that writes or drops the cell, like an
// `Arc<Mutex<..>>` of `T`: `Send` and `Sync` need `T: Send + Sync`. Everything else in
// it is atomics and a mutex.
unsafe impl<T: Send + Sync> Send for CowCell<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for CowCell<T> {}

/// Retired versions of a collection that are still allocated: see
/// [`CowCell::retired`] and [`CowCell::reclaim`].
///
/// # Examples
///
/// A snapshot held too long shows up as an old `oldest` version:
///
/// ```
/// use cow_collections::CowMap;
///
/// let routes = CowMap::from([("/", 0)]);
/// let forgotten = routes.snapshot(); // version 0, kept somewhere and never dropped
/// for i in 1..=100 {
///     routes.insert("/", i);
/// }
/// let retired = routes.reclaim(); // frees what nobody holds; reports the rest
/// assert_eq!((retired.version, retired.alive, retired.oldest), (100, 1, Some(0)));
/// if let Some(oldest) = retired.oldest {
///     let behind = retired.version - oldest;
///     assert_eq!(behind, 100); // a reader holds a version 100 writes old
/// }
/// drop(forgotten);
/// assert_eq!(routes.reclaim().alive, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retired {
    /// The number of the current version.
    pub version: u64,
    /// Retired versions (replaced by a later write) that are still allocated: held by a
    /// snapshot, a read guard or a `Reader`, or waiting for the writer's next scan.
    /// Right after [`CowCell::reclaim`], only held ones.
    pub alive: usize,
    /// The number of the oldest of them, `None` when there are none.
    pub oldest: Option<u64>,
}

impl<T> CowCell<T> {
    /// A new cell holding `value` as version 0. Allocates one `Arc`; `value` is moved
    /// in, not copied.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(42);
    /// assert_eq!(*cell.read(), 42);
    /// assert_eq!(cell.version(), 0);
    /// ```
    pub fn new(value: T) -> Self {
        Self::from_owned(Version::owned(0, value), |_| 1)
    }

    /// A cell taking over `version`'s owner count.
    fn from_owned(version: NonNull<Version<T>>, weigh: fn(&T) -> usize) -> Self {
        // SAFETY: the caller passes an owner count, which keeps the version alive.
        let number = unsafe { version.as_ref() }.version;
        Self {
            read_side: ReadSide {
                current: PublishCell::new(version),
                published: AtomicU64::new(number),
            },
            writer: Mutex::new(Writer {
                retired: RetiredList::new(),
            }),
            writer_thread: AtomicU64::new(0),
            changes: Event::new(),
            waiters: AtomicUsize::new(0),
            retired_alive: AtomicUsize::new(0),
            oldest_retired: AtomicU64::new(u64::MAX),
            weigh,
        }
    }

    /// Tells the cell how many elements a version holds (the collections report their
    /// length), so that large retired versions are freed at the next write rather than
    /// within the next few writes.
    pub(crate) fn weighed_by(mut self, weigh: fn(&T) -> usize) -> Self {
        self.weigh = weigh;
        self
    }

    #[inline]
    fn current(&self) -> &PublishCell<T> {
        &self.read_side.current
    }

    /// A short-lived guard over the current version. Lock-free, never waits for a
    /// writer: one hazard-slot store and a fence, and one store when dropped (no shared
    /// write). The default for one-off reads.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1, 2, 3]);
    /// assert_eq!(cell.read().len(), 3);
    /// ```
    #[inline]
    #[must_use = "a read guard does nothing unless its value is used"]
    pub fn read(&self) -> ReadGuard<'_, T> {
        ReadGuard::new(self.current().protect())
    }

    /// An owned, immutable [`Snapshot`] of the current version. Lock-free; one atomic
    /// reference-count increment. Java's `CopyOnWriteArrayList` iterator snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1]);
    /// let snap = cell.snapshot();
    /// cell.update(|v| v.push(2));
    /// assert_eq!(*snap, [1]);
    /// assert_eq!(*cell.snapshot(), [1, 2]);
    /// ```
    #[inline]
    #[must_use = "taking a snapshot does nothing unless it is used"]
    pub fn snapshot(&self) -> Snapshot<T> {
        Snapshot::from_held(self.current().load_held())
    }

    /// A [`Reader`] handle for one thread's hot loop (arc-swap's `Cache` pattern): each
    /// `read()` costs one version-number check when nothing changed (one `Relaxed`
    /// load; after a write, one `snapshot()`). Creating it is one `snapshot()`: O(1),
    /// lock-free. Keeps its last version alive until its next `read()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(0u64);
    /// let mut reader = cell.reader();
    /// let mut total = 0;
    /// for _ in 0..3 {
    ///     total += *reader.read();
    /// }
    /// assert_eq!(total, 0);
    /// ```
    #[must_use = "a reader does nothing until `read()` is called on it"]
    pub fn reader(&self) -> Reader<'_, T> {
        Reader::new(self, self.snapshot())
    }

    /// A [`Reader`]'s refresh: replaces `cached` with the current version if a newer one
    /// has been published, and returns it.
    ///
    /// The check is one `Relaxed` load of `published`, which every publish stores before
    /// its swap: a thread that has seen a version through any read (or synchronized with
    /// its writer) then sees its number or a later one here, and reloads. The reload,
    /// a snapshot, is what synchronizes; it never goes back to an older version than
    /// `cached` (coherence of the one pointer), so a `Reader` is monotonic. Between a
    /// writer's store and its swap the reload may still return `cached`'s version; the
    /// next call checks again. Replacing `cached` gives up a count; it never frees.
    #[inline]
    pub(crate) fn refresh<'r>(&self, cached: &'r mut Snapshot<T>) -> &'r Snapshot<T> {
        if self.read_side.published.load(Ordering::Relaxed) != cached.version() {
            self.reload(cached);
        }
        cached
    }

    /// The slow path of [`refresh`](Self::refresh), kept out of line so that the check
    /// inlines into the reader's loop.
    #[cold]
    #[inline(never)]
    fn reload(&self, cached: &mut Snapshot<T>) {
        *cached = self.snapshot();
    }

    /// The number of the current version: 0 initially, +1 per publish. Lock-free.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(0);
    /// cell.store(1);
    /// cell.store(2);
    /// assert_eq!(cell.version(), 2);
    /// ```
    #[inline]
    pub fn version(&self) -> u64 {
        self.read().version()
    }

    /// How many retired versions (replaced by later writes) are still allocated, the
    /// oldest one's number, and the current version's number. Lock-free and O(1): the
    /// retired figures are as of the last write (or [`reclaim`](Self::reclaim)).
    ///
    /// A retired version stays allocated while a snapshot, read guard or [`Reader`]
    /// holds it, and after that until a writer's scan frees it: at the next write when
    /// the versions waiting are large (together more than about a thousand elements of
    /// a collection), and in any case within 128 writes (past 128 threads reading at
    /// the same time, within as many writes as there are such threads). A `CowCell` of
    /// your own type cannot see how large a value is, so its retired versions wait for
    /// the 128th write (or for `reclaim`). [`reclaim`](Self::reclaim) frees now whatever nobody holds. An `oldest`
    /// far behind `version` means that a reader holds an old version: a forgotten
    /// snapshot, or a `Reader` that stopped reading.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![0u8; 1024]);
    /// let held = cell.snapshot();
    /// cell.store(vec![1; 1024]);
    /// let retired = cell.retired();
    /// assert_eq!((retired.version, retired.alive, retired.oldest), (1, 1, Some(0)));
    /// drop(held); // the reader lets go; a writer frees the version
    /// assert_eq!(cell.reclaim().alive, 0);
    /// ```
    #[must_use]
    pub fn retired(&self) -> Retired {
        let oldest = self.oldest_retired.load(Ordering::Relaxed);
        Retired {
            version: self.version(),
            alive: self.retired_alive.load(Ordering::Relaxed),
            oldest: (oldest != u64::MAX).then_some(oldest),
        }
    }

    /// Frees now, on the calling thread, every retired version that no snapshot, read
    /// guard or [`Reader`] holds, and returns [`retired`](Self::retired)'s figures
    /// afterwards, when [`Retired::alive`] counts only versions that readers hold. Takes
    /// the writer lock (waits for a running write) and reads every thread's hazard
    /// slots: O(threads + retired versions), plus the destructors it runs. Writes do
    /// this by themselves, amortized; call it to give memory back at once (after a
    /// large `store`, say) or before reading the figures for monitoring.
    ///
    /// # Panics
    ///
    /// If called on this cell from inside its own `update`/`try_update` closure or while
    /// this thread holds its [`WriteGuard`] (it would deadlock). Propagates a panic from
    /// an element's `Drop` (after releasing the lock; the other versions are freed).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(String::from("v0"));
    /// let reading = cell.snapshot();
    /// cell.store(String::from("v1"));
    /// drop(reading); // does not free "v0" on this (the reader's) thread
    /// let retired = cell.reclaim(); // frees it here
    /// assert_eq!((retired.alive, retired.oldest), (0, None));
    /// ```
    pub fn reclaim(&self) -> Retired {
        let mut lock = self.lock_writer("CowCell::reclaim");
        let garbage = lock.state.retired.scan();
        self.record_retired(&lock.state);
        drop(lock);
        drop(garbage);
        self.retired()
    }

    /// Puts a replaced version (and the cell's ownership of it) on the retired list,
    /// scans if that is due, and updates [`retired`](Self::retired)'s figures. Returns
    /// what the scan found unreachable, for the caller to drop once it has unlocked.
    fn retire(
        &self,
        writer: &mut Writer<T>,
        replaced: NonNull<Version<T>>,
        weight: usize,
    ) -> Garbage<T> {
        let garbage = if writer.retired.retire(replaced, weight) {
            writer.retired.scan()
        } else {
            Garbage::default()
        };
        self.record_retired(writer);
        garbage
    }

    /// Updates the figures [`retired`](Self::retired) reads (under the writer lock).
    fn record_retired(&self, writer: &Writer<T>) {
        let (alive, oldest) = writer.retired.alive();
        self.retired_alive.store(alive, Ordering::Relaxed);
        self.oldest_retired
            .store(oldest.unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Publishes `value` whole, without copying the old value (no `Clone` bound), and
    /// returns the version it replaced as a snapshot. O(1). Once that snapshot is
    /// dropped, a writer frees the old version (see [`retired`](Self::retired)).
    ///
    /// This is the config-reload write: build the new value outside, then `store` it.
    ///
    /// # Panics
    ///
    /// If called on this cell from inside its own `update`/`try_update` closure or while
    /// this thread holds its [`WriteGuard`] (it would deadlock).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(String::from("old"));
    /// let previous = cell.store(String::from("new"));
    /// assert_eq!(*previous, "old");
    /// assert_eq!(previous.version(), 0);
    /// assert_eq!(*cell.read(), "new");
    /// assert_eq!(cell.version(), 1);
    /// ```
    pub fn store(&self, value: T) -> Snapshot<T> {
        let lock = self.lock_writer("CowCell::store");
        let current = self.current().current();
        // SAFETY: the current version stays alive while we hold the writer lock.
        let number = unsafe { current.as_ref() }.version;
        // SAFETY: as above.
        version::acquire_holder(unsafe { current.as_ref() });
        // The pointer itself, not one derived from a reference: a snapshot may free it.
        let replaced = Snapshot::from_held(current);
        self.publish(lock, number + 1, value);
        replaced
    }

    /// [`store`](Self::store), but only if `value` differs from the current version:
    /// returns the replaced version, or `None` when `value == *current` and nothing was
    /// published (no new version number, no waiter woken). A config reloader that
    /// re-reads an unchanged file publishes nothing. One `T::eq` under the writer lock,
    /// no copy. tokio's `watch::Sender::send_if_modified`, decided by `PartialEq`.
    ///
    /// # Panics
    ///
    /// If called on this cell from inside its own `update`/`try_update` closure or while
    /// this thread holds its [`WriteGuard`] (it would deadlock). Propagates a panic from
    /// `T::eq`, having published nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let config = CowCell::new(String::from("port = 80"));
    /// assert!(config.store_if_changed(String::from("port = 80")).is_none());
    /// assert_eq!(config.version(), 0); // the same text: nothing published
    /// let old = config.store_if_changed(String::from("port = 8080")).unwrap();
    /// assert_eq!((old.as_str(), config.version()), ("port = 80", 1));
    /// ```
    pub fn store_if_changed(&self, value: T) -> Option<Snapshot<T>>
    where
        T: PartialEq,
    {
        let lock = self.lock_writer("CowCell::store_if_changed");
        let current = self.current().current();
        // SAFETY: the current version stays alive while we hold the writer lock.
        let shown = unsafe { current.as_ref() };
        if shown.value == value {
            // The rejected value is dropped outside the lock.
            drop(lock);
            drop(value);
            return None;
        }
        let number = shown.version;
        version::acquire_holder(shown);
        // The pointer itself, not one derived from a reference: a snapshot may free it.
        let replaced = Snapshot::from_held(current);
        self.publish(lock, number + 1, value);
        Some(replaced)
    }

    /// Runs `f` exactly once on a private copy of the current value and publishes the
    /// copy when `f` returns. Any number of changes inside `f` cost one O(n) copy
    /// (`T::clone`) and one publish. Returns what `f` returns.
    ///
    /// Readers keep seeing the previous version until the publish, then the new one;
    /// never a mix. Concurrent writers queue on the cell's mutex.
    ///
    /// If `f` or `T::clone` panics, nothing is published and the cell stays usable.
    ///
    /// # Panics
    ///
    /// Propagates a panic from `f` or `T::clone` (after releasing the lock). Panics if
    /// called on this cell from inside its own `update`/`try_update` closure or while
    /// this thread holds its [`WriteGuard`] (it would deadlock).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1, 2, 3]);
    /// let removed = cell.update(|v| {
    ///     v.push(4);
    ///     v.remove(0)
    /// });
    /// assert_eq!(removed, 1);
    /// assert_eq!(*cell.read(), [2, 3, 4]);
    /// assert_eq!(cell.version(), 1); // one publish
    /// ```
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> R
    where
        T: Clone,
    {
        self.write_with("CowCell::update", |current| {
            let mut next = current.clone();
            let result = f(&mut next);
            (Some(next), result)
        })
    }

    /// Like [`update`](Self::update), but publishes only if `f` returns `Ok`; on `Err`
    /// the copy is dropped and nothing changes (the version number included).
    ///
    /// # Errors
    ///
    /// Returns `f`'s error unchanged.
    ///
    /// # Panics
    ///
    /// As [`update`](Self::update).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let balance = CowCell::new(100i64);
    /// let r: Result<(), &str> = balance.try_update(|b| {
    ///     *b -= 150;
    ///     if *b < 0 { Err("insufficient funds") } else { Ok(()) }
    /// });
    /// assert_eq!(r, Err("insufficient funds"));
    /// assert_eq!(*balance.read(), 100); // nothing published
    /// assert_eq!(balance.version(), 0);
    /// ```
    pub fn try_update<R, E>(&self, f: impl FnOnce(&mut T) -> Result<R, E>) -> Result<R, E>
    where
        T: Clone,
    {
        self.write_with("CowCell::try_update", |current| {
            let mut next = current.clone();
            match f(&mut next) {
                Ok(result) => (Some(next), Ok(result)),
                Err(error) => (None, Err(error)),
            }
        })
    }

    /// A write guard mirroring `RwLock::write()`: derefs (mutably) to a private copy of
    /// the current value, and publishes it when dropped normally. One O(n) copy when
    /// taken, one publish when dropped. Dropped during a panic, it publishes nothing.
    ///
    /// Other writers wait while the guard lives; readers do not.
    ///
    /// # Panics
    ///
    /// Propagates a panic from `T::clone`. Panics if this thread already holds this
    /// cell's write lock (inside `update`, or with another `WriteGuard` alive).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1]);
    /// {
    ///     let mut w = cell.write();
    ///     w.push(2);
    ///     w.push(3);
    ///     assert_eq!(*cell.read(), [1]); // not yet published
    /// }
    /// assert_eq!(*cell.read(), [1, 2, 3]);
    /// ```
    #[must_use = "dropping the guard at once publishes an unchanged copy; use `update` for one change"]
    pub fn write(&self) -> WriteGuard<'_, T>
    where
        T: Clone,
    {
        let lock = self.lock_writer("CowCell::write");
        // SAFETY: the current version stays alive while we hold the writer lock.
        let base = unsafe { self.current().current().as_ref() };
        let value = base.value.clone();
        WriteGuard {
            cell: self,
            lock: Some(lock),
            version: base.version + 1,
            value: Some(value),
            panicking_at_start: std::thread::panicking(),
            _not_send: PhantomData,
        }
    }

    /// Exclusive access without locking. No copy when no snapshot, read guard or reader
    /// shares the current version; otherwise one O(n) copy (like `Arc::make_mut`).
    /// Counts as a publish: the version number goes up by one. After a copy, retired
    /// versions that nobody holds any more may be freed here, as by any write.
    ///
    /// # Panics
    ///
    /// If `T::clone` panics, nothing changes. If dropping a freed retired version
    /// panics, the panic propagates after the copy is in place: the contents and the
    /// version number are the previous ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let mut cell = CowCell::new(vec![1, 2]);
    /// cell.get_mut().push(3);
    /// assert_eq!(*cell.read(), [1, 2, 3]);
    /// assert_eq!(cell.version(), 1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T
    where
        T: Clone,
    {
        // `Arc::make_mut`'s rule, over the cell's own version: write in place if nothing
        // else shares it (no snapshot, no other cell; `&mut self` rules out this cell's
        // guards), otherwise publish a private copy first. The copy is made before the
        // swap, so a panicking `clone` changes nothing.
        let mut current = self.read_side.current.current_mut();
        // SAFETY: the cell owns its current version.
        let shared = unsafe { current.as_ref() };
        if !version::is_unique(shared) {
            let copy = Version::owned(shared.version, shared.value.clone());
            let weight = (self.weigh)(&shared.value);
            let replaced = self.read_side.current.replace_mut(copy);
            // `&mut self`: uncontended, and no write of this cell is running.
            let mut writer = self.writer.lock();
            let garbage = self.retire(&mut writer, replaced, weight);
            drop(writer);
            drop(garbage);
            current = copy;
        }
        // SAFETY: unshared (checked with `Acquire`, or a fresh copy), and `&mut self`
        // keeps it so for as long as the returned borrow lives: nobody can read, swap
        // or snapshot the cell meanwhile.
        let version = unsafe { current.as_mut() };
        version.version += 1;
        self.read_side
            .published
            .store(version.version, Ordering::Relaxed);
        &mut version.value
    }

    /// The current value, without a copy when no snapshot shares it (one O(n) clone
    /// otherwise).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1, 2]);
    /// assert_eq!(cell.into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(mut self) -> T
    where
        T: Clone,
    {
        // Take a snapshot of the current version, drop the cell (which gives up its
        // ownership), and let the snapshot hand the value over: moved out if nothing
        // else shares it any more, cloned otherwise.
        let current = self.read_side.current.current_mut();
        // SAFETY: the cell owns its current version, keeping it alive for this.
        version::acquire_holder(unsafe { current.as_ref() });
        let last = Snapshot::from_held(current);
        drop(self);
        last.into_inner()
    }

    /// The one write primitive. `f` sees the current value and returns the next value
    /// (`None`: publish nothing) and a result. Runs under the writer lock.
    pub(crate) fn write_with<R>(
        &self,
        call: &'static str,
        f: impl FnOnce(&T) -> (Option<T>, R),
    ) -> R {
        let lock = self.lock_writer(call);
        // SAFETY: the current version stays alive while we hold the writer lock.
        let current = unsafe { self.current().current().as_ref() };
        let (next, result) = f(&current.value);
        if let Some(value) = next {
            self.publish(lock, current.version + 1, value);
        }
        result
    }

    /// Publishes `value` as version `version`, retires the version it replaces,
    /// releases the writer lock, wakes the waiters, and frees whatever the retirement's
    /// scan found unreachable (on this thread, after unlocking). Only the holder of the
    /// writer lock publishes (`lock` is the proof), so `version` is exactly one above
    /// the replaced version's.
    fn publish(&self, mut lock: WriterLock<'_, T>, version: u64, value: T) {
        let next = Version::owned(version, value);
        // Before the swap, so that a thread that sees the new version anywhere also sees
        // its number here (see `refresh`). `Relaxed`: the swap's release orders it.
        self.read_side.published.store(version, Ordering::Relaxed);
        // The swap ends with a `SeqCst` fence, which also orders the load of `waiters`
        // below after it (see `listen`).
        let replaced = self.current().swap(next);
        // SAFETY: the cell owned `replaced` until the swap and passes that to the list.
        let weight = (self.weigh)(&unsafe { replaced.as_ref() }.value);
        let garbage = self.retire(&mut lock.state, replaced, weight);
        drop(lock);
        if self.waiters.load(Ordering::SeqCst) != 0 {
            self.changes.notify(usize::MAX);
        }
        drop(garbage);
    }

    /// The current version, if its number is above `since`.
    fn newer_than(&self, since: u64) -> Option<Snapshot<T>> {
        let current = self.current().protect();
        (current.version().version > since).then(|| Snapshot::from_held(current.to_held()))
    }

    /// Registers a waiter for the next publish: listens on `changes`, then counts itself
    /// in `waiters`. The caller must check the version again after this (and before it
    /// sleeps): a publish that happened before the registration woke nobody.
    ///
    /// Why no wake-up is lost. A publish swaps the pointer, issues a `SeqCst` fence, then
    /// loads `waiters` (`SeqCst`) and notifies if it is not 0. A waiter increments
    /// `waiters`, issues a `SeqCst` fence, then loads the pointer (its re-check). In the
    /// single total order of the two fences, either the writer's comes first, and then
    /// the re-check sees the new version (or a later one) and the waiter does not sleep;
    /// or the waiter's comes first, and then the writer's load sees the increment or a
    /// later value of `waiters` (C++20 [atomics.order], the fence rules). Both fences
    /// are the cell's own: nothing rests on how the swap itself is ordered. A nonzero
    /// load that reads the increment, or a later read-modify-write of `waiters` (its
    /// release sequence), synchronizes with it, so the listener inserted before the
    /// increment is in the list when the writer notifies.
    ///
    /// # Panics
    ///
    /// If this thread holds the cell's write lock: no version could be published while
    /// it waits, so the wait would never end.
    fn listen(&self) -> (EventListener, Waiting<'_>) {
        if self.writer_thread.load(Ordering::Relaxed) == sync::thread_token() {
            panic!(
                "cow-collections: waiting for a newer version (`changed`, `wait_newer` or a \
                 Watcher) on a collection whose write lock this thread holds (from inside its \
                 own update/try_update closure, or while a write() guard is alive): no \
                 version can be published until that write ends, so this would never return"
            );
        }
        let listener = self.changes.listen();
        self.waiters.fetch_add(1, Ordering::SeqCst);
        sync::fence(Ordering::SeqCst);
        (listener, Waiting(&self.waiters))
    }

    /// Resolves with the first version whose number is above `since`: at once with the
    /// current snapshot if it already is, otherwise when a publish makes it so. Returns
    /// the latest version at that moment, so versions published in between are skipped,
    /// not queued. tokio's `watch::Receiver::changed`, by version number.
    ///
    /// Lock-free until it has to wait; a waiting future costs the writer one wake-up
    /// (the runtime-agnostic `event-listener` crate: any executor, no runtime needed).
    /// Cancel-safe: dropping the future deregisters it and loses nothing. The future
    /// borrows the cell and is `Send` when `T: Send + Sync`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    /// use std::sync::Arc;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let config = Arc::new(CowCell::new(String::from("v0")));
    /// let seen = config.version();
    /// let reloader = {
    ///     let config = Arc::clone(&config);
    ///     std::thread::spawn(move || config.store(String::from("v1")))
    /// };
    /// let newer = config.changed(seen).await;
    /// assert_eq!((newer.as_str(), newer.version()), ("v1", 1));
    /// reloader.join().unwrap();
    /// # });
    /// ```
    pub async fn changed(&self, since: u64) -> Snapshot<T> {
        loop {
            if let Some(newer) = self.newer_than(since) {
                return newer;
            }
            let (listener, _waiting) = self.listen();
            if let Some(newer) = self.newer_than(since) {
                return newer;
            }
            listener.await;
        }
    }

    /// Blocks the calling thread until a version whose number is above `since` is
    /// published, for at most `timeout`. Returns that version (the latest at the
    /// moment), at once if the current one already qualifies; `None` on timeout, never
    /// an older version. The blocking form of [`changed`](Self::changed).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    /// use std::time::Duration;
    ///
    /// let cell = CowCell::new(0u32);
    /// assert!(cell.wait_newer(0, Duration::from_millis(10)).is_none()); // timed out
    /// std::thread::scope(|s| {
    ///     s.spawn(|| cell.store(7));
    ///     let newer = cell.wait_newer(0, Duration::from_secs(60)).unwrap();
    ///     assert_eq!((*newer, newer.version()), (7, 1));
    /// });
    /// ```
    pub fn wait_newer(&self, since: u64, timeout: Duration) -> Option<Snapshot<T>> {
        // `None`: a timeout too long to represent, i.e. no deadline.
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if let Some(newer) = self.newer_than(since) {
                return Some(newer);
            }
            let (listener, _waiting) = self.listen();
            if let Some(newer) = self.newer_than(since) {
                return Some(newer);
            }
            match deadline {
                None => listener.wait(),
                Some(deadline) => {
                    if listener.wait_deadline(deadline).is_none() {
                        return self.newer_than(since);
                    }
                }
            }
        }
    }

    /// A [`Watcher`] that counts the current version as seen and then returns each newer
    /// version once (tokio's `watch::Sender::subscribe`). Lock-free, O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    /// use std::time::Duration;
    ///
    /// let cell = CowCell::new(1);
    /// let mut watcher = cell.watch();
    /// assert!(watcher.wait(Duration::ZERO).is_none()); // version 0 counts as seen
    /// cell.store(2);
    /// cell.store(3);
    /// let latest = watcher.wait(Duration::from_secs(60)).unwrap();
    /// assert_eq!((*latest, latest.version()), (3, 2)); // the latest, not each one
    /// assert!(watcher.wait(Duration::ZERO).is_none());
    /// ```
    #[must_use = "a watcher does nothing until `changed()` or `wait()` is called on it"]
    pub fn watch(&self) -> Watcher<'_, T> {
        Watcher::new(self, self.snapshot())
    }

    /// Locks the writer mutex, or panics if this thread already holds it.
    fn lock_writer(&self, call: &'static str) -> WriterLock<'_, T> {
        let me = sync::thread_token();
        // Relaxed is enough: only this thread ever stores its own token, and it clears it
        // before unlocking, so reading our own token means we still hold the lock.
        if self.writer_thread.load(Ordering::Relaxed) == me {
            panic!(
                "cow-collections: re-entrant write: `{call}` was called on a collection whose \
                 write lock this thread already holds (from inside its own update/try_update \
                 closure, or while a write() guard is alive); this would deadlock"
            );
        }
        let state = self.writer.lock();
        self.writer_thread.store(me, Ordering::Relaxed);
        WriterLock {
            owner: &self.writer_thread,
            state,
        }
    }
}

/// A registered waiter, counted in `CowCell::waiters` until dropped (also when a
/// `changed` future is dropped mid-wait).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        // A read-modify-write: it continues the release sequence of every increment, so
        // a writer's load that reads it still synchronizes with those (see `listen`).
        self.0.fetch_sub(1, Ordering::Release);
    }
}

/// Holds the writer mutex and clears the holder's token when released (also on unwind).
struct WriterLock<'a, T> {
    owner: &'a AtomicU64,
    state: MutexGuard<'a, Writer<T>>,
}

impl<T> Drop for WriterLock<'_, T> {
    fn drop(&mut self) {
        // Runs before `state` unlocks (fields drop after `drop`).
        self.owner.store(0, Ordering::Relaxed);
    }
}

impl<T: Default> Default for CowCell<T> {
    /// A cell holding `T::default()` as version 0.
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> Clone for CowCell<T> {
    /// O(1): a new, independent cell that starts from the same published version (the
    /// same allocation, the same version number). Writes to either one do not affect the
    /// other. Java's `CopyOnWriteArrayList.clone()`.
    fn clone(&self) -> Self {
        let current = self.current().protect();
        version::acquire_owner(current.version());
        Self::from_owned(current.as_ptr(), self.weigh)
    }
}

impl<T> From<T> for CowCell<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T> From<Snapshot<T>> for CowCell<T> {
    /// A new cell starting from the snapshot's version (no copy).
    fn from(snapshot: Snapshot<T>) -> Self {
        let version = snapshot.into_held();
        // SAFETY: the snapshot's holder count keeps it alive; it becomes the new cell's
        // owner count.
        version::holder_to_owner(unsafe { version.as_ref() });
        Self::from_owned(version, |_| 1)
    }
}

impl<T: fmt::Debug> fmt::Debug for CowCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.read();
        f.debug_struct("CowCell")
            .field("version", &current.version())
            .field("value", &*current)
            .finish()
    }
}

/// Write guard returned by [`CowCell::write`]: a private copy that is published when the
/// guard is dropped normally.
///
/// Derefs mutably to the copy. Readers keep seeing the previous version until the drop.
/// If the guard is dropped while the thread is panicking (and it was not created during
/// that panic), nothing is published. [`discard`](WriteGuard::discard) drops the copy
/// without publishing.
#[must_use = "the copy is published when the guard is dropped: bind it, change it, then drop it"]
pub struct WriteGuard<'a, T> {
    cell: &'a CowCell<T>,
    lock: Option<WriterLock<'a, T>>,
    version: u64,
    value: Option<T>,
    panicking_at_start: bool,
    /// `!Send` (and `Sync` as `T` allows), whatever the mutex guard inside is: the
    /// re-entrancy check records the locking thread, so the guard must be dropped on
    /// it. std's `MutexGuard` has exactly these auto traits; parking_lot's guard would
    /// become `Send` under its `send_guard` feature, which another crate can turn on.
    _not_send: PhantomData<std::sync::MutexGuard<'static, ()>>,
}

impl<T> WriteGuard<'_, T> {
    /// The version number this guard will publish as (current + 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(0);
    /// let w = cell.write();
    /// assert_eq!(w.version(), 1);
    /// ```
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Drops the private copy without publishing anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(vec![1]);
    /// let mut w = cell.write();
    /// w.clear();
    /// w.discard();
    /// assert_eq!(*cell.read(), [1]);
    /// assert_eq!(cell.version(), 0);
    /// ```
    pub fn discard(mut self) {
        self.value = None;
    }
}

impl<T> Deref for WriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
            .as_ref()
            .expect("WriteGuard value is present until drop")
    }
}

impl<T> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value
            .as_mut()
            .expect("WriteGuard value is present until drop")
    }
}

impl<T> Drop for WriteGuard<'_, T> {
    fn drop(&mut self) {
        let unwinding = std::thread::panicking() && !self.panicking_at_start;
        match (self.value.take(), self.lock.take()) {
            (Some(value), Some(lock)) if !unwinding => {
                self.cell.publish(lock, self.version, value);
            }
            // Discarded, or dropped during a panic: nothing is published (the lock, if
            // any, is released here).
            _ => {}
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for WriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteGuard")
            .field("version", &self.version)
            .field("value", &self.value)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! `get_mut` rests on the crate's `unsafe` (`PublishCell::get_mut`): these run
    //! under Miri (`ci/miri.sh`) with and without sharing.

    use super::CowCell;
    use std::sync::Barrier;
    use std::thread;

    #[test]
    fn get_mut_without_sharing_writes_in_place() {
        let mut cell = CowCell::new(vec![1, 2, 3]);
        let buffer = cell.read().as_ptr();
        cell.get_mut()[0] = 10;
        cell.get_mut()[1] = 20;
        assert_eq!(
            cell.read().as_ptr(),
            buffer,
            "an unshared version was copied"
        );
        assert_eq!(*cell.read(), [10, 20, 3]);
        assert_eq!(cell.version(), 2);
    }

    #[test]
    fn get_mut_with_snapshots_copies_and_leaves_them_alone() {
        let mut cell = CowCell::new(vec![1, 2, 3]);
        let snapshot = cell.snapshot();
        let from_reader = cell.reader().snapshot();
        let from_guard = cell.read().to_snapshot();
        cell.get_mut()[0] = 10;
        for shared in [&snapshot, &from_reader, &from_guard] {
            assert_eq!((&***shared, shared.version()), (&[1, 2, 3][..], 0));
        }
        assert_ne!(
            cell.read().as_ptr(),
            snapshot.as_ptr(),
            "a shared version was written"
        );
        assert_eq!((cell.read().clone(), cell.version()), (vec![10, 2, 3], 1));

        // The copy is unshared: the next `get_mut` writes in place.
        drop((snapshot, from_reader, from_guard));
        let buffer = cell.read().as_ptr();
        cell.get_mut()[1] = 20;
        assert_eq!(cell.read().as_ptr(), buffer);
        assert_eq!((cell.read().clone(), cell.version()), (vec![10, 20, 3], 2));
    }

    /// Regression: `get_mut` decided "unshared" from a `Relaxed` reference count, so the
    /// last read through a snapshot dropped on another thread was not ordered before
    /// the in-place write (Miri: "Data race detected ... retag write of type
    /// `Version<Vec<u64>>`"). The only synchronization here is what `get_mut` itself
    /// must provide: the flag is `Relaxed` and nothing is joined before the write.
    #[test]
    fn get_mut_after_a_snapshot_is_dropped_on_another_thread() {
        use std::sync::atomic::{AtomicBool, Ordering};

        let mut cell = CowCell::new(vec![0u64; 4]);
        let snapshot = cell.snapshot();
        let dropped = AtomicBool::new(false);
        thread::scope(|s| {
            s.spawn(|| {
                let sum: u64 = snapshot.iter().sum();
                drop(snapshot);
                dropped.store(true, Ordering::Relaxed);
                sum
            });
            while !dropped.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
            cell.get_mut()[0] = 1;
        });
        assert_eq!(*cell.read(), [1, 0, 0, 0]);
    }

    #[test]
    fn get_mut_while_a_clone_of_the_cell_is_read_on_another_thread() {
        // `clone` shares the version; the other thread's read guard is an uncounted
        // hazard slot, but the clone's ownership of the version makes `get_mut` copy.
        let mut cell = CowCell::new(vec![1]);
        let other = cell.clone();
        let both_hold = Barrier::new(2);
        let written = Barrier::new(2);
        thread::scope(|s| {
            s.spawn(|| {
                let guard = other.read();
                both_hold.wait();
                written.wait();
                assert_eq!(*guard, [1]);
                other.store(vec![3]);
                assert_eq!(*guard, [1]);
            });
            both_hold.wait();
            cell.get_mut()[0] = 2;
            written.wait();
        });
        assert_eq!((cell.read().clone(), cell.version()), (vec![2], 1));
        assert_eq!((other.read().clone(), other.version()), (vec![3], 1));
    }

    /// Cancel-safety at the level of the engine: a `changed` future dropped mid-wait, a
    /// finished one, a timed-out `wait_newer` and a `Watcher` all leave no registration
    /// behind, so the next publish pays only its load of `waiters`.
    #[test]
    fn waiters_are_deregistered_however_the_wait_ends() {
        use std::future::Future;
        use std::sync::atomic::Ordering;
        use std::task::{Context, Poll, Waker};
        use std::time::Duration;

        let cell = CowCell::new(0u8);
        let mut cx = Context::from_waker(Waker::noop());
        let registered = |cell: &CowCell<u8>| cell.waiters.load(Ordering::SeqCst);
        {
            let mut pending = Box::pin(cell.changed(0));
            assert!(pending.as_mut().poll(&mut cx).is_pending());
            let mut second = Box::pin(cell.changed(0));
            assert!(second.as_mut().poll(&mut cx).is_pending());
            assert_eq!(registered(&cell), 2);
        }
        assert_eq!(registered(&cell), 0, "a dropped future stayed registered");
        assert!(cell.wait_newer(0, Duration::from_millis(1)).is_none());
        assert_eq!(registered(&cell), 0, "a timed-out wait stayed registered");
        let mut finished = Box::pin(cell.changed(0));
        assert!(finished.as_mut().poll(&mut cx).is_pending());
        cell.store(1);
        assert!(matches!(finished.as_mut().poll(&mut cx), Poll::Ready(_)));
        drop(finished);
        let mut watcher = cell.watch();
        assert!(watcher.wait(Duration::from_millis(1)).is_none());
        assert_eq!(registered(&cell), 0);
    }

    /// Every write must start from the current version, whichever way that version
    /// last changed: writes, `store`, `write()` guards, `get_mut` (copying
    /// or in place), and cells made by `clone` or from a snapshot.
    #[test]
    fn writes_start_from_the_current_version_after_every_kind_of_change() {
        let mut cell = CowCell::new(vec![1]);
        cell.update(|v| v.push(2));
        let shared = cell.snapshot();
        cell.get_mut().push(3); // shared with `shared`: copies
        cell.update(|v| v.push(4));
        assert_eq!(*shared, [1, 2]);
        drop(shared);
        cell.get_mut().push(5); // unshared: in place
        cell.update(|v| v.push(6));
        assert_eq!(*cell.read(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(cell.version(), 5);

        let copy = cell.clone();
        copy.update(|v| v.push(7));
        cell.update(|v| v.push(8));
        assert_eq!(*copy.read(), [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(*cell.read(), [1, 2, 3, 4, 5, 6, 8]);

        let previous = cell.store(vec![9]);
        assert_eq!(previous.version(), 6);
        {
            let mut guard = cell.write();
            assert_eq!(guard.version(), 8);
            guard.push(10);
        }
        cell.try_update(|v| {
            v.push(11);
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(*cell.read(), [9, 10, 11]);
        assert_eq!(cell.version(), 9);

        let restored: CowCell<Vec<i32>> = CowCell::from(cell.snapshot());
        restored.update(|v| v.push(12));
        assert_eq!(*restored.read(), [9, 10, 11, 12]);
        assert_eq!(restored.version(), 10);
        assert_eq!(cell.into_inner(), [9, 10, 11]);
    }
}
