//! The publication cell: one pointer to the current [`Version`], loaded lock-free by
//! readers under a hazard slot and swapped by the (single, mutex-serialized) writer; and
//! the writer's list of retired versions, freed on the writer's thread once no reader
//! can see them.
//!
//! # Reads
//!
//! * [`PublishCell::protect`]: a hazard slot (`hazard.rs`) guards the version; no
//!   shared write, no read-modify-write. The guard's drop is one `Release` store. When a
//!   thread holds more guards than it has slots, a guard falls back to a counted
//!   reference (one increment and one decrement of the version's count).
//! * [`PublishCell::load_held`]: protect, add a holder (one increment), release the
//!   slot: a `Snapshot`'s or a `Reader`'s reference.
//!
//! Neither ever frees a version (see `version.rs`).
//!
//! # Retiring and reclaiming
//!
//! The writer swaps the new version in and pushes the old one on [`RetiredList`], still
//! owned by the cell. Then it *scans* when that is worth it ([`RetiredList::retire`]): a
//! `SeqCst` fence, one pass over the hazard records that threads own (or that a guard
//! which outlived its thread still uses), and each retired version that no slot shows
//! and no snapshot holds is freed, after the writer lock is released, on the writer's
//! thread. A scan reads one cache line per such record (one per live thread that has
//! read; threads that exited cost nothing), so, with `records` the records owned now:
//!
//! * with up to [`RECORDS_PER_WRITE`] of them, every write scans and frees the version
//!   it replaced at once (unless a reader holds it);
//! * with more, a write scans once per `records / RECORDS_PER_WRITE` writes, so that a
//!   write reads at most [`RECORDS_PER_WRITE`] records on average, however many threads
//!   read; and at once when the versions waiting hold [`WEIGHT_PER_RECORD`] elements per
//!   record (large versions are not kept waiting).
//!
//! So a version that no reader holds is freed at the latest by the
//! `ceil(records / 4)`-th write after it was retired, and a large one by the next
//! write. [`CowCell::reclaim`](crate::CowCell::reclaim) scans on demand.

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::hazard::{self, Slot};
#[cfg(not(loom))]
use super::sync::WithMut;
use super::sync::{self, AtomicPtr, Ordering};
use super::version::{self, Released, Version};

/// A write scans when the versions retired since the last scan, times this, reach the
/// number of hazard records threads own: a scan reads each of them once, so this keeps
/// the records a write reads, on average, at most this many, however many threads read.
/// With up to this many (live threads that have read), every write scans and frees its
/// predecessor at once, which keeps the allocator's cache hot.
pub(crate) const RECORDS_PER_WRITE: usize = 4;

/// A write also scans when the versions waiting weigh (in elements: what freeing them
/// is worth) at least this many per record: a large version is freed by the next write.
pub(crate) const WEIGHT_PER_RECORD: usize = 16;

/// The cell's pointer to its current version. The cell owns that version (one owner
/// count).
pub(crate) struct PublishCell<T> {
    current: AtomicPtr<Version<T>>,
    _owns: PhantomData<Box<Version<T>>>,
}

impl<T> PublishCell<T> {
    /// A cell publishing `version`, whose owner count the cell takes over.
    pub(crate) fn new(version: NonNull<Version<T>>) -> Self {
        Self {
            current: AtomicPtr::new(version.as_ptr()),
            _owns: PhantomData,
        }
    }

    /// The current version under a hazard slot of the calling thread, or, if all of its
    /// slots are taken, under a counted reference.
    #[inline]
    pub(crate) fn protect(&self) -> Guard<T> {
        hazard::with_record(|record| match record.claim() {
            Some(slot) => Guard {
                version: nonnull(hazard::protect(&self.current, slot)),
                slot: Some(slot),
            },
            None => Guard {
                version: self.load_held_with(record),
                slot: None,
            },
        })
    }

    /// The current version with one holder count added for the caller.
    #[inline]
    pub(crate) fn load_held(&self) -> NonNull<Version<T>> {
        hazard::with_record(|record| self.load_held_with(record))
    }

    #[inline]
    fn load_held_with(&self, record: &'static hazard::Record) -> NonNull<Version<T>> {
        let slot = record.transient();
        let version = nonnull(hazard::protect(&self.current, slot));
        // SAFETY: the slot protects it: no owner frees it before the slot is released.
        version::acquire_holder(unsafe { version.as_ref() });
        hazard::release(slot);
        version
    }

