//! Differential model tests on stable: `CowVec`, `CowSet` and `CowMap` against `Vec`,
//! `IndexSet` and `IndexMap`, with injected panics, version numbers and snapshots
//! re-checked at the end.
//!
//! The models and checks are the fuzz targets' own (`fuzz/src/`, included here by
//! path); only the input generation differs: proptest strategies here, `Arbitrary` in
//! `fuzz/src/generate.rs`. Keep the two generators in step. `ci/fuzz.sh` runs the same
//! models under libFuzzer for longer.

// The shared modules are `pub` because the fuzz crate's targets use them from outside.
#![allow(unreachable_pub)]

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

use std::fmt::Debug;

use cow_collections::{CowMap, CowSet, CowVec};
use proptest::collection::vec as list;
use proptest::prelude::*;
use proptest::sample::select;

use harness::{Case, Op, Step, Via};
use map::{ComputeFn, MapCall, MapChange};
use set::{SetCall, SetChange};
use trap::{Elem, Kind, Trap, KINDS, VALUES};
use vec::{VecCall, VecChange};

/// Steps per case: enough to reach the interesting states, short enough for Miri.
const MAX_STEPS: usize = if cfg!(miri) { 12 } else { 32 };

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        // Miri runs isolated from the file system.
        failure_persistence: if cfg!(miri) {
            None
        } else {
            ProptestConfig::default().failure_persistence
        },
        ..ProptestConfig::default()
    }
}

fn val() -> impl Strategy<Value = u8> + Clone {
    0..VALUES
}

fn vals() -> impl Strategy<Value = Vec<u8>> + Clone {
    list(val(), 0..=6)
}

fn pairs() -> impl Strategy<Value = Vec<(u8, u8)>> + Clone {
    list((val(), val()), 0..=6)
}

fn trap() -> impl Strategy<Value = Option<Trap>> {
    // A panicking `Drop` may leak (rust-lang/rust#47949), which Miri reports as an
    // error at exit: under Miri, inject every other kind only.
    let kinds: Vec<Kind> = KINDS
        .into_iter()
        .filter(|&kind| !(cfg!(miri) && kind == Kind::Drop))
        .collect();
    prop_oneof![
        3 => Just(None),
        1 => (select(kinds), 0..8u8).prop_map(|(kind, skip)| Some(Trap { kind, skip })),
    ]
}

fn op<Ca, Ch>(call: BoxedStrategy<Ca>, change: BoxedStrategy<Ch>) -> BoxedStrategy<Op<Ca, Ch>>
where
    Ca: Clone + Debug + 'static,
    Ch: Clone + Debug + 'static,
{
    let changes = list(change, 0..=8);
    let leaf = prop_oneof![
        14 => call.prop_map(Op::Call),
        1 => changes.clone().prop_map(Op::Update),
        1 => (changes.clone(), any::<bool>())
            .prop_map(|(changes, ok)| Op::TryUpdate { changes, ok }),
        1 => changes.clone().prop_map(Op::Store),
        1 => (changes.clone(), prop::bool::weighted(0.25))
            .prop_map(|(changes, discard)| Op::Write { changes, discard }),
        1 => changes.prop_map(Op::GetMut),
        1 => select(vec![Via::Cell, Via::ReadGuard, Via::Reader]).prop_map(Op::Snapshot),
    ]
    .boxed();
    prop_oneof![
        18 => leaf.clone(),
        1 => leaf.clone().prop_map(|op| Op::Observe(Box::new(op))),
        1 => (any::<bool>(), leaf)
            .prop_map(|(via_snapshot, op)| Op::Fork { via_snapshot, op: Box::new(op) }),
    ]
    .boxed()
}

fn case<Ca, Ch>(
    call: BoxedStrategy<Ca>,
    change: BoxedStrategy<Ch>,
) -> impl Strategy<Value = Case<Ca, Ch>>
where
    Ca: Clone + Debug + 'static,
    Ch: Clone + Debug + 'static,
{
    let step = (op(call, change.clone()), trap()).prop_map(|(op, trap)| Step { op, trap });
    (list(change, 0..=8), list(step, 0..=MAX_STEPS))
        .prop_map(|(initial, steps)| Case { initial, steps })
}

fn vec_call() -> BoxedStrategy<VecCall> {
    prop_oneof![
        1 => Just(VecCall::Len),
        1 => Just(VecCall::IsEmpty),
        1 => any::<u8>().prop_map(VecCall::Get),
        1 => Just(VecCall::First),
        1 => Just(VecCall::Last),
        1 => Just(VecCall::ToVec),
        1 => val().prop_map(VecCall::Contains),
        1 => val().prop_map(VecCall::IndexOf),
        1 => val().prop_map(VecCall::LastIndexOf),
        1 => vals().prop_map(VecCall::EqVec),
        3 => val().prop_map(VecCall::Push),
        1 => Just(VecCall::Pop),
        1 => (any::<u8>(), val()).prop_map(|(i, x)| VecCall::Insert(i, x)),
        1 => (any::<u8>(), vals()).prop_map(|(i, xs)| VecCall::InsertAll(i, xs)),
        1 => (any::<u8>(), val()).prop_map(|(i, x)| VecCall::Set(i, x)),
        1 => any::<u8>().prop_map(VecCall::Remove),
        1 => val().prop_map(VecCall::RemoveItem),
        1 => val().prop_map(VecCall::PushIfAbsent),
        1 => vals().prop_map(VecCall::ExtendIfAbsent),
        1 => vals().prop_map(VecCall::Extend),
        1 => any::<u8>().prop_map(VecCall::Retain),
        1 => any::<u8>().prop_map(VecCall::Truncate),
        1 => Just(VecCall::Sort),
        1 => Just(VecCall::SortBy),
        1 => any::<u8>().prop_map(VecCall::SortByKey),
        1 => Just(VecCall::Dedup),
        1 => Just(VecCall::Clear),
    ]
    .boxed()
}

