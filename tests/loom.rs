//! loom models of the engine (`RUSTFLAGS="--cfg loom"`, run by `ci/loom.sh`).
//!
//! Under `cfg(loom)` the crate's private `engine/sync.rs` takes atomics, fences,
//! thread-locals and the hazard domain's `static` from loom and swaps parking_lot's mutex
//! for loom's; everything else is the code that ships: the hazard slots, the versions'
//! reference counts, the publication cell and its retired list, `update`, `try_update`,
//! `store`, the write guard, `get_mut`'s uniqueness check, the `Reader` refresh, version
//! numbering, the re-entrancy token and check, the waiting protocol, the conditional
//! operations. Each model has at most 4 threads (the model's main thread included) and
//! checks, besides its own assertions:
//!
//! * loom's leak check: every version (each carries a `loom::alloc::Track`) and every
//!   `loom::sync::Arc` is freed by the end;
//! * [`Drops`] or [`Registry`]: every element ever created (and every clone) has been
//!   dropped, once, never while a reader held it, and (model 19) never on a reader's
//!   thread;
//! * in the `get_mut` models, loom's race detector over [`Slot`]'s `UnsafeCell`.
//!
//! Preemption bound: each model names its own, 3 where it finishes quickly and 2 (or 1)
//! otherwise. `LOOM_MAX_PREEMPTIONS` in the environment overrides it for all.
#![cfg(loom)]

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering as StdOrdering};
use std::sync::Once;

use cow_collections::{CowCell, CowMap, CowSet, CowVec};
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::Arc;
use loom::thread;

/// Runs `f` under loom with `bound` preemptions unless `LOOM_MAX_PREEMPTIONS` is set,
/// and reports how many executions loom explored (shown with `--nocapture`).
fn model(bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(bound);
    }
    let bound = builder.preemption_bound;
    let executions = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&executions);
    builder.check(move || {
        counter.fetch_add(1, StdOrdering::Relaxed);
        f();
    });
    let name = std::thread::current().name().unwrap_or("model").to_owned();
    println!(
        "{name}: {} executions, preemption bound {bound:?}",
        executions.load(StdOrdering::Relaxed)
    );
}

/// Counts live [`Item`]s of one model iteration: +1 per creation or clone, -1 per drop.
/// A plain std atomic: loom runs all model threads on one OS thread, and this counter
/// only checks the end state, it takes no part in the synchronization being checked.
#[derive(Clone, Default)]
struct Drops(std::sync::Arc<AtomicIsize>);

impl Drops {
    fn item(&self, value: u8) -> Item {
        self.0.fetch_add(1, StdOrdering::Relaxed);
        Item {
            value,
            drops: self.clone(),
        }
    }

    fn items(&self, values: &[u8]) -> Vec<Item> {
        values.iter().map(|&v| self.item(v)).collect()
    }

    /// Elements created (or cloned) and not yet dropped.
    fn live(&self) -> isize {
        self.0.load(StdOrdering::Relaxed)
    }

    #[track_caller]
    fn assert_all_dropped(&self) {
        assert_eq!(self.live(), 0, "elements leaked");
    }
}

/// An element that reports its clones and drops to a [`Drops`].
struct Item {
    value: u8,
    drops: Drops,
}

impl Clone for Item {
    fn clone(&self) -> Self {
        self.drops.item(self.value)
    }
}

