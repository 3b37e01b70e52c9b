//! Loom-visible stand-ins for what loom cannot run: arc-swap's pointer cell with its
//! reclamation, and parking_lot's mutex. Compiled only under `--cfg loom`.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ptr;

use loom::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use loom::sync::Arc;

/// parking_lot's shape over loom's mutex: `new` is infallible and `lock()` returns the
/// guard, with no poisoning.
#[derive(Debug)]
pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);
pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(loom::sync::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Stand-in for `arc_swap::Guard`: an owned `Arc`.
pub(crate) type Loaded<V> = Arc<V>;

/// A loom-visible publication cell with arc-swap's API and its synchronization shape:
/// the published `Arc` is a raw pointer in one loom `AtomicPtr`, loaded with `Acquire`
/// and swapped with `AcqRel` followed by a `SeqCst` fence (arc-swap's swap is
/// `SeqCst`; see `swap`), so readers never block and the engine gets no more ordering
/// from the cell than arc-swap gives. An `RwLock` around an `Arc` would be simpler and free of `unsafe`,
/// but every read would then synchronize with every write in both directions (reader
/// unlock -> writer lock), which could hide an ordering bug of the engine, and readers
/// would block.
///
/// Reclamation (arc-swap's job, done with its debt slots) is modelled by a plain grace
/// period: `loading` counts readers between loading the pointer and taking their own
/// reference, and `swap` hands the old `Arc` back only once that count is zero. Readers
/// stay wait-free; only a writer ever waits, for a few instructions of each reader that
/// loaded the old pointer. Every operation on `loading` (the reader's increment and
/// decrement, the writer's check) is a read-modify-write (`AcqRel`), so they are totally
/// ordered and each sees every earlier one: a reader counted after the writer's check
/// synchronizes with it and loads the new pointer; a reader counted before it is waited
/// for. loom's `Arc` registry turns a mistake here into a model failure ("no entry found
/// for key" when a freed pointer is revived, "Arc leaked" when a count is lost).
pub(crate) struct PublishCell<V> {
    /// From `Arc::into_raw`; the cell owns one strong count of it. Never null except
    /// transiently inside `into_inner`.
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
        // SAFETY: `current` came from `Arc::into_raw` and the cell held a strong count of
        // it when we loaded it. That count is only released by a `swap` that replaced
        // it, and such a `swap` first waits until `loading` is zero, which it cannot be
        // before our `fetch_sub` below, sequenced after the increment. (`&mut self`
        // methods cannot run during `&self`.) So the allocation is alive.
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
        // arc-swap's swap is a `SeqCst` read-modify-write, and the engine relies on that
        // once: a writer's `SeqCst` load of the waiter count after publishing (see
        // `CowCell::listen`). loom treats `SeqCst` accesses as `AcqRel` but models
        // `SeqCst` fences, so the stand-in adds one to stand for the swap's place in
        // the `SeqCst` order. (It also orders the writer's load after it, which the real
        // load gets from being `SeqCst` itself: loom cannot check that that load is
        // `SeqCst`; the README lists it.)
        loom::sync::atomic::fence(Ordering::SeqCst);
        // Grace period: wait out readers that may have loaded `old` but not counted it
        // yet. Readers arriving later see `new` (see the type's docs).
        while self.loading.fetch_add(0, Ordering::AcqRel) != 0 {
            loom::thread::yield_now();
        }
        // SAFETY: `old` came from `Arc::into_raw` (in `new` or an earlier `swap`) and
        // carried the cell's strong count, which is now ours: `current` no longer holds
        // it and no reader is between loading it and counting its own.
        unsafe { Arc::from_raw(old) }
    }

    pub(crate) fn into_inner(mut self) -> Arc<V> {
        let current = self
            .current
            .with_mut(|p| core::mem::replace(p, ptr::null_mut()));
        // SAFETY: the cell's own strong count, taken out of the cell (now null, so its
        // `Drop` does nothing); `self` is owned, so nobody else can load it.
        unsafe { Arc::from_raw(current) }
    }

    /// `&mut` to the published value if the cell holds the only reference to it
    /// (`Arc::get_mut`, which loom checks with `Acquire` as std does), `None` otherwise.
    pub(crate) fn get_mut(&mut self) -> Option<&mut V> {
        let current = self.current.with_mut(|p| *p);
        // SAFETY: the cell's own strong count, borrowed (`ManuallyDrop`: the cell keeps
        // owning it); `&mut self` means no reader or writer is using the cell.
        let mut arc = ManuallyDrop::new(unsafe { Arc::from_raw(current) });
        let unique = ptr::from_mut(Arc::get_mut(&mut arc)?);
        // SAFETY: `get_mut` just proved the cell holds the only reference, and the cell
        // keeps that allocation alive and unshared for as long as `&mut self` is
        // borrowed: nobody can load or swap it meanwhile.
        Some(unsafe { &mut *unique })
    }
}

impl<V> Drop for PublishCell<V> {
    fn drop(&mut self) {
        let current = self.current.with_mut(|p| *p);
        if !current.is_null() {
            // SAFETY: the cell's own strong count, released once, with no other user of
            // the cell left (`&mut self`).
            drop(unsafe { Arc::from_raw(current) });
        }
    }
}
