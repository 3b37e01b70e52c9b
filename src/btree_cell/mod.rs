//! The concurrent cells over the persistent B+trees: [`CowBTreeMap`] and [`CowBTreeSet`],
//! thin facades over [`CowCell`](crate::CowCell) like the flat collections. Their writes
//! clone the current version in O(1) and let the tree copy only the paths they change.

mod map;
mod set;

pub use map::CowBTreeMap;
pub use set::CowBTreeSet;
