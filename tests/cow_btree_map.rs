//! `CowBTreeMap` against `std::collections::BTreeMap`: every method, its return value,
//! its effect on the entries, whether it published a version, and the persistence of
//! snapshots across thousands of writes.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::collections::BTreeMap;
use std::ops::Bound;

use common::{expect_panic, scaled, with_timeout, Rng};
use cow_collections::{CowBTreeMap, PersistentBTreeMap, Snapshot};

fn entries<K: Clone, V: Clone>(m: &CowBTreeMap<K, V>) -> Vec<(K, V)> {
    m.read()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn model_entries<K: Clone, V: Clone>(m: &BTreeMap<K, V>) -> Vec<(K, V)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// One random operation on both; returns whether it must have published.
fn random_op(rng: &mut Rng, m: &CowBTreeMap<u16, u32>, model: &mut BTreeMap<u16, u32>) -> bool {
    // Keys from a range wide enough for several leaves and internal levels.
    let k = rng.below(200) as u16;
    let v = rng.below(4) as u32;
    let expected = if rng.one_in(2) {
        model.get(&k).copied().unwrap_or(v)
    } else {
        v
    };
    match rng.below(16) {
        0..=3 => {
            assert_eq!(m.insert(k, v), model.insert(k, v));
            true
        }
        4 | 5 => {
            let removed = model.remove(&k);
            assert_eq!(m.remove(&k), removed);
            removed.is_some()
        }
        6 => {
            let existing = model.get(&k).copied();
            if existing.is_none() {
                model.insert(k, v);
            }
            assert_eq!(m.insert_if_absent(k, v), existing);
            existing.is_none()
        }
        7 => {
            let previous = model.get_mut(&k).map(|slot| std::mem::replace(slot, v));
            assert_eq!(m.replace(&k, v), previous);
            previous.is_some()
        }
        8 => {
            let hit = model.get(&k) == Some(&expected);
            if hit {
                model.insert(k, v);
            }
            assert_eq!(m.replace_if_eq(&k, &expected, v), hit);
            hit
        }
        9 => {
            let hit = model.get(&k) == Some(&expected);
            if hit {
                model.remove(&k);
            }
            assert_eq!(m.remove_if_eq(&k, &expected), hit);
            hit
        }
        10 => {
            // compute: bump, remove when it reaches 3, insert when absent half the time.
            let insert_absent = rng.one_in(2);
            let f = |old: Option<&u32>| match old {
                Some(&n) if n >= 3 => None,
                Some(&n) => Some(n + 1),
                None => insert_absent.then_some(0),
            };
            let old = model.get(&k).copied();
            let new = f(old.as_ref());
            match new {
                Some(n) => drop(model.insert(k, n)),
                None => drop(model.remove(&k)),
            }
            assert_eq!(m.compute(k, f), new);
            old.is_some() || new.is_some()
        }
        11 => {
            let popped = model.pop_first();
            assert_eq!(m.pop_first(), popped);
            popped.is_some()
        }
        12 => {
            let popped = model.pop_last();
            assert_eq!(m.pop_last(), popped);
            popped.is_some()
        }
        13 => {
            // Few or many removed, so both retain paths run.
            let modulus = [2u16, 7, 50][rng.below(3)];
            let before = model.len();
            model.retain(|k, _| k % modulus != 0);
            m.retain(|k, _| k % modulus != 0);
            model.len() != before
        }
        14 => {
            let batch: Vec<(u16, u32)> = (0..rng.below(20))
                .map(|_| (rng.below(200) as u16, rng.below(4) as u32))
                .collect();
            let publishes = !batch.is_empty();
            model.extend(batch.iter().copied());
            m.extend(batch);
            publishes
        }
        _ => {
            let publishes = !model.is_empty();
            model.clear();
            m.clear();
            publishes
        }
    }
}

#[test]
fn random_ops_match_btreemap_and_snapshots_never_change() {
    let mut rng = Rng::new(7);
    let m = CowBTreeMap::new();
    let mut model = BTreeMap::new();
    let mut version = 0;
    type Kept = (Snapshot<PersistentBTreeMap<u16, u32>>, Vec<(u16, u32)>);
    let mut snapshots: Vec<Kept> = Vec::new();
    for step in 0..scaled(6000, 150) {
        if random_op(&mut rng, &m, &mut model) {
            version += 1;
        }
        assert_eq!(m.version(), version, "step {step}: version");
        assert_eq!(m.len(), model.len(), "step {step}: len");
        if step % 97 == 0 {
            assert_eq!(entries(&m), model_entries(&model), "step {step}");
            m.read().check_invariants();
            snapshots.push((m.snapshot(), model_entries(&model)));
        }
    }
    assert_eq!(entries(&m), model_entries(&model));
    // Persistence: every snapshot still iterates as it did when it was taken.
    for (snapshot, expected) in &snapshots {
        let seen: Vec<_> = snapshot.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(&seen, expected);
        snapshot.check_invariants();
    }
}

#[test]
fn a_snapshot_taken_before_thousands_of_writes_iterates_identically() {
    let m: CowBTreeMap<u32, String> = (0..scaled(2000, 60) as u32)
        .map(|i| (i * 3, format!("v{i}")))
        .collect();
    let before = m.snapshot();
    let expected: Vec<(u32, String)> = before.iter().map(|(k, v)| (*k, v.clone())).collect();
    let mut rng = Rng::new(11);
    for _ in 0..scaled(5000, 100) {
        let k = rng.below(8000) as u32;
        if rng.one_in(2) {
            m.insert(k, format!("w{k}"));
        } else {
            m.remove(&k);
        }
    }
    let after: Vec<(u32, String)> = before.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(after, expected);
    assert_eq!(before.version(), 0);
    // Backwards too, and a range of it.
    let back: Vec<_> = before.iter().rev().map(|(k, _)| *k).collect();
    assert_eq!(
        back,
        expected.iter().rev().map(|(k, _)| *k).collect::<Vec<_>>()
    );
    let (lo, hi) = (expected.len() as u32 / 4 * 3, expected.len() as u32 / 2 * 3);
    let mid: Vec<_> = before.range(lo..=hi).map(|(k, _)| *k).collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| (lo..=hi).contains(k))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(mid, want);
}