impl Drop for Item {
    fn drop(&mut self) {
        self.drops.0.fetch_sub(1, StdOrdering::Relaxed);
    }
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

fn values(items: &[Item]) -> Vec<u8> {
    items.iter().map(|i| i.value).collect()
}

/// Model 1: two writers `push` while a reader reads. The reader sees 0, 1 or 2 of
/// the pushed elements, matching the version number; the end state has both.
#[test]
fn concurrent_pushes_and_a_reader() {
    model(3, || {
        let drops = Drops::default();
        let list = Arc::new(CowVec::new());
        let writers: Vec<_> = [1, 2]
            .map(|v| {
                let (list, item) = (Arc::clone(&list), drops.item(v));
                thread::spawn(move || list.push(item))
            })
            .into();

        let seen = list.read();
        let contents = values(&seen);
        match seen.version() {
            0 => assert!(contents.is_empty()),
            1 => assert!(contents == [1] || contents == [2], "{contents:?}"),
            2 => assert!(contents == [1, 2] || contents == [2, 1], "{contents:?}"),
            v => panic!("version {v} after two pushes"),
        }
        drop(seen);

        for w in writers {
            w.join().unwrap();
        }
        let end = list.snapshot();
        assert_eq!(end.version(), 2);
        assert_eq!(list.reclaim().alive, 0, "a retired version is still held");
        assert_eq!(drops.live(), 2, "a retired version was not freed");
        let mut end_values = values(&end);
        end_values.sort_unstable();
        assert_eq!(end_values, [1, 2]);
        drop(end);
        drop(list);
        drops.assert_all_dropped();
    });
}

/// Model 2: a write changing three elements and adding a fourth is seen all or nothing
/// by a concurrent `read()` and a concurrent `snapshot()`; `through_guard` makes the
/// same changes through a `WriteGuard` (several `DerefMut`s) instead of `update`.
fn all_or_nothing(through_guard: bool) {
    let drops = Drops::default();
    let list = Arc::new(CowVec::from(drops.items(&[0, 0, 0])));
    let writer = {
        let list = Arc::clone(&list);
        thread::spawn(move || {
            let change = |v: &mut Vec<Item>| {
                for item in v.iter_mut() {
                    item.value = 7;
                }
                v.push(v[0].clone());
            };
            if through_guard {
                let mut guard = list.write();
                guard.iter_mut().for_each(|item| item.value = 7);
                let first = guard[0].clone();
                guard.push(first);
            } else {
                list.update(change);
            }
        })
    };
    let check = |version: u64, contents: Vec<u8>| match version {
        0 => assert_eq!(contents, [0, 0, 0]),
        1 => assert_eq!(contents, [7, 7, 7, 7]),
        v => panic!("version {v}: {contents:?}"),
    };
    let snapshotter = {
        let list = Arc::clone(&list);
        thread::spawn(move || {
            let snap = list.snapshot();
            check(snap.version(), values(&snap));
        })
    };
    let read = list.read();
    check(read.version(), values(&read));
    drop(read);
    writer.join().unwrap();
    snapshotter.join().unwrap();
    check(list.version(), values(&list.read()));
    assert_eq!(list.version(), 1);
    assert_eq!(list.reclaim().alive, 0, "a retired version is still held");
    assert_eq!(drops.live(), 4, "a retired version was not freed");
    drop(list);
    drops.assert_all_dropped();
}

#[test]
fn update_is_all_or_nothing() {
    model(3, || all_or_nothing(false));
}

#[test]
fn write_guard_is_all_or_nothing() {
    model(3, || all_or_nothing(true));
}

/// Model 3: a snapshot taken before a write is unchanged after it, whichever way a
/// concurrent write guard and `update` interleave; `get_mut` afterwards copies only
/// while that snapshot shares the version.
#[test]
fn snapshot_is_unchanged_by_later_writes() {
    model(3, || {
        let drops = Drops::default();
        let list = Arc::new(CowVec::from(drops.items(&[1])));
        let before = list.snapshot();
        let writers: Vec<_> = [2, 3]
            .map(|v| {
                let (list, item) = (Arc::clone(&list), drops.item(v));
                thread::spawn(move || {
                    if v == 2 {
                        list.write().push(item);
                    } else {
                        list.update(|l| l[0] = item);
                    }
                })
            })
            .into();
        assert_eq!(values(&before), [1]);
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(values(&before), [1]);
        assert_eq!(before.version(), 0);
        assert_eq!(list.version(), 2);

        // `get_mut` with and without sharing.
        let mut list = Arc::try_unwrap(list).expect("writers are gone");
        let shared = list.snapshot();
        list.get_mut()[0].value = 9;
        assert_eq!(values(&shared), [3, 2]); // both serial orders end there
        let ptr = list.read().as_ptr();
        list.get_mut()[0].value = 8; // unshared: in place, no copy
        assert_eq!(list.read().as_ptr(), ptr);
        assert_eq!(list.version(), 4);
        assert_eq!(values(&list.read())[0], 8);
        drop((before, shared, list));
        drops.assert_all_dropped();
    });
}

/// Model 4: a `Reader` that cached the old version sees the new one once the writer's
/// publish happens-before its `read()` (through a release/acquire flag or a join).
#[test]
fn reader_sees_publish_that_happens_before() {
    model(3, || {
        let cell = Arc::new(CowCell::new(0u32));
        let published = Arc::new(AtomicBool::new(false));
        let mut reader = cell.reader();
        assert_eq!(reader.read_with_version(), (&0, 0)); // caches version 0
        let writer = {
            let (cell, published) = (Arc::clone(&cell), Arc::clone(&published));
            thread::spawn(move || {
                cell.store(1);
                published.store(true, Ordering::Release);
            })
        };
        if published.load(Ordering::Acquire) {
            assert_eq!(reader.read_with_version(), (&1, 1));
        }
        writer.join().unwrap();
        assert_eq!(reader.read_with_version(), (&1, 1));
    });
}

/// Model 5: the versions one reader sees never decrease and always match their
/// contents (each write adds one, so the value equals the version number).
#[test]
fn versions_are_monotonic_and_match_contents() {
    model(2, || {
        let cell = Arc::new(CowCell::new(0u64));
        let writers: Vec<_> = (0..2)
            .map(|i| {
                let cell = Arc::clone(&cell);
                thread::spawn(move || {
                    if i == 0 {
                        cell.update(|v| *v += 1);
                    } else {
                        let mut w = cell.write();
                        *w += 1;
                        assert_eq!(w.version(), *w);
                    }
                })
            })
            .collect();
        let mut reader = cell.reader();
        let mut last = 0;
        for _ in 0..2 {
            let (&value, version) = reader.read_with_version();
            assert_eq!(value, version);
            assert!(version >= last, "version went from {last} to {version}");
            last = version;
            let guard = cell.read();
            assert_eq!(*guard, guard.version());
            assert!(guard.version() >= last);
            last = guard.version();
        }
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(reader.read_with_version(), (&2, 2));
    });
}

/// Model 6: a `try_update` that returns `Err` publishes nothing, concurrently with
/// readers (a `read()` and a `Reader`), and its discarded copy is dropped.
#[test]
fn failed_try_update_publishes_nothing() {
    model(3, || {
        let drops = Drops::default();
        let list = Arc::new(CowVec::from(drops.items(&[1, 2])));
        let writer = {
            let (list, item) = (Arc::clone(&list), drops.item(3));
            thread::spawn(move || {
                let r: Result<(), &str> = list.try_update(|v| {
                    v.push(item);
                    v.remove(0);
                    Err("no")
                });
                assert_eq!(r, Err("no"));
            })
        };
        let reader = {
            let list = Arc::clone(&list);
            thread::spawn(move || {
                let mut reader = list.reader();
                assert_eq!(values(reader.read()), [1, 2]);
                assert_eq!(reader.read_with_version().1, 0);
            })
        };
        let read = list.read();
        assert_eq!((values(&read), read.version()), (vec![1, 2], 0));
        drop(read);
        writer.join().unwrap();
        reader.join().unwrap();
        assert_eq!((values(&list.read()), list.version()), (vec![1, 2], 0));
        drop(list);
        drops.assert_all_dropped();
    });
}

/// Model 7a: `insert_if_absent` racing on one key: exactly one caller wins, the other
/// gets the winner's value; a concurrent reader sees no entry or the winner's.
#[test]
fn insert_if_absent_has_one_winner() {
    model(3, || {
        let map = Arc::new(CowMap::new());
        let racers: Vec<_> = ['a', 'b']
            .map(|v| {
                let map = Arc::clone(&map);
                thread::spawn(move || (v, map.insert_if_absent(1u8, v)))
            })
            .into();
        let seen = map.get(&1);
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let winners: Vec<char> = results
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|&(v, _)| v)
            .collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        let winner = winners[0];
        for &(v, r) in &results {
            if v != winner {
                assert_eq!(r, Some(winner));
            }
        }
        assert!(seen.is_none() || seen == Some(winner));
        assert_eq!(
            (map.get(&1), map.len(), map.version()),
            (Some(winner), 1, 1)
        );
    });
}