    /// The current version, for the writer: valid while the caller holds the writer
    /// lock (only a lock holder replaces the current version, and a version is freed
    /// only after it was replaced).
    #[inline]
    pub(crate) fn current(&self) -> NonNull<Version<T>> {
        nonnull(self.current.load(Ordering::Acquire))
    }

    /// Publishes `next` (whose owner count the cell takes over) and returns the version
    /// it replaced, whose owner count passes to the caller. Only the writer-lock holder
    /// calls this. `AcqRel`: `Release` publishes `next`'s contents to every reader that
    /// loads it; `Acquire` is the previous writer's, already ordered by the lock.
    ///
    /// Then a `SeqCst` fence: the writer's half of the hazard fence. Every scan that may
    /// free the replaced version reads the slots after it, on this thread or on a later
    /// holder of the writer lock (the lock orders them after it, which the fence rules
    /// of C++20 [atomics.order] take into account), so a reader either shows the version
    /// in its slot by then or sees the swap when it re-checks. The waiting protocol
    /// (`CowCell::listen`) relies on the same fence.
    #[inline]
    pub(crate) fn swap(&self, next: NonNull<Version<T>>) -> NonNull<Version<T>> {
        let replaced = nonnull(self.current.swap(next.as_ptr(), Ordering::AcqRel));
        sync::fence(Ordering::SeqCst);
        replaced
    }

    /// The current version with `&mut self`: no reader of this cell can be active.
    pub(crate) fn current_mut(&mut self) -> NonNull<Version<T>> {
        nonnull(self.current.with_mut(|current| *current))
    }

    /// Replaces the current version with `&mut self` (no reader of this cell, no writer)
    /// and returns the old one with its owner count. No fence: no reader of this cell
    /// can be protecting it, and a reader of another cell that shares it makes that
    /// cell an owner, which keeps it alive.
    pub(crate) fn replace_mut(&mut self, next: NonNull<Version<T>>) -> NonNull<Version<T>> {
        nonnull(
            self.current
                .with_mut(|current| core::mem::replace(current, next.as_ptr())),
        )
    }
}

impl<T> Drop for PublishCell<T> {
    fn drop(&mut self) {
        let current = self.current_mut();
        // SAFETY: the cell owns its current version and lets go of it here; `&mut self`:
        // no guard of this cell is alive.
        drop(unsafe { version::drop_owner(current) });
    }
}

#[inline]
fn nonnull<V>(pointer: *mut V) -> NonNull<V> {
    // A cell's pointer is never null: it always holds a version.
    NonNull::new(pointer).expect("a publication cell always holds a version")
}

/// A protected reference to one version: a hazard slot, or a counted reference when the
/// thread had no free slot. Never frees the version.
pub(crate) struct Guard<T> {
    version: NonNull<Version<T>>,
    slot: Option<&'static Slot>,
}

impl<T> Guard<T> {
    #[inline]
    pub(crate) fn version(&self) -> &Version<T> {
        // SAFETY: the slot (or the count) keeps the version alive for as long as the
        // guard exists (see `PublishCell::protect`).
        unsafe { self.version.as_ref() }
    }

    /// The version's pointer, with the provenance of the cell's own (never derived from
    /// a reference, so that it may be used to free the version).
    #[inline]
    pub(crate) fn as_ptr(&self) -> NonNull<Version<T>> {
        self.version
    }

    /// A new holder count of the same version, for a `Snapshot`.
    pub(crate) fn to_held(&self) -> NonNull<Version<T>> {
        version::acquire_holder(self.version());
        self.version
    }
}

impl<T> Drop for Guard<T> {
    #[inline]
    fn drop(&mut self) {
        match self.slot {
            Some(slot) => hazard::release(slot),
            None => {
                // SAFETY: a slot-less guard holds one holder count (`load_held_with`).
                if unsafe { version::release_holder(self.version) } {
                    // Unreachable while the guard's cell lives (it owns the version, or
                    // keeps it retired while it is held); kept so that no path leaks.
                    // SAFETY: no owner or holder is left.
                    drop(unsafe { version::free(self.version) });
                }
            }
        }
    }
}

/// The writer's list of retired versions, each still owned by the cell, and the
/// bookkeeping that decides when to scan.
pub(crate) struct RetiredList<T> {
    versions: Vec<NonNull<Version<T>>>,
    /// Versions retired since the last scan, and their total weight.
    pending: usize,
    pending_weight: usize,
}

