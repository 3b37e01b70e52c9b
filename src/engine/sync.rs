//! The one place synchronization primitives come from.
//!
//! | primitive | normal build | under `--cfg loom` |
//! |---|---|---|
//! | [`PublishCell`]: the published `Arc`, its lock-free `load` and its `swap` | `arc_swap::ArcSwap` ([`publish_cell`]) | a loom `AtomicPtr` with a grace-period counter ([`loom_stand_ins`]) |
//! | [`Mutex`]: the writer mutex, `lock()` returns the guard | `parking_lot::Mutex` | `loom::sync::Mutex` in parking_lot's shape |
//! | `Arc`, atomics, `fence`, `thread_local!` | `std` | `loom` |
//! | `Event`: the waiters for a newer version | `event_listener` | `event_listener`, which builds against loom by itself under `cfg(loom)` |
//!
//! Only arc-swap's internals (the pointer cell and its reclamation) and the mutex are
//! replaced under loom. Everything built on them, in `cell.rs`, is one implementation
//! for both builds: the writer protocol, `get_mut`'s uniqueness check, `Reader`'s
//! refresh and [`thread_token`].

#[cfg(loom)]
mod loom_stand_ins;
#[cfg(not(loom))]
mod publish_cell;

pub(crate) use event_listener::{Event, EventListener, Listener};

#[cfg(loom)]
pub(crate) use loom::{
    sync::atomic::{fence, AtomicU64, AtomicUsize, Ordering},
    sync::Arc,
    thread_local,
};
#[cfg(loom)]
pub(crate) use loom_stand_ins::{Loaded, Mutex, MutexGuard, PublishCell};

#[cfg(not(loom))]
pub(crate) use parking_lot::{Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use publish_cell::{Loaded, PublishCell};
#[cfg(not(loom))]
pub(crate) use std::{
    sync::atomic::{fence, AtomicU64, AtomicUsize, Ordering},
    sync::Arc,
    thread_local,
};

/// A number that tells the calling thread apart from every other thread, never 0.
///
/// Used only to detect re-entrant writes: the writer records its token while it holds
/// the lock, and a second write from the same thread sees its own token. Tokens come
/// from a counter, so no two threads ever share one, not even a thread that starts after
/// another has exited (a thread-local's address could be reused that way). The counter
/// is a plain std atomic in both builds: it orders nothing, it only has to be unique.
pub(crate) fn thread_token() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    thread_local!(static TOKEN: usize = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    TOKEN.with(|token| *token)
}
