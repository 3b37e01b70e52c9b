//! `PersistentBTreeMap` and `PersistentBTreeSet` against std's `BTreeMap` and
//! `BTreeSet`: see `fuzz/src/btree.rs`.

#![no_main]

use cow_collections_fuzz::{btree, trap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: trap::install_quiet_hook(), |ops: Vec<btree::Op>| {
    btree::run_map(&ops);
    btree::run_set(&ops);
});
