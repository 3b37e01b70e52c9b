//! `CowCell`, `WriteGuard`, `Snapshot`, `ReadGuard` and `Reader`: the engine and the
//! read side, including version numbers and when retired versions are freed.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::thread;

use common::{catch, ids, Tracker};
use cow_collections::{CowCell, Snapshot};

#[test]
fn new_cell_is_version_zero_everywhere() {
    let cell = CowCell::new(vec![1, 2]);
    assert_eq!(cell.version(), 0);
    assert_eq!(cell.read().version(), 0);
    assert_eq!(cell.snapshot().version(), 0);
    assert_eq!(cell.reader().read_with_version(), (&vec![1, 2], 0));
    assert_eq!(*cell.read(), [1, 2]);
}

#[test]
fn update_runs_once_publishes_once_and_returns_the_closure_result() {
    let cell = CowCell::new(vec![1, 2, 3]);
    let mut runs = 0;
    let removed = cell.update(|v| {
        runs += 1;
        v.push(4);
        v.push(5);
        v.remove(0)
    });
    assert_eq!(runs, 1);
    assert_eq!(removed, 1);
    assert_eq!(*cell.read(), [2, 3, 4, 5]);
    assert_eq!(cell.version(), 1);
}

#[test]
fn every_publishing_write_adds_one_to_the_version_and_nothing_else_does() {
    let mut cell = CowCell::new(0u32);
    let mut expected = 0;
    let mut check = |cell: &CowCell<u32>, published: bool| {
        expected += u64::from(published);
        assert_eq!(cell.version(), expected);
        assert_eq!(cell.snapshot().version(), expected);
        assert_eq!(cell.read().version(), expected);
    };
    cell.update(|v| *v += 1);
    check(&cell, true);
    let r: Result<(), ()> = cell.try_update(|v| {
        *v += 1;
        Ok(())
    });
    assert!(r.is_ok());
    check(&cell, true);
    let r: Result<(), &str> = cell.try_update(|v| {
        *v += 100;
        Err("no")
    });
    assert_eq!(r, Err("no"));
    check(&cell, false);
    drop(cell.store(10));
    check(&cell, true);
    *cell.write() += 1;
    check(&cell, true);
    let mut guard = cell.write();
    *guard += 1;
    guard.discard();
    check(&cell, false);
    *cell.get_mut() += 1;
    check(&cell, true);
    assert_eq!(*cell.read(), 12);
    // Reads publish nothing.
    let _ = cell.snapshot();
    let _ = cell.reader().read();
    check(&cell, false);
}

#[test]
fn try_update_err_publishes_nothing_not_even_a_version() {
    let cell = CowCell::new(vec![1]);
    let before = cell.snapshot();
    let r: Result<u8, String> = cell.try_update(|v| {
        v.clear();
        v.push(99);
        Err("refused".to_owned())
    });
    assert_eq!(r.unwrap_err(), "refused");
    assert_eq!(*cell.read(), [1]);
    assert_eq!(cell.version(), 0);
    assert!(Snapshot::ptr_eq(&before, &cell.snapshot()));
    let r: Result<u8, String> = cell.try_update(|v| {
        v.push(2);
        Ok(7)
    });
    assert_eq!(r, Ok(7));
    assert_eq!(*cell.read(), [1, 2]);
    assert_eq!(cell.version(), 1);
}

#[test]
fn store_returns_the_previous_version_without_cloning() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..3));
    cell.update(|v| v.truncate(2)); // version 1: [0, 1]
    cell.reclaim(); // frees version 0
    let clones = t.total_cloned();
    let previous = cell.store(t.dummies(10..12));
    assert_eq!(t.total_cloned(), clones, "store must not clone");
    assert_eq!(ids(previous.iter()), [0, 1]);
    assert_eq!(previous.version(), 1);
    assert_eq!(ids(cell.read().iter()), [10, 11]);
    assert_eq!(cell.version(), 2);
    // The caller holds the previous version: its elements live at least until it goes,
    // and dropping it leaves the freeing to the writer.
    assert_eq!(t.alive(0), 1);
    drop(previous);
    assert_eq!(
        t.alive(0),
        1,
        "a reader's drop never frees a retired version"
    );
    cell.reclaim();
    assert_eq!(t.alive(0), 0);
    drop(cell);
    t.assert_balanced();
}

