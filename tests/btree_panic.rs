//! Panic safety of `PersistentBTreeMap` and `PersistentBTreeSet` writes: a `Clone`, an
//! `Ord` or a closure that panics in the middle of a write must leave no leak and no
//! double drop, must not disturb clones that share nodes with the written map, and must
//! leave the map consistent and complete: every single-entry write is atomic (the map is
//! as before the call), and a bulk write (`retain`, `extract_if`, `append`, `extend`)
//! loses nothing it was not told to remove. Elements are `common::Dummy`s, which count
//! every instance and panic on command.
//!
//! After every panic the map is checked against a model (`std`'s `BTreeMap` of the ids,
//! updated after each completed step of the write): the invariants, `len()`, a full
//! iteration from both ends, and a lookup of every key the map held before.

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]

mod common;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use common::{catch, ids, scaled, Dummy, Op, Tracker, PLANNED};
use cow_collections::{PersistentBTreeMap, PersistentBTreeSet};

type Map = PersistentBTreeMap<Dummy, Dummy>;
/// The entries a map must hold, by id.
type Model = BTreeMap<u64, u64>;

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

/// Asserts that `m` holds exactly `model`: invariants, `len`, iteration both ways, and a
/// lookup of every key in `model` or in `keys` (those must be absent if not in `model`).
fn assert_holds(t: &Tracker, m: &Map, model: &Model, keys: &[u64], what: &str) {
    m.check_invariants();
    assert_eq!(m.len(), model.len(), "{what}: len");
    let expected: Vec<(u64, u64)> = model.iter().map(|(&k, &v)| (k, v)).collect();
    assert_eq!(entry_ids(m), expected, "{what}: iteration");
    let mut back: Vec<(u64, u64)> = m.iter().rev().map(|(k, v)| (k.id(), v.id())).collect();
    back.reverse();
    assert_eq!(back, expected, "{what}: iteration from the back");
    assert_eq!(m.iter().count(), m.len(), "{what}: iter().count()");
    for &k in keys.iter().chain(model.keys()) {
        let found = m.get(&t.dummy(k)).map(Dummy::id);
        assert_eq!(found, model.get(&k).copied(), "{what}: get({k})");
    }
}

/// Runs `write` on a map that shares every node with a snapshot, once per fuse setting
/// (`op` panics after `after` calls, for each `after` below `tries`). `write` keeps the
/// model in step: it applies each step to the model once the step has returned. After
/// the write, panicking or not, the map must hold the model exactly (see
/// [`assert_holds`]), the snapshot must be unchanged, and every instance must be
/// dropped exactly once.
fn check_write(
    n: u64,
    op: Op,
    tries: usize,
    write: impl Fn(&Tracker, &mut Map, &mut Model),
) -> usize {
    let mut fired = 0;
    for after in 0..tries {
        let t = Tracker::new();
        let mut m = map(&t, n);
        let snapshot = m.clone();
        let before = entry_ids(&m);
        let mut model: Model = before.iter().copied().collect();
        let keys: Vec<u64> = model.keys().copied().collect();
        t.arm(op, after);
        let result = catch(|| write(&t, &mut m, &mut model));
        let unfired = t.disarm(op);
        match result {
            Ok(()) => assert!(unfired, "returned normally, so the fuse cannot have fired"),
            Err(message) => {
                assert!(message.contains(PLANNED), "unexpected panic: {message}");
                fired += 1;
            }
        }
        assert_holds(&t, &m, &model, &keys, &format!("{op:?} fuse after {after}"));
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
    fired
}

/// The default size: three levels (leaves of 16, internal nodes of 32 need more than 512
/// entries); two under Miri, where each write also runs under three fuse settings only
/// (Miri interprets some 1,000 times slower).
fn size() -> u64 {
    scaled(600, 24) as u64
}

#[test]
fn insert_new_key_with_panicking_clone() {
    // New keys between existing ones: the first copies the path, later ones fill the
    // leaf until it splits (and clones a separator). Each insert is atomic.
    check_write(size(), Op::Clone, scaled(60, 3), |t, m, model| {
        for k in (1..60).step_by(2) {
            let (key, value) = (t.dummy(k), t.dummy(0));
            assert!(m.insert(key, value).is_none());
            model.insert(k, 0);
        }
    });
}

#[test]
fn insert_new_key_with_panicking_cmp() {
    check_write(size(), Op::Cmp, scaled(60, 3), |t, m, model| {
        m.insert(t.dummy(333), t.dummy(0));
        model.insert(333, 0);
    });
}

#[test]
fn replace_value_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(40, 3), |t, m, model| {
        let old = m.insert(t.dummy(10), t.dummy(99));
        assert_eq!(old.map(|v| v.id()), Some(11));
        model.insert(10, 99);
    });
}

