//! The engine: the only code in the crate with atomics. [`CowCell`] (the writer
//! protocol, publication, waiting), the read-side types ([`Snapshot`], [`ReadGuard`],
//! [`Reader`]), [`Watcher`], and `sync.rs`, the one place synchronization primitives come
//! from (std's or loom's). The collections above it hold no atomics of their own.

mod cell;
pub(crate) mod snapshot;
pub(crate) mod sync;
mod watcher;

pub use cell::{CowCell, WriteGuard};
pub use snapshot::{ReadAs, ReadGuard, Reader, Snapshot};
pub use watcher::Watcher;
