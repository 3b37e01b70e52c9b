//! Inputs that once crashed a fuzz target (`ci/fuzz.sh`), replayed through the same
//! harness on stable. Each test is named after what it caught.
//!
//! Both crashes so far were in the oracle, not in the library: a `Drop` that panics
//! inside a write may leak a value that was in flight (rust-lang/rust#47949: a return
//! value is never dropped when a local's destructor panics after it was built). The
//! harness now tolerates leaks, but not double drops, once a `Drop` panicked; these
//! cases pin both that and what the library must still do there: publish nothing and
//! keep taking writes.

// The shared modules are `pub` because the fuzz crate's targets use them from outside,
// and they define every operation while a regression replays only a few.
#![allow(unreachable_pub, dead_code)]

#[path = "../fuzz/src/harness.rs"]
mod harness;
#[path = "../fuzz/src/map.rs"]
mod map;
#[path = "../fuzz/src/set.rs"]
mod set;
#[path = "../fuzz/src/trap.rs"]
mod trap;
#[path = "../fuzz/src/vec.rs"]
mod vec;

use cow_collections::CowMap;

use harness::{Case, Op, Step};
use map::{ComputeFn, MapCall, MapChange};
use trap::{Elem, Kind, Trap};

fn step(op: Op<MapCall, MapChange>, trap: Option<Trap>) -> Step<MapCall, MapChange> {
    Step { op, trap }
}

/// map_ops crash-f82a1913: `IndexMap::insert` of a present key inside `update`, where
/// dropping the duplicate key panics. indexmap leaks the old value it was returning
/// (the harness called that a leak of one element); the update must publish nothing.
#[test]
#[cfg_attr(
    miri,
    ignore = "leaks by design (rust-lang/rust#47949): Miri reports it"
)]
fn drop_panic_of_a_duplicate_key_inside_update_publishes_nothing() {
    let insert = MapChange::Insert(0, 0);
    let case = Case {
        initial: vec![],
        steps: vec![
            step(
                Op::Update(vec![insert.clone(), insert.clone(), insert.clone(), insert]),
                Some(Trap {
                    kind: Kind::Drop,
                    skip: 0,
                }),
            ),
            step(Op::Call(MapCall::Insert(1, 1)), None),
        ],
    };
    let report = harness::run::<CowMap<Elem, Elem>>(&case);
    assert_eq!(report.panics, [(0, Kind::Drop)]);
}

/// map_ops leak-964e7a38 (LeakSanitizer): `compute` removing an entry, where dropping
/// the unused `key` at the end of the write closure panics after the closure built
/// its copy; the copy leaks. Nothing may be published, and the map must take writes.
#[test]
#[cfg_attr(
    miri,
    ignore = "leaks by design (rust-lang/rust#47949): Miri reports it"
)]
fn drop_panic_of_the_unused_compute_key_publishes_nothing() {
    let case = Case {
        initial: vec![MapChange::Insert(0, 5), MapChange::Insert(3, 7)],
        steps: vec![
            step(
                Op::Call(MapCall::Compute(0, ComputeFn::Remove)),
                Some(Trap {
                    kind: Kind::Drop,
                    skip: 2,
                }),
            ),
            step(Op::Call(MapCall::Compute(3, ComputeFn::Bump(0))), None),
        ],
    };
    let report = harness::run::<CowMap<Elem, Elem>>(&case);
    assert_eq!(report.panics, [(0, Kind::Drop)]);
}