/// Model 7b: `replace_if_eq` is a compare-and-set: of two racers expecting the same
/// old value exactly one succeeds, and a third expecting the winner's value succeeds
/// only if it came after the winner.
#[test]
fn replace_if_eq_is_compare_and_set() {
    model(3, || {
        let map = Arc::new(CowMap::from([(1u8, 0u8)]));
        let racers: Vec<_> = [1, 2]
            .map(|v| {
                let map = Arc::clone(&map);
                thread::spawn(move || (v, map.replace_if_eq(&1, &0, v)))
            })
            .into();
        let follower = {
            let map = Arc::clone(&map);
            // Succeeds iff racer 1 won and published before this runs.
            thread::spawn(move || map.replace_if_eq(&1, &1, 10))
        };
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let followed = follower.join().unwrap();
        let winners: Vec<u8> = results.iter().filter(|r| r.1).map(|r| r.0).collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        let expected = if followed {
            assert_eq!(winners[0], 1);
            10
        } else {
            winners[0]
        };
        assert_eq!(map.get(&1), Some(expected));
        assert_eq!(map.version(), 1 + u64::from(followed));
    });
}

/// Model 7c: `CowSet::insert` and `CowVec::push_if_absent` racing with the same value:
/// exactly one of each pair inserts.
#[test]
fn set_insert_and_push_if_absent_have_one_winner() {
    model(3, || {
        let set = Arc::new(CowSet::new());
        let list = Arc::new(CowVec::new());
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let (set, list) = (Arc::clone(&set), Arc::clone(&list));
                thread::spawn(move || (set.insert(5u8), list.push_if_absent(5u8)))
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        assert_eq!(results.iter().filter(|r| r.0).count(), 1, "{results:?}");
        assert_eq!(results.iter().filter(|r| r.1).count(), 1, "{results:?}");
        assert_eq!((set.len(), set.version()), (1, 1));
        assert_eq!((list.to_vec(), list.version()), (vec![5], 1));
    });
}