#[test]
fn write_guard_publishes_when_dropped_and_not_before() {
    let cell = CowCell::new(vec![1]);
    let before = cell.snapshot();
    {
        let mut w = cell.write();
        assert_eq!(w.version(), 1);
        assert_eq!(*w, [1]);
        w.push(2);
        w.push(3);
        assert_eq!(*cell.read(), [1], "not visible before the guard drops");
        assert_eq!(cell.version(), 0);
    }
    assert_eq!(*cell.read(), [1, 2, 3]);
    assert_eq!(cell.version(), 1);
    assert_eq!(*before, [1]);
    let debug = format!("{:?}", cell.write());
    assert!(
        debug.contains("version: 2") && debug.contains("[1, 2, 3]"),
        "{debug}"
    );
    assert_eq!(
        cell.version(),
        2,
        "a guard dropped unchanged still publishes"
    );
}

#[test]
fn write_guard_discard_publishes_nothing_and_releases_the_lock() {
    let cell = CowCell::new(vec![1]);
    let mut w = cell.write();
    w.clear();
    w.discard();
    assert_eq!(*cell.read(), [1]);
    assert_eq!(cell.version(), 0);
    cell.update(|v| v.push(2));
    assert_eq!(*cell.read(), [1, 2]);
}

#[test]
fn write_guard_dropped_by_a_panic_publishes_nothing() {
    let cell = CowCell::new(vec![1]);
    let message = catch(|| {
        let mut w = cell.write();
        w.push(2);
        panic!("boom while writing");
    })
    .unwrap_err();
    assert!(message.contains("boom while writing"));
    assert_eq!(*cell.read(), [1]);
    assert_eq!(cell.version(), 0);
    // The lock was released by the unwinding guard.
    cell.update(|v| v.push(3));
    assert_eq!(*cell.read(), [1, 3]);
}

#[test]
fn write_guard_created_during_unwinding_still_publishes_when_dropped_normally() {
    // A guard taken inside a destructor that runs during a panic must not mistake that
    // panic for its own: it publishes when its scope ends normally.
    struct WritesOnDrop<'a>(&'a CowCell<Vec<u32>>);
    impl Drop for WritesOnDrop<'_> {
        fn drop(&mut self) {
            let mut w = self.0.write();
            w.push(7);
        }
    }
    let cell = CowCell::new(vec![]);
    let r = catch(|| {
        let _writer = WritesOnDrop(&cell);
        panic!("outer panic");
    });
    assert!(r.is_err());
    assert_eq!(*cell.read(), [7]);
    assert_eq!(cell.version(), 1);
}

#[test]
fn get_mut_without_sharing_does_not_clone() {
    let t = Tracker::new();
    let mut cell = CowCell::new(t.dummies(0..4));
    cell.get_mut().push(t.dummy(4));
    assert_eq!(t.total_cloned(), 0, "get_mut copied an unshared value");
    assert_eq!(ids(cell.read().iter()), [0, 1, 2, 3, 4]);
    assert_eq!(cell.version(), 1);
    // A snapshot taken and dropped again leaves the value unshared.
    drop(cell.snapshot());
    cell.get_mut().pop();
    assert_eq!(t.total_cloned(), 0);
    assert_eq!(cell.version(), 2);
    assert_eq!(t.alive(4), 0);
    drop(cell);
    t.assert_balanced();
}