fn vec_change() -> BoxedStrategy<VecChange> {
    prop_oneof![
        3 => val().prop_map(VecChange::Push),
        1 => Just(VecChange::Pop),
        1 => (any::<u8>(), val()).prop_map(|(i, x)| VecChange::Insert(i, x)),
        1 => any::<u8>().prop_map(VecChange::Remove),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(i, j)| VecChange::Swap(i, j)),
        1 => any::<u8>().prop_map(VecChange::Truncate),
        1 => Just(VecChange::Reverse),
        1 => Just(VecChange::Sort),
        1 => Just(VecChange::Clear),
    ]
    .boxed()
}

fn set_call() -> BoxedStrategy<SetCall> {
    prop_oneof![
        1 => Just(SetCall::Len),
        1 => Just(SetCall::IsEmpty),
        1 => val().prop_map(SetCall::Contains),
        1 => vals().prop_map(SetCall::IsSubset),
        1 => vals().prop_map(SetCall::IsSuperset),
        1 => vals().prop_map(SetCall::IsDisjoint),
        1 => vals().prop_map(SetCall::EqSet),
        3 => val().prop_map(SetCall::Insert),
        1 => val().prop_map(SetCall::Remove),
        1 => any::<u8>().prop_map(SetCall::Retain),
        1 => Just(SetCall::Clear),
        1 => vals().prop_map(SetCall::Extend),
        1 => Just(SetCall::First),
        1 => Just(SetCall::Last),
        1 => Just(SetCall::Pop),
    ]
    .boxed()
}

fn set_change() -> BoxedStrategy<SetChange> {
    prop_oneof![
        3 => val().prop_map(SetChange::Insert),
        1 => val().prop_map(SetChange::ShiftRemove),
        1 => val().prop_map(SetChange::SwapRemove),
        1 => Just(SetChange::Clear),
        1 => Just(SetChange::Reverse),
        1 => Just(SetChange::Sort),
    ]
    .boxed()
}

fn compute_fn() -> impl Strategy<Value = ComputeFn> {
    prop_oneof![
        Just(ComputeFn::Remove),
        val().prop_map(ComputeFn::Set),
        val().prop_map(ComputeFn::Bump),
    ]
}

fn map_call() -> BoxedStrategy<MapCall> {
    prop_oneof![
        1 => Just(MapCall::Len),
        1 => Just(MapCall::IsEmpty),
        1 => val().prop_map(MapCall::Get),
        1 => val().prop_map(MapCall::ContainsKey),
        1 => pairs().prop_map(MapCall::EqMap),
        3 => (val(), val()).prop_map(|(k, v)| MapCall::Insert(k, v)),
        1 => val().prop_map(MapCall::Remove),
        1 => any::<u8>().prop_map(MapCall::Retain),
        1 => Just(MapCall::Clear),
        1 => pairs().prop_map(MapCall::Extend),
        1 => (val(), val()).prop_map(|(k, v)| MapCall::InsertIfAbsent(k, v)),
        1 => (val(), val()).prop_map(|(k, v)| MapCall::Replace(k, v)),
        1 => (val(), val(), val())
            .prop_map(|(key, expected, new)| MapCall::ReplaceIfEq { key, expected, new }),
        1 => (val(), val()).prop_map(|(key, expected)| MapCall::RemoveIfEq { key, expected }),
        1 => (val(), compute_fn()).prop_map(|(k, f)| MapCall::Compute(k, f)),
        1 => Just(MapCall::First),
        1 => Just(MapCall::Last),
        1 => Just(MapCall::Pop),
        1 => val().prop_map(MapCall::RemoveEntry),
        1 => (val(), val()).prop_map(|(k, v)| MapCall::GetOrInsertWith(k, v)),
        1 => (val(), compute_fn()).prop_map(|(k, f)| MapCall::ComputeIfPresent(k, f)),
        1 => (val(), val(), compute_fn()).prop_map(|(k, v, f)| MapCall::Merge(k, v, f)),
    ]
    .boxed()
}

fn map_change() -> BoxedStrategy<MapChange> {
    prop_oneof![
        3 => (val(), val()).prop_map(|(k, v)| MapChange::Insert(k, v)),
        1 => val().prop_map(MapChange::ShiftRemove),
        1 => val().prop_map(MapChange::SwapRemove),
        1 => Just(MapChange::Clear),
        1 => Just(MapChange::Reverse),
        1 => Just(MapChange::SortKeys),
    ]
    .boxed()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cow_vec_matches_vec(case in case(vec_call(), vec_change())) {
        let _report = harness::run::<CowVec<Elem>>(&case);
    }

    #[test]
    fn cow_set_matches_index_set(case in case(set_call(), set_change())) {
        let _report = harness::run::<CowSet<Elem>>(&case);
    }

    #[test]
    fn cow_map_matches_index_map(case in case(map_call(), map_change())) {
        let _report = harness::run::<CowMap<Elem, Elem>>(&case);
    }
}
