//! Prototype, bench-local: a handle-free `read()` served from a per-thread cache.
//!
//! # The idea
//!
//! arc-swap's `load()` costs ~10 ns because it writes a per-thread debt slot and then
//! needs a full fence (a `SeqCst` store, `xchg` on x86) so that writers see the debt.
//! Its `Cache` costs ~0.5 ns because a handle that owns a counted `Arc` of the last
//! version only has to check that the cell still publishes that same pointer. This
//! prototype gives every *thread* such a cache, shared by all cells: a small,
//! direct-mapped table of `SLOTS` counted `Arc`s in a `thread_local!`, indexed by a hash
//! of the cell's address.
//!
//! * **Fast path** (the slot holds what the cell publishes): one `Acquire` load of the
//!   cell's `latest` pointer, a thread-local access, a compare, a non-atomic pin
//!   increment; the guard's drop is a thread-local access and a decrement. No fence, no
//!   read-modify-write, no shared-memory write.
//! * **Slow path** (miss): arc-swap `load_full()` (one counted load, ~20 ns), then the
//!   slot's old `Arc` is replaced (and dropped: possibly the last reference, so a reader
//!   can end up freeing a retired version), unless a live guard pins the slot, in which
//!   case the guard keeps its own `Arc` and the slot is left alone.
//!
//! # Why the fast path is sound
//!
//! The slot owns a counted reference, so its allocation cannot be freed or reused while
//! it sits in the slot. Writers store a version's address in `latest` *before* swapping
//! it in, and every version is a fresh allocation. If `latest` equals the slot's pointer,
//! then at the moment of that load the cell's newest version *is* the slot's allocation
//! (two live allocations never share an address), so returning it is a read that
//! linearizes at that load. Memory safety never depends on the ordering of the `latest`
//! load: the data was synchronized when the slot's `Arc` was obtained through arc-swap.
//! The ordering only decides freshness, exactly as in arc-swap's own `Cache` (which uses
//! `Relaxed`). A write stores `latest` before the swap, so a reader that saw the new
//! version anywhere sees the new `latest` too: no new-then-old inversion.
//!
//! Pins: a guard borrows the slot, so a pinned slot is never replaced (the miss path
//! falls back to an owned `Arc`), the guard is `!Send` (its drop must unpin *this*
//! thread's slot), and the thread-local's destructor leaks pinned slots instead of
//! freeing them under a live guard. Pin overflow falls back to the owned path.
//!
//! # What it costs (why the lead has to decide)
//!
//! * **Retention**: each thread keeps up to `SLOTS` versions alive, one per slot, until
//!   it reads a cell mapping to that slot again (after a write) or exits. An idle thread
//!   that once read a 100,000-element version keeps it forever; dropping the cell does
//!   not free its last version while any thread's cache holds it. Bounded in count
//!   (`SLOTS` x threads), not in time or bytes.
//! * **`T: Send + Sync + 'static`** for `read()`: a version may be dropped by any thread,
//!   after the cell is gone. Today's `read()` has no such bound: an API change.
//! * **`ReadGuard` becomes `!Send`** (today's arc-swap guard is `Send`).
//! * **Drops move to readers**: the reader that refreshes a slot may free a retired
//!   version, inside its `read()` (arc-swap's `Cache` has the same property).
//! * `get_mut`/`into_inner` copy more often: cached `Arc`s count as sharers.
//! * Threads reading more than `SLOTS` cells in rotation keep missing: every read pays
//!   the slow path (see the `read_many_cells` group).
//! * Miri: plain thread-locals and atomics, no FFI; loom: `loom::thread_local!` supports
//!   destructors, so the model needs only the `latest` atomic in the facade.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;

/// Slots per thread (a power of two).
pub const SLOTS: usize = 16;

/// One published version: the value and its number (the crate's `Version`).
#[derive(Debug)]
pub struct Version<T> {
    pub version: u64,
    pub value: T,
}

/// A copy-on-write cell whose `read()` goes through the per-thread cache.
pub struct TlsCell<T> {
    current: ArcSwap<Version<T>>,
    /// Address of the newest version, stored before it is swapped into `current`.
    /// Compared, never dereferenced.
    latest: AtomicPtr<Version<T>>,
    writer: Mutex<()>,
}

