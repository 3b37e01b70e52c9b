//! Evaluation, bench-local: an epoch-protected publication cell (crossbeam-epoch) with
//! the crate's writer protocol, to compare against arc-swap on the same suite.
//!
//! A read pins the epoch (a thread-local access plus a full fence on the first, outer
//! pin) and loads the pointer; a write copies, swaps, and `defer_destroy`s the retired
//! version. Retired versions are freed only once every pinned thread has moved on, in
//! batches: that is the retention the prototype ran into at 100,000 elements.
//! `flush` variants push the thread's garbage bag to the global queue after each write
//! (what bounding the retention would cost).

use std::ops::Deref;
use std::sync::atomic::Ordering;

use crossbeam_epoch::{self as epoch, Atomic, Guard, Owned};
use parking_lot::Mutex;

/// One published version (the crate's `Version`).
#[derive(Debug)]
pub struct Version<T> {
    pub version: u64,
    pub value: T,
}

/// A copy-on-write cell published through crossbeam-epoch.
pub struct EpochCell<T> {
    current: Atomic<Version<T>>,
    writer: Mutex<()>,
}

/// Read guard: a pinned epoch and the version loaded under it.
pub struct EpochRead<'a, T> {
    version: &'a Version<T>,
    _guard: Guard,
}

impl<T> Deref for EpochRead<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.version.value
    }
}

impl<T: Send + 'static> EpochCell<T> {
    /// A new cell holding `value` as version 0.
    pub fn new(value: T) -> Self {
        Self {
            current: Atomic::new(Version { version: 0, value }),
            writer: Mutex::new(()),
        }
    }

    /// Pin, load.
    #[inline]
    pub fn read(&self) -> EpochRead<'_, T> {
        let guard = epoch::pin();
        let shared = self.current.load(Ordering::Acquire, &guard);
        // SAFETY: the pointer is never null (set in `new`, every swap installs a new
        // version), and the version it points to is only destroyed through
        // `defer_destroy`, i.e. after every thread pinned now (this guard, moved into the
        // result and alive as long as the reference) has unpinned. `'a` borrows the cell,
        // so the cell's own drop cannot run meanwhile either.
        let version = unsafe { &*shared.as_raw() };
        EpochRead {
            version,
            _guard: guard,
        }
    }

    /// Copy, change, publish, defer the retired version's destruction.
    pub fn update<R>(&self, flush: bool, f: impl FnOnce(&mut T) -> R) -> R
    where
        T: Clone,
    {
        let lock = self.writer.lock();
        let guard = epoch::pin();
        let current = self.current.load(Ordering::Acquire, &guard);
        // SAFETY: non-null (see `read`), and protected by `guard`.
        let current_ref = unsafe { current.deref() };
        let mut value = current_ref.value.clone();
        let result = f(&mut value);
        let next = Owned::new(Version {
            version: current_ref.version + 1,
            value,
        });
        let retired = self.current.swap(next, Ordering::AcqRel, &guard);
        drop(lock);
        // SAFETY: `retired` is unreachable from the cell now, and this is its only
        // deferred destruction: each version is swapped out exactly once.
        unsafe { guard.defer_destroy(retired) };
        if flush {
            guard.flush();
        }
        result
    }
}

impl<T: Clone + Send + 'static> EpochCell<Vec<T>> {
    /// `CowVec::set`'s equivalent.
    pub fn set(&self, flush: bool, index: usize, value: T) -> T {
        self.update(flush, |v| std::mem::replace(&mut v[index], value))
    }
}

impl<T> Drop for EpochCell<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no reader or writer can reach the cell, and no guard
        // borrows it (`EpochRead` borrows the cell), so the current version has no other
        // user and was never handed to `defer_destroy`.
        unsafe {
            drop(
                self.current
                    .load(Ordering::Relaxed, epoch::unprotected())
                    .into_owned(),
            );
        }
    }
}
