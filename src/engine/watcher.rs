//! [`Watcher`]: a handle that returns each newer version of a collection once, and
//! [`Changes`]: such a version together with the one the watcher returned before it.

use core::fmt;
use std::time::Duration;

use crate::{CowCell, Snapshot};

/// A handle that returns each newer version of a collection once: tokio's
/// `watch::Receiver` (`changed()` followed by `borrow_and_update()`), over a
/// copy-on-write collection.
///
/// Returned by [`CowCell::watch`] and the collections' `watch()`. It remembers the number
/// of the last version it returned (at first, the version current when it was made).
/// [`changed`](Watcher::changed) and [`wait`](Watcher::wait) return the latest version
/// once it is newer than that; versions published in between are skipped, not queued,
/// so a slow watcher never falls behind. Reading the collection in between (`read()`,
/// `snapshot()`) does not count as seen: only what the watcher returned does.
///
/// A `Watcher` borrows its collection. It keeps the last version it returned alive (so
/// that [`changes`](Watcher::changes) can tell what changed since), and costs the
/// writer nothing while it is not waiting.
///
/// # Examples
///
/// ```
/// use cow_collections::CowMap;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let routes = CowMap::from([("/", "backend-a")]);
/// let mut watcher = routes.watch();
/// routes.insert("/", "backend-b");
/// let latest = watcher.changed().await;
/// assert_eq!(latest["/"], "backend-b");
/// assert_eq!(watcher.seen(), 1);
/// # });
/// ```
///
/// A reload loop that logs what changed: [`wait_changes`](Watcher::wait_changes) (or
/// [`changes`](Watcher::changes) in async code) returns the new version with the one
/// seen before, and [`Changes::diff`] lists the differences, however many versions were
/// published in between. `store_if_changed` keeps a reload of identical content from
/// publishing, so the watcher never wakes for nothing.
///
/// ```
/// use cow_collections::CowBTreeMap;
/// use std::time::Duration;
///
/// let limits = CowBTreeMap::from([("rps", 100), ("burst", 10)]);
/// let mut watcher = limits.watch();
/// let mut log = Vec::new();
/// let reloads = [
///     [("rps", 100), ("burst", 20)],
///     [("rps", 200), ("burst", 20)],
///     [("rps", 200), ("burst", 20)], // the same file again: nothing published
/// ];
/// for reload in reloads {
///     limits.store_if_changed(reload.into_iter().collect());
///     while let Some(changes) = watcher.wait_changes(Duration::ZERO) {
///         for item in changes.diff() {
///             log.push(format!("v{}: {item}", changes.newer().version()));
///         }
///     }
/// }
/// assert_eq!(log, ["v1: ~ burst: 10 -> 20", "v2: ~ rps: 100 -> 200"]);
/// ```
pub struct Watcher<'a, T> {
    cell: &'a CowCell<T>,
    /// The last version returned (at first, the version current when it was made).
    seen: Snapshot<T>,
}

impl<'a, T> Watcher<'a, T> {
    pub(crate) fn new(cell: &'a CowCell<T>, seen: Snapshot<T>) -> Self {
        Self { cell, seen }
    }

    /// Resolves with the latest version once it is newer than the last one this watcher
    /// returned, and counts it as seen. At once if it already is (a lock-free check);
    /// otherwise the wait costs the writer one wake-up. Cancel-safe: a dropped future
    /// changes nothing, and the next call returns the same version.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let list = CowVec::from(vec![1]);
    /// let mut watcher = list.watch();
    /// list.push(2);
    /// assert_eq!(*watcher.changed().await, [1, 2]);
    /// # });
    /// ```
    pub async fn changed(&mut self) -> Snapshot<T> {
        let newer = self.cell.changed(self.seen.version()).await;
        self.seen = newer.clone();
        newer
    }

    /// Like [`changed`](Self::changed), but yields the new version together with the
    /// one this watcher returned before it ([`Changes`]), so that the caller can ask
    /// what changed between them (`changes.diff()` for the collections), however many
    /// versions were published in between. Cancel-safe, as `changed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowMap;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let routes = CowMap::from([("/", 1)]);
    /// let mut watcher = routes.watch();
    /// routes.insert("/", 2);
    /// routes.insert("/api", 3);
    /// let changes = watcher.changes().await;
    /// assert_eq!((changes.older().version(), changes.newer().version()), (0, 2));
    /// assert_eq!(changes.older()["/"], 1);
    /// assert_eq!(changes.newer()["/api"], 3);
    /// # });
    /// ```
    pub async fn changes(&mut self) -> Changes<T> {
        let older = self.seen.clone();
        let newer = self.changed().await;
        Changes { older, newer }
    }