#[test]
fn get_mut_with_a_live_snapshot_copies_and_leaves_the_snapshot_alone() {
    let t = Tracker::new();
    let mut cell = CowCell::new(t.dummies(0..4));
    let snap = cell.snapshot();
    cell.get_mut().retain(|d| d.id() % 2 == 0);
    assert_eq!(t.total_cloned(), 4, "one copy of the shared value");
    assert_eq!(ids(snap.iter()), [0, 1, 2, 3]);
    assert_eq!(snap.version(), 0);
    assert_eq!(ids(cell.read().iter()), [0, 2]);
    assert_eq!(cell.version(), 1);
    // The copy is now private: a second get_mut clones nothing.
    cell.get_mut().push(t.dummy(9));
    assert_eq!(t.total_cloned(), 4);
    assert_eq!(cell.version(), 2);
    drop(snap);
    drop(cell);
    t.assert_balanced();
}

#[test]
fn get_mut_on_a_cloned_cell_leaves_the_clone_alone() {
    let mut cell = CowCell::new(vec![1, 2]);
    let other = cell.clone();
    cell.get_mut().push(3);
    assert_eq!(*cell.read(), [1, 2, 3]);
    assert_eq!(*other.read(), [1, 2]);
    assert_eq!(other.version(), 0);
}

#[test]
fn into_inner_clones_only_when_a_snapshot_shares_the_value() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..3));
    let value = cell.into_inner();
    assert_eq!(ids(value.iter()), [0, 1, 2]);
    assert_eq!(t.total_cloned(), 0);

    let cell = CowCell::new(value);
    let snap = cell.snapshot();
    let value = cell.into_inner();
    assert_eq!(t.total_cloned(), 3);
    assert_eq!(ids(value.iter()), [0, 1, 2]);
    assert_eq!(ids(snap.iter()), [0, 1, 2]);
    drop((value, snap));
    t.assert_balanced();
}

#[test]
fn clone_is_o1_and_independent() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..3));
    cell.update(|v| v.push(t.dummy(3)));
    let clones = t.total_cloned();
    let copy = cell.clone();
    assert_eq!(t.total_cloned(), clones, "Clone must not copy elements");
    assert!(Snapshot::ptr_eq(&cell.snapshot(), &copy.snapshot()));
    assert_eq!(copy.version(), cell.version());

    copy.update(|v| v.clear());
    assert_eq!(ids(cell.read().iter()), [0, 1, 2, 3]);
    assert_eq!(cell.version(), 1);
    assert!(copy.read().is_empty());
    assert_eq!(copy.version(), 2);

    cell.update(|v| v.truncate(1));
    assert!(copy.read().is_empty());
    assert_eq!(copy.version(), 2);
    drop((cell, copy));
    t.assert_balanced();
}

#[test]
fn from_value_default_and_from_snapshot() {
    let cell: CowCell<Vec<u8>> = CowCell::default();
    assert!(cell.read().is_empty());
    assert_eq!(cell.version(), 0);

    let cell = CowCell::from(String::from("x"));
    assert_eq!(*cell.read(), "x");
    cell.update(|s| s.push('y'));
    let snap = cell.snapshot();
    let restored = CowCell::from(snap.clone());
    assert!(Snapshot::ptr_eq(&snap, &restored.snapshot()), "no copy");
    assert_eq!(restored.version(), 1, "keeps the snapshot's version number");
    restored.update(|s| s.push('z'));
    assert_eq!(*restored.read(), "xyz");
    assert_eq!(*cell.read(), "xy");
    assert_eq!(*snap, "xy");
}

#[test]
fn debug_shows_the_version_and_the_value() {
    let cell = CowCell::new(vec![1, 2]);
    cell.update(|v| v.push(3));
    assert_eq!(
        format!("{cell:?}"),
        "CowCell { version: 1, value: [1, 2, 3] }"
    );
    assert_eq!(
        format!("{:?}", cell.snapshot()),
        "Snapshot { version: 1, value: [1, 2, 3] }"
    );
    assert_eq!(
        format!("{:?}", cell.read()),
        "ReadGuard { version: 1, value: [1, 2, 3] }"
    );
    assert!(format!("{:?}", cell.reader()).starts_with("Reader"));
}

