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
    {
        std::thread_local!(static TOKEN: u8 = const { 0 });
        // The address of a thread-local is unique among live threads. It can be reused
        // once a thread has exited, but only through the thread library and allocator,
        // which order the old thread's last store (the holder mark cleared to 0) before
        // the new thread exists, so the new thread cannot read the old mark. `addr()`
        // exposes no provenance; the number is only compared, never turned back into a
        // pointer.
        TOKEN.with(|t| std::ptr::from_ref(t).addr())
    }
    // Loom runs model threads on one OS thread: only its own thread-locals tell them
    // apart. Their addresses are not good enough there: loom frees a finished thread's
    // locals and the allocator hands the address to the next model thread, but loom
    // does not know that reuse is ordered, so it lets that thread read the finished
    // thread's stale holder mark and report a false re-entrant write. A counter never
    // repeats a token (it starts at 1: 0 means "no holder").
    #[cfg(loom)]
    {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        loom::thread_local!(static TOKEN: usize = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        TOKEN.with(|t| *t)
    }
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
    use core::marker::PhantomData;
    use core::mem::ManuallyDrop;
    use core::ptr;

    pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
    pub(crate) use loom::sync::Arc;

    use loom::sync::atomic::AtomicPtr;

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

    /// A loom-visible publication cell with arc-swap's API and its synchronization
    /// shape: the published `Arc` is a raw pointer in one loom `AtomicPtr`, loaded with
    /// `Acquire` and swapped with `AcqRel`, so readers never block and the only ordering
    /// the engine gets from the cell is what arc-swap also gives (loom models arc-swap's
    /// `SeqCst` as `AcqRel` anyway). An `RwLock` around an `Arc` would be simpler and
    /// free of `unsafe`, but every read would then synchronize with every write in both
    /// directions (reader unlock -> writer lock), which could hide an ordering bug of
    /// the engine, and readers would block.
    ///
    /// Reclamation (arc-swap's job, done with its debt slots) is modelled by a plain
    /// grace period: `loading` counts readers between loading the pointer and taking
    /// their own reference, and `swap` hands the old `Arc` back only once that count
    /// is zero. Readers stay wait-free; only a writer ever waits, for a few instructions
    /// of each reader that loaded the old pointer. Every operation on `loading` (the
    /// reader's increment and decrement, the writer's check) is a read-modify-write
    /// (`AcqRel`), so they are totally ordered and each sees every earlier one: a reader counted after the writer's check synchronizes with it and
    /// loads the new pointer; a reader counted before it is waited for. loom's `Arc`
    /// registry turns a mistake here into a model failure ("no entry found for key"
    /// when a freed pointer is revived, "Arc leaked" when a count is lost).
    pub(crate) struct PublishCell<V> {
        /// From `Arc::into_raw`; the cell owns one strong count of it. Never null
        /// except transiently inside `into_inner`.
        current: AtomicPtr<V>,
        /// Readers that have loaded `current` but not yet counted their reference.
        loading: AtomicUsize,
        /// The cell owns an `Arc<V>`: `Send`/`Sync` only as `Arc<V>` is, like `ArcSwap`.
        _owns: PhantomData<Arc<V>>,
    }

    impl<V> PublishCell<V> {
        pub(crate) fn new(value: Arc<V>) -> Self {
            Self {
                current: AtomicPtr::new(Arc::into_raw(value).cast_mut()),
                loading: AtomicUsize::new(0),
                _owns: PhantomData,
            }
        }

        pub(crate) fn load(&self) -> Loaded<V> {
            self.load_full()
        }

        pub(crate) fn load_full(&self) -> Arc<V> {
            self.loading.fetch_add(1, Ordering::AcqRel);
            let current = self.current.load(Ordering::Acquire);
            // SAFETY: `current` came from `Arc::into_raw` and the cell held a strong count
            // of it when we loaded it. That count is only released by a `swap` that
            // replaced it, and such a `swap` first waits until `loading` is zero, which
            // it cannot be before our `fetch_sub` below, sequenced after the increment.
            // (`&mut self` methods cannot run during `&self`.) So the allocation is alive.
            unsafe { Arc::increment_strong_count(current) };
            // SAFETY: the count we just added is the one this `Arc` owns.
            let loaded = unsafe { Arc::from_raw(current) };
            self.loading.fetch_sub(1, Ordering::AcqRel);
            loaded
        }

        pub(crate) fn swap(&self, new: Arc<V>) -> Arc<V> {
            let old = self
                .current
                .swap(Arc::into_raw(new).cast_mut(), Ordering::AcqRel);
            // Grace period: wait out readers that may have loaded `old` but not counted
            // it yet. Readers arriving later see `new` (see the type's docs).
            while self.loading.fetch_add(0, Ordering::AcqRel) != 0 {
                loom::thread::yield_now();
            }
            // SAFETY: `old` came from `Arc::into_raw` (in `new` or an earlier `swap`) and
            // carried the cell's strong count, which is now ours: `current` no longer
            // holds it and no reader is between loading it and counting its own.
            unsafe { Arc::from_raw(old) }
        }

        pub(crate) fn cache(&self) -> Cache<'_, V> {
            Cache {
                cell: self,
                cached: self.load_full(),
            }
        }

        pub(crate) fn into_inner(mut self) -> Arc<V> {
            let current = self
                .current
                .with_mut(|p| core::mem::replace(p, ptr::null_mut()));
            // SAFETY: the cell's own strong count, taken out of the cell (now null, so
            // its `Drop` does nothing); `self` is owned, so nobody else can load it.
            unsafe { Arc::from_raw(current) }
        }

        pub(crate) fn make_mut(&mut self, clone: impl FnOnce(&V) -> V) -> &mut V {
            let current = self.current.with_mut(|p| *p);
            // SAFETY: the cell's own strong count, borrowed (ManuallyDrop: the cell keeps
            // owning it); `&mut self` means no reader or writer is using the cell.
            let mut arc = ManuallyDrop::new(unsafe { Arc::from_raw(current) });
            if Arc::get_mut(&mut arc).is_none() {
                // Shared with a snapshot or reader: publish a private copy. The copy is
                // made first, so a panicking `clone` leaves the cell as it was.
                let copy = Arc::new(clone(&arc));
                self.current
                    .with_mut(|p| *p = Arc::into_raw(copy).cast_mut());
                // The old version's cell count: released, its other owners keep it.
                drop(ManuallyDrop::into_inner(arc));
            }
            let current = self.current.with_mut(|p| *p);
            // SAFETY: as above, the cell's count borrowed under `&mut self`.
            let mut arc = ManuallyDrop::new(unsafe { Arc::from_raw(current) });
            let unique: *mut V = Arc::get_mut(&mut arc).expect("CowCell::get_mut: shared");
            // SAFETY: `get_mut` just proved the cell holds the only reference, and the
            // cell keeps that allocation alive and unshared for as long as `&mut self`
            // is borrowed: nobody can load or swap it meanwhile.
            unsafe { &mut *unique }
        }
    }

    impl<V> Drop for PublishCell<V> {
        fn drop(&mut self) {
            let current = self.current.with_mut(|p| *p);
            if !current.is_null() {
                // SAFETY: the cell's own strong count, released once, with no other user
                // of the cell left (`&mut self`).
                drop(unsafe { Arc::from_raw(current) });
            }
        }
    }

    /// Stand-in for `arc_swap::Cache`: keeps the last loaded `Arc` and, like arc-swap's,
    /// only compares the published pointer with it when nothing changed (one `Relaxed`
    /// load, no reference-count traffic; a changed pointer goes through `load_full`,
    /// which synchronizes).
    pub(crate) struct Cache<'a, V> {
        cell: &'a PublishCell<V>,
        cached: Arc<V>,
    }

    impl<V> Cache<'_, V> {
        pub(crate) fn load(&mut self) -> &Arc<V> {
            // `cached` keeps its allocation alive, so an equal address is the same version.
            let current = self.cell.current.load(Ordering::Relaxed);
            if !ptr::eq(current, Arc::as_ptr(&self.cached)) {
                self.cached = self.cell.load_full();
            }
            &self.cached
        }
    }
}
