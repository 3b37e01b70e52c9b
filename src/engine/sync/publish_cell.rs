//! The publication cell of normal builds: arc-swap's `ArcSwap`.

use core::mem::ManuallyDrop;
use core::ptr;
use std::sync::Arc;

use arc_swap::ArcSwap;

/// Guard returned by [`PublishCell::load`]: keeps the loaded version alive without
/// touching its reference count (arc-swap's debt slots).
pub(crate) type Loaded<V> = arc_swap::Guard<Arc<V>>;

/// The publication cell: one `Arc<V>` that readers load lock-free and the (single,
/// mutex-serialized) writer swaps.
pub(crate) struct PublishCell<V> {
    current: ArcSwap<V>,
}

impl<V> PublishCell<V> {
    pub(crate) fn new(value: Arc<V>) -> Self {
        Self {
            current: ArcSwap::new(value),
        }
    }

    /// Lock-free load without touching the reference count in the common case.
    #[inline]
    pub(crate) fn load(&self) -> Loaded<V> {
        self.current.load()
    }

    /// Lock-free load of an owned `Arc` (one reference-count increment).
    #[inline]
    pub(crate) fn load_full(&self) -> Arc<V> {
        self.current.load_full()
    }

    /// Publishes `new` and returns the `Arc` it replaced. arc-swap's `swap` is a
    /// `SeqCst` read-modify-write of the pointer (it also settles the debts of readers
    /// that hold the old pointer uncounted, so the returned `Arc` owns a real count).
    pub(crate) fn swap(&self, new: Arc<V>) -> Arc<V> {
        self.current.swap(new)
    }

    pub(crate) fn into_inner(self) -> Arc<V> {
        self.current.into_inner()
    }

    /// `&mut` to the published value if the cell holds the only reference to it
    /// (`Arc::get_mut`), `None` if anything else shares it.
    ///
    /// arc-swap has no `&mut` access to its `Arc`, so the `Arc` is moved out of the cell
    /// for `Arc::get_mut` and moved back before this returns.
    pub(crate) fn get_mut(&mut self) -> Option<&mut V> {
        /// Moves the `Arc` back into the emptied slot when dropped: on return, and also
        /// on unwind (nothing between the move out and this drop is expected to panic,
        /// but the slot must never be left empty).
        struct Restore<'a, V> {
            slot: &'a mut ArcSwap<V>,
            arc: ManuallyDrop<Arc<V>>,
        }
        impl<V> Drop for Restore<'_, V> {
            fn drop(&mut self) {
                // SAFETY: `arc` is taken exactly once, here, and never used after.
                let arc = unsafe { ManuallyDrop::take(&mut self.arc) };
                // SAFETY: `slot`'s value was moved out by the `ptr::read` below, so
                // overwriting it without dropping is what keeps every count exact.
                unsafe { ptr::write(self.slot, ArcSwap::new(arc)) };
            }
        }

        // SAFETY: a bitwise move out of `self.current`, which `Restore` refills before
        // anything can observe it: `&mut self` excludes every other user of the cell,
        // and `Restore` runs on every path out of this function, unwinding included.
        let arc = unsafe { ptr::read(&self.current) }.into_inner();
        let mut restore = Restore {
            slot: &mut self.current,
            arc: ManuallyDrop::new(arc),
        };
        // Std's `Arc::get_mut`: the strong count is 1 and no `Weak` exists (this crate
        // never creates a `Weak`: it never calls `Arc::downgrade`, and no `Arc` it makes
        // escapes to user code except inside a `Snapshot`, which offers no downgrade).
        // Every other owner gave its reference back through `Arc`'s `Drop`, a `Release`
        // decrement; `get_mut` reads the count with `Acquire`, which synchronizes with
        // the last of those decrements (and, through their release sequence, with all
        // of them). So every access made through other owners of this allocation
        // (snapshots, `Reader`s, read guards of this cell or of another cell sharing
        // the version) happens-before whatever the caller does with the result.
        let unique = Arc::get_mut(&mut restore.arc).map(|value| ptr::from_mut(value));
        drop(restore);
        // SAFETY: `Arc::get_mut` proved the allocation unshared, with the `Acquire`
        // ordering above. It stays unshared for as long as the returned borrow of `self`
        // lives: the only owner is the cell, and with `&mut self` held nobody can `load`,
        // `load_full` or `swap` it (arc-swap's uncounted guards are `ReadGuard`s, which
        // borrow a cell, so none of this cell's can be alive; another cell's guard
        // would need that cell to hold a counted reference, making the count 2). Moving
        // the `Arc` back into the cell moved the pointer, not the allocation, and the
        // pointer came from `Arc::get_mut`, so it may be written through.
        unique.map(|value| unsafe { &mut *value })
    }
}
