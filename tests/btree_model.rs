//! Differential proptests: `PersistentBTreeMap` and `PersistentBTreeSet` against std's
//! `BTreeMap` and `BTreeSet`, every operation, invariants checked after each step and
//! snapshots re-checked at the end.
//!
//! The model is the fuzz target's own (`fuzz/src/btree.rs`, included here by path with
//! the `trap.rs` it uses to catch expected panics quietly and the diff checks of
//! `btree_diff.rs`);
//! only the input generation differs: proptest strategies here, `Arbitrary` in
//! `fuzz/src/generate.rs`. Keep the two in step. `ci/fuzz.sh` runs the same model
//! (`btree_ops`) under libFuzzer for longer.

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]
// The shared module is `pub` because the fuzz crate's target uses it from outside.
#![allow(unreachable_pub)]

#[path = "../fuzz/src/btree.rs"]
mod btree;
#[path = "../fuzz/src/btree_diff.rs"]
#[allow(dead_code)]
mod btree_diff;
#[path = "../fuzz/src/trap.rs"]
#[allow(dead_code)]
mod trap;

use btree::{End, EntryCall, Op, RangeQuery, KEYS, MAX_RUN};
use proptest::collection::vec as list;
use proptest::prelude::*;

/// Steps per case: enough for several splits and merges, short enough for Miri.
const MAX_STEPS: usize = if cfg!(miri) { 8 } else { 40 };

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 2 } else { 48 },
        failure_persistence: if cfg!(miri) {
            None
        } else {
            ProptestConfig::default().failure_persistence
        },
        ..ProptestConfig::default()
    }
}

/// Keys concentrated in a window (so that operations meet existing keys), sometimes
/// anywhere.
fn k() -> impl Strategy<Value = u16> + Clone {
    prop_oneof![4 => 0..600u16, 1 => 0..KEYS]
}

/// A bulk run length: under Miri, short.
fn run() -> impl Strategy<Value = u16> + Clone {
    if cfg!(miri) {
        (0..40u16).boxed()
    } else {
        prop_oneof![1 => 0..40u16, 2 => 0..=MAX_RUN].boxed()
    }
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        k().prop_map(End::Included),
        k().prop_map(End::Excluded),
        Just(End::Unbounded),
    ]
}

fn walk() -> impl Strategy<Value = Vec<bool>> {
    list(any::<bool>(), 0..48)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (k(), any::<u16>()).prop_map(|(k, v)| Op::Insert(k, v)),
        3 => (k(), run(), any::<u16>()).prop_map(|(k, n, v)| Op::InsertRange(k, n, v)),
        4 => k().prop_map(Op::Remove),
        2 => (k(), run()).prop_map(|(k, n)| Op::RemoveRange(k, n)),
        3 => k().prop_map(Op::Get),
        2 => (k(), any::<u16>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        1 => Just(Op::PopFirst),
        1 => Just(Op::PopLast),
        1 => Just(Op::Peek),
        4 => range_query().prop_map(Op::Range),
        2 => walk().prop_map(Op::Iter),
        1 => (0..8u16).prop_map(Op::Retain),
        1 => list((k(), any::<u16>()), 0..20).prop_map(Op::Extend),
        1 => list((k(), any::<u16>()), 0..80).prop_map(Op::FromIter),
        1 => (k(), run()).prop_map(|(k, n)| Op::FromSorted(k, n * 4)),
        1 => Just(Op::Clear),
        2 => Just(Op::Snapshot),
        1 => Just(Op::Compare),
        1 => walk().prop_map(Op::IntoIter),
        3 => (k(), any::<u16>(), entry_call()).prop_map(|(k, v, c)| Op::Entry(k, v, c)),
        1 => (any::<bool>(), any::<u16>()).prop_map(|(last, v)| Op::EdgeEntry(last, v)),
        1 => (walk(), any::<u16>()).prop_map(|(w, v)| Op::IterMut(w, v)),
        1 => any::<u16>().prop_map(Op::ValuesMut),
        2 => (range_query(), any::<u16>()).prop_map(|(q, v)| Op::RangeMut(q, v)),
        2 => (end(), end(), 0..8u16, 0..60u16).prop_map(|(s, e, m, t)| Op::ExtractIf(s, e, m, t)),
        1 => (list((k(), any::<u16>()), 0..60), any::<bool>())
            .prop_map(|(entries, snap)| Op::Append(entries, snap)),
        1 => (k(), any::<bool>()).prop_map(|(k, right)| Op::SplitOff(k, right)),
        1 => walk().prop_map(Op::IntoKeysValues),
        1 => walk().prop_map(Op::SetOps),
    ]
}

fn entry_call() -> impl Strategy<Value = EntryCall> {
    prop_oneof![
        Just(EntryCall::OrInsert),
        Just(EntryCall::AndModify),
        Just(EntryCall::Remove),
        Just(EntryCall::InsertEntry),
        Just(EntryCall::OrDefault),
    ]
}

fn range_query() -> impl Strategy<Value = RangeQuery> {
    (end(), end(), any::<bool>(), walk()).prop_map(|(start, end, borrowed, walk)| RangeQuery {
        start,
        end,
        borrowed,
        walk,
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn map_matches_std(ops in list(op(), 1..MAX_STEPS)) {
        btree::run_map(&ops);
    }

    #[test]
    fn set_matches_std(ops in list(op(), 1..MAX_STEPS)) {
        btree::run_set(&ops);
    }
}

/// A fixed long run through every operation, independent of proptest's sampling.
#[test]
fn long_fixed_sequence() {
    let (n, run) = if cfg!(miri) { (40, 12) } else { (1500, 120) };
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 16) as u16
    };
    let ops: Vec<Op> = (0..n)
        .map(|i| match next() % 12 {
            0..=3 => Op::Insert(next() % 900, next()),
            4..=6 => Op::Remove(next() % 900),
            7 => Op::Range(RangeQuery {
                start: End::Included(next() % 900),
                end: End::Unbounded,
                borrowed: i % 2 == 0,
                walk: (0..next() % 40).map(|j| j % 3 == 0).collect(),
            }),
            8 => Op::Snapshot,
            9 => Op::PopFirst,
            10 => Op::InsertRange(next() % 900, next() % run, 7),
            _ => Op::RemoveRange(next() % 900, next() % run),
        })
        .collect();
    btree::run_map(&ops);
    btree::run_set(&ops);
}