/// Model 8: `store` racing `update`: the end state and the value `store` replaced are
/// those of one of the two serial orders.
#[test]
fn store_racing_update_is_serializable() {
    model(3, || {
        let drops = Drops::default();
        let list = Arc::new(CowVec::from(drops.items(&[1])));
        let storer = {
            let (list, new) = (Arc::clone(&list), drops.items(&[9]));
            thread::spawn(move || {
                let replaced = list.store(new);
                (values(&replaced), replaced.version())
            })
        };
        let updater = {
            let (list, item) = (Arc::clone(&list), drops.item(2));
            thread::spawn(move || list.update(|v| v.push(item)))
        };
        let replaced = storer.join().unwrap();
        updater.join().unwrap();
        let end = values(&list.read());
        match replaced {
            // store first, then update
            (r, 0) if r == [1] => assert_eq!(end, [9, 2]),
            // update first, then store
            (r, 1) if r == [1, 2] => assert_eq!(end, [9]),
            other => panic!("store replaced {other:?}, end state {end:?}"),
        }
        assert_eq!(list.reclaim().alive, 0, "a retired version is still held");
        assert_eq!(
            drops.live(),
            end.len() as isize,
            "a retired version was not freed"
        );
        assert_eq!(list.version(), 2);
        drop(list);
        drops.assert_all_dropped();
    });
}

/// Model 9: retired versions are freed. A writer retires two versions while a reader
/// holds a `Reader` (which keeps its last version until its next `read()`) and a
/// snapshot; once all are dropped and the writer's scan has run, no element (and, by
/// loom's leak check, no version) is left but the current one, and the `Reader` has
/// moved on to the final version. (Models 17 to 19 check the same from other sides.)
#[test]
fn retired_versions_are_freed() {
    model(3, || {
        let drops = Drops::default();
        let list = Arc::new(CowVec::from(drops.items(&[0])));
        let writer = {
            let (list, items) = (Arc::clone(&list), [drops.item(1), drops.item(2)]);
            thread::spawn(move || {
                for item in items {
                    list.update(|l| l[0] = item);
                }
            })
        };
        let mut reader = list.reader();
        let snap = reader.snapshot();
        let first = reader.read_with_version().1;
        assert!(first >= snap.version());
        drop(snap);
        writer.join().unwrap();
        let again = reader.read_with_version().1;
        assert_eq!(again, 2);
        drop(reader);
        // Versions 0 and 1 are retired and unreachable: only version 2's element lives.
        let end = list.snapshot();
        assert_eq!(end.len(), 1);
        assert_eq!(list.reclaim().alive, 0, "a retired version is still held");
        assert_eq!(drops.live(), 1, "a retired version was not freed");
        drop(end);
        drop(list);
        drops.assert_all_dropped();
    });
}

/// Silences the panic message of the deliberate re-entrant `store` below. Only that
/// message: a false re-entrancy panic elsewhere (on `write` or `update`) and loom's
/// own failure reports still print.
fn quiet_reentrancy_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<String>()
                .map_or("", String::as_str);
            if !msg.contains("re-entrant write: `CowCell::store`") {
                default(info);
            }
        }));
    });
}

