//! [`Watcher`]: a handle that returns each newer version of a collection once.

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
/// A `Watcher` borrows its collection. It holds no version alive and costs the writer
/// nothing while it is not waiting.
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
pub struct Watcher<'a, T> {
    cell: &'a CowCell<T>,
    seen: u64,
}

impl<'a, T> Watcher<'a, T> {
    pub(crate) fn new(cell: &'a CowCell<T>, seen: u64) -> Self {
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
        let newer = self.cell.changed(self.seen).await;
        self.seen = newer.version();
        newer
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
        let newer = self.cell.wait_newer(self.seen, timeout)?;
        self.seen = newer.version();
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
        self.cell.version() > self.seen
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
        self.seen
    }
}

impl<T> fmt::Debug for Watcher<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watcher")
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}
