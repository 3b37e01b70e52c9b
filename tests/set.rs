//! `CowSet` against `indexmap::IndexSet`: every method, its return value, its effect on
//! contents and order, and whether it published a version.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::hash::{BuildHasherDefault, DefaultHasher, RandomState};
use std::iter;

use common::{ids, scaled, with_timeout, Rng, Tracker};
use cow_collections::{CowSet, Snapshot};
use indexmap::IndexSet;

/// Contents in iteration order.
fn order<T: Clone, S>(s: &CowSet<T, S>) -> Vec<T> {
    s.read().iter().cloned().collect()
}

#[track_caller]
fn assert_state<T: Clone + PartialEq + std::fmt::Debug, S>(
    s: &CowSet<T, S>,
    contents: &[T],
    version: u64,
) {
    assert_eq!(order(s), contents, "contents in order");
    assert_eq!(s.version(), version, "version");
}

// ---------------------------------------------------------------------------------------
// Model-based
// ---------------------------------------------------------------------------------------

/// One random operation on both; returns whether it must have published.
fn random_op(rng: &mut Rng, s: &CowSet<u8>, model: &mut IndexSet<u8>) -> bool {
    let x = rng.below(12) as u8;
    let len = model.len();
    let small: Vec<u8> = (0..rng.below(4)).map(|_| rng.below(12) as u8).collect();
    match rng.below(11) {
        0 => {
            let absent = model.insert(x);
            assert_eq!(s.insert(x), absent);
            absent
        }
        1 => {
            let present = model.shift_remove(&x);
            assert_eq!(s.remove(&x), present);
            present
        }
        2 => {
            let (m, r) = (rng.below(3) as u8 + 1, rng.below(3) as u8);
            let mut seen = Vec::new();
            s.retain(|e| {
                seen.push(*e);
                *e % m != r
            });
            assert_eq!(seen, model.iter().copied().collect::<Vec<_>>());
            model.retain(|e| *e % m != r);
            model.len() != len
        }
        3 => {
            s.clear();
            model.clear();
            len > 0
        }
        4 => {
            s.extend(small.clone());
            model.extend(small);
            model.len() != len
        }
        5 => {
            let other: IndexSet<u8> = small.into_iter().collect();
            assert_eq!(s.contains(&x), model.contains(&x));
            assert_eq!(s.len(), len);
            assert_eq!(s.is_empty(), model.is_empty());
            assert_eq!(s.is_subset(&other), model.is_subset(&other));
            assert_eq!(s.is_superset(&other), model.is_superset(&other));
            assert_eq!(s.is_disjoint(&other), model.is_disjoint(&other));
            // Equality ignores order: a reversed copy is equal.
            let reversed: CowSet<u8> = model.iter().rev().copied().collect();
            assert!(*s == reversed);
            false
        }
        6 => {
            let r = s.update(|inner| {
                inner.insert(x);
                inner.shift_remove_index(0)
            });
            model.insert(x);
            assert_eq!(r, model.shift_remove_index(0));
            true
        }
        7 => {
            let ok = rng.one_in(2);
            let r = s.try_update(|inner| {
                inner.insert(x);
                if ok {
                    Ok(inner.len())
                } else {
                    Err(())
                }
            });
            if ok {
                model.insert(x);
                assert_eq!(r, Ok(model.len()));
            } else {
                assert_eq!(r, Err(()));
            }
            ok
        }
        8 => {
            let version = s.version();
            let next: IndexSet<u8> = small.into_iter().collect();
            let previous = s.store(next.clone());
            assert_eq!(
                previous.iter().collect::<Vec<_>>(),
                model.iter().collect::<Vec<_>>()
            );
            assert_eq!(previous.version(), version);
            *model = next;
            true
        }
        9 => {
            let mut w = s.write();
            w.insert(x);
            if rng.one_in(3) {
                w.discard();
                false
            } else {
                drop(w);
                model.insert(x);
                true
            }
        }
        _ => {
            let mut owned = s.clone();
            owned.get_mut().insert(x);
            model.insert(x);
            *s.write() = owned.into_inner();
            true
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "under Miri the same operations run in tests/proptest_models.rs, with panics injected"
)]
fn random_ops_match_indexset_and_snapshots_never_change() {
    let steps = scaled(3000, 150);
    for seed in 0..scaled(4, 1) as u64 {
        let mut rng = Rng::new(seed);
        let s = CowSet::new();
        let mut model = IndexSet::new();
        let mut version = 0;
        let mut kept = Vec::new();
        for step in 0..steps {
            let before = s.snapshot();
            let before_model: Vec<u8> = model.iter().copied().collect();
            let published = random_op(&mut rng, &s, &mut model);
            version += u64::from(published);
            assert_eq!(
                order(&s),
                model.iter().copied().collect::<Vec<_>>(),
                "seed {seed} step {step}"
            );
            assert_eq!(
                s.version(),
                version,
                "seed {seed} step {step}: publish count"
            );
            assert_eq!(
                before.iter().copied().collect::<Vec<_>>(),
                before_model,
                "snapshot changed"
            );
            if step % 50 == 0 {
                kept.push((before, before_model));
            }
        }
        for (snap, contents) in kept {
            assert_eq!(snap.iter().copied().collect::<Vec<_>>(), contents);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Targeted tests
// ---------------------------------------------------------------------------------------

#[test]
fn no_op_writes_publish_nothing() {
    let s = CowSet::from([1, 2, 3]);
    let same = s.snapshot();
    assert!(!s.insert(2));
    assert!(!s.remove(&9));
    s.retain(|_| true);
    s.extend([3, 1]);
    s.extend(iter::empty());
    assert!(Snapshot::ptr_eq(&same, &s.snapshot()));
    assert_state(&s, &[1, 2, 3], 0);
    let empty = CowSet::<u8>::new();
    empty.clear();
    empty.retain(|_| false);
    assert_state(&empty, &[], 0);
}

#[test]
fn no_op_writes_clone_no_element() {
    let t = Tracker::new();
    let s: CowSet<_> = t.dummies(0..4).into_iter().collect();
    assert!(!s.insert(t.dummy(2)));
    assert!(!s.remove(&t.dummy(7)));
    assert_eq!(
        t.total_cloned(),
        0,
        "present insert / absent remove copy nothing"
    );
    s.retain(|_| true); // clones each kept element, then drops the unpublished copy
    assert_eq!(s.version(), 0);
    let retain_clones = t.total_cloned();
    s.clear();
    s.clear();
    assert_eq!(t.total_cloned(), retain_clones, "clear copies nothing");
    assert_eq!(s.version(), 1);
    drop(s);
    t.assert_balanced();
}

#[test]
fn remove_preserves_insertion_order() {
    let s = CowSet::from(['d', 'a', 'c', 'b']);
    assert!(s.remove(&'a'));
    assert_state(&s, &['d', 'c', 'b'], 1);
    assert!(s.insert('a'));
    assert_state(&s, &['d', 'c', 'b', 'a'], 2);
    s.retain(|c| *c != 'c');
    assert_state(&s, &['d', 'b', 'a'], 3);
}

#[test]
fn first_last_and_pop_follow_insertion_order() {
    let s = CowSet::from([3, 1, 2]);
    assert_eq!((s.first(), s.last()), (Some(3), Some(2)));
    assert_eq!(s.pop(), Some(2));
    assert!(s.insert(0));
    assert_eq!(s.pop(), Some(0), "the last one inserted");
    assert_state(&s, &[3, 1], 3);
    let empty = CowSet::<u8>::new();
    assert_eq!(
        (empty.first(), empty.last(), empty.pop()),
        (None, None, None)
    );
    assert_eq!(empty.version(), 0);
}

#[test]
fn equality_ignores_order_and_hasher() {
    let a = CowSet::from([1, 2, 3]);
    let b = CowSet::from([3, 1, 2]);
    assert!(a == b);
    let c: CowSet<i32, BuildHasherDefault<DefaultHasher>> = [2, 3, 1].into_iter().collect();
    assert!(a == c);
    assert!(a != CowSet::from([1, 2]));
    assert!(a != CowSet::from([1, 2, 4]));
    assert_eq!(a.snapshot(), b.snapshot(), "snapshots compare as sets too");
}

#[test]
fn borrowed_lookups_and_removal() {
    let s = CowSet::from([String::from("a"), String::from("b")]);
    assert!(s.contains("a"));
    assert!(!s.contains("z"));
    assert!(s.remove("a"));
    assert!(!s.remove("a"));
    assert_state(&s, &[String::from("b")], 1);
}

#[test]
fn set_relations_accept_guards_snapshots_and_indexsets() {
    let small = CowSet::from([1, 2]);
    let big = CowSet::from([1, 2, 3]);
    let other = CowSet::from([7]);
    assert!(small.is_subset(&big.read()));
    assert!(small.is_subset(&big.snapshot()));
    assert!(!big.is_subset(&small.read()));
    assert!(big.is_superset(&small.snapshot()));
    assert!(!small.is_superset(&big.read()));
    assert!(small.is_disjoint(&other.read()));
    assert!(!small.is_disjoint(&IndexSet::<i32>::from([2, 9])));
    // Another `CowSet` directly (Java's `containsAll(c)`), also with another hasher,
    // and a set compared with itself.
    assert!(small.is_subset(&big));
    assert!(big.is_superset(&small));
    assert!(!big.is_subset(&small));
    assert!(small.is_disjoint(&other));
    let hashed_otherwise: CowSet<i32, BuildHasherDefault<DefaultHasher>> =
        [3, 2, 1].into_iter().collect();
    assert!(big.is_subset(&hashed_otherwise) && big.is_superset(&hashed_otherwise));
    assert!(small.is_subset(&small) && small.is_superset(&small));
    assert!(!small.is_disjoint(&small));
    assert!(CowSet::<i32>::new().is_disjoint(&CowSet::<i32>::new()));
}

#[test]
fn extend_adds_only_new_values_in_order_with_one_publish() {
    with_timeout(|| {
        let s = CowSet::from([1]);
        s.extend([3, 1, 2, 3]);
        assert_state(&s, &[1, 3, 2], 1);
        // Consumed before the lock: an input that writes to the same set works.
        s.extend(iter::once_with(|| {
            s.insert(9);
            4
        }));
        assert_state(&s, &[1, 3, 2, 9, 4], 3);
    });
}

#[test]
fn store_write_and_try_update() {
    let s = CowSet::from([1, 2]);
    let previous = s.store(IndexSet::from([5]));
    assert_eq!((previous.len(), previous.version()), (2, 0));
    assert_state(&s, &[5], 1);
    s.write().insert(6);
    assert_state(&s, &[5, 6], 2);
    let r: Result<(), &str> = s.try_update(|inner| {
        inner.clear();
        Err("no")
    });
    assert_eq!(r, Err("no"));
    assert_state(&s, &[5, 6], 2);
    assert!(s.update(|inner| inner.insert(7)));
    assert_state(&s, &[5, 6, 7], 3);
}

#[test]
fn get_mut_and_into_inner_copy_only_when_shared() {
    let t = Tracker::new();
    let mut s: CowSet<_> = t.dummies(0..3).into_iter().collect();
    s.get_mut().insert(t.dummy(3));
    assert_eq!(t.total_cloned(), 0);
    let snap = s.snapshot();
    s.get_mut().shift_remove_index(0);
    assert_eq!(t.total_cloned(), 4);
    assert_eq!(ids(snap.iter()), [0, 1, 2, 3]);
    let inner = s.into_inner();
    assert_eq!(t.total_cloned(), 4);
    assert_eq!(ids(inner.iter()), [1, 2, 3]);
    drop((inner, snap));
    t.assert_balanced();
}

#[test]
fn clone_is_o1_and_independent() {
    let t = Tracker::new();
    let s: CowSet<_> = t.dummies(0..3).into_iter().collect();
    let c = s.clone();
    assert_eq!(t.total_cloned(), 0);
    assert!(Snapshot::ptr_eq(&s.snapshot(), &c.snapshot()));
    assert!(c.insert(t.dummy(3)));
    assert!(s.remove(&t.dummy(0)));
    assert_eq!(ids(s.read().iter()), [1, 2]);
    assert_eq!(ids(c.read().iter()), [0, 1, 2, 3]);
    drop((s, c));
    t.assert_balanced();
}

#[test]
fn constructors_conversions_and_debug() {
    let d: CowSet<u8> = CowSet::default();
    assert_state(&d, &[], 0);
    let h = CowSet::with_hasher(RandomState::new());
    assert!(h.insert(1));
    assert_state(&h, &[1], 1);
    let custom: CowSet<u8, BuildHasherDefault<DefaultHasher>> = CowSet::default();
    assert!(custom.insert(3));
    assert!(custom.contains(&3));
    let from_array = CowSet::from([2, 1, 2]);
    assert_state(&from_array, &[2, 1], 0);
    let from_indexset = CowSet::from(IndexSet::<u8>::from([4, 5]));
    assert_state(&from_indexset, &[4, 5], 0);
    let collected: CowSet<u8> = [5, 4, 5].into_iter().collect();
    assert_state(&collected, &[5, 4], 0);

    let mut extended = CowSet::from([1]);
    Extend::extend(&mut extended, [1, 2]);
    assert_state(&extended, &[1, 2], 1);

    let snap = extended.snapshot();
    let restored = CowSet::from(snap.clone());
    assert!(Snapshot::ptr_eq(&snap, &restored.snapshot()));
    assert_eq!(restored.version(), 1);
    assert_eq!(format!("{restored:?}"), "{1, 2}");
    assert_eq!(restored.as_cell().version(), 1);
}
