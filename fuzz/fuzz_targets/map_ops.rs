//! `CowMap` against its model, with injected panics: see `fuzz/src/harness.rs`.

#![no_main]

use cow_collections_fuzz::{harness, trap, MapCase};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: trap::install_quiet_hook(), |case: MapCase| {
    let _report = harness::run::<cow_collections::CowMap<trap::Elem, trap::Elem>>(&case);
});
