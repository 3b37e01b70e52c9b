//! The one place where synchronization primitives come from.
//!
//! Normal builds use `arc-swap` for the publication cell and `parking_lot` for the
//! writer mutex. Under `--cfg loom` the same names resolve to loom-visible stand-ins
//! with the same shape, so `cell.rs` runs unchanged inside loom models (arc-swap has no
//! loom support; see the README's "Verification" section for what that leaves out).
//!
//! The facade is deliberately narrow: the engine needs to publish (`swap`), read the
//! current version (`load`, `load_full`), cache it per reader (`Cache`), take it back
//! (`into_inner`, `get_mut`), lock the writer mutex, and tell threads apart.

#[cfg(not(loom))]
pub(crate) use std_impl::*;

#[cfg(loom)]
pub(crate) use loom_impl::*;

/// A number that tells the calling thread apart from every other live thread.
///
/// Used only to detect re-entrant writes: the writer records its token while it holds
/// the lock, and a second write from the same thread sees its own token.
pub(crate) fn thread_token() -> usize {
    #[cfg(not(loom))]
    std::thread_local!(static TOKEN: u8 = const { 0 });
    // Loom runs model threads on one OS thread: only its own thread-locals tell them apart.
    #[cfg(loom)]
    loom::thread_local!(static TOKEN: u8 = 0);
    // The address of a thread-local is unique among live threads. `addr()` exposes no
    // provenance; the number is only ever compared, never turned back into a pointer.
    TOKEN.with(|t| std::ptr::from_ref(t).addr())
}

#[cfg(not(loom))]
mod std_impl {
    pub(crate) use parking_lot::{Mutex, MutexGuard};
    pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
    pub(crate) use std::sync::Arc;

    /// Guard returned by [`PublishCell::load`]: keeps the loaded version alive.
    pub(crate) type Loaded<V> = arc_swap::Guard<Arc<V>>;

    /// Per-reader cache of the current version (arc-swap's `Cache`).
    pub(crate) type Cache<'a, V> = arc_swap::Cache<&'a arc_swap::ArcSwap<V>, Arc<V>>;

    /// The publication cell: one `Arc<V>` that readers load lock-free and the (single,
    /// mutex-serialized) writer swaps.
    pub(crate) struct PublishCell<V> {
        current: arc_swap::ArcSwap<V>,
    }

    impl<V> PublishCell<V> {
        pub(crate) fn new(value: Arc<V>) -> Self {
            Self {
                current: arc_swap::ArcSwap::new(value),
            }
        }

        /// Lock-free load without touching the reference count (arc-swap's debt slots).
        #[inline]
        pub(crate) fn load(&self) -> Loaded<V> {
            self.current.load()
        }

        /// Lock-free load of an owned `Arc` (one reference-count increment).
        #[inline]
        pub(crate) fn load_full(&self) -> Arc<V> {
            self.current.load_full()
        }

        /// Publishes `new` and returns the version it replaced.
        pub(crate) fn swap(&self, new: Arc<V>) -> Arc<V> {
            self.current.swap(new)
        }

        pub(crate) fn cache(&self) -> Cache<'_, V> {
            arc_swap::Cache::new(&self.current)
        }

        pub(crate) fn into_inner(self) -> Arc<V> {
            self.current.into_inner()
        }

        /// Exclusive access to the published value, copying it first (with `clone`)
        /// only if a snapshot still shares it.
        pub(crate) fn make_mut(&mut self, clone: impl FnOnce(&V) -> V) -> &mut V {
            let mut current = self.current.load_full();
            if Arc::strong_count(&current) > 2 {
                // Shared with a snapshot or reader: publish a private copy. The copy is
                // made before the swap, so a panicking `clone` changes nothing.
                current = Arc::new(clone(&current));
                drop(self.current.swap(Arc::clone(&current)));
            }
            // Now the cell and `current` are the only two owners.
            assert_eq!(Arc::strong_count(&current), 2, "CowCell::get_mut: shared");
            let ptr = Arc::as_ptr(&current).cast_mut();
            drop(current);
            // SAFETY: `&mut self` means no other thread can reach the cell, so nobody can
            // load, clone or swap the `Arc` while the returned borrow lives. Every other
            // owner is gone: snapshots and reader caches hold counted references (we saw
            // exactly the cell's and ours, and dropped ours), and arc-swap's uncounted
            // `load()` guards only exist inside `ReadGuard`s, which borrow the cell and so
            // cannot outlive `&mut self`. The allocation therefore has exactly one owner,
            // the cell, which keeps it alive for as long as `&mut self` is borrowed; this
            // is what `Arc::get_mut` would return if arc-swap exposed its `Arc`. The
            // pointer comes from `Arc::as_ptr` and so carries write provenance.
            unsafe { &mut *ptr }
        }
    }

    /// The writer mutex: `lock()` returns the guard directly (parking_lot's shape).
    pub(crate) fn new_mutex() -> Mutex<()> {
        Mutex::new(())
    }
}

#[cfg(loom)]
mod loom_impl {
    pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
    pub(crate) use loom::sync::Arc;

    /// parking_lot's shape over loom's mutex: `lock()` returns the guard, no poisoning.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);
    pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    pub(crate) fn new_mutex() -> Mutex<()> {
        Mutex(loom::sync::Mutex::new(()))
    }

    /// Stand-in for `arc_swap::Guard`: an owned `Arc`.
    pub(crate) type Loaded<V> = Arc<V>;

    /// A loom-visible publication cell with arc-swap's API. The slot is a loom `RwLock`
    /// held only for the instant of a pointer copy; loom explores every interleaving of
    /// those instants with the writer protocol around them.
    pub(crate) struct PublishCell<V> {
        current: loom::sync::RwLock<Arc<V>>,
    }

    impl<V> PublishCell<V> {
        pub(crate) fn new(value: Arc<V>) -> Self {
            Self {
                current: loom::sync::RwLock::new(value),
            }
        }

        pub(crate) fn load(&self) -> Loaded<V> {
            self.load_full()
        }

        pub(crate) fn load_full(&self) -> Arc<V> {
            Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
        }

        pub(crate) fn swap(&self, new: Arc<V>) -> Arc<V> {
            let mut slot = self.current.write().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *slot, new)
        }

        pub(crate) fn cache(&self) -> Cache<'_, V> {
            Cache {
                cell: self,
                cached: self.load_full(),
            }
        }

        pub(crate) fn into_inner(self) -> Arc<V> {
            self.current.into_inner().unwrap_or_else(|e| e.into_inner())
        }

        pub(crate) fn make_mut(&mut self, clone: impl FnOnce(&V) -> V) -> &mut V {
            let slot = self.current.get_mut().unwrap_or_else(|e| e.into_inner());
            if Arc::get_mut(slot).is_none() {
                *slot = Arc::new(clone(slot));
            }
            Arc::get_mut(slot).expect("a freshly created Arc has one owner")
        }
    }

    /// Stand-in for `arc_swap::Cache`: keeps the last loaded `Arc`, refreshes on change.
    pub(crate) struct Cache<'a, V> {
        cell: &'a PublishCell<V>,
        cached: Arc<V>,
    }

    impl<V> Cache<'_, V> {
        pub(crate) fn load(&mut self) -> &Arc<V> {
            let current = self.cell.load_full();
            if !Arc::ptr_eq(&current, &self.cached) {
                self.cached = current;
            }
            &self.cached
        }
    }
}