/// Model 10: re-entrancy detection fires on the thread holding the write lock and
/// never on another thread waiting for it (loom runs model threads on one OS thread,
/// so this also checks that the thread token comes from loom's thread-locals), and
/// the holder mark is cleared on release, so each thread can write again.
#[test]
fn reentrancy_detection_is_per_thread() {
    quiet_reentrancy_panics();
    model(3, || {
        let cell = Arc::new(CowCell::new(0u32));
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let cell = Arc::clone(&cell);
                thread::spawn(move || {
                    let mut guard = cell.write();
                    *guard += 1;
                    let nested = panic::catch_unwind(AssertUnwindSafe(|| cell.store(100)));
                    assert!(nested.is_err(), "re-entrant store was not detected");
                    drop(guard);
                    cell.update(|v| *v += 1); // the holder mark was cleared
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!((*cell.read(), cell.version()), (4, 4));
    });
}

/// An element whose accesses loom checks for data races: its `u8` lives in a
/// `loom::cell::UnsafeCell`, so a write that is not ordered after every read of the same
/// version by another thread fails the model ("causality violation").
struct Slot(loom::cell::UnsafeCell<u8>);

impl Slot {
    fn new(value: u8) -> Self {
        Self(loom::cell::UnsafeCell::new(value))
    }

    fn get(&self) -> u8 {
        // SAFETY: loom checks this read against every write (`set`) for a data race.
        self.0.with(|p| unsafe { *p })
    }

    /// Writes through `&mut`: only `get_mut` hands one out for a published version.
    fn set(&mut self, value: u8) {
        self.0.with_mut(|p| {
            // SAFETY: `&mut self`; loom checks that no read by another thread races it.
            unsafe { *p = value }
        });
    }
}

impl Clone for Slot {
    fn clone(&self) -> Self {
        Self::new(self.get())
    }
}

/// Model 11: `get_mut` racing the drop of a snapshot on another thread. The owner does
/// not wait for the reader: if the snapshot is still alive, `get_mut` must copy (and the
/// snapshot keeps 0); if it was dropped, `get_mut` may write in place, and the reader's
/// last read through the snapshot must happen-before that write. Only `get_mut` can
/// provide that ordering: the reader's flag is `Relaxed` and is not waited for.
#[test]
fn get_mut_racing_a_snapshot_dropped_on_another_thread() {
    model(3, || {
        let mut cell = CowCell::new(vec![Slot::new(0)]);
        let snapshot = cell.snapshot();
        let reader = thread::spawn(move || {
            let seen = snapshot[0].get();
            drop(snapshot);
            seen
        });
        cell.get_mut()[0].set(1);
        assert_eq!((cell.read()[0].get(), cell.version()), (1, 1));
        assert_eq!(
            reader.join().unwrap(),
            0,
            "the snapshot changed under its reader"
        );
        cell.get_mut()[0].set(2); // unshared now: in place
        assert_eq!((cell.read()[0].get(), cell.version()), (2, 2));
    });
}

/// Model 12: the same with another cell sharing the version (`clone()` shares the
/// published `Arc`): a read guard of the clone on another thread, then the clone is
/// dropped there. `get_mut` on the original copies while the clone holds the version and
/// writes in place only after that thread's reads.
#[test]
fn get_mut_racing_a_cloned_cell_read_on_another_thread() {
    model(3, || {
        let mut cell = CowCell::new(vec![Slot::new(0)]);
        let other = cell.clone();
        let reader = thread::spawn(move || {
            let seen = other.read()[0].get();
            other.store(vec![Slot::new(5)]); // the clone publishes on its own
            let own = other.read()[0].get();
            drop(other);
            (seen, own)
        });
        cell.get_mut()[0].set(1);
        assert_eq!(reader.join().unwrap(), (0, 5));
        assert_eq!((cell.read()[0].get(), cell.version()), (1, 1));
    });
}

/// Model 13: no lost wake-up for a blocked thread. The waiter checks the version, then
/// registers, checks again and sleeps; the writer publishes at any point in between. If
/// the wake-up were lost the waiter would sleep forever, and loom reports the deadlock.
/// `Duration::MAX` means no deadline (loom's parking has no timeouts).
#[test]
fn wait_newer_is_woken_by_a_concurrent_publish() {
    model(3, || {
        let cell = Arc::new(CowCell::new(0u32));
        let writer = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || drop(cell.store(1)))
        };
        let newer = cell
            .wait_newer(0, std::time::Duration::MAX)
            .expect("no deadline");
        assert_eq!((*newer, newer.version()), (1, 1));
        writer.join().unwrap();
    });
}

/// Model 14: the same for a future, and for two waiters at once (one future, one
/// blocked thread) woken by one publish; a `changed` future for a version not yet
/// reached waits through a publish that does not reach it.
#[test]
fn changed_wakes_every_waiter_on_a_publish() {
    model(2, || {
        let cell = Arc::new(CowCell::new(0u32));
        let blocked = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || {
                let newer = cell.wait_newer(0, std::time::Duration::MAX).unwrap();
                assert!(newer.version() >= 1);
            })
        };
        let writer = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || {
                cell.store(1);
                cell.store(2);
            })
        };
        let newer = loom::future::block_on(cell.changed(1));
        assert_eq!((*newer, newer.version()), (2, 2));
        blocked.join().unwrap();
        writer.join().unwrap();
    });
}