// SAFETY: the list owns its versions (one owner count each) as `Box<Version<T>>` would,
// and only the writer-lock holder touches it.
unsafe impl<T: Send + Sync> Send for RetiredList<T> {}
// SAFETY: as above; `&RetiredList` gives access to nothing.
unsafe impl<T: Send + Sync> Sync for RetiredList<T> {}

impl<T> RetiredList<T> {
    pub(crate) const fn new() -> Self {
        Self {
            versions: Vec::new(),
            pending: 0,
            pending_weight: 0,
        }
    }

    /// Takes over a replaced version (and its owner count). Returns whether a scan is
    /// due (see the module docs).
    pub(crate) fn retire(&mut self, version: NonNull<Version<T>>, weight: usize) -> bool {
        self.versions.push(version);
        self.pending += 1;
        self.pending_weight = self.pending_weight.saturating_add(weight);
        let records = hazard::domain().records();
        self.pending.saturating_mul(RECORDS_PER_WRITE) >= records
            || self.pending_weight >= records.saturating_mul(WEIGHT_PER_RECORD)
    }

    /// How many retired versions are still allocated, and the number of the oldest.
    pub(crate) fn alive(&self) -> (usize, Option<u64>) {
        // Versions are retired in publication order and scans keep that order, so the
        // first one is the oldest.
        // SAFETY: every listed version is owned by the list, hence alive.
        let oldest = self.versions.first().map(|v| unsafe { v.as_ref() }.version);
        (self.versions.len(), oldest)
    }

    /// Frees (into the returned [`Garbage`], to be dropped after the writer lock is
    /// released) every retired version that no hazard slot shows and nobody holds.
    /// Every version on the list was unpublished by [`PublishCell::swap`], whose fence
    /// comes before this scan's slot reads (or with `&mut` access to the cell, by
    /// [`PublishCell::replace_mut`]): a reader that does not show it in a slot by now
    /// will not return it.
    pub(crate) fn scan(&mut self) -> Garbage<T> {
        self.pending = 0;
        self.pending_weight = 0;
        // Nothing to free while every retired version is held by a snapshot (say, the
        // one `store` just returned): skip the fence and the slot reads. A holder found
        // here can only go away, so at worst a later scan frees what this one skipped.
        let unheld = |v: &NonNull<Version<T>>| {
            // SAFETY: every listed version is owned by the list, hence alive.
            !version::has_holders(unsafe { v.as_ref() })
        };
        if !self.versions.iter().any(unheld) {
            return Garbage::default();
        }
        let mut hazards: Vec<*mut ()> = Vec::new();
        hazard::domain().collect(|p| hazards.push(p));
        let sorted = hazards.len() > 16;
        if sorted {
            hazards.sort_unstable();
        }
        let shown = |p: *mut ()| {
            if sorted {
                hazards.binary_search(&p).is_ok()
            } else {
                hazards.contains(&p)
            }
        };
        let mut garbage = Garbage::default();
        self.versions.retain(|&version| {
            if shown(version.as_ptr().cast()) {
                return true;
            }
            // SAFETY: the list owns the version, and no slot shows it after the fence.
            match unsafe { version::release_owner(version) } {
                Released::Held => true,
                Released::LetGo => false,
                Released::Free => {
                    // SAFETY: `release_owner` said we are its last user.
                    garbage.push(unsafe { version::free(version) });
                    false
                }
            }
        });
        garbage
    }

    /// Gives up every retired version (the cell is being dropped): each is freed now if
    /// nothing else holds it, otherwise by its last holder or remaining owner.
    pub(crate) fn drop_all(&mut self) -> Garbage<T> {
        let mut garbage = Garbage::default();
        for version in self.versions.drain(..) {
            // SAFETY: the list owns it; the cell is being dropped, so none of its guards
            // is alive.
            if let Some(freed) = unsafe { version::drop_owner(version) } {
                garbage.push(freed);
            }
        }
        garbage
    }
}

/// Versions a scan found unreachable, freed when this is dropped (outside the writer
/// lock). If one's `Drop` panics, the rest are still freed (drop glue continues with
/// the other fields and elements while unwinding).
pub(crate) struct Garbage<T> {
    /// The usual case: the version the write just replaced.
    first: Option<Box<Version<T>>>,
    rest: Vec<Box<Version<T>>>,
}

impl<T> Default for Garbage<T> {
    fn default() -> Self {
        Self {
            first: None,
            rest: Vec::new(),
        }
    }
}