#[test]
fn remove_with_panicking_clone() {
    // Removing a run of keys empties leaves: steals and merges copy shared siblings and
    // separators. Each remove is atomic.
    check_write(size(), Op::Clone, scaled(120, 3), |t, m, model| {
        let present: Vec<u64> = m.keys().take(60).map(Dummy::id).collect();
        for k in present {
            assert!(m.remove(&t.dummy(k)).is_some());
            model.remove(&k);
        }
    });
}

#[test]
fn remove_with_panicking_cmp() {
    check_write(size(), Op::Cmp, scaled(60, 3), |t, m, model| {
        m.remove(&t.dummy(40));
        model.remove(&40);
    });
}

/// The reproduction: `pop_first`/`pop_last` on a map of 600 entries shared with
/// a clone, the key's `Clone` panicking partway through the path copy (before the fix,
/// `len()` was then one above the entries iteration yields).
#[test]
fn pops_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(120, 3), |_, m, model| {
        for _ in 0..40 {
            let first = m.pop_first().map(|(k, _)| k.id());
            assert_eq!(first, model.pop_first().map(|(k, _)| k));
            let last = m.pop_last().map(|(k, _)| k.id());
            assert_eq!(last, model.pop_last().map(|(k, _)| k));
        }
    });
}

#[test]
fn get_mut_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(60, 3), |t, m, model| {
        *m.get_mut(&t.dummy(20)).expect("present") = t.dummy(5);
        model.insert(20, 5);
    });
}

#[test]
fn retain_with_panicking_clone() {
    // The clones copy shared leaves and separators. `retain` visits the entries in
    // order, so whatever the panic interrupted, the entries gone are a prefix of those
    // the predicate rejects (a rejected entry whose removal could not be prepared
    // stays), and all others stay.
    check_write(size(), Op::Clone, scaled(60, 3), |_, m, model| {
        let rejected: Vec<u64> = model.keys().copied().filter(|k| k % 3 == 0).collect();
        let result = catch_unwind(AssertUnwindSafe(|| m.retain(|k, _| k.id() % 3 != 0)));
        let kept: Vec<u64> = m.keys().map(Dummy::id).collect();
        let gone: Vec<u64> = model
            .keys()
            .copied()
            .filter(|k| !kept.contains(k))
            .collect();
        assert_eq!(gone, rejected[..gone.len()], "removed out of order");
        model.retain(|k, _| kept.contains(k));
        if let Err(payload) = result {
            resume_unwind(payload);
        }
        assert_eq!(
            gone, rejected,
            "a completed retain removes every rejected entry"
        );
    });
}

/// std's `retain` keeps every element the predicate has not rejected when it panics:
/// the same predicate, panicking at the same call, on std's map must leave the same
/// entries (before the fix, `retain` started with `mem::take(self)` and lost them).
#[test]
fn retain_with_panicking_predicate() {
    let n = size();
    let calls = scaled(n as usize + 20, 30);
    for after in (0..calls).step_by(scaled(7, 10)) {
        let t = Tracker::new();
        let mut m = map(&t, n);
        let snapshot = m.clone();
        let mut model: Model = entry_ids(&m).into_iter().collect();
        let keys: Vec<u64> = model.keys().copied().collect();
        t.arm(Op::Callback, after);
        let ours = catch(|| {
            m.retain(|k, _| {
                t.callback();
                k.id() % 3 != 0
            })
        });
        t.disarm(Op::Callback);
        let mut seen = 0;
        let theirs = catch(|| {
            model.retain(|k, _| {
                seen += 1;
                assert!(seen <= after, "{PLANNED} (model)");
                k % 3 != 0
            })
        });
        assert_eq!(ours.is_err(), theirs.is_err(), "panicked alike at {after}");
        assert_holds(
            &t,
            &m,
            &model,
            &keys,
            &format!("predicate panic at {after}"),
        );
        assert_eq!(snapshot.len(), n as usize);
        drop((m, snapshot));
        t.assert_balanced();
    }
}

#[test]
fn extract_if_with_panicking_predicate() {
    // The element whose predicate call panics stays; those extracted before are gone;
    // the iterator may be used no further.
    check_write(size(), Op::Callback, scaled(80, 3), |t, m, model| {
        let extracted = m.extract_if(.., |k, _| {
            t.callback();
            k.id() % 4 == 0
        });
        for (k, _) in extracted {
            model.remove(&k.id());
        }
    });
}

