//! The five concurrent collections: thin typed facades over the engine's
//! [`CowCell`](crate::CowCell), in four layers.
//!
//! * The shared operations: [`ops`] holds every write and read the sets and maps have in
//!   common, written once over a private trait of the inner value; [`inner`] says how
//!   each inner value (`IndexSet`, `IndexMap`, `PersistentBTreeSet`,
//!   `PersistentBTreeMap`) provides that trait.
//! * The facade macros, which generate the public methods and their docs: `cow_facade!`
//!   ([`facade`]: what all five share, and the standard traits), `set_facade!`
//!   ([`set_facade`]) and `map_facade!` ([`map_facade`]).
//! * The five typed collections, each a struct around a `CowCell` plus what only it
//!   has: [`vec`] (`CowVec` over `Vec`, whose writes are its own), [`set`] (`CowSet`
//!   over indexmap's `IndexSet`), [`map`] (`CowMap`, `IndexMap`), [`btree_set`]
//!   (`CowBTreeSet`, the persistent B+tree set of `crate::btree`) and [`btree_map`]
//!   (`CowBTreeMap`).
//! * [`diff`]: `older.diff(&newer)` on snapshots of `CowMap` and `CowSet`, and
//!   `Changes::diff` (a watcher's change feed) for the four maps and sets.
//! * Glue to optional crates: [`serde`](self::serde) and [`rayon`](self::rayon), one
//!   impl per trait for all five collections.

mod btree_map;
mod btree_set;
mod diff;
mod facade;
mod inner;
mod map;
mod map_facade;
mod ops;
#[cfg(feature = "rayon")]
mod rayon;
#[cfg(feature = "serde")]
mod serde;
mod set;
mod set_facade;
mod vec;

pub use btree_map::CowBTreeMap;
pub use btree_set::CowBTreeSet;
pub use diff::{MapDiff, SetDiff};
pub use map::CowMap;
pub use set::CowSet;
pub use vec::CowVec;