#[test]
fn snapshots_never_change_whatever_is_written_afterwards() {
    let mut cell = CowCell::new(BTreeMap::from([(0u8, 0u32)]));
    type Kept = (Snapshot<BTreeMap<u8, u32>>, BTreeMap<u8, u32>);
    let mut kept: Vec<Kept> = Vec::new();
    let mut keep = |cell: &CowCell<BTreeMap<u8, u32>>| {
        let snap = cell.snapshot();
        let expected = (*snap).clone();
        kept.push((snap, expected));
    };
    keep(&cell);
    cell.update(|m| {
        m.insert(1, 1);
    });
    keep(&cell);
    let _ = cell.try_update(|m| {
        m.clear();
        Err::<(), ()>(())
    });
    keep(&cell);
    cell.try_update(|m| m.insert(2, 2).ok_or(())).unwrap_err();
    keep(&cell);
    drop(cell.store(BTreeMap::new()));
    keep(&cell);
    cell.write().insert(3, 3);
    keep(&cell);
    cell.get_mut().insert(4, 4); // copies: a snapshot is alive
    keep(&cell);
    cell.update(|m| m.retain(|k, _| *k == 4));
    for (i, (snap, expected)) in kept.iter().enumerate() {
        assert_eq!(**snap, *expected, "snapshot #{i} changed");
    }
    let versions: Vec<u64> = kept.iter().map(|(s, _)| s.version()).collect();
    assert_eq!(versions, [0, 1, 1, 1, 2, 3, 4]);
}

#[test]
fn snapshot_comparisons_hash_and_display_forward_to_the_value() {
    let a = CowCell::new(1);
    let b = CowCell::new(2);
    b.store(1); // equal value, different version and allocation
    let (sa, sb) = (a.snapshot(), b.snapshot());
    assert_ne!(sa.version(), sb.version());
    assert!(!Snapshot::ptr_eq(&sa, &sb));
    assert_eq!(sa, sb, "equality ignores the version");
    let state = RandomState::new();
    assert_eq!(state.hash_one(&sa), state.hash_one(1));
    assert_eq!(state.hash_one(&sa), state.hash_one(&sb));
    b.store(5);
    let s5 = b.snapshot();
    assert!(sa < s5);
    assert_eq!(sa.cmp(&s5), 1.cmp(&5));
    assert_eq!(sa.partial_cmp(&s5), Some(std::cmp::Ordering::Less));
    assert_eq!(format!("{s5}"), "5");
    assert_eq!(
        format!("{:>3}", s5),
        "  5",
        "Display forwards the formatter"
    );
    let r: &i32 = sa.as_ref();
    assert_eq!(*r, 1);
    let r: &i32 = sa.borrow();
    assert_eq!(*r, 1);
}

#[test]
fn snapshot_eq_forwards_even_for_a_value_not_equal_to_itself() {
    // Regression: `Snapshot::eq` short-circuited on `ptr_eq`, so a NaN snapshot was
    // equal to itself while `partial_cmp` said the two were unordered.
    let cell = CowCell::new(f64::NAN);
    let (a, b) = (cell.snapshot(), cell.snapshot());
    assert!(Snapshot::ptr_eq(&a, &b));
    assert_eq!(a == b, *a == *b);
    assert_eq!(a.partial_cmp(&b), None);
    assert!(a != b);
}

#[test]
fn snapshot_clone_is_o1_and_into_inner_clones_only_when_shared() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..3));
    let snap = cell.snapshot();
    let again = snap.clone();
    assert!(Snapshot::ptr_eq(&snap, &again));
    assert_eq!(t.total_cloned(), 0);
    // Shared by `again` and the cell: clones.
    let owned = snap.into_inner();
    assert_eq!(t.total_cloned(), 3);
    assert_eq!(ids(owned.iter()), [0, 1, 2]);
    drop(cell);
    // `again` is now the only reference: no clone.
    let owned2 = again.into_inner();
    assert_eq!(t.total_cloned(), 3);
    assert_eq!(ids(owned2.iter()), [0, 1, 2]);
    drop((owned, owned2));
    t.assert_balanced();
}

