//! The one loom-visible stand-in: parking_lot's mutex, in parking_lot's shape over
//! loom's. Compiled only under `--cfg loom`.

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