/// Model 15: cancel-safety. A `changed` future is polled once (registered) and dropped
/// while a writer publishes; nothing leaks (loom's leak check covers the listener),
/// and a later waiter is still woken by the next publish.
#[test]
fn a_dropped_changed_future_loses_nothing() {
    model(3, || {
        let cell = Arc::new(CowCell::new(0u32));
        let writer = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || drop(cell.store(1)))
        };
        {
            let mut future = std::pin::pin!(cell.changed(0));
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            if let std::task::Poll::Ready(newer) = future.as_mut().poll(&mut cx) {
                assert_eq!(newer.version(), 1);
            }
        } // dropped, ready or not
        writer.join().unwrap();
        let writer = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || drop(cell.store(2)))
        };
        let newer = cell.wait_newer(1, std::time::Duration::MAX).unwrap();
        assert_eq!(newer.version(), 2);
        writer.join().unwrap();
    });
}

/// Model 16: `CowBTreeMap` through the same engine: two writers (an `insert_if_absent`
/// race on one key, and a transaction of two inserts) while a reader iterates a
/// snapshot; the reader sees a whole, sorted version matching its number, and the race
/// has one winner. The tree itself is a single-threaded value (no atomics but `Arc`'s).
#[test]
fn btree_map_writes_are_whole_and_race_free() {
    model(3, || {
        let map = Arc::new(cow_collections::CowBTreeMap::from([(5u8, 'x')]));
        let writers: Vec<_> = [0u8, 1]
            .map(|w| {
                let map = Arc::clone(&map);
                thread::spawn(move || {
                    if w == 0 {
                        map.insert_if_absent(1, 'a').is_none()
                    } else {
                        map.update(|m| {
                            m.insert(9, 'b');
                            m.insert(1, 'c').is_none()
                        })
                    }
                })
            })
            .into();
        let snapshot = map.snapshot();
        let keys: Vec<u8> = snapshot.keys().copied().collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        match snapshot.version() {
            0 => assert_eq!(keys, [5]),
            1 => assert!(keys == [1, 5] || keys == [1, 5, 9], "{keys:?}"),
            2 => assert_eq!(keys, [1, 5, 9]),
            v => panic!("version {v}"),
        }
        let won: Vec<bool> = writers.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(won.iter().filter(|&&w| w).count(), 1, "{won:?}");
        assert_eq!(map.read().keys().copied().collect::<Vec<_>>(), [1, 5, 9]);
        // The transaction always publishes; `insert_if_absent` only if it came first.
        assert_eq!(map.version(), if won[0] { 2 } else { 1 });
    });
}

// ---------------------------------------------------------------------------------------
// The publication cell and its reclamation (models 17-21)
// ---------------------------------------------------------------------------------------

/// What happened to every [`Tracked`] value of one model execution: which are alive,
/// which are held by a reader right now, and which thread dropped each. A std mutex:
/// loom runs all model threads on one OS thread, and no loom operation happens while it
/// is locked, so it takes no part in the interleavings.
#[derive(Clone, Default)]
struct Registry(std::sync::Arc<std::sync::Mutex<RegistryState>>);

#[derive(Default)]
struct RegistryState {
    alive: std::collections::HashSet<u64>,
    held: std::collections::HashMap<u64, usize>,
    dropped_on: Vec<(u64, loom::thread::ThreadId)>,
}

impl Registry {
    fn value(&self, id: u64) -> Tracked {
        assert!(
            self.0.lock().unwrap().alive.insert(id),
            "id {id} made twice"
        );
        Tracked {
            id,
            data: loom::cell::UnsafeCell::new(id),
            registry: self.clone(),
        }
    }

    /// A reader starts using `id` (read through a guard or snapshot it holds): the
    /// value must not have been freed.
    #[track_caller]
    fn hold(&self, id: u64) {
        let mut state = self.0.lock().unwrap();
        assert!(state.alive.contains(&id), "use after free: value {id}");
        *state.held.entry(id).or_default() += 1;
    }

    fn unhold(&self, id: u64) {
        *self.0.lock().unwrap().held.get_mut(&id).expect("held") -= 1;
    }

    fn alive(&self) -> usize {
        self.0.lock().unwrap().alive.len()
    }

    fn dropped_on(&self) -> Vec<(u64, loom::thread::ThreadId)> {
        self.0.lock().unwrap().dropped_on.clone()
    }
}

/// A value that checks, when dropped, that it is dropped once and that no reader holds
/// it, and records the dropping thread. Its `data` is a loom `UnsafeCell`: every read
/// (`get`) is a checked access and its drop writes it, so freeing it without every
/// reader's reads happening before the free is a data race that loom reports, even
/// where the registry (which loom does not see) would not notice.
struct Tracked {
    id: u64,
    data: loom::cell::UnsafeCell<u64>,
    registry: Registry,
}

