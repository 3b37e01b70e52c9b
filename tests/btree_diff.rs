//! `PersistentBTreeMap::diff` and `PersistentBTreeSet::diff`: differential proptests
//! against the naive diff (the model of `fuzz/src/btree_diff.rs`, included by path and
//! shared with the fuzz target `btree_diff`), the cases of imbl's diff bug, trees built
//! separately, the cost of a diff between versions that share nodes, and diffs of
//! `CowBTreeMap`/`CowBTreeSet` snapshots.

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]
// The shared module is `pub` because the fuzz crate's target uses it from outside.
#![allow(unreachable_pub)]

#[path = "../fuzz/src/btree_diff.rs"]
mod btree_diff;

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::iter::FusedIterator;

use btree_diff::{naive_diff, naive_set_diff, Op, KEYS, MAX_RUN};
use cow_collections::{
    btree_map, btree_set, CowBTreeMap, CowBTreeSet, DiffItem, PersistentBTreeMap,
    PersistentBTreeSet, SetDiffItem,
};
use proptest::collection::vec as list;
use proptest::prelude::*;

/// Steps per case: enough for several splits and merges between kept versions.
const MAX_STEPS: usize = if cfg!(miri) { 6 } else { 48 };

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 2 } else { 64 },
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

fn run() -> impl Strategy<Value = u16> + Clone {
    if cfg!(miri) {
        (0..40u16).boxed()
    } else {
        prop_oneof![1 => 0..40u16, 2 => 0..=MAX_RUN].boxed()
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (k(), any::<u8>()).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => k().prop_map(Op::Rewrite),
        3 => (k(), run(), any::<u8>()).prop_map(|(k, n, v)| Op::InsertRange(k, n, v)),
        4 => k().prop_map(Op::Remove),
        2 => (k(), run()).prop_map(|(k, n)| Op::RemoveRange(k, n)),
        1 => (0..8u8).prop_map(Op::Retain),
        1 => any::<u8>().prop_map(Op::TouchAll),
        4 => Just(Op::Keep),
        1 => Just(Op::Rebuild),
        1 => any::<u8>().prop_map(Op::Branch),
        1 => (k(), run(), any::<u8>()).prop_map(|(k, n, v)| Op::FromSorted(k, n * 4, v)),
        3 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(i, j, s)| Op::Diff(i, j, s)),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Random histories: kept versions, branches and rebuilds, every diff checked.
    #[test]
    fn diff_matches_naive(ops in list(op(), 1..MAX_STEPS)) {
        btree_diff::run(&ops);
    }

    /// Two versions of a large map a few random edits apart (inserts, rewrites of
    /// equal and of other values, removals, re-insertions), and a rebuilt copy of the
    /// newer one: the diff equals the naive diff of the entries.
    #[test]
    fn few_edits_apart(
        n in if cfg!(miri) { 0..60usize } else { 0..5000usize },
        edits in list((0..6000u32, 0..3u8, 0..4u32), 0..24),
    ) {
        let older: PersistentBTreeMap<u32, u32> = (0..n as u32).map(|k| (k, k % 4)).collect();
        let mut newer = older.clone();
        for &(k, what, v) in &edits {
            match what {
                0 => { newer.insert(k, v); }
                1 => { newer.remove(&k); }
                _ => { newer.insert(k, k % 4); }
            }
        }
        let expected = naive_diff(&older, &newer);
        prop_assert_eq!(older.diff(&newer).collect::<Vec<_>>(), expected);
        let reversed = naive_diff(&newer, &older);
        prop_assert_eq!(newer.diff(&older).collect::<Vec<_>>(), reversed);
        let rebuilt: PersistentBTreeMap<u32, u32> = newer.iter().map(|(k, v)| (*k, *v)).collect();
        prop_assert_eq!(older.diff(&rebuilt).collect::<Vec<_>>(), naive_diff(&older, &rebuilt));
        prop_assert_eq!(newer.diff(&rebuilt).next(), None);
    }
}

