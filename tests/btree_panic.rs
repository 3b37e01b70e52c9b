//! Panic safety of `PersistentBTreeMap` writes: a `Clone` or `Ord` that panics in the
//! middle of a write must leave no leak and no double drop, must not disturb clones
//! that share nodes with the written map, and (for `insert`) must leave the map as it
//! was. Elements are `common::Dummy`s, which count every instance and panic on command.

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]

mod common;

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use common::{catch, ids, scaled, Dummy, Op, Tracker, PLANNED};
use cow_collections::PersistentBTreeMap;

type Map = PersistentBTreeMap<Dummy, Dummy>;

/// A map of `n` entries with even ids `0, 2, 4, ...` (values: the same id + 1), built by
/// inserts so that the nodes have the fill of real use.
fn map(t: &Tracker, n: u64) -> Map {
    let mut m = Map::new();
    for i in 0..n {
        let k = (i * 7919) % n * 2;
        m.insert(t.dummy(k), t.dummy(k + 1));
    }
    m
}

fn entry_ids(m: &Map) -> Vec<(u64, u64)> {
    m.iter().map(|(k, v)| (k.id(), v.id())).collect()
}

/// Runs `write` on a map that shares every node with a snapshot, once per fuse setting
/// (`op` panics after `after` calls, for each `after` below `tries`), and checks the
/// snapshot, the written map and the instance counts each time. `atomic`: a panicking
/// write must leave the map unchanged.
fn check_write(op: Op, tries: usize, atomic: bool, write: impl Fn(&Tracker, &mut Map)) {
    let n = scaled(300, 24) as u64;
    let mut fired = 0;
    for after in 0..tries {
        let t = Tracker::new();
        let mut m = map(&t, n);
        let snapshot = m.clone();
        let before = entry_ids(&m);
        t.arm(op, after);
        let result = catch(|| write(&t, &mut m));
        let unfired = t.disarm(op);
        match result {
            Ok(()) => {
                assert!(unfired, "returned normally, so the fuse cannot have fired");
                m.check_invariants();
            }
            Err(message) => {
                assert!(message.contains(PLANNED), "unexpected panic: {message}");
                fired += 1;
                if atomic {
                    assert_eq!(entry_ids(&m), before, "a failed write changed the map");
                    m.check_invariants();
                }
            }
        }
        // The other version never sees anything.
        assert_eq!(
            entry_ids(&snapshot),
            before,
            "a clone changed (fuse after {after})"
        );
        snapshot.check_invariants();
        drop(m);
        drop(snapshot);
        t.assert_balanced();
    }
    assert!(fired > 0, "no fuse setting made {op:?} panic");
}

#[test]
fn insert_new_key_with_panicking_clone() {
    // New keys between existing ones: the first copies the path, later ones fill the
    // leaf until it splits (and clones a separator). Each insert is atomic.
    check_write(Op::Clone, scaled(60, 6), false, |t, m| {
        for k in (1..60).step_by(2) {
            let before = entry_ids(m);
            let (key, value) = (t.dummy(k), t.dummy(0));
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| m.insert(key, value))) {
                assert_eq!(entry_ids(m), before, "a failed insert changed the map");
                resume_unwind(payload);
            }
        }
    });
}

#[test]
fn insert_new_key_with_panicking_cmp() {
    check_write(Op::Cmp, scaled(60, 6), true, |t, m| {
        m.insert(t.dummy(333), t.dummy(0));
    });
}

#[test]
fn replace_value_with_panicking_clone() {
    check_write(Op::Clone, scaled(40, 4), true, |t, m| {
        let old = m.insert(t.dummy(10), t.dummy(99));
        assert_eq!(old.map(|v| v.id()), Some(11));
    });
}

#[test]
fn remove_with_panicking_clone() {
    // Removing a run of keys empties leaves: steals and merges copy shared siblings.
    check_write(Op::Clone, scaled(100, 8), false, |t, m| {
        let present: Vec<u64> = m.keys().take(60).map(Dummy::id).collect();
        for k in present {
            assert!(m.remove(&t.dummy(k)).is_some());
        }
    });
}

#[test]
fn remove_with_panicking_cmp() {
    check_write(Op::Cmp, scaled(60, 6), true, |t, m| {
        m.remove(&t.dummy(40));
    });
}

#[test]
fn pops_with_panicking_clone() {
    check_write(Op::Clone, scaled(60, 6), false, |_, m| {
        for _ in 0..40 {
            m.pop_first();
            m.pop_last();
        }
    });
}

#[test]
fn get_mut_with_panicking_clone() {
    check_write(Op::Clone, scaled(60, 4), true, |t, m| {
        *m.get_mut(&t.dummy(20)).expect("present") = t.dummy(5);
    });
}

#[test]
fn retain_with_panicking_clone() {
    check_write(Op::Clone, scaled(60, 4), false, |_, m| {
        m.retain(|k, _| k.id() % 3 != 0);
    });
}

#[test]
fn retain_with_panicking_predicate() {
    check_write(Op::Callback, scaled(30, 4), false, |t, m| {
        m.retain(|k, _| {
            t.callback();
            k.id() % 3 != 0
        });
    });
}

#[test]
fn from_iter_and_into_iter_with_panicking_clone() {
    check_write(Op::Clone, scaled(60, 4), false, |_, m| {
        // into_iter of a shared map clones; collect of unsorted input sorts.
        let rebuilt: Map = m.clone().into_iter().rev().collect();
        *m = rebuilt;
    });
}

#[test]
fn extend_with_panicking_cmp() {
    check_write(Op::Cmp, scaled(80, 6), false, |t, m| {
        m.extend((1..40).step_by(2).map(|k| (t.dummy(k), t.dummy(k))));
    });
}

/// Every key and value is dropped exactly once through a long run of writes on shared
/// versions, with no panic at all.
#[test]
fn drop_accounting_across_versions() {
    let t = Tracker::new();
    let mut m = map(&t, scaled(500, 30) as u64);
    let mut versions = Vec::new();
    for i in 0..scaled(600, 30) as u64 {
        if i % 50 == 0 {
            versions.push(m.clone());
        }
        match i % 4 {
            0 | 1 => drop(m.insert(t.dummy(i * 3 % 1001), t.dummy(i))),
            2 => drop(m.remove(&t.dummy(i * 5 % 1001))),
            _ => drop(m.pop_first()),
        }
    }
    let expected: Vec<Vec<u64>> = versions.iter().map(|v| ids(v.keys())).collect();
    for (v, keys) in versions.iter().zip(&expected) {
        v.check_invariants();
        assert_eq!(&ids(v.keys()), keys);
    }
    drop(versions);
    drop(m);
    t.assert_balanced();
    assert!(t.total_dropped() > 0);
}
