//! `older.diff(&newer)` on snapshots of `CowMap` and `CowSet`, and `Changes::diff` (the
//! watcher's change feed) for the four maps and sets: differential proptests against a
//! naive diff that walks both versions whole with linear searches (no hashing), over
//! random histories with inserts, rewrites of equal values, removals in both of
//! indexmap's ways, re-insertions, reorderings and whole stores. `CowVec`'s edit
//! script: applied to the older version, it must give the newer one.

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]

use std::collections::hash_map::RandomState;
use std::hash::BuildHasherDefault;
use std::time::Duration;

use cow_collections::{
    CowBTreeMap, CowBTreeSet, CowMap, CowSet, CowVec, DiffItem, MapDiff, SetDiff, SetDiffItem,
    Snapshot, VecEdit,
};
use indexmap::{IndexMap, IndexSet};
use proptest::collection::vec as list;
use proptest::prelude::*;

/// The naive flat diff: the older version's entries whose key the newer one lacks, in
/// the older version's order; then the newer version's entries that are new or whose
/// value differs, in its order. Every lookup is a linear search.
fn naive<'a, K: PartialEq, V: PartialEq>(
    older: &'a [(K, V)],
    newer: &'a [(K, V)],
) -> Vec<DiffItem<'a, K, V>> {
    let find = |entries: &'a [(K, V)], key: &K| entries.iter().find(|(k, _)| k == key);
    let removed = older
        .iter()
        .filter(|(k, _)| find(newer, k).is_none())
        .map(|(k, v)| DiffItem::Removed(k, v));
    let added = newer
        .iter()
        .filter_map(|(key, new)| match find(older, key) {
            None => Some(DiffItem::Added(key, new)),
            Some((_, old)) if old != new => Some(DiffItem::Changed { key, old, new }),
            Some(_) => None,
        });
    removed.chain(added).collect()
}

/// A version's entries, in its order.
fn entries(map: &IndexMap<u8, u8>) -> Vec<(u8, u8)> {
    map.iter().map(|(k, v)| (*k, *v)).collect()
}

/// Checks `older.diff(newer)` against the naive diff, both maps and their key sets,
/// with a clone taken after `split` items, and that the iterator stays exhausted.
fn check(older: &Snapshot<IndexMap<u8, u8>>, newer: &Snapshot<IndexMap<u8, u8>>, split: usize) {
    let (a, b) = (entries(older), entries(newer));
    let expected = naive(&a, &b);
    // The items borrow from the snapshots, the model's from the copies: compare owned.
    let owned = |item: DiffItem<'_, u8, u8>| match item {
        DiffItem::Added(k, v) => (0, *k, 0, *v),
        DiffItem::Removed(k, v) => (1, *k, *v, 0),
        DiffItem::Changed { key, old, new } => (2, *key, *old, *new),
    };
    let expected: Vec<_> = expected.into_iter().map(owned).collect();
    let mut diff: MapDiff<'_, u8, u8, RandomState> = older.diff(newer);
    let split = split % (expected.len() + 1);
    let head: Vec<_> = diff.by_ref().take(split).map(owned).collect();
    assert_eq!(head, expected[..split]);
    let rest: Vec<_> = diff.clone().map(owned).collect();
    assert_eq!(rest, expected[split..], "a clone after {split} items");
    assert!(diff.size_hint().1.unwrap() >= rest.len());
    assert_eq!(diff.by_ref().count(), rest.len());
    assert!(diff.next().is_none(), "not fused");

    // The sets of keys.
    let (keys_a, keys_b): (IndexSet<u8>, IndexSet<u8>) = (
        older.keys().copied().collect(),
        newer.keys().copied().collect(),
    );
    let (sa, sb) = (Snapshot::from(keys_a), Snapshot::from(keys_b));
    let expected_set: Vec<(bool, u8)> = expected
        .iter()
        .filter(|&&(kind, ..)| kind != 2)
        .map(|&(kind, k, ..)| (kind == 0, k))
        .collect();
    let got: Vec<(bool, u8)> = sa
        .diff(&sb)
        .map(|item| (matches!(item, SetDiffItem::Added(_)), *item.value()))
        .collect();
    assert_eq!(got, expected_set, "set diff");
}