#[test]
fn reads_through_guards_snapshots_and_readers() {
    let m = CowBTreeMap::from([
        ("b".to_string(), 2),
        ("a".to_string(), 1),
        ("c".to_string(), 3),
    ]);
    assert_eq!(m.get("b"), Some(2));
    assert!(m.contains_key("c") && !m.contains_key("z"));
    assert_eq!(m.first_key_value(), Some(("a".to_string(), 1)));
    assert_eq!(m.last_key_value(), Some(("c".to_string(), 3)));
    let guard = m.read();
    let range: Vec<_> = guard
        .range::<str, _>((Bound::Excluded("a"), Bound::Unbounded))
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(range, [("b", 2), ("c", 3)]);
    drop(guard);
    let mut reader = m.reader();
    assert_eq!(reader.read().len(), 3);
    m.insert("d".into(), 4);
    assert_eq!(reader.read()["d"], 4);
    assert_eq!(m.read()["a"], 1);
}

#[test]
fn no_op_writes_publish_nothing() {
    let m = CowBTreeMap::from([(1, 'a'), (2, 'b')]);
    assert_eq!(m.remove(&9), None);
    assert_eq!(m.insert_if_absent(1, 'z'), Some('a'));
    assert_eq!(m.replace(&9, 'z'), None);
    assert!(!m.replace_if_eq(&1, &'z', 'y'));
    assert!(!m.remove_if_eq(&1, &'z'));
    assert_eq!(m.compute(9, |_| None), None);
    m.retain(|_, _| true);
    m.extend([]);
    let empty = CowBTreeMap::<u8, u8>::new();
    empty.clear();
    assert_eq!(empty.pop_first(), None);
    assert_eq!(empty.pop_last(), None);
    assert_eq!((m.version(), empty.version()), (0, 0));
    assert_eq!(entries(&m), [(1, 'a'), (2, 'b')]);
}

#[test]
fn update_is_one_transaction_and_one_publish() {
    let m: CowBTreeMap<u32, u32> = (0..scaled(1000, 50) as u32).map(|i| (i, i)).collect();
    let before = m.snapshot();
    let removed = m.update(|map| {
        for i in 0..100 {
            map.insert(10_000 + i, i);
        }
        map.remove(&5)
    });
    assert_eq!(removed, Some(5));
    assert_eq!(m.version(), 1);
    assert_eq!(m.len(), before.len() + 99);
    assert!(before.contains_key(&5) && !before.contains_key(&10_000));
    m.read().check_invariants();
    // try_update publishes nothing on Err; write() publishes on drop.
    let r: Result<(), ()> = m.try_update(|map| {
        map.clear();
        Err(())
    });
    assert!(r.is_err());
    assert_eq!(m.version(), 1);
    m.write().insert(1_000_000, 0);
    assert_eq!((m.version(), m.get(&1_000_000)), (2, Some(0)));
}

#[test]
fn get_mut_into_inner_store_and_clone() {
    let mut m = CowBTreeMap::from([(1, 10)]);
    let shared = m.snapshot();
    m.get_mut().insert(2, 20);
    assert_eq!(shared.len(), 1);
    assert_eq!(m.version(), 1);
    let copy = m.clone(); // O(1): shares the version
    copy.insert(3, 30);
    assert_eq!((m.len(), copy.len()), (2, 3));
    let previous = m.store(PersistentBTreeMap::from([(7, 70)]));
    assert_eq!(previous.len(), 2);
    assert_eq!(m.into_inner().into_iter().collect::<Vec<_>>(), [(7, 70)]);
    assert_eq!(CowBTreeMap::<u8, u8>::default().len(), 0);
    assert_eq!(
        CowBTreeMap::from([(1, 1)]),
        CowBTreeMap::from_iter([(1, 1)])
    );
    assert_ne!(CowBTreeMap::from([(1, 1)]), CowBTreeMap::from([(1, 2)]));
    let mut e = CowBTreeMap::from([(1, 1)]);
    Extend::extend(&mut e, [(2, 2)]);
    Extend::extend(&mut e, &BTreeMap::from([(3, 3)]));
    assert_eq!(format!("{e:?}"), "{1: 1, 2: 2, 3: 3}");
}

common::concurrent_map_tests!(CowBTreeMap);

#[test]
fn reentrant_writes_panic_instead_of_deadlocking() {
    with_timeout(|| {
        let m = CowBTreeMap::from([(1, 1)]);
        let message = expect_panic(&["re-entrant write", "CowBTreeMap::insert"], || {
            m.update(|_| {
                m.insert(2, 2);
            })
        });
        assert!(message.contains("CowBTreeMap::insert"));
        // Nothing was published, and the map is usable.
        assert_eq!((m.version(), m.len()), (0, 1));
        m.insert(2, 2);
        assert_eq!(m.version(), 1);
    });
}