impl<T> Garbage<T> {
    fn push(&mut self, version: Box<Version<T>>) {
        if self.first.is_none() {
            self.first = Some(version);
        } else {
            self.rest.push(version);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! The publication cell's `unsafe` (hazard slots, counts, frees) across threads.
    //! These run under Miri with Stacked and Tree Borrows and several seeds
    //! (`ci/miri.sh`); none adds synchronization beyond what the engine must provide
    //! (the scoped threads are joined only after every read, write and free).

    use crate::engine::hazard;
    use crate::CowCell;
    use std::thread;

    fn rounds() -> u64 {
        if cfg!(miri) {
            20
        } else {
            2_000
        }
    }

    /// A reader reads whole versions through guards, snapshots and a `Reader` while the
    /// writer replaces and frees them as fast as it can: every version a reader sees
    /// is alive and consistent (Miri reports a use after free or a data race otherwise).
    #[test]
    fn readers_see_live_whole_versions_while_the_writer_frees() {
        let cell = CowCell::new(vec![0u64; 4]);
        thread::scope(|s| {
            s.spawn(|| {
                let mut reader = cell.reader();
                for _ in 0..rounds() {
                    let guard = cell.read();
                    assert!(guard.iter().all(|&x| x == guard.version()));
                    let snapshot = cell.snapshot();
                    assert!(snapshot.iter().all(|&x| x == snapshot.version()));
                    let (value, version) = reader.read_with_version();
                    assert!(value.iter().all(|&x| x == version));
                }
            });
            for v in 1..=rounds() {
                drop(cell.store(vec![v; 4]));
                if v % 3 == 0 {
                    cell.reclaim();
                }
            }
        });
        assert_eq!(cell.reclaim().alive, 0);
    }

    /// A guard dropped on another thread than the one that took it releases its slot;
    /// the writer frees the version afterwards, and the slot is claimed again.
    #[test]
    fn a_guard_released_on_another_thread() {
        let cell = CowCell::new(String::from("v0"));
        let guard = cell.read();
        drop(cell.store(String::from("v1")));
        assert_eq!(cell.reclaim().alive, 1);
        thread::scope(|s| {
            s.spawn(move || assert_eq!(*guard, "v0"));
        });
        assert_eq!(cell.reclaim().alive, 0);
        assert_eq!(*cell.read(), "v1");
    }

    /// A guard that outlives the thread that read it: the thread gives its record back
    /// on exit, but the record's guard slot still protects the version, so scans must
    /// keep reading that record (its in-use bit stays set) until the guard goes.
    #[test]
    fn a_guard_outliving_its_thread_still_protects() {
        let cell = CowCell::new(String::from("v0"));
        let guard = thread::scope(|s| s.spawn(|| cell.read()).join().unwrap());
        drop(cell.store(String::from("v1")));
        // Other threads come and go (and may take the exited thread's record).
        for _ in 0..3 {
            thread::scope(|s| {
                s.spawn(|| assert_eq!(*cell.read(), "v1"));
            });
        }
        assert_eq!(cell.reclaim().alive, 1, "the guard's version was freed");
        assert_eq!(*guard, "v0");
        drop(guard);
        assert_eq!(cell.reclaim().alive, 0);
    }

    /// Threads that come and go one after another reuse one record: the number of
    /// records a scan reads does not grow with them.
    #[test]
    fn records_are_reused_by_later_threads() {
        let cell = CowCell::new(1u8);
        thread::spawn(|| assert_eq!(*CowCell::new(0u8).read(), 0))
            .join()
            .unwrap();
        let before = hazard::domain().records();
        for _ in 0..if cfg!(miri) { 3 } else { 50 } {
            thread::scope(|s| {
                s.spawn(|| assert_eq!(*cell.read(), 1));
            });
        }
        // Other tests run at the same time and may hold records: a few more, not 50.
        assert!(hazard::domain().records() <= before + 8);
    }

    /// More guards than slots: the extra ones are counted references, and freeing waits
    /// for them like for snapshots.
    #[test]
    fn guards_beyond_the_slots_are_counted() {
        let cell = CowCell::new(vec![7u8; 2]);
        let guards: Vec<_> = (0..hazard::SLOTS + 3).map(|_| cell.read()).collect();
        drop(cell.store(vec![8; 2]));
        assert_eq!(cell.reclaim().alive, 1);
        assert!(guards.iter().all(|g| **g == [7, 7]));
        drop(guards);
        assert_eq!(cell.reclaim().alive, 0);
    }
}