#[derive(Clone, Debug)]
enum Op {
    Insert(u8, u8),
    /// `insert` of a present key with the value it has.
    Rewrite(u8),
    ShiftRemove(u8),
    SwapRemove(u8),
    /// Moves a key to the end (remove, then insert again with its value).
    Reinsert(u8),
    Reverse,
    /// `store_if_changed` of the entries in reverse order: equal, nothing published.
    StoreReversed,
    /// `store` of a copy: equal content, a new version.
    StoreCopy,
    Keep,
    Diff(u8, u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    let k = || 0..24u8;
    let v = || 0..3u8;
    prop_oneof![
        6 => (k(), v()).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => k().prop_map(Op::Rewrite),
        2 => k().prop_map(Op::ShiftRemove),
        2 => k().prop_map(Op::SwapRemove),
        2 => k().prop_map(Op::Reinsert),
        1 => Just(Op::Reverse),
        1 => Just(Op::StoreReversed),
        1 => Just(Op::StoreCopy),
        3 => Just(Op::Keep),
        3 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(i, j, s)| Op::Diff(i, j, s)),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 2 } else { 128 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random histories of a `CowMap`: kept snapshots diffed pairwise, and a watcher's
    /// change feed, whose `diff()` must be the diff of the two versions it holds.
    #[test]
    fn map_diff_matches_naive(ops in list(op(), 1..if cfg!(miri) { 8 } else { 64 })) {
        let map: CowMap<u8, u8> = CowMap::new();
        let mut watcher = map.watch();
        let mut kept: Vec<Snapshot<IndexMap<u8, u8>>> = vec![map.snapshot()];
        for op in ops {
            match op {
                Op::Insert(k, v) => { map.insert(k, v); }
                Op::Rewrite(k) => {
                    if let Some(v) = map.get(&k) {
                        map.insert(k, v);
                    }
                }
                Op::ShiftRemove(k) => { map.update(|m| m.shift_remove(&k)); }
                Op::SwapRemove(k) => { map.update(|m| m.swap_remove(&k)); }
                Op::Reinsert(k) => {
                    map.update(|m| {
                        if let Some(v) = m.shift_remove(&k) {
                            m.insert(k, v);
                        }
                    });
                }
                Op::Reverse => map.update(|m| m.reverse()),
                Op::StoreReversed => {
                    let mut copy = (*map.read()).clone();
                    copy.reverse();
                    prop_assert!(map.store_if_changed(copy).is_none());
                }
                Op::StoreCopy => { map.store((*map.read()).clone()); }
                Op::Keep => kept.push(map.snapshot()),
                Op::Diff(i, j, split) => {
                    let current = map.snapshot();
                    let pick = |i: u8| kept.get(usize::from(i) % (kept.len() + 1)).unwrap_or(&current);
                    check(pick(i), pick(j), usize::from(split));
                    check(pick(j), pick(i), usize::from(split));
                    if let Some(changes) = watcher.wait_changes(Duration::ZERO) {
                        let expected: Vec<_> = changes.older().diff(changes.newer()).collect();
                        prop_assert!(changes.diff().eq(expected));
                        check(changes.older(), changes.newer(), usize::from(split));
                    }
                }
            }
        }
        let current = map.snapshot();
        for snap in &kept {
            check(snap, &current, 0);
            check(&current, snap, 1);
        }
    }
}

/// Checks `older.diff(newer)`: every step's run is where it says in its version, the
/// steps come in order, and applying them in order to a copy of `older` gives `newer`.
fn check_vec_script(older: &Snapshot<Vec<u8>>, newer: &Snapshot<Vec<u8>>) {
    let script = older.diff(newer);
    let mut copy: Vec<u8> = older.to_vec();
    let (mut last_old, mut last_new) = (0, 0);
    for edit in &script {
        match *edit {
            VecEdit::Removed {
                old_index,
                new_index,
                elements,
            } => {
                assert!(!elements.is_empty());
                assert_eq!(&older[old_index..old_index + elements.len()], elements);
                assert!(old_index >= last_old && new_index >= last_new, "{script:?}");
                assert_eq!(&copy[new_index..new_index + elements.len()], elements);
                copy.drain(new_index..new_index + elements.len());
                (last_old, last_new) = (old_index + elements.len(), new_index);
            }
            VecEdit::Inserted {
                old_index,
                new_index,
                elements,
            } => {
                assert!(!elements.is_empty());
                assert_eq!(&newer[new_index..new_index + elements.len()], elements);
                assert!(old_index >= last_old && new_index >= last_new, "{script:?}");
                copy.splice(new_index..new_index, elements.iter().copied());
                (last_old, last_new) = (old_index, new_index + elements.len());
            }
        }
    }
    assert_eq!(&copy, &**newer, "{script:?}");
    if older[..] == newer[..] {
        assert!(script.is_empty(), "equal vectors: {script:?}");
    }
}

#[derive(Clone, Debug)]
enum VecOp {
    Push(u8),
    Insert(u8, u8),
    Remove(u8),
    /// Sets an element to the value it has, or to another.
    Set(u8, u8),
    Retain(u8),
    Reverse,
    StoreSame,
    Keep,
}

fn vec_op() -> impl Strategy<Value = VecOp> {
    prop_oneof![
        4 => (0..6u8).prop_map(VecOp::Push),
        3 => (any::<u8>(), 0..6u8).prop_map(|(i, v)| VecOp::Insert(i, v)),
        3 => any::<u8>().prop_map(VecOp::Remove),
        2 => (any::<u8>(), 0..6u8).prop_map(|(i, v)| VecOp::Set(i, v)),
        1 => (0..6u8).prop_map(VecOp::Retain),
        1 => Just(VecOp::Reverse),
        1 => Just(VecOp::StoreSame),
        3 => Just(VecOp::Keep),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Random histories of a `CowVec`: every kept snapshot's script to the current
    /// version, both ways, and the change feed's.
    #[test]
    fn vec_script_turns_older_into_newer(ops in list(vec_op(), 1..if cfg!(miri) { 8 } else { 64 })) {
        let vec: CowVec<u8> = CowVec::new();
        let mut watcher = vec.watch();
        let mut kept = vec![vec.snapshot()];
        for op in ops {
            let len = vec.len();
            match op {
                VecOp::Push(v) => vec.push(v),
                VecOp::Insert(i, v) => vec.insert(usize::from(i) % (len + 1), v),
                VecOp::Remove(i) if len > 0 => { vec.remove(usize::from(i) % len); }
                VecOp::Set(i, v) if len > 0 => vec.update(|x| x[usize::from(i) % len] = v),
                VecOp::Retain(m) => vec.retain(|x| *x % 6 != m),
                VecOp::Reverse => vec.update(|x| x.reverse()),
                VecOp::StoreSame => prop_assert!(vec.store_if_changed(vec.to_vec()).is_none()),
                VecOp::Keep => {
                    kept.push(vec.snapshot());
                    if let Some(changes) = watcher.wait_changes(Duration::ZERO) {
                        prop_assert_eq!(changes.diff(), changes.older().diff(changes.newer()));
                        check_vec_script(changes.older(), changes.newer());
                    }
                }
                VecOp::Remove(_) | VecOp::Set(..) => {}
            }
        }
        let current = vec.snapshot();
        for snap in &kept {
            check_vec_script(snap, &current);
            check_vec_script(&current, snap);
        }
    }
}

#[test]
fn vec_script_of_the_same_version_and_of_disjoint_vectors() {
    let list = CowVec::from(vec![1, 2, 3]);
    let snap = list.snapshot();
    assert!(snap.diff(&snap).is_empty());
    let other = Snapshot::from(vec![7, 8]);
    assert_eq!(
        snap.diff(&other),
        [
            VecEdit::Removed {
                old_index: 0,
                new_index: 0,
                elements: &[1, 2, 3][..]
            },
            VecEdit::Inserted {
                old_index: 3,
                new_index: 0,
                elements: &[7, 8][..]
            },
        ]
    );
    let empty = Snapshot::from(Vec::<u8>::new());
    assert!(empty.diff(&Snapshot::from(Vec::new())).is_empty());
}

#[test]
fn same_version_yields_nothing_without_a_walk() {
    // Values whose `==` is never true: a walk would report every entry as changed.
    let map = CowMap::from([(1, f64::NAN), (2, f64::NAN)]);
    let snap = map.snapshot();
    assert_eq!(snap.diff(&snap).next(), None);
    assert_eq!(snap.diff(&map.snapshot()).size_hint(), (0, Some(0)));
    // A copy is another allocation: walked, and NaN != NaN.
    let copy = Snapshot::from((*snap).clone());
    assert_eq!(snap.diff(&copy).count(), 2);

    let set = CowSet::from(["a", "b"]);
    let snap = set.snapshot();
    let diff: SetDiff<'_, &str, RandomState> = snap.diff(&snap);
    assert_eq!(diff.size_hint(), (0, Some(0)));
    assert_eq!(format!("{diff:?}"), "[]");
}

#[test]
fn order_alone_is_not_a_change_and_items_follow_each_side() {
    let map = CowMap::from([("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
    let before = map.snapshot();
    map.update(|m| {
        m.reverse();
        m.swap_remove("b"); // "a" moves into its place
        m.insert("e", 5);
        m.insert("c", 30);
    });
    let after = map.snapshot();
    let diff = before.diff(&after);
    assert_eq!(
        format!("{diff:?}"),
        r#"[Removed("b", 2), Changed { key: "c", old: 3, new: 30 }, Added("e", 5)]"#
    );
    let lines: Vec<String> = diff.map(|item| item.to_string()).collect();
    assert_eq!(lines, ["- b: 2", "~ c: 3 -> 30", "+ e: 5"]);
}

#[test]
fn custom_hashers() {
    type FixedState = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
    let map: CowMap<u32, u32, FixedState> = (0..100).map(|i| (i, i)).collect();
    let before = map.snapshot();
    map.insert(7, 70);
    map.remove(&8);
    let after = map.snapshot();
    let items: Vec<_> = before.diff(&after).collect();
    assert_eq!(
        items,
        [
            DiffItem::Removed(&8, &8),
            DiffItem::Changed {
                key: &7,
                old: &7,
                new: &70
            }
        ]
    );
    let set: CowSet<u32, FixedState> = (0..100).collect();
    let before = set.snapshot();
    set.insert(100);
    assert!(before.diff(&set.snapshot()).eq([SetDiffItem::Added(&100)]));
}

/// `Changes::diff` on all four maps and sets: the versions skipped in between are
/// folded into one diff, and a store of equal content is never seen by the watcher.
#[test]
fn change_feed_diffs_every_map_and_set() {
    let map = CowMap::from([("port", 80), ("workers", 4)]);
    let mut watcher = map.watch();
    map.insert("port", 8080);
    map.insert("port", 80); // back: no net change
    map.insert("tls", 1);
    assert!(map.store_if_changed((*map.read()).clone()).is_none());
    let changes = watcher
        .wait_changes(Duration::ZERO)
        .expect("a newer version");
    assert_eq!(
        (changes.older().version(), changes.newer().version()),
        (0, 3)
    );
    assert!(changes.diff().eq([DiffItem::Added(&"tls", &1)]));
    assert!(watcher.wait_changes(Duration::ZERO).is_none());

    let set = CowSet::from([1, 2]);
    let mut watcher = set.watch();
    set.remove(&1);
    set.insert(3);
    let changes = watcher.wait_changes(Duration::ZERO).unwrap();
    assert!(changes
        .diff()
        .eq([SetDiffItem::Removed(&1), SetDiffItem::Added(&3)]));

    let n = if cfg!(miri) { 100 } else { 10_000 };
    let tree: CowBTreeMap<u32, u32> = (0..n).map(|i| (i, 0)).collect();
    let mut watcher = tree.watch();
    tree.insert(5, 1);
    tree.remove(&6);
    tree.insert(n, 0);
    assert!(tree
        .store_if_changed(
            (0..=n)
                .filter(|&i| i != 6)
                .map(|i| (i, u32::from(i == 5)))
                .collect()
        )
        .is_none());
    let changes = watcher.wait_changes(Duration::ZERO).unwrap();
    let items: Vec<_> = changes.diff().collect();
    assert_eq!(
        items,
        [
            DiffItem::Changed {
                key: &5,
                old: &0,
                new: &1
            },
            DiffItem::Removed(&6, &0),
            DiffItem::Added(&n, &0),
        ]
    );

    let tree_set: CowBTreeSet<u32> = (0..n).collect();
    let mut watcher = tree_set.watch();
    tree_set.remove(&0);
    let changes = watcher.wait_changes(Duration::ZERO).unwrap();
    assert!(changes.diff().eq([SetDiffItem::Removed(&0)]));
}

/// The async form: `changes().await` then `diff()`.
#[test]
fn change_feed_async() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let map = CowMap::from([("a", 1)]);
    let mut watcher = map.watch();
    std::thread::scope(|s| {
        s.spawn(|| map.insert("a", 2));
        let changes = runtime.block_on(watcher.changes());
        let items: Vec<_> = changes.diff().collect();
        assert_eq!(
            items,
            [DiffItem::Changed {
                key: &"a",
                old: &1,
                new: &2
            }]
        );
    });
}