impl Tracked {
    /// Reads `data` (a loom-checked access).
    fn get(&self) -> u64 {
        // SAFETY: loom checks this read against the write in `drop` for a data race.
        self.data.with(|p| unsafe { *p })
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        // The free, as loom sees it: a write to the value.
        // SAFETY: `&mut self`; loom checks that no read on another thread races it.
        self.data.with_mut(|p| unsafe { *p = u64::MAX });
        let mut state = self.registry.0.lock().unwrap();
        assert!(
            state.alive.remove(&self.id),
            "value {} freed twice",
            self.id
        );
        let held = state.held.get(&self.id).copied().unwrap_or(0);
        assert_eq!(held, 0, "value {} freed while a reader held it", self.id);
        state
            .dropped_on
            .push((self.id, loom::thread::current().id()));
    }
}

/// Reads a version's value (through a `ReadGuard` or `Snapshot` of a
/// `CowCell<Tracked>`): it is alive and whole (its id and data are the version number)
/// while held.
fn read_tracked(registry: &Registry, value: &Tracked, version: u64) {
    registry.hold(value.id);
    assert_eq!(
        value.id, version,
        "value {} under version {version}",
        value.id
    );
    assert_eq!(
        value.get(),
        version,
        "value {} read after its free",
        value.id
    );
    registry.unhold(value.id);
}

/// Model 17: a reader against a writer that publishes, retires and reclaims (every
/// write scans here: few threads read). The reader's guard, snapshot and `Reader` see a
/// whole, live version (no use after free); each value is freed exactly once, never
/// while a reader holds it, and by the end only the current one is alive.
#[test]
fn reader_against_writer_and_reclamation() {
    model(2, || {
        let registry = Registry::default();
        let cell = Arc::new(CowCell::new(registry.value(0)));
        let writer = {
            let (cell, registry) = (Arc::clone(&cell), registry.clone());
            thread::spawn(move || {
                drop(cell.store(registry.value(1)));
                drop(cell.store(registry.value(2)));
            })
        };
        let guard = cell.read();
        read_tracked(&registry, &guard, guard.version());
        drop(guard);
        let snapshot = cell.snapshot();
        read_tracked(&registry, &snapshot, snapshot.version());
        drop(snapshot);
        writer.join().unwrap();
        assert_eq!(cell.reclaim().alive, 0);
        assert_eq!(registry.alive(), 1, "a retired value was not freed");
        drop(cell);
        assert_eq!(registry.alive(), 0);
    });
}

/// Model 18: a retired version is freed exactly once, and only after every guard and
/// snapshot of it is gone: a reader holds a guard and a snapshot of version 0 across the
/// writer's replacement and scans, then lets go on its own schedule; the writer scans
/// again after joining it.
#[test]
fn retired_version_is_freed_once_after_its_last_holder() {
    model(3, || {
        let registry = Registry::default();
        let cell = Arc::new(CowCell::new(registry.value(0)));
        let reader = {
            let (cell, registry) = (Arc::clone(&cell), registry.clone());
            thread::spawn(move || {
                let guard = cell.read();
                let snapshot = guard.to_snapshot();
                registry.hold(guard.id);
                registry.hold(snapshot.id);
                let (a, b) = (guard.id, snapshot.id);
                assert_eq!(guard.get(), a);
                registry.unhold(a);
                drop(guard);
                assert_eq!(snapshot.get(), b);
                registry.unhold(b);
                drop(snapshot);
            })
        };
        drop(cell.store(registry.value(1)));
        cell.reclaim();
        reader.join().unwrap();
        assert_eq!(cell.reclaim().alive, 0);
        assert_eq!(registry.alive(), 1);
        drop(cell);
    });
}

/// Model 19: no reader frees. A reader thread drops a guard, a snapshot and a `Reader`
/// that held versions the writer replaced; every value is dropped on the writer's
/// thread or the model's main thread (which reclaims and drops the cell at the end),
/// never on the reader's.
#[test]
fn no_reader_thread_drops_a_version() {
    model(2, || {
        let registry = Registry::default();
        let cell = Arc::new(CowCell::new(registry.value(0)));
        let reader = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || {
                let snapshot = cell.snapshot();
                let guard = cell.read();
                let mut reader = cell.reader();
                let _ = reader.read().get();
                let _ = (snapshot.get(), guard.get());
                drop((snapshot, guard));
                let _ = reader.read().get();
                drop(reader);
                loom::thread::current().id()
            })
        };
        let (cell2, registry2) = (Arc::clone(&cell), registry.clone());
        drop(cell2.store(registry2.value(1)));
        drop(cell2.store(registry2.value(2)));
        let reader = reader.join().unwrap();
        cell.reclaim();
        drop((cell, cell2));
        let dropped_on = registry.dropped_on();
        assert_eq!(dropped_on.len(), 3);
        for (id, thread) in dropped_on {
            assert_ne!(
                thread, reader,
                "value {id} was dropped on the reader's thread"
            );
        }
    });
}

