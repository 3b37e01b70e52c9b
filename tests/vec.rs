//! `CowVec` against `Vec`: every method, its return value, its effect, and whether it
//! published a version.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::iter;
use std::sync::Arc;

use common::{catch, expect_panic, ids, scaled, with_timeout, Rng, Tracker};
use cow_collections::{CowVec, Snapshot};

/// Asserts contents and version number in one go.
#[track_caller]
fn assert_state<T: Clone + PartialEq + std::fmt::Debug>(
    v: &CowVec<T>,
    contents: &[T],
    version: u64,
) {
    assert_eq!(v.to_vec(), contents);
    assert_eq!(v.version(), version, "version");
}

// ---------------------------------------------------------------------------------------
// Model-based: random op sequences on a CowVec and a Vec
// ---------------------------------------------------------------------------------------

/// Runs an index-based write that must panic on both the model and the CowVec; checks
/// that the messages name the call, index and length, like Vec's.
#[track_caller]
fn check_index_panic<R: std::fmt::Debug>(
    call: &str,
    index: usize,
    len: usize,
    model: impl FnOnce() -> R,
    ours: impl FnOnce() -> R,
) {
    let std_message = catch(model).expect_err("the model (Vec) should panic too");
    let message = expect_panic(
        &[
            call,
            &format!("index (is {index})"),
            &format!("len (is {len})"),
        ],
        ours,
    );
    // Vec's insert/remove messages read "<what> index (is i) should be <op> len (is n)";
    // ours is "CowVec::<call>: index (is i) should be <op> len (is n)".
    if let Some(tail) = std_message.split_once(' ').map(|(_, tail)| tail) {
        if tail.starts_with("index (is") {
            assert!(
                message.ends_with(tail),
                "{message:?} vs Vec's {std_message:?}"
            );
        }
    }
}

