//! Differential models of cow-collections, shared by the fuzz targets in
//! `fuzz_targets/` and the root crate's proptests (`tests/proptest_models.rs` includes
//! `trap.rs`, `harness.rs`, `vec.rs`, `set.rs` and `map.rs` by path, and
//! `tests/btree_model.rs` includes `btree.rs` and `btree_diff.rs`, `tests/btree_diff.rs`
//! includes `btree_diff.rs`, so the semantics of every operation and
//! every check are written once).
//!
//! Only the input generators are written twice: `Arbitrary` here (`generate.rs`),
//! proptest strategies in the test file. Deriving both from one definition would need
//! `cfg_attr` switches the root crate does not know, or the fuzz dependencies in the
//! root crate; two short generators are the simpler price.

pub mod btree;
pub mod btree_diff;
pub mod harness;
pub mod map;
pub mod set;
pub mod trap;
pub mod vec;

mod generate;

/// A `CowVec` test case.
pub type VecCase = harness::Case<vec::VecCall, vec::VecChange>;
/// A `CowSet` test case.
pub type SetCase = harness::Case<set::SetCall, set::SetChange>;
/// A `CowMap` test case.
pub type MapCase = harness::Case<map::MapCall, map::MapChange>;