/// A fixed long history, independent of proptest's sampling: many kept versions of
/// trees of three levels, diffed pairwise.
#[test]
fn long_fixed_history() {
    let n = if cfg!(miri) { 20 } else { 3000 };
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 16) as u16
    };
    // Under Miri: one leaf's worth and a little more (the naive diffs of every kept
    // version at the end dominate its time).
    let run = if cfg!(miri) { 24 } else { MAX_RUN };
    let mut ops = vec![Op::InsertRange(0, run, 1), Op::InsertRange(300, run, 2)];
    let span = if cfg!(miri) { 400 } else { 1500 };
    let long = if cfg!(miri) { 20 } else { 200 };
    ops.extend((0..n).map(|_| match next() % 16 {
        0..=4 => Op::Insert(next() % span, next() as u8),
        5 => Op::Rewrite(next() % span),
        6..=8 => Op::Remove(next() % span),
        9 => Op::InsertRange(next() % span, next() % long, next() as u8),
        10 => Op::RemoveRange(next() % span, next() % long),
        11 => Op::Keep,
        12 => Op::Branch(next() as u8),
        13 => Op::Diff(next() as u8, next() as u8, next() as u8),
        14 => Op::TouchAll(next() as u8 % 2),
        _ => Op::Rebuild,
    }));
    btree_diff::run(&ops);
}

/// imbl#161's cases (jneem/imbl#160, #161): every key updated, removed, and removed
/// with a key inserted just above it, one at a time, in maps of one leaf to three
/// levels. The entry after a skipped shared node must be compared.
#[test]
fn imbl_161_entry_after_a_shared_node() {
    let sizes: &[usize] = if cfg!(miri) {
        &[17, 33]
    } else {
        &[17, 40, 100, 700, 6000]
    };
    for &n in sizes {
        let a: PersistentBTreeMap<usize, usize> = (0..n).map(|i| (i * 10, 0)).collect();
        for k in (0..n).map(|k| k * 10) {
            let mut b = a.clone();
            b.insert(k, 1);
            let changed = [DiffItem::Changed {
                key: &k,
                old: &0,
                new: &1,
            }];
            assert_eq!(a.diff(&b).collect::<Vec<_>>(), changed, "update {k} of {n}");

            let mut b = a.clone();
            b.remove(&k);
            let removed = [DiffItem::Removed(&k, &0)];
            assert_eq!(a.diff(&b).collect::<Vec<_>>(), removed, "remove {k} of {n}");
            assert_eq!(b.diff(&a).collect::<Vec<_>>(), [DiffItem::Added(&k, &0)]);

            b.insert(k + 5, 7);
            let moved = [DiffItem::Removed(&k, &0), DiffItem::Added(&(k + 5), &7)];
            assert_eq!(
                a.diff(&b).collect::<Vec<_>>(),
                moved,
                "{k} -> {} of {n}",
                k + 5
            );
            let back = [DiffItem::Added(&k, &0), DiffItem::Removed(&(k + 5), &7)];
            assert_eq!(
                b.diff(&a).collect::<Vec<_>>(),
                back,
                "{} -> {k} of {n}",
                k + 5
            );
        }
    }
}

/// Trees with equal content built separately, in different orders and shapes, diff
/// to nothing; one value changed in one of them, to exactly that.
#[test]
fn separately_built_equal_trees_diff_to_nothing() {
    let sizes: &[u32] = if cfg!(miri) {
        &[0, 1, 17, 40]
    } else {
        &[0, 1, 16, 17, 1000, 40_000]
    };
    for &n in sizes {
        let bulk: PersistentBTreeMap<u32, u32> = (0..n).map(|k| (k, k)).collect();
        let mut ascending = PersistentBTreeMap::new();
        (0..n).for_each(|k| {
            ascending.insert(k, k);
        });
        let mut descending = PersistentBTreeMap::new();
        (0..n).rev().for_each(|k| {
            descending.insert(k, k);
        });
        let mut shuffled = PersistentBTreeMap::new();
        for i in 0..n {
            // A permutation of 0..n (7919 is prime, coprime to any n it does not divide).
            let k = if n % 7919 == 0 { i } else { (i * 7919) % n };
            shuffled.insert(k, k);
        }
        // Grown past n, then cut back: merges and steals, stale separators.
        let mut shrunk = bulk.clone();
        (n..n * 2 + 40).for_each(|k| {
            shrunk.insert(k, 0);
        });
        (n..n * 2 + 40).for_each(|k| {
            shrunk.remove(&k);
        });
        let trees = [&bulk, &ascending, &descending, &shuffled, &shrunk];
        for a in trees {
            a.check_invariants();
            for b in trees {
                assert_eq!(a.diff(b).next(), None, "n = {n}");
            }
        }
        if n > 10 {
            assert!(!bulk.ptr_eq(&ascending));
            let mut changed = descending.clone();
            changed.insert(n / 2, u32::MAX);
            let from_shuffled: Vec<_> = shuffled.diff(&changed).collect();
            let expected = [DiffItem::Changed {
                key: &(n / 2),
                old: &(n / 2),
                new: &u32::MAX,
            }];
            assert_eq!(from_shuffled, expected);
        }

        let set_bulk: PersistentBTreeSet<u32> = (0..n).collect();
        let mut set_desc = PersistentBTreeSet::new();
        (0..n).rev().for_each(|k| {
            set_desc.insert(k);
        });
        assert_eq!(set_bulk.diff(&set_desc).next(), None);
        assert_eq!(set_desc.diff(&set_bulk).next(), None);
    }
}

