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
//! 5. Publish the copy with version + 1 in one atomic swap.
//! 6. Clear the holder, unlock, and only then drop the retired version, so a panicking
//!    or slow `Drop` of old elements runs outside the lock.
//!
//! Readers never take the lock: they load whichever version is published.

use core::fmt;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use super::snapshot::{ReadGuard, Reader, Snapshot, Version};
use super::sync::{
    self, Arc, AtomicU64, AtomicUsize, Event, EventListener, Listener, Mutex, MutexGuard, Ordering,
    PublishCell,
};
use crate::Watcher;

/// A generic copy-on-write cell: lock-free snapshot reads, serialized copy-and-swap
/// writes. The engine under [`CowVec`](crate::CowVec), [`CowSet`](crate::CowSet) and
/// [`CowMap`](crate::CowMap); use it directly for your own `Clone` type (a `Config`
/// struct, a `BTreeMap`, a routing table).
///
/// The current value is an immutable `Arc` published through `arc-swap`:
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
    current: PublishCell<Version<T>>,
    /// The number of the newest version handed to `current`: stored just before the
    /// swap that publishes it. Only a hint for [`Reader`]s ("has anything changed?");
    /// everything they read comes through `current`.
    published: AtomicU64,
    writer: Mutex<()>,
    /// [`sync::thread_token`] of the thread holding `writer`, 0 when none does.
    writer_thread: AtomicUsize,
    /// Waiters for a newer version (`changed`, `wait_newer`, [`Watcher`]).
    changes: Event,
    /// How many waiters are registered with `changes`: a publish with none pays one
    /// load of this instead of a call into `changes`. See [`CowCell::listen`].
    waiters: AtomicUsize,
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
        Self::from_version(Arc::new(Version { version: 0, value }))
    }

    pub(crate) fn from_version(version: Arc<Version<T>>) -> Self {
        Self {
            published: AtomicU64::new(version.version),
            current: PublishCell::new(version),
            writer: Mutex::new(()),
            writer_thread: AtomicUsize::new(0),
            changes: Event::new(),
            waiters: AtomicUsize::new(0),
        }
    }

    /// A short-lived guard over the current version. Lock-free (arc-swap `load()`),
    /// never waits for a writer; the default for one-off reads.
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
        ReadGuard::new(self.current.load())
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
        Snapshot::from_arc(self.current.load_full())
    }

    /// A [`Reader`] handle for one thread's hot loop (arc-swap's `Cache` pattern): each
    /// `read()` costs one pointer check when nothing changed. Keeps its last version
    /// alive until its next `read()`.
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
        Reader::new(self, self.current.load_full())
    }

    /// A [`Reader`]'s refresh: replaces `cached` with the current version if a newer one
    /// has been published, and returns it.
    ///
    /// The check is one `Relaxed` load of `published`, which every publish stores before
    /// its swap: a thread that has seen a version through any read (or synchronized with
    /// its writer) then sees its number or a later one here, and reloads. The reload,
    /// `load_full`, is what synchronizes; it never goes back to an older version than
    /// `cached` (coherence of the one pointer), so a `Reader` is monotonic. Between a
    /// writer's store and its swap the reload may still return `cached`'s version; the
    /// next call checks again.
    #[inline]
    pub(crate) fn refresh<'r>(&self, cached: &'r mut Arc<Version<T>>) -> &'r Arc<Version<T>> {
        if self.published.load(Ordering::Relaxed) != cached.version {
            self.reload(cached);
        }
        cached
    }

    /// The slow path of [`refresh`](Self::refresh), kept out of line so that the check
    /// inlines into the reader's loop.
    #[cold]
    #[inline(never)]
    fn reload(&self, cached: &mut Arc<Version<T>>) {
        *cached = self.current.load_full();
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
        self.current.load().version
    }

    /// Publishes `value` whole, without copying the old value (no `Clone` bound), and
    /// returns the version it replaced. O(1) apart from dropping nothing: the old
    /// version is handed back to you, not dropped here.
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
        let version = self.current.load().version + 1;
        Snapshot::from_arc(self.publish(lock, Version { version, value }))
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
        let base = self.current.load();
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
    /// Counts as a publish: the version number goes up by one.
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
        // `Arc::make_mut`'s rule, over the cell's own `Arc`: write in place if nothing
        // else shares the version, otherwise publish a private copy first. The copy is
        // made before the swap, so a panicking `clone` changes nothing.
        if self.current.get_mut().is_none() {
            let copy = {
                let shared = self.current.load();
                Version {
                    version: shared.version,
                    value: shared.value.clone(),
                }
            };
            drop(self.current.swap(Arc::new(copy)));
        }
        let version = self
            .current
            .get_mut()
            .expect("CowCell::get_mut: the cell's private copy is shared");
        version.version += 1;
        self.published.store(version.version, Ordering::Relaxed);
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
    pub fn into_inner(self) -> T
    where
        T: Clone,
    {
        Snapshot::from_arc(self.current.into_inner()).into_inner()
    }

    /// The one write primitive. `f` sees the current value and returns the next value
    /// (`None`: publish nothing) and a result. Runs under the writer lock.
    pub(crate) fn write_with<R>(
        &self,
        call: &'static str,
        f: impl FnOnce(&T) -> (Option<T>, R),
    ) -> R {
        let lock = self.lock_writer(call);
        let current = self.current.load();
        let (next, result) = f(&current.value);
        if let Some(value) = next {
            let version = current.version + 1;
            drop(current);
            // Dropped here, after the lock is released and the waiters are woken.
            drop(self.publish(lock, Version { version, value }));
        }
        result
    }

    /// Publishes `next`, releases the writer lock, wakes the waiters, and returns the
    /// version it replaced, for the caller to drop (or hand out) outside the lock. Only
    /// the holder of the writer lock publishes (`lock` is the proof), so `next.version`
    /// is exactly one above the replaced version's.
    fn publish(&self, lock: WriterLock<'_>, next: Version<T>) -> Arc<Version<T>> {
        // Before the swap, so that a thread that sees the new version anywhere also sees
        // its number here (see `refresh`). `Relaxed`: the swap's release orders it.
        self.published.store(next.version, Ordering::Relaxed);
        let retired = self.current.swap(Arc::new(next));
        drop(lock);
        // `SeqCst`, after the swap (itself `SeqCst`): see `listen` for why a publish
        // that reads 0 here cannot miss a waiter.
        if self.waiters.load(Ordering::SeqCst) != 0 {
            self.changes.notify(usize::MAX);
        }
        retired
    }

    /// The current version, if its number is above `since`.
    fn newer_than(&self, since: u64) -> Option<Snapshot<T>> {
        let current = self.current.load();
        (current.version > since).then(|| Snapshot::from_arc(Arc::clone(&current)))
    }

    /// Registers a waiter for the next publish: listens on `changes`, then counts itself
    /// in `waiters`. The caller must check the version again after this (and before it
    /// sleeps): a publish that happened before the registration woke nobody.
    ///
    /// Why no wake-up is lost. A publish swaps the pointer (`SeqCst`, in arc-swap), then
    /// loads `waiters` (`SeqCst`) and notifies if it is not 0. A waiter increments
    /// `waiters`, issues a `SeqCst` fence, then loads the pointer (its re-check). In the
    /// single total order of `SeqCst` operations and fences, either the swap comes
    /// before the fence, and then the re-check sees the new version (or a later one)
    /// and the waiter does not sleep; or the fence comes before the swap, hence before
    /// the writer's load, and then that load sees the increment or a later value of
    /// `waiters` (C++20 [atomics.order], the fence rules). A nonzero load that reads
    /// the increment, or a later read-modify-write of `waiters` (its release sequence),
    /// synchronizes with it, so the listener inserted before the increment is in the
    /// list when the writer notifies. The writer's side costs one load; the fence is
    /// paid by waiters only.
    fn listen(&self) -> (EventListener, Waiting<'_>) {
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
        Watcher::new(self, self.version())
    }

    /// Locks the writer mutex, or panics if this thread already holds it.
    fn lock_writer(&self, call: &'static str) -> WriterLock<'_> {
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
        let guard = self.writer.lock();
        self.writer_thread.store(me, Ordering::Relaxed);
        WriterLock {
            owner: &self.writer_thread,
            _guard: guard,
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
struct WriterLock<'a> {
    owner: &'a AtomicUsize,
    _guard: MutexGuard<'a, ()>,
}

impl Drop for WriterLock<'_> {
    fn drop(&mut self) {
        // Runs before `_guard` unlocks (fields drop after `drop`).
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
    /// same `Arc`, the same version number). Writes to either one do not affect the
    /// other. Java's `CopyOnWriteArrayList.clone()`.
    fn clone(&self) -> Self {
        Self::from_version(self.current.load_full())
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
        Self::from_version(snapshot.inner)
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
    lock: Option<WriterLock<'a>>,
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
                let version = self.version;
                drop(self.cell.publish(lock, Version { version, value }));
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
        // `clone` shares the version; the other thread's read guard is arc-swap's
        // uncounted kind, but the clone's own reference makes `get_mut` copy.
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