/// One cached version: an `Arc::into_raw` pointer owning one strong count (null: empty)
/// and the function that releases it (`Arc::from_raw` of the right type).
///
/// `borrowed`: a live guard shows this slot's version, so the slot must not be replaced.
/// At most one guard borrows a slot; a second read meanwhile (the same cell again, or
/// another cell mapping to this slot) takes the slow path and gets its own `Arc`. A flag
/// rather than a count: the read and the guard's drop only *store* constants, so
/// back-to-back reads form no load-modify-store chain through this memory.
struct Slot {
    ptr: Cell<*const ()>,
    release: Cell<unsafe fn(*const ())>,
    borrowed: Cell<bool>,
}

/// For empty slots; never called with a non-null pointer.
unsafe fn release_nothing(_: *const ()) {}

impl Slot {
    // Only used to initialize the thread-local array: each use is a fresh value.
    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: Slot = Slot {
        ptr: Cell::new(std::ptr::null()),
        release: Cell::new(release_nothing),
        borrowed: Cell::new(false),
    };

    /// Takes the slot's strong count out (the slot becomes empty).
    fn take(&self) -> Option<Released> {
        let ptr = self.ptr.replace(std::ptr::null());
        (!ptr.is_null()).then(|| Released(ptr, self.release.get()))
    }
}

/// A strong count taken out of a slot, released when dropped (outside the slot update:
/// the drop may run `T::drop`, which may itself read a `TlsCell`).
struct Released(*const (), unsafe fn(*const ()));

impl Drop for Released {
    fn drop(&mut self) {
        // SAFETY: `self.0` came from `Arc::into_raw` and `self.1` is the matching
        // `release_arc::<V>` (the slot stores both together); the slot was emptied when
        // this value was made, so the count is released exactly once.
        unsafe { (self.1)(self.0) }
    }
}

/// The per-thread cache. No `Drop`, so that the hot path's thread-local access needs no
/// "registered / destroyed" state check; [`Reaper`] empties it when the thread exits.
struct Slots {
    slots: [Slot; SLOTS],
    /// Set by the reaper: the thread is exiting, cache nothing more.
    closed: Cell<bool>,
}

/// Registered (on the first slow path that caches) so that its destructor empties this
/// thread's slots when the thread exits.
struct Reaper;

impl Drop for Reaper {
    fn drop(&mut self) {
        CACHE.with(|cache| {
            cache.closed.set(true);
            for slot in &cache.slots {
                // A slot still borrowed by a live guard (one kept in another
                // thread-local being destroyed) is leaked rather than freed under it.
                if !slot.borrowed.get() {
                    drop(slot.take());
                }
            }
        });
    }
}

thread_local! {
    static CACHE: Slots = const {
        Slots { slots: [const { Slot::EMPTY }; SLOTS], closed: Cell::new(false) }
    };
    static REAPER: Reaper = const { Reaper };
}

/// # Safety
///
/// `ptr` must come from `Arc::<V>::into_raw` and own one strong count.
unsafe fn release_arc<V>(ptr: *const ()) {
    // SAFETY: the caller passes a pointer from `Arc::<V>::into_raw` owning one count.
    drop(unsafe { Arc::from_raw(ptr.cast::<V>()) });
}

fn slot_index<T>(cell: &TlsCell<T>) -> usize {
    let addr = std::ptr::from_ref(cell).addr() as u64;
    (addr.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

/// Read guard of [`TlsCell::read`]. `!Send`: its drop must return *this* thread's slot.
pub struct ReadGuard<'a, T> {
    version: *const Version<T>,
    /// The borrowed slot of this thread's cache; [`OWNED`] when `version` instead came
    /// from `Arc::into_raw` and owns one strong count (a miss while the slot was
    /// borrowed, or a thread that is exiting). Two words, no `Option` to test.
    slot: usize,
    _cell: PhantomData<&'a TlsCell<T>>,
}

/// `ReadGuard::slot` of a guard that owns its version.
const OWNED: usize = usize::MAX;

impl<T> ReadGuard<'_, T> {
    /// The number of the version this guard shows.
    pub fn version(&self) -> u64 {
        self.version_ref().version
    }

    #[inline]
    fn version_ref(&self) -> &Version<T> {
        // SAFETY: `version` points to a live `Version<T>`: either the allocation whose
        // strong count this guard owns (`OWNED`), or the one owned by slot `slot`, which
        // this guard borrows:
        // a borrowed slot is never replaced nor freed by the thread-local's destructor,
        // until this guard's drop releases it on this same thread (the guard is `!Send`).
        unsafe { &*self.version }
    }
}