#[test]
fn same_version_empty_and_one_sided() {
    let a: PersistentBTreeMap<u32, u32> = (0..1000).map(|i| (i, i)).collect();
    assert_eq!(a.diff(&a).next(), None);
    assert_eq!(a.diff(&a.clone()).next(), None);
    let empty = PersistentBTreeMap::new();
    assert_eq!(empty.diff(&empty).next(), None);
    assert!(a
        .diff(&empty)
        .eq(a.iter().map(|(k, v)| DiffItem::Removed(k, v))));
    assert!(empty
        .diff(&a)
        .eq(a.iter().map(|(k, v)| DiffItem::Added(k, v))));
    // An empty root leaf (every entry removed) against no root at all.
    let mut drained = PersistentBTreeMap::from([(1, 1)]);
    drained.remove(&1);
    assert_eq!(drained.diff(&empty).next(), None);
    assert_eq!(empty.diff(&drained).next(), None);
    // Disjoint key ranges.
    let high: PersistentBTreeMap<u32, u32> = (5000..6000).map(|i| (i, i)).collect();
    let expected = naive_diff(&a, &high);
    assert_eq!(expected.len(), 2000);
    assert_eq!(a.diff(&high).collect::<Vec<_>>(), expected);
}

thread_local! {
    static KEY_CMPS: Cell<usize> = const { Cell::new(0) };
    static VALUE_EQS: Cell<usize> = const { Cell::new(0) };
}

/// A key that counts its comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key(u32);

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        KEY_CMPS.with(|c| c.set(c.get() + 1));
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A value that counts its `==` calls.
#[derive(Clone, Debug)]
struct Value(u32);

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        VALUE_EQS.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}

/// The key comparisons and value `==` calls of `older.diff(newer)`, and its items.
fn counted_diff(
    older: &PersistentBTreeMap<Key, Value>,
    newer: &PersistentBTreeMap<Key, Value>,
) -> (usize, usize, usize) {
    KEY_CMPS.with(|c| c.set(0));
    VALUE_EQS.with(|c| c.set(0));
    let items = older.diff(newer).count();
    (items, KEY_CMPS.with(Cell::get), VALUE_EQS.with(Cell::get))
}

/// A write made to a copy of the base map, near a key.
type Write = fn(&mut PersistentBTreeMap<Key, Value>, &Key);

/// Versions one write apart compare O(leaf) keys and values, not O(n): the diff skips
/// what they share. A separately built copy is compared whole.
#[test]
fn one_write_apart_compares_one_leaf() {
    let n: u32 = if cfg!(miri) { 600 } else { 100_000 };
    let base: PersistentBTreeMap<Key, Value> = (0..n).map(|i| (Key(2 * i), Value(i))).collect();
    let mid = Key(n);
    let writes: [(&str, Write); 5] = [
        ("update", |m, k| {
            m.insert(k.clone(), Value(u32::MAX));
        }),
        ("rewrite of an equal value", |m, k| {
            let v = m[k].clone();
            m.insert(k.clone(), v);
        }),
        ("insert", |m, k| {
            m.insert(Key(k.0 + 1), Value(0));
        }),
        ("remove", |m, k| {
            m.remove(k);
        }),
        ("16 inserts: a split", |m, k| {
            for i in 0..16 {
                m.insert(Key(k.0 + 1 + 2 * i), Value(0));
            }
        }),
    ];
    for (what, write) in writes {
        for key in [&Key(0), &mid, &Key(2 * n - 2)] {
            let mut newer = base.clone();
            write(&mut newer, key);
            let (items, cmps, eqs) = counted_diff(&base, &newer);
            let expected = if what.starts_with("rewrite") {
                0
            } else if what.starts_with("16") {
                16
            } else {
                1
            };
            assert_eq!(items, expected, "{what} at {key:?}");
            // Two leaves' worth around the change (a split or a merge touches a
            // neighbour), far below n.
            assert!(cmps <= 80, "{what} at {key:?}: {cmps} key comparisons");
            assert!(eqs <= 48, "{what} at {key:?}: {eqs} value comparisons");
            if what == "update" || what.starts_with("rewrite") {
                // The leaf kept its keys: values compared, no key.
                assert_eq!(cmps, 0, "{what} at {key:?}");
            }
        }
    }
    let rebuilt: PersistentBTreeMap<Key, Value> =
        base.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let (items, cmps, eqs) = counted_diff(&base, &rebuilt);
    assert_eq!((items, cmps, eqs), (0, n as usize, n as usize));
}