#[test]
fn extract_if_with_panicking_clone() {
    // The middle half of the keys (ids `0, 2, ..., 2 * size()`).
    check_write(size(), Op::Clone, scaled(80, 3), |t, m, model| {
        let lo = t.dummy(size() / 2);
        let hi = t.dummy(size() * 3 / 2);
        for (k, _) in m.extract_if(lo..hi, |k, _| k.id() % 6 == 0) {
            model.remove(&k.id());
        }
    });
}

#[test]
fn entry_insert_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(60, 3), |t, m, model| {
        for k in (301..341).step_by(2) {
            *m.entry(t.dummy(k)).or_insert_with(|| t.dummy(0)) = t.dummy(k);
            model.insert(k, k);
        }
    });
}

#[test]
fn occupied_entry_remove_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(100, 3), |t, m, model| {
        for k in (0..200).step_by(4) {
            if let cow_collections::btree_map::Entry::Occupied(e) = m.entry(t.dummy(k)) {
                e.remove();
                model.remove(&k);
            }
        }
    });
}

#[test]
fn first_and_last_entry_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(100, 3), |_, m, model| {
        for _ in 0..20 {
            let e = m.first_entry().expect("nonempty");
            let k = e.remove_entry().0.id();
            model.remove(&k);
            let mut e = m.last_entry().expect("nonempty");
            let k = e.key().id();
            *e.get_mut() = e.get().clone();
            model.insert(k, k + 1);
        }
    });
}

#[test]
fn iter_mut_with_panicking_clone() {
    // The path copy of each leaf clones the values (not the keys); a panic there leaves
    // the values already written and the others as they were.
    check_write(size(), Op::Clone, scaled(80, 3), |t, m, model| {
        for (k, v) in m.iter_mut().rev() {
            *v = t.dummy(k.id() + 3);
            model.insert(k.id(), k.id() + 3);
        }
    });
}

#[test]
fn split_off_and_append_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(80, 3), |t, m, model| {
        let mut right = m.split_off(&t.dummy(301));
        let right_model = model.split_off(&301);
        assert_eq!(right.len(), right_model.len());
        // Put them back: on a panic in `split_off` or `append`, `right` holds what is
        // not in `m`.
        let result = catch_unwind(AssertUnwindSafe(|| m.append(&mut right)));
        if let Err(payload) = result {
            let mut whole = model.clone();
            whole.extend(right_model.iter().map(|(&k, &v)| (k, v)));
            assert_eq!(m.len() + right.len(), whole.len(), "append lost entries");
            for (k, v) in right.iter() {
                model.insert(k.id(), v.id());
            }
            resume_unwind(payload);
        }
        model.extend(right_model);
        assert!(right.is_empty());
    });
}

#[test]
fn set_operations_with_panicking_cmp() {
    // Lazy set iterators compare; a panic leaves both sets untouched.
    let t = Tracker::new();
    let a: PersistentBTreeSet<Dummy> = t.dummies((0..200).step_by(2)).into_iter().collect();
    let b: PersistentBTreeSet<Dummy> = t.dummies((0..200).step_by(3)).into_iter().collect();
    for after in 0..scaled(40, 3) {
        t.arm(Op::Cmp, after);
        let _ = catch(|| a.union(&b).count());
        let _ = catch(|| a.intersection(&b).count());
        let _ = catch(|| a.difference(&b).count());
        let _ = catch(|| a.symmetric_difference(&b).count());
        let _ = catch(|| a.is_subset(&b));
        t.disarm(Op::Cmp);
        a.check_invariants();
        b.check_invariants();
        assert_eq!(a.len(), 100);
        assert_eq!(b.len(), 67);
    }
    drop((a, b));
    t.assert_balanced();
}

#[test]
fn from_iter_and_into_iter_with_panicking_clone() {
    check_write(size(), Op::Clone, scaled(60, 3), |_, m, _| {
        // into_iter of a shared map clones; collect of unsorted input sorts. `m` is
        // only replaced once the new map is whole.
        let rebuilt: Map = m.clone().into_iter().rev().collect();
        *m = rebuilt;
    });
}

#[test]
fn extend_with_panicking_cmp() {
    check_write(size(), Op::Cmp, scaled(80, 3), |t, m, model| {
        for k in (1..40).step_by(2) {
            m.extend([(t.dummy(k), t.dummy(k))]);
            model.insert(k, k);
        }
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