#[test]
fn snapshot_and_read_guard_iterate_by_reference() {
    let cell = CowCell::new(vec![1, 2, 3]);
    let snap = cell.snapshot();
    let mut sum = 0;
    for x in &snap {
        sum += x;
    }
    let guard = cell.read();
    for x in &guard {
        sum += x;
    }
    assert_eq!(sum, 12);
}

#[test]
fn snapshot_moves_to_another_thread_and_outlives_the_cell() {
    let cell = CowCell::new(vec![String::from("a")]);
    let snap = cell.snapshot();
    drop(cell);
    let len = thread::spawn(move || snap.len() + snap[0].len())
        .join()
        .unwrap();
    assert_eq!(len, 2);
}

#[test]
fn read_guard_keeps_showing_its_version_and_converts_to_a_snapshot() {
    let cell = CowCell::new(vec![1]);
    let guard = cell.read();
    cell.update(|v| v.push(2));
    assert_eq!(*guard, [1]);
    assert_eq!(guard.version(), 0);
    let snap = guard.to_snapshot();
    assert_eq!(snap.version(), 0);
    assert_eq!(*snap, [1]);
    drop(guard);
    assert!(Snapshot::ptr_eq(
        &cell.read().to_snapshot(),
        &cell.snapshot()
    ));
    assert_eq!(*snap, [1]);
}

#[test]
fn reader_sees_every_new_version_with_a_consistent_number() {
    let cell = CowCell::new(0u64);
    let mut reader = cell.reader();
    for i in 1..=5u64 {
        assert_eq!(*reader.read(), i - 1);
        cell.update(|v| *v += 1);
        let (value, version) = reader.read_with_version();
        assert_eq!((*value, version), (i, i));
        assert_eq!(version, cell.version());
    }
    let snap = reader.snapshot();
    assert_eq!((*snap, snap.version()), (5, 5));
    cell.store(100);
    assert_eq!(*snap, 5);
    assert_eq!(reader.read_with_version(), (&100, 6));
}

#[test]
fn retired_version_is_freed_by_the_writer_after_its_last_snapshot_drops() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..3));
    let s1 = cell.snapshot();
    let s2 = s1.clone();
    cell.update(|v| v.clear()); // clones and drops 3 copies under the lock
    assert_eq!(
        t.total_alive(),
        3,
        "only the retired version's elements remain"
    );
    assert_eq!(
        cell.reclaim().alive,
        1,
        "s1 and s2 hold the retired version"
    );
    assert_eq!(t.total_alive(), 3);
    drop(s1);
    assert_eq!(
        cell.reclaim().alive,
        1,
        "s2 still holds the retired version"
    );
    assert_eq!(t.total_alive(), 3);
    drop(s2);
    assert_eq!(
        t.total_alive(),
        3,
        "the last snapshot's drop leaves it to a writer"
    );
    assert_eq!(cell.reclaim().alive, 0);
    assert_eq!(
        t.total_alive(),
        0,
        "freed by the writer once nobody holds it"
    );
    drop(cell);
    t.assert_balanced();
}

#[test]
fn retired_version_without_readers_is_freed_by_a_write() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..3));
    drop(cell.store(t.dummies(3..5)));
    cell.reclaim();
    assert_eq!(t.total_alive(), 2);
    cell.update(|v| v.pop());
    cell.reclaim();
    assert_eq!(t.total_alive(), 1);
    for id in 0..5 {
        let c = t.counts(id);
        assert!(c.alive() == usize::from(id == 3), "#{id}: {c:?}");
    }
    drop(cell);
    t.assert_balanced();
}