/// Entries in a shared subtree are not compared, so a NaN there is not reported; a NaN
/// in copies that are not shared is (`NaN != NaN`). The map's `==` sees both.
#[test]
fn shared_nan_is_not_compared() {
    let a = PersistentBTreeMap::from([(1, f64::NAN), (2, 0.0)]);
    let b = a.clone();
    assert_eq!(a.diff(&b).next(), None);
    assert!(a != b);
    let rebuilt: PersistentBTreeMap<i32, f64> = a.iter().map(|(k, v)| (*k, *v)).collect();
    let items: Vec<_> = a.diff(&rebuilt).collect();
    assert!(matches!(items[..], [DiffItem::Changed { key: &1, .. }]));
}

/// Snapshots of the cells deref to the persistent trees: `before.diff(&after)`.
#[test]
fn diff_of_cell_snapshots() {
    let n = if cfg!(miri) { 200 } else { 20_000 };
    let map: CowBTreeMap<String, u64> = (0..n).map(|i| (format!("service-{i:08}"), i)).collect();
    let before = map.snapshot();
    map.update(|m| {
        m.insert("service-00000007".into(), 70);
        m.insert("service-00000008".into(), 8); // the value it had: no change
        m.remove("service-00000100");
        m.insert("zzz".into(), 1);
    });
    let after = map.snapshot();
    let items: Vec<_> = before.diff(&after).collect();
    assert_eq!(items, naive_diff(&*before, &*after));
    let keys: Vec<&str> = items.iter().map(|item| item.key().as_str()).collect();
    assert_eq!(keys, ["service-00000007", "service-00000100", "zzz"]);
    assert_eq!(after.diff(&map.read()).next(), None);
    assert_eq!(before.diff(&before).next(), None);

    let set: CowBTreeSet<u64> = (0..n).collect();
    let before = set.snapshot();
    set.remove(&3);
    set.insert(n + 1);
    let after = set.snapshot();
    let items: Vec<_> = before.diff(&after).collect();
    assert_eq!(items, naive_set_diff(&*before, &*after));
    assert_eq!(
        items,
        [SetDiffItem::Removed(&3), SetDiffItem::Added(&(n + 1))]
    );
}

/// The iterator types: named in `btree_map`/`btree_set`, fused, `Clone`, `Send` and
/// `Sync` when the borrowed types are `Sync`.
#[test]
fn iterator_types() {
    fn traits<I: Iterator + FusedIterator + Clone + Send + Sync + std::fmt::Debug>(_: &I) {}
    let a: PersistentBTreeMap<u8, String> = (0..100).map(|i| (i, i.to_string())).collect();
    let mut b = a.clone();
    b.insert(50, "fifty".into());
    let diff: btree_map::Diff<'_, u8, String> = a.diff(&b);
    traits(&diff);
    assert_eq!(
        format!("{diff:?}"),
        r#"[Changed { key: 50, old: "50", new: "fifty" }]"#
    );
    let sa: PersistentBTreeSet<u8> = (0..100).collect();
    let mut sb = sa.clone();
    sb.remove(&7);
    let set_diff: btree_set::Diff<'_, u8> = sa.diff(&sb);
    traits(&set_diff);
    assert_eq!(format!("{set_diff:?}"), "[Removed(7)]");

    // The items are `Copy` and hashable whatever the borrowed types are.
    let item = a.diff(&b).next().expect("one change");
    let copy = item;
    assert_eq!(item, copy);
    let mut seen = std::collections::HashSet::new();
    assert!(seen.insert(item));
    assert!(!seen.insert(copy));
    assert_eq!(item.old_value().map(String::as_str), Some("50"));
    assert_eq!(item.new_value().map(String::as_str), Some("fifty"));
    assert_eq!(item.to_string(), "~ 50: 50 -> fifty");
}

/// `BTreeMap` input to the naive diff, to pin the model itself on a small case.
#[test]
fn naive_model_itself() {
    let a = BTreeMap::from([(1, 'a'), (2, 'b'), (4, 'd')]);
    let b = BTreeMap::from([(2, 'B'), (3, 'c'), (4, 'd')]);
    assert_eq!(
        naive_diff(&a, &b),
        [
            DiffItem::Removed(&1, &'a'),
            DiffItem::Changed {
                key: &2,
                old: &'b',
                new: &'B'
            },
            DiffItem::Added(&3, &'c'),
        ]
    );
}