impl<T> Deref for ReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.version_ref().value
    }
}

impl<T> Drop for ReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if self.slot == OWNED {
            // SAFETY: an `OWNED` guard's `version` came from `Arc::into_raw` and owns one
            // strong count, released here once.
            unsafe { release_arc::<Version<T>>(self.version.cast()) };
        } else {
            CACHE.with(|cache| cache.slots[self.slot].borrowed.set(false));
        }
    }
}

impl<T: Send + Sync + 'static> TlsCell<T> {
    /// A new cell holding `value` as version 0.
    pub fn new(value: T) -> Self {
        let first = Arc::new(Version { version: 0, value });
        Self {
            latest: AtomicPtr::new(Arc::as_ptr(&first).cast_mut()),
            current: ArcSwap::new(first),
            writer: Mutex::new(()),
        }
    }

    /// The current version: a hit costs one `Acquire` load, a compare and a flag store
    /// in a thread-local slot (another one when the guard drops).
    #[inline]
    pub fn read(&self) -> ReadGuard<'_, T> {
        let latest = self.latest.load(Ordering::Acquire).cast_const();
        let slot = slot_index(self);
        let hit = CACHE.with(|cache| {
            let cached = &cache.slots[slot];
            let hit = cached.ptr.get() == latest.cast() && !cached.borrowed.get();
            if hit {
                cached.borrowed.set(true);
            }
            hit
        });
        if hit {
            return ReadGuard {
                version: latest,
                slot,
                _cell: PhantomData,
            };
        }
        self.read_slow(slot)
    }

    /// Miss (or the slot is borrowed): a counted load from arc-swap, cached in the slot
    /// (evicting what it held: another cell's version or an older one of this cell)
    /// unless a live guard borrows the slot, in which case the new guard keeps its own
    /// `Arc`.
    #[cold]
    fn read_slow(&self, slot: usize) -> ReadGuard<'_, T> {
        let fresh = Arc::into_raw(self.current.load_full());
        let mut owned = true;
        let mut evicted = None;
        // Make sure the reaper will empty the slots; once the thread is exiting (the
        // reaper is gone or has run), cache nothing.
        let open = REAPER.try_with(|_| ()).is_ok();
        CACHE.with(|cache| {
            let cached = &cache.slots[slot];
            if !open || cache.closed.get() || cached.borrowed.get() {
                return;
            }
            evicted = cached.take();
            // The strong count moves to the slot; the guard borrows it.
            owned = false;
            cached.ptr.set(fresh.cast());
            cached.release.set(release_arc::<Version<T>>);
            cached.borrowed.set(true);
        });
        // Outside the slot update: this may run `T::drop` of a retired version.
        drop(evicted);
        ReadGuard {
            version: fresh,
            slot: if owned { OWNED } else { slot },
            _cell: PhantomData,
        }
    }

    /// Copy, change, publish: the crate's write protocol plus one `latest` store.
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> R
    where
        T: Clone,
    {
        let lock = self.writer.lock();
        let current = self.current.load();
        let mut value = current.value.clone();
        let result = f(&mut value);
        let next = Arc::new(Version {
            version: current.version + 1,
            value,
        });
        drop(current);
        // Before the swap: whoever sees the new version sees the new `latest`.
        self.latest
            .store(Arc::as_ptr(&next).cast_mut(), Ordering::Release);
        let retired = self.current.swap(next);
        drop(lock);
        drop(retired);
        result
    }
}

impl<T: Clone + Send + Sync + 'static> TlsCell<Vec<T>> {
    /// `CowVec::set`'s equivalent.
    pub fn set(&self, index: usize, value: T) -> T {
        self.update(|v| std::mem::replace(&mut v[index], value))
    }
}