    /// The blocking form of [`changes`](Self::changes): `None` on timeout. Returns at
    /// once, with no lock taken, when a newer version is already published (two
    /// reference-count increments); otherwise it blocks the thread until a publish.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowSet;
    /// use std::time::Duration;
    ///
    /// let flags = CowSet::from(["a"]);
    /// let mut watcher = flags.watch();
    /// assert!(watcher.wait_changes(Duration::ZERO).is_none());
    /// flags.insert("b");
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// assert!(!changes.older().contains("b") && changes.newer().contains("b"));
    /// ```
    pub fn wait_changes(&mut self, timeout: Duration) -> Option<Changes<T>> {
        let older = self.seen.clone();
        let newer = self.wait(timeout)?;
        Some(Changes { older, newer })
    }

    /// Blocks until the latest version is newer than the last one this watcher returned,
    /// for at most `timeout`, and counts it as seen; `None` on timeout. Lock-free and
    /// O(1) when a newer version is already there.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    /// use std::time::Duration;
    ///
    /// let list = CowVec::from(vec![1]);
    /// let mut watcher = list.watch();
    /// assert!(watcher.wait(Duration::from_millis(1)).is_none());
    /// list.push(2);
    /// assert_eq!(*watcher.wait(Duration::from_secs(60)).unwrap(), [1, 2]);
    /// ```
    pub fn wait(&mut self, timeout: Duration) -> Option<Snapshot<T>> {
        let newer = self.cell.wait_newer(self.seen.version(), timeout)?;
        self.seen = newer.clone();
        Some(newer)
    }

    /// Whether a version newer than the last one returned has been published. Lock-free;
    /// does not count it as seen. tokio's `watch::Receiver::has_changed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(0);
    /// let watcher = cell.watch();
    /// assert!(!watcher.has_changed());
    /// cell.store(1);
    /// assert!(watcher.has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.cell.version() > self.seen.version()
    }

    /// The number of the last version this watcher returned (at first, the version
    /// current when it was made). O(1), no atomic access.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowCell;
    ///
    /// let cell = CowCell::new(0);
    /// cell.store(1);
    /// assert_eq!(cell.watch().seen(), 1);
    /// ```
    pub fn seen(&self) -> u64 {
        self.seen.version()
    }
}

impl<T> fmt::Debug for Watcher<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watcher")
            .field("seen", &self.seen.version())
            .finish_non_exhaustive()
    }
}

/// Two versions of one collection: the one a [`Watcher`] returned before, and the newer
/// one it returns now ([`Watcher::changes`], [`Watcher::wait_changes`]). Versions
/// published in between are skipped, not queued (there were
/// `newer().version() - older().version() - 1` of them). For the collections, `diff()`
/// lists what changed from one to the other.
pub struct Changes<T> {
    older: Snapshot<T>,
    newer: Snapshot<T>,
}

impl<T> Changes<T> {
    /// The version the watcher had returned before (or the one current when it was
    /// made). O(1), a borrow.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    /// use std::time::Duration;
    ///
    /// let list = CowVec::from(vec![1]);
    /// let mut watcher = list.watch();
    /// list.push(2);
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// assert_eq!((changes.older().version(), &changes.older()[..]), (0, &[1][..]));
    /// ```
    #[must_use]
    pub fn older(&self) -> &Snapshot<T> {
        &self.older
    }

    /// The new version. O(1), a borrow.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    /// use std::time::Duration;
    ///
    /// let list = CowVec::from(vec![1]);
    /// let mut watcher = list.watch();
    /// list.push(2);
    /// let changes = watcher.wait_changes(Duration::from_secs(60)).unwrap();
    /// assert_eq!((changes.newer().version(), &changes.newer()[..]), (1, &[1, 2][..]));
    /// ```
    #[must_use]
    pub fn newer(&self) -> &Snapshot<T> {
        &self.newer
    }

    /// Both snapshots, `(older, newer)`. O(1), a move.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    /// use std::time::Duration;
    ///
    /// let list = CowVec::from(vec![1]);
    /// let mut watcher = list.watch();
    /// list.push(2);
    /// let (older, newer) = watcher.wait_changes(Duration::from_secs(60)).unwrap().into_parts();
    /// assert_eq!((older.len(), newer.len()), (1, 2));
    /// ```
    #[must_use]
    pub fn into_parts(self) -> (Snapshot<T>, Snapshot<T>) {
        (self.older, self.newer)
    }
}

impl<T> Clone for Changes<T> {
    /// O(1): two reference-count increments.
    fn clone(&self) -> Self {
        Self {
            older: self.older.clone(),
            newer: self.newer.clone(),
        }
    }
}

impl<T> fmt::Debug for Changes<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changes")
            .field("older", &self.older.version())
            .field("newer", &self.newer.version())
            .finish_non_exhaustive()
    }
}
