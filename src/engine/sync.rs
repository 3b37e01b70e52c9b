//! The one place synchronization primitives come from.
//!
//! | primitive | normal build | under `--cfg loom` |
//! |---|---|---|
//! | atomics, `fence`, `thread_local!`, the hazard domain's `static` | `std` | `loom` (`loom::lazy_static!` for the domain: one per execution) |
//! | [`light_fence`]: the reader's half of the hazard-slot fence (the writer's is in `PublishCell::swap`) | a `SeqCst` fence | the same, as loom models it |
//! | [`Mutex`]: the writer mutex, `lock()` returns the guard | `parking_lot::Mutex` | `loom::sync::Mutex` in parking_lot's shape |
//! | `Event`: the waiters for a newer version | `event_listener` | `event_listener`, which builds against loom by itself under `cfg(loom)` |
//!
//! Nothing else is swapped: the publication cell (`publish.rs`), the hazard slots
//! (`hazard.rs`), the reference counts (`version.rs`) and the writer protocol
//! (`cell.rs`) are one implementation for both builds, so the loom models run the code
//! that ships.

#[cfg(loom)]
mod loom_stand_ins;

pub(crate) use event_listener::{Event, EventListener, Listener};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{
    fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
};
#[cfg(loom)]
pub(crate) use loom_stand_ins::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use parking_lot::{Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{
    fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
};

/// `with_mut` for std's `AtomicPtr` (loom's has it): access through `&mut`, no atomic
/// operation.
#[cfg(not(loom))]
pub(crate) trait WithMut<T> {
    fn with_mut<R>(&mut self, f: impl FnOnce(&mut *mut T) -> R) -> R;
}

#[cfg(not(loom))]
impl<T> WithMut<T> for AtomicPtr<T> {
    #[inline]
    fn with_mut<R>(&mut self, f: impl FnOnce(&mut *mut T) -> R) -> R {
        f(self.get_mut())
    }
}

/// The reader's half of the fence between a hazard slot's store and the re-check of the
/// published pointer (`hazard::protect`): a `SeqCst` fence. The writer's half is the
/// `SeqCst` fence after its swap (`PublishCell::swap`).
///
/// An asymmetric pair (a compiler fence here, Linux's `membarrier` on the writer's side)
/// was measured and not adopted: it saved about 1-3 ns per read, but `membarrier` costs
/// 0.1 us (about 5 us while other threads of the process run, whose CPUs it interrupts),
/// so writers had to batch their scans, and freeing retired versions in batches made a
/// small write about 1.4 times slower (BENCHMARKS.md, "The publication cell").
#[inline]
pub(crate) fn light_fence() {
    fence(Ordering::SeqCst);
}

/// A number that tells the calling thread apart from every other thread, never 0.
///
/// Used only to detect re-entrant writes: the writer records its token while it holds
/// the lock, and a second write from the same thread sees its own token. Tokens come
/// from a 64-bit counter, so no two threads ever share one, not even a thread that
/// starts after another has exited (a thread-local's address could be reused that way),
/// and the counter cannot wrap in practice (2^64 thread starts); should it ever, the
/// process aborts rather than hand out 0 or a repeat. The counter is a plain std atomic
/// in both builds: it orders nothing, it only has to be unique.
pub(crate) fn thread_token() -> u64 {
    use std::sync::atomic::{AtomicU64 as StdAtomicU64, Ordering as StdOrdering};
    static NEXT: StdAtomicU64 = StdAtomicU64::new(1);
    fn next() -> u64 {
        let token = NEXT.fetch_add(1, StdOrdering::Relaxed);
        if token == 0 || token == u64::MAX {
            std::process::abort();
        }
        token
    }
    #[cfg(not(loom))]
    std::thread_local!(static TOKEN: u64 = next());
    #[cfg(loom)]
    loom::thread_local!(static TOKEN: u64 = next());
    TOKEN.with(|token| *token)
}