#[test]
fn read_guard_pins_its_version_until_dropped() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..2));
    let guard = cell.read();
    drop(cell.store(Vec::new()));
    assert_eq!(cell.reclaim().alive, 1, "the guard's hazard slot holds it");
    assert_eq!(t.total_alive(), 2, "the guard holds the retired version");
    assert_eq!(ids(guard.iter()), [0, 1]);
    drop(guard);
    assert_eq!(t.total_alive(), 2, "dropping the guard does not free it");
    cell.reclaim();
    assert_eq!(t.total_alive(), 0);
    drop(cell);
    t.assert_balanced();
}

#[test]
fn reader_pins_its_last_version_until_the_next_read() {
    let t = Tracker::new();
    let cell = CowCell::new(t.dummies(0..2));
    let mut reader = cell.reader();
    assert_eq!(reader.read().len(), 2);
    drop(cell.store(t.dummies(2..3)));
    assert_eq!(
        t.alive(0) + t.alive(1),
        2,
        "the reader pins the old version"
    );
    assert_eq!(ids(reader.read().iter()), [2]);
    assert_eq!(
        t.alive(0) + t.alive(1),
        2,
        "released by the next read(), not freed"
    );
    cell.reclaim();
    assert_eq!(t.alive(0) + t.alive(1), 0, "freed by the writer");
    drop(cell.store(Vec::new()));
    assert_eq!(t.alive(2), 1);
    drop(reader);
    cell.reclaim();
    assert_eq!(t.alive(2), 0, "released when the reader drops");
    drop(cell);
    t.assert_balanced();
}

#[test]
fn cell_is_shared_across_threads_behind_an_arc() {
    let cell = Arc::new(CowCell::new(Vec::<usize>::new()));
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let cell = Arc::clone(&cell);
            thread::spawn(move || cell.update(|v| v.push(i)))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut seen = cell.read().clone();
    seen.sort_unstable();
    assert_eq!(seen, [0, 1]);
    assert_eq!(cell.version(), 2);
}

/// `get_mut` copies a shared version and retires the old one; a scan may then free an
/// earlier retired version right there. If that destructor panics, the panic comes
/// after the copy is in place: the contents and the version number are the previous
/// ones and the cell keeps taking writes (found by the fuzz targets).
#[test]
fn get_mut_whose_freed_retired_version_panics_in_drop_loses_nothing() {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicU32, Ordering};

    static ARMED: AtomicU32 = AtomicU32::new(u32::MAX);

    #[derive(Clone, Debug, PartialEq)]
    struct Bomb(u32);
    impl Drop for Bomb {
        fn drop(&mut self) {
            if ARMED.load(Ordering::Relaxed) == self.0 && !std::thread::panicking() {
                ARMED.store(u32::MAX, Ordering::Relaxed);
                panic!("Bomb({}) dropped", self.0);
            }
        }
    }

    let mut cell = CowCell::new(vec![Bomb(0)]);
    let held = cell.snapshot();
    drop(cell.store(vec![Bomb(1)]));
    drop(held); // version 0 stays retired, owned by the cell, until a scan frees it
    let shared = cell.snapshot(); // makes `get_mut` copy version 1
    ARMED.store(0, Ordering::Relaxed);
    let result = catch_unwind(AssertUnwindSafe(|| {
        cell.get_mut().push(Bomb(2));
    }));
    assert!(
        result.is_err(),
        "freeing version 0 inside get_mut should have panicked"
    );
    assert_eq!(
        ARMED.load(Ordering::Relaxed),
        u32::MAX,
        "Bomb(0) was dropped"
    );
    assert_eq!(*cell.read(), [Bomb(1)]);
    assert_eq!(cell.version(), 1);
    assert_eq!(*shared, [Bomb(1)]);
    cell.get_mut().push(Bomb(3));
    assert_eq!(*cell.read(), [Bomb(1), Bomb(3)]);
    assert_eq!(cell.version(), 2);
    drop(shared);
    assert_eq!(cell.reclaim().alive, 0);
}