/// A value that names the cell it was stored into.
struct Tag {
    cell: usize,
    seq: u64,
}

/// Model 20: two cells reusing each other's addresses. The writer replaces the versions
/// of both cells in turn (each write frees the version it replaced, so the allocator
/// hands its address to the next version, of either cell); a reader of cell 0 only ever
/// sees cell 0's values, in order (vorner/arc-swap#210's shape, and ABA within a cell).
#[test]
fn two_cells_reusing_each_others_addresses() {
    model(2, || {
        let cells = Arc::new([
            CowCell::new(Tag { cell: 0, seq: 0 }),
            CowCell::new(Tag { cell: 1, seq: 0 }),
        ]);
        let writer = {
            let cells = Arc::clone(&cells);
            thread::spawn(move || {
                for seq in 1..=2 {
                    for (cell, c) in cells.iter().enumerate() {
                        drop(c.store(Tag { cell, seq }));
                    }
                }
            })
        };
        let mut last = 0;
        for _ in 0..2 {
            let guard = cells[0].read();
            assert_eq!(
                guard.cell, 0,
                "a read of cell 0 returned cell {}'s value",
                guard.cell
            );
            assert!(
                guard.seq >= last,
                "cell 0 went back from {last} to {}",
                guard.seq
            );
            assert_eq!(guard.seq, guard.version());
            last = guard.seq;
        }
        writer.join().unwrap();
    });
}

/// Model 21: more read guards on one thread than it has hazard slots (3 of the 4 slots
/// are for guards; the 4th and 5th guards fall back to counted references) while a
/// writer replaces the version and scans: every guard shows a live, whole version, and
/// after they are dropped the writer frees all but the current one.
#[test]
fn more_guards_than_hazard_slots_under_a_writer() {
    model(2, || {
        let registry = Registry::default();
        let cell = Arc::new(CowCell::new(registry.value(0)));
        let writer = {
            let (cell, registry) = (Arc::clone(&cell), registry.clone());
            thread::spawn(move || drop(cell.store(registry.value(1))))
        };
        let guards: Vec<_> = (0..5).map(|_| cell.read()).collect();
        for guard in &guards {
            read_tracked(&registry, guard, guard.version());
        }
        drop(guards);
        writer.join().unwrap();
        assert_eq!(cell.reclaim().alive, 0);
        assert_eq!(registry.alive(), 1);
    });
}

/// Model 22: a read guard dropped on another thread than the one that took it. Its
/// slot, freed there, may be claimed again by the first thread for a new read; the
/// writer's scan then sees that new address in the slot and frees the version the
/// guard showed. The other thread's reads of that version must happen before the free:
/// through its `Release` of the slot, the claiming thread's `Acquire` claim and
/// `Release` store, and the scan's `Acquire` read (loom's race detector checks it on
/// the value's data).
#[test]
fn a_guard_dropped_on_another_thread_then_its_slot_reused() {
    model(3, || {
        let registry = Registry::default();
        let cell = Arc::new(CowCell::new(registry.value(0)));
        let guard = cell.read();
        // SAFETY: the guard borrows `cell`, which this model keeps alive (its `Arc`)
        // until after the thread that drops the guard is joined.
        let guard: cow_collections::ReadGuard<'static, Tracked> =
            unsafe { std::mem::transmute(guard) };
        let mover = thread::spawn(move || {
            assert_eq!(guard.get(), 0);
            drop(guard);
        });
        let writer = {
            let (cell, registry) = (Arc::clone(&cell), registry.clone());
            thread::spawn(move || {
                drop(cell.store(registry.value(1)));
                cell.reclaim();
            })
        };
        let again = cell.read();
        read_tracked(&registry, &again, again.version());
        drop(again);
        mover.join().unwrap();
        writer.join().unwrap();
        assert_eq!(cell.reclaim().alive, 0);
        assert_eq!(registry.alive(), 1);
    });
}

/// Model 23: one version shared by two cells (`clone`), each read and dropped on its own
/// thread: whichever drop comes last frees the version, once, after both threads'
/// reads (the decrements are `Release`, the last one's check `Acquire`).
#[test]
fn a_version_shared_by_cells_dropped_on_two_threads() {
    model(3, || {
        let registry = Registry::default();
        let first = CowCell::new(registry.value(0));
        let second = first.clone();
        let other = thread::spawn(move || {
            assert_eq!(second.read().get(), 0);
            drop(second);
        });
        assert_eq!(first.snapshot().get(), 0);
        drop(first);
        other.join().unwrap();
        assert_eq!(registry.alive(), 0, "the shared version was not freed");
    });
}
