//! `CowBTreeSet` against `std::collections::BTreeSet`: every method, its return value,
//! its effect on the elements, whether it published a version, and persistence.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::collections::BTreeSet;

use common::{scaled, Rng};
use cow_collections::{CowBTreeSet, PersistentBTreeSet, Snapshot};

fn elements(s: &CowBTreeSet<u16>) -> Vec<u16> {
    s.read().iter().copied().collect()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "under Miri, tests/cow_btree_map.rs runs the same shared operations on the same tree (a set is the map with `()` values)"
)]
fn random_ops_match_btreeset_and_snapshots_never_change() {
    let mut rng = Rng::new(3);
    let s = CowBTreeSet::new();
    let mut model = BTreeSet::new();
    let mut version = 0;
    let mut snapshots: Vec<(Snapshot<PersistentBTreeSet<u16>>, Vec<u16>)> = Vec::new();
    for step in 0..scaled(6000, 150) {
        let x = rng.below(300) as u16;
        let published = match rng.below(10) {
            0..=3 => {
                let new = model.insert(x);
                assert_eq!(s.insert(x), new);
                new
            }
            4 | 5 => {
                let present = model.remove(&x);
                assert_eq!(s.remove(&x), present);
                present
            }
            6 => {
                let first = model.pop_first();
                assert_eq!(s.pop_first(), first);
                first.is_some()
            }
            7 => {
                let last = model.pop_last();
                assert_eq!(s.pop_last(), last);
                last.is_some()
            }
            8 => {
                let modulus = [2u16, 5, 100][rng.below(3)];
                let before = model.len();
                model.retain(|v| v % modulus != 0);
                s.retain(|v| v % modulus != 0);
                model.len() != before
            }
            _ => {
                let batch: Vec<u16> = (0..rng.below(20)).map(|_| rng.below(300) as u16).collect();
                let new = batch.iter().any(|v| !model.contains(v));
                model.extend(batch.iter().copied());
                s.extend(batch);
                new
            }
        };
        version += u64::from(published);
        assert_eq!(s.version(), version, "step {step}");
        assert_eq!(s.first(), model.first().copied());
        assert_eq!(s.last(), model.last().copied());
        if step % 89 == 0 {
            assert_eq!(elements(&s), model.iter().copied().collect::<Vec<_>>());
            s.read().check_invariants();
            snapshots.push((s.snapshot(), model.iter().copied().collect()));
        }
    }
    for (snapshot, expected) in &snapshots {
        assert_eq!(&snapshot.iter().copied().collect::<Vec<_>>(), expected);
    }
}

#[test]
fn set_relations_accept_any_set_that_reads_as_one() {
    let small = CowBTreeSet::from([1, 2]);
    let big = CowBTreeSet::from([3, 2, 1]);
    let other = CowBTreeSet::from([7]);
    assert!(small.is_subset(&big) && small.is_subset(&big.read()));
    assert!(small.is_subset(&big.snapshot()));
    assert!(small.is_subset(&PersistentBTreeSet::from([1, 2, 9])));
    assert!(big.is_superset(&small) && !small.is_superset(&big));
    assert!(small.is_disjoint(&other) && !small.is_disjoint(&big));
    assert!(small.is_subset(&small) && !small.is_disjoint(&small));
}

#[test]
fn no_op_writes_publish_nothing_and_borrowed_lookups_work() {
    let s = CowBTreeSet::from([String::from("a"), String::from("b")]);
    assert!(!s.insert("a".into()));
    assert!(!s.remove("z"));
    s.retain(|_| true);
    s.extend([String::from("b")]);
    assert_eq!(s.version(), 0);
    assert!(s.contains("a"));
    let empty = CowBTreeSet::<u8>::new();
    empty.clear();
    assert_eq!(
        (empty.pop_first(), empty.pop_last(), empty.version()),
        (None, None, 0)
    );
    let mut e = CowBTreeSet::from([1]);
    Extend::extend(&mut e, &[2, 3]);
    Extend::extend(&mut e, [4]);
    assert_eq!(format!("{e:?}"), "{1, 2, 3, 4}");
    assert_eq!(e, CowBTreeSet::from_iter(1..=4));
    assert_eq!(CowBTreeSet::<u8>::default().len(), 0);
}
