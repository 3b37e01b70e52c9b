//! One published version and who keeps it alive.
//!
//! A [`Version`] is one heap allocation: a reference-count word, the version number and
//! the value. The count word holds two counts:
//!
//! * **owners**: the cells that hold the version, as their current value or on their
//!   list of retired versions (more than one after `CowCell::clone` or
//!   `CowCell::from(snapshot)`);
//! * **holders**: [`Snapshot`](super::Snapshot)s, [`Reader`](super::Reader) caches and
//!   read guards that fell back to counting.
//!
//! Hazard slots (see `hazard.rs`) protect a version without counting.
//!
//! The rule that keeps readers from ever running a destructor: **only an owner frees a
//! version while it has owners**. A holder's release is a decrement that frees only
//! when it leaves no owner and no holder, which happens only after every cell that held
//! the version was dropped (snapshots that outlive their cell). An owner lets go
//! ([`release_owner`]) only when no holder remains and no hazard slot shows the version;
//! if it is the last owner it then frees the version itself, on its own (writer's)
//! thread.

use core::ptr::NonNull;

use super::sync::{AtomicU64, Ordering};

/// One owner in the count word.
const OWNER: u64 = 1 << 40;
/// The holder bits.
const HOLDERS: u64 = OWNER - 1;
/// Counts above these abort the process, as std's `Arc` does on overflow (a program
/// would need a trillion snapshots or a million cells sharing one version to get there).
const MAX_HOLDERS: u64 = HOLDERS >> 1;
const MAX_OWNERS: u64 = (u64::MAX >> 40) >> 1;

/// One published version: the value and its generation number.
///
/// Private: users see it only through `Snapshot`, `ReadGuard` and `Reader`.
pub(crate) struct Version<T> {
    /// `owners << 40 | holders`.
    count: AtomicU64,
    pub(crate) version: u64,
    pub(crate) value: T,
    /// Under loom, makes a version that is never freed fail the model (loom's leak
    /// check).
    #[cfg(loom)]
    _leak_check: loom::alloc::Track<()>,
}

/// What [`release_owner`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Released {
    /// Still held by a snapshot (or a counted guard): the owner keeps it and tries again
    /// later.
    Held,
    /// The caller was not the last owner and has let go; another owner frees it.
    LetGo,
    /// The caller was the last owner and nobody holds it: the caller must free it
    /// (with [`free`]).
    Free,
}

impl<T> Version<T> {
    /// A new version owned by one cell.
    pub(crate) fn owned(version: u64, value: T) -> NonNull<Self> {
        Self::alloc(OWNER, version, value)
    }

    /// A new version held by one snapshot and owned by no cell.
    pub(crate) fn held(version: u64, value: T) -> NonNull<Self> {
        Self::alloc(1, version, value)
    }

    fn alloc(count: u64, version: u64, value: T) -> NonNull<Self> {
        let boxed = Box::new(Self {
            count: AtomicU64::new(count),
            version,
            value,
            #[cfg(loom)]
            _leak_check: loom::alloc::Track::new(()),
        });
        // SAFETY: `Box::into_raw` never returns null.
        unsafe { NonNull::new_unchecked(Box::into_raw(boxed)) }
    }
}

/// Frees a version.
///
/// # Safety
///
/// `version` came from [`Version::owned`] or [`Version::held`], and the caller is the
/// last user of it: [`release_owner`] returned [`Released::Free`], [`release_holder`]
/// returned `true`, or the caller is an owner that saw no other owner, holder or hazard.
pub(crate) unsafe fn free<T>(version: NonNull<Version<T>>) -> Box<Version<T>> {
    // SAFETY: the allocation came from `Box::into_raw` in `Version::alloc` and has no other
    // user (the caller's contract).
    unsafe { Box::from_raw(version.as_ptr()) }
}

/// Adds a holder. The caller must keep the version alive meanwhile (by holding a
/// counted reference, a hazard slot, or ownership).
#[inline]
pub(crate) fn acquire_holder<T>(version: &Version<T>) {
    // `Relaxed`, as std's `Arc::clone`: the caller's own reference keeps the version
    // alive, and the count is only ever read by owners after they synchronized with
    // this thread another way (a hazard slot's `Release`, or a holder's decrement).
    let old = version.count.fetch_add(1, Ordering::Relaxed);
    if old & HOLDERS >= MAX_HOLDERS {
        std::process::abort();
    }
}

