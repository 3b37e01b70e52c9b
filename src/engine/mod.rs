//! The engine: the only code in the crate with atomics. [`CowCell`] (the writer
//! protocol, publication, waiting), the read-side types ([`Snapshot`], [`ReadGuard`],
//! [`Reader`]), [`Watcher`], and `sync.rs`, the one place synchronization primitives come
//! from (std's or loom's). The collections above it hold no atomics of their own.

mod cell;
mod hazard;
mod publish;
pub(crate) mod snapshot;
pub(crate) mod sync;
mod version;
mod watcher;

pub use cell::{CowCell, Retired, WriteGuard};
pub use snapshot::{ReadAs, ReadGuard, Reader, Snapshot};
pub use watcher::{Changes, Watcher};