/// One random operation, applied to both. Returns whether it must have published.
fn random_op(rng: &mut Rng, v: &CowVec<u8>, model: &mut Vec<u8>) -> bool {
    let x = rng.below(8) as u8;
    let len = model.len();
    let small: Vec<u8> = (0..rng.below(4)).map(|_| rng.below(8) as u8).collect();
    match rng.below(23) {
        0 => {
            v.push(x);
            model.push(x);
            true
        }
        1 => {
            let r = model.pop();
            assert_eq!(v.pop(), r);
            r.is_some()
        }
        2 => {
            let i = rng.below(len + 2);
            if i > len {
                let (m, c) = (model.clone(), v);
                check_index_panic(
                    "CowVec::insert",
                    i,
                    len,
                    || m.clone().insert(i, x),
                    || c.insert(i, x),
                );
                false
            } else {
                v.insert(i, x);
                model.insert(i, x);
                true
            }
        }
        3 => {
            let i = rng.below(len + 2);
            if i > len {
                let s = small.clone();
                let m = model.clone();
                check_index_panic(
                    "CowVec::insert_all",
                    i,
                    len,
                    || m.clone().splice(i..i, s.clone()).count(),
                    || {
                        v.insert_all(i, small.clone());
                        0
                    },
                );
                false
            } else {
                let publishes = !small.is_empty(); // documented: empty input publishes nothing
                v.insert_all(i, small.clone());
                model.splice(i..i, small);
                publishes
            }
        }
        4 => {
            let i = rng.below(len + 1);
            if i >= len {
                let m = model.clone();
                check_index_panic(
                    "CowVec::set",
                    i,
                    len,
                    || m.clone()[i] = x,
                    || {
                        v.set(i, x);
                    },
                );
                false
            } else {
                assert_eq!(v.set(i, x), std::mem::replace(&mut model[i], x));
                true
            }
        }
        5 => {
            let i = rng.below(len + 1);
            if i >= len {
                let m = model.clone();
                check_index_panic(
                    "CowVec::remove",
                    i,
                    len,
                    || m.clone().remove(i),
                    || v.remove(i),
                );
                false
            } else {
                assert_eq!(v.remove(i), model.remove(i));
                true
            }
        }
        6 => {
            let (m, r) = (rng.below(3) as u8 + 1, rng.below(3) as u8);
            let mut seen = Vec::new();
            v.retain(|e| {
                seen.push(*e);
                *e % m != r
            });
            assert_eq!(seen, *model, "retain visits each element once, in order");
            model.retain(|e| *e % m != r);
            model.len() != len
        }
        7 => {
            let n = rng.below(len + 2);
            v.truncate(n);
            model.truncate(n);
            n < len
        }
        8 => {
            v.sort();
            model.sort();
            true
        }
        9 => {
            v.sort_by(|a, b| b.cmp(a));
            model.sort_by(|a, b| b.cmp(a));
            true
        }
        10 => {
            v.sort_by_key(|e| *e % 3); // stable: ties keep their order
            model.sort_by_key(|e| *e % 3);
            true
        }
        11 => {
            v.extend(small.clone());
            model.extend(small.iter().copied());
            !small.is_empty()
        }
        12 => {
            v.clear();
            model.clear();
            len > 0
        }
        13 => {
            let found = model.iter().position(|e| *e == x).map(|i| model.remove(i));
            assert_eq!(v.remove_item(&x), found.is_some());
            found.is_some()
        }
        14 => {
            let absent = !model.contains(&x);
            if absent {
                model.push(x);
            }
            assert_eq!(v.push_if_absent(x), absent);
            absent
        }
        15 => {
            let mut added = 0;
            for e in &small {
                if !model.contains(e) {
                    model.push(*e);
                    added += 1;
                }
            }
            assert_eq!(v.extend_if_absent(small), added);
            added > 0
        }
        16 => {
            v.dedup();
            model.dedup();
            model.len() != len
        }
        17 => {
            let r = v.update(|inner| {
                inner.push(x);
                inner.swap_remove(0)
            });
            model.push(x);
            assert_eq!(r, model.swap_remove(0));
            true
        }
        18 => {
            let ok = rng.one_in(2);
            let r = v.try_update(|inner| {
                inner.push(x);
                if ok {
                    Ok(inner.len())
                } else {
                    Err(x)
                }
            });
            if ok {
                model.push(x);
                assert_eq!(r, Ok(model.len()));
            } else {
                assert_eq!(r, Err(x));
            }
            ok
        }
        19 => {
            let version = v.version();
            let previous = v.store(small.clone());
            assert_eq!(*previous, *model);
            assert_eq!(previous.version(), version);
            *model = small;
            true
        }
        20 => {
            let mut w = v.write();
            w.push(x);
            if rng.one_in(3) {
                w.discard();
                false
            } else {
                drop(w);
                model.push(x);
                true
            }
        }
        21 => {
            // Reads: no publish.
            let i = rng.below(len + 1);
            assert_eq!(v.get(i), model.get(i).copied());
            assert_eq!(v.first(), model.first().copied());
            assert_eq!(v.last(), model.last().copied());
            assert_eq!(v.len(), len);
            assert_eq!(v.is_empty(), model.is_empty());
            assert_eq!(v.contains(&x), model.contains(&x));
            assert_eq!(v.index_of(&x), model.iter().position(|e| *e == x));
            assert_eq!(v.last_index_of(&x), model.iter().rposition(|e| *e == x));
            assert_eq!(*v.read(), *model);
            assert_eq!(*v, model[..]);
            false
        }
        _ => {
            let mut owned = v.clone();
            owned.get_mut().push(x);
            model.push(x);
            *v.write() = owned.to_vec();
            true
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "under Miri the same operations run in tests/proptest_models.rs, with panics injected"
)]
fn random_ops_match_vec_and_snapshots_never_change() {
    let steps = scaled(3000, 150);
    for seed in 0..scaled(4, 1) as u64 {
        let mut rng = Rng::new(seed);
        let v = CowVec::new();
        let mut model: Vec<u8> = Vec::new();
        let mut version = 0;
        let mut kept: Vec<(Snapshot<Vec<u8>>, Vec<u8>, u64)> = Vec::new();
        for step in 0..steps {
            let before = v.snapshot();
            let before_model = model.clone();
            let published = random_op(&mut rng, &v, &mut model);
            version += u64::from(published);
            assert_eq!(v.to_vec(), model, "seed {seed} step {step}");
            assert_eq!(
                v.version(),
                version,
                "seed {seed} step {step}: publish count"
            );
            assert_eq!(
                *before, before_model,
                "seed {seed} step {step}: snapshot changed"
            );
            assert_eq!(before.version(), version - u64::from(published));
            if step % 50 == 0 {
                kept.push((before, before_model, version - u64::from(published)));
            }
            if model.len() > 24 {
                v.clear();
                model.clear();
                version += 1;
            }
        }
        for (snap, contents, version) in kept {
            assert_eq!(*snap, contents);
            assert_eq!(snap.version(), version);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Index-based writes: panic like Vec, change nothing
// ---------------------------------------------------------------------------------------

#[test]
#[should_panic(expected = "CowVec::insert: index (is 4) should be <= len (is 3)")]
fn insert_past_the_end_panics_with_index_and_len() {
    CowVec::from(vec![1, 2, 3]).insert(4, 0);
}

#[test]
#[should_panic(expected = "CowVec::insert_all: index (is 5) should be <= len (is 3)")]
fn insert_all_past_the_end_panics_with_index_and_len() {
    CowVec::from(vec![1, 2, 3]).insert_all(5, [0]);
}

#[test]
#[should_panic(expected = "CowVec::set: index (is 3) should be < len (is 3)")]
fn set_past_the_end_panics_with_index_and_len() {
    CowVec::from(vec![1, 2, 3]).set(3, 0);
}

#[test]
#[should_panic(expected = "CowVec::remove: index (is 0) should be < len (is 0)")]
fn remove_from_empty_panics_with_index_and_len() {
    CowVec::<u8>::new().remove(0);
}

#[test]
fn failed_index_writes_leave_contents_and_version_unchanged() {
    let v = CowVec::from(vec![1, 2, 3]);
    v.push(4); // version 1
    let before = v.snapshot();
    expect_panic(&["CowVec::insert"], || v.insert(5, 0));
    expect_panic(&["CowVec::insert_all"], || v.insert_all(9, [7, 8]));
    expect_panic(&["CowVec::set"], || v.set(4, 0));
    expect_panic(&["CowVec::remove"], || v.remove(usize::MAX));
    assert_state(&v, &[1, 2, 3, 4], 1);
    assert!(
        Snapshot::ptr_eq(&before, &v.snapshot()),
        "nothing was published"
    );
    // And the lock was released each time.
    v.push(5);
    assert_state(&v, &[1, 2, 3, 4, 5], 2);
}

// ---------------------------------------------------------------------------------------
// Writes that change nothing publish nothing
// ---------------------------------------------------------------------------------------

#[test]
fn no_op_writes_publish_nothing() {
    let v = CowVec::from(vec![1, 2, 3]);
    let same = v.snapshot();
    assert!(!v.push_if_absent(2));
    assert!(!v.remove_item(&9));
    v.retain(|_| true);
    v.truncate(3);
    v.truncate(10);
    v.extend(iter::empty());
    v.dedup();
    assert_eq!(v.extend_if_absent([3, 1, 2, 3]), 0);
    assert!(Snapshot::ptr_eq(&same, &v.snapshot()));
    assert_state(&v, &[1, 2, 3], 0);

    let empty = CowVec::<u8>::new();
    assert_eq!(empty.pop(), None);
    empty.clear();
    empty.retain(|_| false);
    empty.dedup();
    assert_eq!(empty.extend_if_absent(iter::empty()), 0);
    assert_state(&empty, &[], 0);
}

#[test]
fn changing_writes_publish_exactly_once_each() {
    let v = CowVec::from(vec![3, 1, 1, 2]);
    type Step<'a> = (&'a str, &'a dyn Fn(&CowVec<i32>));
    let steps: [Step<'_>; 8] = [
        ("dedup", &|v| v.dedup()),
        ("retain", &|v| v.retain(|x| *x != 2)),
        ("push_if_absent", &|v| assert!(v.push_if_absent(7))),
        ("extend_if_absent", &|v| {
            assert_eq!(v.extend_if_absent([7, 8, 8, 9]), 2)
        }),
        ("remove_item", &|v| assert!(v.remove_item(&8))),
        ("truncate", &|v| v.truncate(2)),
        ("extend", &|v| v.extend([0, 0])),
        ("clear", &|v| v.clear()),
    ];
    for (i, (name, step)) in steps.iter().enumerate() {
        step(&v);
        assert_eq!(v.version(), i as u64 + 1, "{name}");
    }
    assert!(v.is_empty());
}

// ---------------------------------------------------------------------------------------
// Individual methods
// ---------------------------------------------------------------------------------------

#[test]
fn extend_if_absent_skips_present_values_and_duplicates_within_the_input() {
    let v = CowVec::from(vec![1, 2]);
    assert_eq!(v.extend_if_absent([2, 3, 3, 4, 1, 4, 5]), 3);
    assert_state(&v, &[1, 2, 3, 4, 5], 1);
}

#[test]
fn remove_and_remove_item_preserve_order() {
    let v = CowVec::from(vec!['a', 'b', 'c', 'b', 'd']);
    assert_eq!(v.remove(0), 'a');
    assert!(v.remove_item(&'b'));
    assert_state(&v, &['c', 'b', 'd'], 2);
    assert_eq!(v.pop(), Some('d'));
    assert_state(&v, &['c', 'b'], 3);
}

#[test]
fn set_returns_the_old_element() {
    let v = CowVec::from(vec![String::from("a"), String::from("b")]);
    assert_eq!(v.set(0, String::from("z")), "a");
    assert_state(&v, &[String::from("z"), String::from("b")], 1);
}

#[test]
fn insert_and_insert_all_at_both_ends() {
    let v = CowVec::new();
    v.insert(0, 2);
    v.insert(0, 1);
    v.insert(2, 5);
    v.insert_all(2, [3, 4]);
    v.insert_all(0, vec![0]);
    v.insert_all(6, 6..8);
    assert_state(&v, &[0, 1, 2, 3, 4, 5, 6, 7], 6);
}

#[test]
fn sorts_are_stable_and_sort_by_uses_the_comparator() {
    let v = CowVec::from(vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')]);
    v.sort_by_key(|p| p.0);
    assert_state(&v, &[(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')], 1);
    v.sort_by(|a, b| b.1.cmp(&a.1));
    assert_state(&v, &[(1, 'd'), (2, 'c'), (1, 'b'), (2, 'a')], 2);
    v.sort();
    assert_state(&v, &[(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')], 3);
}

#[test]
fn reads_clone_single_elements() {
    let v = CowVec::from(vec!['x', 'y', 'x']);
    assert_eq!((v.get(0), v.get(3)), (Some('x'), None));
    assert_eq!((v.first(), v.last()), (Some('x'), Some('x')));
    assert_eq!(
        (v.index_of(&'x'), v.last_index_of(&'x')),
        (Some(0), Some(2))
    );
    assert_eq!(v.index_of(&'q'), None);
    assert!(v.contains(&'y') && !v.contains(&'q'));
    assert_eq!((v.len(), v.is_empty()), (3, false));
    let empty = CowVec::<char>::new();
    assert_eq!(
        (empty.first(), empty.last(), empty.get(0)),
        (None, None, None)
    );
}

#[test]
fn iterators_are_consumed_before_the_lock_is_taken() {
    with_timeout(|| {
        // An input iterator that writes to the same vector would hit the re-entrancy check
        // if it were consumed under the lock.
        let v = CowVec::from(vec![0]);
        v.extend(iter::once_with(|| {
            v.push(1);
            2
        }));
        v.insert_all(
            0,
            iter::once_with(|| {
                v.push(3);
                4
            }),
        );
        assert_eq!(
            v.extend_if_absent(iter::once_with(|| {
                v.push(5);
                6
            })),
            1
        );
        assert_state(&v, &[4, 0, 1, 2, 3, 5, 6], 6);
    });
}

#[test]
fn store_returns_the_previous_version() {
    let v = CowVec::from(vec![1]);
    v.push(2);
    let previous = v.store(vec![9]);
    assert_eq!((previous.to_vec(), previous.version()), (vec![1, 2], 1));
    assert_state(&v, &[9], 2);
}

#[test]
fn write_guard_publishes_on_drop_discard_publishes_nothing() {
    let v = CowVec::from(vec![1]);
    {
        let mut w = v.write();
        w.push(2);
        assert_state(&v, &[1], 0);
    }
    assert_state(&v, &[1, 2], 1);
    let mut w = v.write();
    w.clear();
    w.discard();
    assert_state(&v, &[1, 2], 1);
    assert!(catch(|| {
        let mut w = v.write();
        w.clear();
        panic!("abandon");
    })
    .is_err());
    assert_state(&v, &[1, 2], 1);
}

#[test]
fn get_mut_and_into_inner_copy_only_when_shared() {
    let t = Tracker::new();
    let mut v = CowVec::from(t.dummies(0..3));
    v.get_mut().push(t.dummy(3));
    assert_eq!(t.total_cloned(), 0);
    assert_eq!(v.version(), 1);
    let snap = v.snapshot();
    v.get_mut().remove(0);
    assert_eq!(t.total_cloned(), 4);
    assert_eq!(ids(snap.iter()), [0, 1, 2, 3]);
    assert_eq!(ids(v.read().iter()), [1, 2, 3]);
    assert_eq!(v.version(), 2);
    let inner = v.into_inner();
    assert_eq!(t.total_cloned(), 4, "unshared: no copy");
    assert_eq!(ids(inner.iter()), [1, 2, 3]);
    drop((inner, snap));
    t.assert_balanced();
}

#[test]
fn clone_is_o1_and_independent() {
    let t = Tracker::new();
    let v = CowVec::from(t.dummies(0..3));
    let c = v.clone();
    assert_eq!(t.total_cloned(), 0);
    assert!(Snapshot::ptr_eq(&v.snapshot(), &c.snapshot()));
    c.push(t.dummy(3));
    v.remove(0);
    assert_eq!(ids(v.read().iter()), [1, 2]);
    assert_eq!(ids(c.read().iter()), [0, 1, 2, 3]);
    assert_eq!((v.version(), c.version()), (1, 1));
    drop((v, c));
    t.assert_balanced();
}

#[test]
fn conversions_default_and_equality() {
    let a: CowVec<i32> = CowVec::default();
    assert_state(&a, &[], 0);
    let from_vec = CowVec::from(vec![1, 2]);
    let from_array = CowVec::from([1, 2]);
    let from_slice = CowVec::from(&[1, 2][..]);
    let collected: CowVec<i32> = (1..=2).collect();
    for v in [&from_vec, &from_array, &from_slice, &collected] {
        assert_state(v, &[1, 2], 0);
    }
    assert!(from_vec == from_array);
    assert!(from_vec == vec![1, 2]);
    assert!(from_vec == [1, 2][..]);
    let reversed = CowVec::from(vec![2, 1]);
    assert!(from_vec != reversed, "order matters for a vector");

    let mut extended = CowVec::from(vec![1]);
    Extend::extend(&mut extended, [2, 3]);
    assert_state(&extended, &[1, 2, 3], 1);
    Extend::extend(&mut extended, iter::empty::<i32>());
    assert_eq!(extended.version(), 1);

    extended.push(4);
    let snap = extended.snapshot();
    let restored = CowVec::from(snap.clone());
    assert!(Snapshot::ptr_eq(&snap, &restored.snapshot()));
    assert_state(&restored, &[1, 2, 3, 4], 2);
    assert_eq!(format!("{restored:?}"), "[1, 2, 3, 4]");
    assert_eq!(restored.as_cell().version(), 2);
    assert_eq!(*restored.as_cell().read(), [1, 2, 3, 4]);
}

#[test]
fn reader_follows_pushes_from_another_thread() {
    let v = Arc::new(CowVec::new());
    let writer = {
        let v = Arc::clone(&v);
        std::thread::spawn(move || {
            for i in 0..10 {
                v.push(i);
            }
        })
    };
    writer.join().unwrap();
    let mut reader = v.reader();
    let (contents, version) = reader.read_with_version();
    assert_eq!(contents.len() as u64, version);
    assert_eq!(*contents, (0..10).collect::<Vec<_>>());
}