/// Adds an owner (a second cell starting from the same version). Same contract as
/// [`acquire_holder`].
pub(crate) fn acquire_owner<T>(version: &Version<T>) {
    let old = version.count.fetch_add(OWNER, Ordering::Relaxed);
    if old >> 40 >= MAX_OWNERS {
        std::process::abort();
    }
}

/// Turns one holder into an owner (a cell made from a snapshot).
pub(crate) fn holder_to_owner<T>(version: &Version<T>) {
    let old = version.count.fetch_add(OWNER - 1, Ordering::Relaxed);
    if old >> 40 >= MAX_OWNERS {
        std::process::abort();
    }
}

/// Drops a holder. Returns `true` if that left the version with no owner and no holder:
/// the caller must then free it. While any cell owns the version this never happens.
///
/// # Safety
///
/// The caller holds one holder count of `version`, which it gives up here.
#[inline]
#[must_use]
pub(crate) unsafe fn release_holder<T>(version: NonNull<Version<T>>) -> bool {
    // SAFETY: our holder count keeps the version alive until this decrement.
    let count = unsafe { &version.as_ref().count };
    // `Release`, as std's `Arc::drop`: our reads of the value happen before whoever
    // frees it reads the count (an owner's `Acquire` load, or the `Acquire` fence below).
    if count.fetch_sub(1, Ordering::Release) != 1 {
        return false;
    }
    // Synchronizes with every earlier decrement (their release sequence ends here). A
    // load rather than std's `fence(Acquire)`: the same on the hardware, and visible to
    // ThreadSanitizer, which does not model fences.
    count.load(Ordering::Acquire);
    true
}

/// Whether `version` has exactly one owner and no holder: the caller, an owner, then
/// has it to itself (apart from hazard slots, which the caller must account for).
/// `Acquire`: pairs with every holder's `Release` decrement, so their reads happen before
/// whatever the caller does next (`get_mut`'s in-place write, `into_inner`'s move).
#[inline]
pub(crate) fn is_unique<T>(version: &Version<T>) -> bool {
    version.count.load(Ordering::Acquire) == OWNER
}

/// Whether anybody but owners holds `version` right now: a hint (`Relaxed`) for skipping a
/// scan that could free nothing. A version is only ever freed after
/// [`release_owner`], which checks again, in the right order.
#[inline]
pub(crate) fn has_holders<T>(version: &Version<T>) -> bool {
    version.count.load(Ordering::Relaxed) & HOLDERS != 0
}

/// Whether `version` has no owner and exactly one holder (the caller's): a snapshot
/// that may take the value. `Acquire`, as [`is_unique`].
#[inline]
pub(crate) fn is_sole_holder<T>(version: &Version<T>) -> bool {
    version.count.load(Ordering::Acquire) == 1
}

/// An owner's attempt to let go of a version that no hazard slot shows (the caller
/// checked the slots after the writer's fence, or knows no guard can exist).
///
/// # Safety
///
/// The caller owns `version` (one owner count), and no hazard slot protects it except
/// transiently in a reader whose validation will fail (see `hazard.rs`).
pub(crate) unsafe fn release_owner<T>(version: NonNull<Version<T>>) -> Released {
    // SAFETY: our owner count keeps the version alive.
    let count = unsafe { &version.as_ref().count };
    let mut current = count.load(Ordering::Acquire);
    loop {
        if current & HOLDERS != 0 {
            return Released::Held;
        }
        if current == OWNER {
            // The last owner and no holder. Nobody can add one: a holder is added only
            // by a holder (none), or through a hazard slot on a cell whose current
            // version this is (that cell would be another owner), or by an owner (us).
            return Released::Free;
        }
        // Other owners remain: give ours up; one of them frees the version later.
        match count.compare_exchange_weak(
            current,
            current - OWNER,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => return Released::LetGo,
            Err(now) => current = now,
        }
    }
}

/// An owner letting go unconditionally (its cell is being dropped): frees the version
/// if that was the last reference, otherwise leaves it to the remaining owners or, once
/// no cell owns it, to its last holder.
///
/// # Safety
///
/// The caller owns `version` and gives up that ownership here; no guard of the caller's
/// cell is alive (the cell is being dropped, or moved out of).
pub(crate) unsafe fn drop_owner<T>(version: NonNull<Version<T>>) -> Option<Box<Version<T>>> {
    // SAFETY: our owner count keeps the version alive.
    let count = unsafe { &version.as_ref().count };
    if count.fetch_sub(OWNER, Ordering::Release) != OWNER {
        return None;
    }
    // As in `release_holder`.
    count.load(Ordering::Acquire);
    // SAFETY: that was the last count of any kind.
    Some(unsafe { free(version) })
}
