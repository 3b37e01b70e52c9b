//! `CowMap` against `indexmap::IndexMap`: every method (the `ConcurrentMap` operations
//! included), its return value, its effect on entries and order, and whether it
//! published a version.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::hash::{BuildHasherDefault, DefaultHasher, RandomState};
use std::iter;

use common::{ids, scaled, with_timeout, Rng, Tracker};
use cow_collections::{CowMap, Snapshot};
use indexmap::IndexMap;

/// Entries in iteration order.
fn entries<K: Clone, V: Clone, S>(m: &CowMap<K, V, S>) -> Vec<(K, V)> {
    m.read()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[track_caller]
fn assert_state<K, V, S>(m: &CowMap<K, V, S>, expected: &[(K, V)], version: u64)
where
    K: Clone + PartialEq + std::fmt::Debug,
    V: Clone + PartialEq + std::fmt::Debug,
{
    assert_eq!(entries(m), expected, "entries in order");
    assert_eq!(m.version(), version, "version");
}

// ---------------------------------------------------------------------------------------
// Model-based
// ---------------------------------------------------------------------------------------

/// One random operation on both; returns whether it must have published.
fn random_op(rng: &mut Rng, m: &CowMap<u8, u32>, model: &mut IndexMap<u8, u32>) -> bool {
    let k = rng.below(10) as u8;
    let v = rng.below(4) as u32;
    let len = model.len();
    let small: Vec<(u8, u32)> = (0..rng.below(4))
        .map(|_| (rng.below(10) as u8, rng.below(4) as u32))
        .collect();
    // Sometimes the current value, so conditional writes succeed now and then.
    let expected = if rng.one_in(2) {
        model.get(&k).copied().unwrap_or(v)
    } else {
        v
    };
    match rng.below(15) {
        0 => {
            assert_eq!(m.insert(k, v), model.insert(k, v));
            true
        }
        1 => {
            let removed = model.shift_remove(&k);
            assert_eq!(m.remove(&k), removed);
            removed.is_some()
        }
        2 => {
            let r = rng.below(3) as u32;
            let mut seen = Vec::new();
            m.retain(|k, v| {
                seen.push((*k, *v));
                (u32::from(*k) + *v) % 3 != r
            });
            assert_eq!(
                seen,
                model.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>()
            );
            model.retain(|k, v| (u32::from(*k) + *v) % 3 != r);
            model.len() != len
        }
        3 => {
            m.clear();
            model.clear();
            len > 0
        }
        4 => {
            m.extend(small.clone());
            model.extend(small.iter().copied());
            !small.is_empty()
        }
        5 => {
            let existing = model.get(&k).copied();
            if existing.is_none() {
                model.insert(k, v);
            }
            assert_eq!(m.insert_if_absent(k, v), existing);
            existing.is_none()
        }
        6 => {
            let previous = model.get_mut(&k).map(|slot| std::mem::replace(slot, v));
            assert_eq!(m.replace(&k, v), previous);
            previous.is_some()
        }
        7 => {
            let hit = model.get(&k) == Some(&expected);
            if hit {
                model.insert(k, v);
            }
            assert_eq!(m.replace_if_eq(&k, &expected, v), hit);
            hit
        }
        8 => {
            let hit = model.get(&k) == Some(&expected);
            if hit {
                model.shift_remove(&k);
            }
            assert_eq!(m.remove_if_eq(&k, &expected), hit);
            hit
        }
        9 => {
            let current = model.get(&k).copied();
            let remove = rng.one_in(3);
            let f = |old: Option<&u32>| {
                assert_eq!(old.copied(), current, "compute sees the current value");
                if remove {
                    None
                } else {
                    Some(old.map_or(v, |o| o + 1))
                }
            };
            let new = f(current.as_ref());
            let result = m.compute(k, f);
            assert_eq!(result, new);
            match new {
                Some(value) => {
                    model.insert(k, value);
                }
                None => {
                    model.shift_remove(&k);
                }
            }
            current.is_some() || new.is_some()
        }
        10 => {
            assert_eq!(m.get(&k), model.get(&k).copied());
            assert_eq!(m.contains_key(&k), model.contains_key(&k));
            assert_eq!(m.len(), len);
            assert_eq!(m.is_empty(), model.is_empty());
            let reversed: CowMap<u8, u32> = model.iter().rev().map(|(k, v)| (*k, *v)).collect();
            assert!(*m == reversed, "equality ignores order");
            false
        }
        11 => {
            let r = m.update(|inner| {
                inner.insert(k, v);
                inner.shift_remove_index(0)
            });
            model.insert(k, v);
            assert_eq!(r, model.shift_remove_index(0));
            true
        }
        12 => {
            let ok = rng.one_in(2);
            let r = m.try_update(|inner| {
                inner.insert(k, v);
                if ok {
                    Ok(inner.len())
                } else {
                    Err(k)
                }
            });
            if ok {
                model.insert(k, v);
                assert_eq!(r, Ok(model.len()));
            } else {
                assert_eq!(r, Err(k));
            }
            ok
        }
        13 => {
            let version = m.version();
            let next: IndexMap<u8, u32> = small.into_iter().collect();
            let previous = m.store(next.clone());
            assert_eq!(
                previous.iter().collect::<Vec<_>>(),
                model.iter().collect::<Vec<_>>()
            );
            assert_eq!(previous.version(), version);
            *model = next;
            true
        }
        _ => {
            let mut w = m.write();
            w.insert(k, v);
            if rng.one_in(3) {
                w.discard();
                false
            } else {
                drop(w);
                model.insert(k, v);
                true
            }
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "under Miri the same operations run in tests/proptest_models.rs, with panics injected"
)]
fn random_ops_match_indexmap_and_snapshots_never_change() {
    let steps = scaled(3000, 150);
    for seed in 0..scaled(4, 1) as u64 {
        let mut rng = Rng::new(seed);
        let m = CowMap::new();
        let mut model = IndexMap::new();
        let mut version = 0;
        let mut kept = Vec::new();
        for step in 0..steps {
            let before = m.snapshot();
            let before_model: Vec<(u8, u32)> = model.iter().map(|(k, v)| (*k, *v)).collect();
            let published = random_op(&mut rng, &m, &mut model);
            version += u64::from(published);
            let expected: Vec<(u8, u32)> = model.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(entries(&m), expected, "seed {seed} step {step}");
            assert_eq!(
                m.version(),
                version,
                "seed {seed} step {step}: publish count"
            );
            let seen: Vec<(u8, u32)> = before.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(
                seen, before_model,
                "seed {seed} step {step}: snapshot changed"
            );
            if step % 50 == 0 {
                kept.push((before, before_model));
            }
        }
        for (snap, contents) in kept {
            assert_eq!(
                snap.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
                contents
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// ConcurrentMap operations
// ---------------------------------------------------------------------------------------

common::concurrent_map_tests!(CowMap);

#[test]
fn first_last_and_pop_follow_insertion_order() {
    let m = CowMap::from([(3, 'c'), (1, 'a'), (2, 'b')]);
    assert_eq!((m.first(), m.last()), (Some((3, 'c')), Some((2, 'b'))));
    assert_eq!(m.pop(), Some((2, 'b')));
    m.insert(0, 'z');
    assert_eq!(m.pop(), Some((0, 'z')), "the last key inserted");
    assert_state(&m, &[(3, 'c'), (1, 'a')], 3);
    let empty = CowMap::<u8, u8>::new();
    assert_eq!(
        (empty.first(), empty.last(), empty.pop()),
        (None, None, None)
    );
    assert_eq!(empty.version(), 0);
}

#[test]
fn compute_covers_all_four_cases() {
    let m = CowMap::from([("a", 1)]);
    // Present, Some: replaces in place.
    assert_eq!(m.compute("a", |old| old.map(|n| n + 10)), Some(11));
    assert_state(&m, &[("a", 11)], 1);
    // Absent, Some: inserts at the end.
    assert_eq!(
        m.compute("b", |old| Some(old.map_or(5, |n| n + 1))),
        Some(5)
    );
    assert_state(&m, &[("a", 11), ("b", 5)], 2);
    // Absent, None: nothing to do, nothing published.
    assert_eq!(m.compute("z", |old| old.copied()), None);
    assert_state(&m, &[("a", 11), ("b", 5)], 2);
    // Present, None: removes, keeping the order of the rest.
    m.insert("c", 7);
    assert_eq!(m.compute("a", |_| None), None);
    assert_state(&m, &[("b", 5), ("c", 7)], 4);
}

#[test]
fn insert_if_absent_returns_the_existing_value_and_publishes_nothing() {
    let m = CowMap::new();
    assert_eq!(m.insert_if_absent("leader", "a"), None);
    assert_eq!(m.version(), 1);
    assert_eq!(m.insert_if_absent("leader", "b"), Some("a"));
    assert_state(&m, &[("leader", "a")], 1);
}

#[test]
fn replace_only_touches_present_keys() {
    let m = CowMap::from([(1, 'a')]);
    assert_eq!(m.replace(&2, 'b'), None);
    assert_state(&m, &[(1, 'a')], 0);
    assert_eq!(m.replace(&1, 'z'), Some('a'));
    assert_state(&m, &[(1, 'z')], 1);
}

#[test]
fn replace_if_eq_is_a_compare_and_set() {
    let m = CowMap::from([("epoch", 1), ("other", 0)]);
    assert!(!m.replace_if_eq("epoch", &2, 3), "value mismatch");
    assert!(!m.replace_if_eq("missing", &1, 3), "key absent");
    assert_state(&m, &[("epoch", 1), ("other", 0)], 0);
    assert!(m.replace_if_eq("epoch", &1, 2));
    assert_state(&m, &[("epoch", 2), ("other", 0)], 1);
}

#[test]
fn remove_if_eq_removes_only_on_a_match_and_keeps_order() {
    let m = CowMap::from([(1, "x"), (2, "owner"), (3, "y")]);
    assert!(!m.remove_if_eq(&2, &"intruder"));
    assert!(!m.remove_if_eq(&9, &"owner"));
    assert_state(&m, &[(1, "x"), (2, "owner"), (3, "y")], 0);
    assert!(m.remove_if_eq(&2, &"owner"));
    assert_state(&m, &[(1, "x"), (3, "y")], 1);
}

// ---------------------------------------------------------------------------------------
// The rest of the API
// ---------------------------------------------------------------------------------------

#[test]
fn insert_overwrites_in_place_and_appends_new_keys() {
    let m = CowMap::from([(1, 'a'), (2, 'b')]);
    assert_eq!(m.insert(1, 'z'), Some('a'));
    assert_eq!(m.insert(3, 'c'), None);
    assert_state(&m, &[(1, 'z'), (2, 'b'), (3, 'c')], 2);
}

#[test]
fn remove_preserves_order_and_absent_keys_publish_nothing() {
    let m = CowMap::from([(1, 'a'), (2, 'b'), (3, 'c')]);
    assert_eq!(m.remove(&1), Some('a'));
    assert_eq!(m.remove(&1), None);
    assert_state(&m, &[(2, 'b'), (3, 'c')], 1);
}

#[test]
fn no_op_writes_publish_nothing() {
    let m = CowMap::from([(1, 10), (2, 20)]);
    let same = m.snapshot();
    m.retain(|_, _| true);
    m.extend(iter::empty());
    assert_eq!(m.remove(&5), None);
    assert_eq!(m.replace(&5, 0), None);
    assert!(!m.replace_if_eq(&1, &11, 0));
    assert!(!m.remove_if_eq(&1, &11));
    assert_eq!(m.insert_if_absent(1, 0), Some(10));
    assert_eq!(m.compute(5, |_| None), None);
    assert!(Snapshot::ptr_eq(&same, &m.snapshot()));
    assert_state(&m, &[(1, 10), (2, 20)], 0);
    let empty = CowMap::<u8, u8>::new();
    empty.clear();
    empty.retain(|_, _| false);
    assert_state(&empty, &[], 0);
}

#[test]
fn retain_sees_keys_and_values() {
    let m = CowMap::from([(1, 10), (2, 20), (3, 30)]);
    m.retain(|k, v| *k != 2 && *v != 30);
    assert_state(&m, &[(1, 10)], 1);
}

#[test]
fn extend_overwrites_in_input_order_with_one_publish() {
    with_timeout(|| {
        let m = CowMap::from([(1, 'a')]);
        m.extend([(2, 'b'), (1, 'x'), (2, 'c')]);
        assert_state(&m, &[(1, 'x'), (2, 'c')], 1);
        // Consumed before the lock: an input that writes to the same map works.
        m.extend(iter::once_with(|| {
            m.insert(7, 'q');
            (8, 'r')
        }));
        assert_state(&m, &[(1, 'x'), (2, 'c'), (7, 'q'), (8, 'r')], 3);
    });
}

#[test]
fn borrowed_key_lookups() {
    let m = CowMap::from([(String::from("k"), 1)]);
    assert_eq!(m.get("k"), Some(1));
    assert!(m.contains_key("k"));
    assert!(!m.contains_key("x"));
    assert!(m.replace_if_eq("k", &1, 2));
    assert!(m.remove_if_eq("k", &2));
    assert_eq!(m.remove("k"), None);
    assert!(m.is_empty());
}

#[test]
fn equality_ignores_order_and_hasher() {
    let a = CowMap::from([(1, 'a'), (2, 'b')]);
    let b = CowMap::from([(2, 'b'), (1, 'a')]);
    assert!(a == b);
    let c: CowMap<i32, char, BuildHasherDefault<DefaultHasher>> =
        [(2, 'b'), (1, 'a')].into_iter().collect();
    assert!(a == c);
    assert!(a != CowMap::from([(1, 'a'), (2, 'z')]));
    assert!(a != CowMap::from([(1, 'a')]));
    assert_eq!(a.snapshot(), b.snapshot());
}

#[test]
fn store_write_update_and_try_update() {
    let m = CowMap::from([(1, 1)]);
    let previous = m.store(IndexMap::from([(2, 2)]));
    assert_eq!((previous.get(&1), previous.version()), (Some(&1), 0));
    assert_state(&m, &[(2, 2)], 1);
    m.write().insert(3, 3);
    assert_state(&m, &[(2, 2), (3, 3)], 2);
    assert_eq!(m.update(|inner| inner.insert(2, 20)), Some(2));
    assert_state(&m, &[(2, 20), (3, 3)], 3);
    let r: Result<(), ()> = m.try_update(|inner| {
        inner.clear();
        Err(())
    });
    assert!(r.is_err());
    assert_state(&m, &[(2, 20), (3, 3)], 3);
}

#[test]
fn get_mut_and_into_inner_copy_only_when_shared() {
    let t = Tracker::new();
    let mut m: CowMap<_, _> = (0..3).map(|i| (t.dummy(i), t.dummy(100 + i))).collect();
    m.get_mut().insert(t.dummy(3), t.dummy(103));
    assert_eq!(t.total_cloned(), 0);
    let snap = m.snapshot();
    m.get_mut().shift_remove_index(0);
    assert_eq!(t.total_cloned(), 8, "keys and values of 4 entries");
    assert_eq!(ids(snap.keys()), [0, 1, 2, 3]);
    let inner = m.into_inner();
    assert_eq!(t.total_cloned(), 8);
    assert_eq!(ids(inner.keys()), [1, 2, 3]);
    assert_eq!(ids(inner.values()), [101, 102, 103]);
    drop((inner, snap));
    t.assert_balanced();
}

#[test]
fn clone_is_o1_and_independent() {
    let t = Tracker::new();
    let m: CowMap<_, _> = (0..3).map(|i| (t.dummy(i), t.dummy(100 + i))).collect();
    let c = m.clone();
    assert_eq!(t.total_cloned(), 0);
    assert!(Snapshot::ptr_eq(&m.snapshot(), &c.snapshot()));
    assert_eq!(c.insert(t.dummy(3), t.dummy(103)), None);
    assert!(m.remove(&t.dummy(0)).is_some());
    assert_eq!(ids(m.read().keys()), [1, 2]);
    assert_eq!(ids(c.read().keys()), [0, 1, 2, 3]);
    drop((m, c));
    t.assert_balanced();
}

#[test]
fn constructors_conversions_and_debug() {
    let d: CowMap<u8, u8> = CowMap::default();
    assert_state(&d, &[], 0);
    let h = CowMap::with_hasher(RandomState::new());
    assert_eq!(h.insert(1, 2), None);
    assert_state(&h, &[(1, 2)], 1);
    let from_array = CowMap::from([(1, 'a'), (1, 'b')]);
    assert_state(&from_array, &[(1, 'b')], 0);
    let from_indexmap = CowMap::from(IndexMap::<u8, u8>::from([(4, 5)]));
    assert_state(&from_indexmap, &[(4, 5)], 0);
    let collected: CowMap<u8, u8> = [(5, 0), (4, 1)].into_iter().collect();
    assert_state(&collected, &[(5, 0), (4, 1)], 0);

    let mut extended = CowMap::from([(1, 'a')]);
    Extend::extend(&mut extended, [(2, 'b')]);
    assert_state(&extended, &[(1, 'a'), (2, 'b')], 1);

    let snap = extended.snapshot();
    let restored = CowMap::from(snap.clone());
    assert!(Snapshot::ptr_eq(&snap, &restored.snapshot()));
    assert_eq!(restored.version(), 1);
    assert_eq!(format!("{restored:?}"), "{1: 'a', 2: 'b'}");
    assert_eq!(restored.as_cell().version(), 1);
}
