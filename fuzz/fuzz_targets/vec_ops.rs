//! `CowVec` against its model, with injected panics: see `fuzz/src/harness.rs`.

#![no_main]

use cow_collections_fuzz::{harness, trap, VecCase};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: trap::install_quiet_hook(), |case: VecCase| {
    let _report = harness::run::<cow_collections::CowVec<trap::Elem>>(&case);
});
