//! `PersistentBTreeMap::diff` and `PersistentBTreeSet::diff` against a naive diff of
//! std copies, over histories that share anything from every node to none: see
//! `fuzz/src/btree_diff.rs`.

#![no_main]

use cow_collections_fuzz::btree_diff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<btree_diff::Op>| {
    btree_diff::run(&ops);
});
