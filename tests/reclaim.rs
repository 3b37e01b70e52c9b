//! What the engine promises about retired versions: a reader never runs a retired
//! version's destructor (snapshots, read guards, `Reader`s, iterators, watchers and
//! `changed` futures only give up a count or a hazard slot); writers free what nobody
//! holds, soon; `retired()` and `reclaim()` report and free it; any number of read guards
//! per thread works; snapshots outlive their cell.

#![cfg(not(loom))]

mod common;

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread::{self, ThreadId};
use std::time::Duration;

use common::{expect_panic, scaled};
use cow_collections::{CowBTreeMap, CowCell, CowMap, CowSet, CowVec, Snapshot};

/// Records the thread that drops each value; the test then checks that none of them was
/// a reader.
#[derive(Clone, Default)]
struct DropLog(Arc<Mutex<Vec<(u64, ThreadId)>>>);

impl DropLog {
    fn value(&self, id: u64) -> Logged {
        Logged {
            id,
            log: self.clone(),
        }
    }

    fn drops(&self) -> Vec<(u64, ThreadId)> {
        self.0.lock().unwrap().clone()
    }

    /// Asserts that no value was dropped on one of `readers`.
    #[track_caller]
    fn assert_none_dropped_on(&self, readers: &HashSet<ThreadId>) {
        let on_readers: Vec<u64> = self
            .drops()
            .iter()
            .filter(|(_, thread)| readers.contains(thread))
            .map(|(id, _)| *id)
            .collect();
        assert!(
            on_readers.is_empty(),
            "reader threads ran the destructors of {} values: {on_readers:?}",
            on_readers.len()
        );
    }
}

#[derive(Clone)]
struct Logged {
    id: u64,
    log: DropLog,
}

impl Drop for Logged {
    fn drop(&mut self) {
        self.log
            .0
            .lock()
            .unwrap()
            .push((self.id, thread::current().id()));
    }
}

impl PartialEq for Logged {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Every kind of reader holds the current version of a `CowVec` on its own thread while
/// the writer replaces it, then lets go. The writer's thread (here, through `store`,
/// `push` and `reclaim`) frees every retired version; no reader thread drops an element.
#[test]
fn no_reader_thread_runs_a_retired_versions_destructor() {
    let log = DropLog::default();
    let list = CowVec::from(vec![log.value(0)]);
    let rounds = scaled(50, 3) as u64;
    let readers: Mutex<HashSet<ThreadId>> = Mutex::default();
    for round in 1..=rounds {
        let holding = Barrier::new(7);
        let replaced = Barrier::new(7);
        let reader = |f: &(dyn Fn() + Sync)| {
            readers.lock().unwrap().insert(thread::current().id());
            f();
        };
        thread::scope(|s| {
            // A snapshot, dropped after the store.
            s.spawn(|| {
                reader(&|| {
                    let snapshot = list.snapshot();
                    holding.wait();
                    replaced.wait();
                    drop(snapshot);
                })
            });
            // A read guard.
            s.spawn(|| {
                reader(&|| {
                    let guard = list.read();
                    holding.wait();
                    replaced.wait();
                    assert_eq!(guard.len(), 1);
                    drop(guard);
                })
            });
            // A `Reader` that moves on to the new version (giving up the old one).
            s.spawn(|| {
                reader(&|| {
                    let mut handle = list.reader();
                    let _ = handle.read().len();
                    holding.wait();
                    replaced.wait();
                    let _ = handle.read().len();
                    drop(handle);
                })
            });
            // A snapshot iterator (an owning one over a clone of the snapshot).
            s.spawn(|| {
                reader(&|| {
                    let snapshot = list.snapshot();
                    let mut iter = snapshot.iter();
                    holding.wait();
                    replaced.wait();
                    assert!(iter.next().is_some());
                    drop(snapshot);
                })
            });
            // A `Watcher`'s version, and a `changed` future's.
            s.spawn(|| {
                reader(&|| {
                    let mut watcher = list.watch();
                    holding.wait();
                    replaced.wait();
                    let newer = watcher.wait(Duration::from_secs(60)).expect("published");
                    drop(newer);
                })
            });
            s.spawn(|| {
                reader(&|| {
                    let since = list.version();
                    let mut changed = Box::pin(list.changed(since));
                    holding.wait();
                    replaced.wait();
                    loop {
                        if let Poll::Ready(newer) = poll_once(changed.as_mut()) {
                            drop(newer);
                            break;
                        }
                        thread::yield_now();
                    }
                })
            });
            holding.wait();
            drop(list.store(vec![log.value(round)]));
            replaced.wait();
        });
        // A few writes, then an explicit reclaim: the writer frees what the readers let go.
        list.reclaim();
    }
    assert_eq!(list.reclaim().alive, 0);
    let readers = readers.into_inner().unwrap();
    log.assert_none_dropped_on(&readers);
    // Every retired value was freed, once, and only the current one lives.
    let mut dropped: Vec<u64> = log.drops().iter().map(|(id, _)| *id).collect();
    dropped.sort_unstable();
    assert_eq!(dropped, (0..rounds).collect::<Vec<_>>());
}

/// The same with the readers racing the writer freely (no barriers): reader threads
/// read through every kind of handle in a loop while writers replace the versions.
#[test]
fn no_reader_thread_frees_under_concurrent_writes() {
    let log = DropLog::default();
    let map: Arc<CowMap<u64, Logged>> = Arc::new(CowMap::new());
    let tree: Arc<CowBTreeMap<u64, Logged>> = Arc::new(CowBTreeMap::new());
    let stop = Arc::new(AtomicBool::new(false));
    let reader_ids: Arc<Mutex<HashSet<ThreadId>>> = Arc::default();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (map, tree, stop, ids) = (
                Arc::clone(&map),
                Arc::clone(&tree),
                Arc::clone(&stop),
                Arc::clone(&reader_ids),
            );
            thread::spawn(move || {
                ids.lock().unwrap().insert(thread::current().id());
                let mut map_reader = map.reader();
                let mut held = Vec::new();
                let mut rounds = 0;
                let capped = |rounds: usize| cfg!(miri) && rounds > 30;
                while !stop.load(Ordering::Relaxed) && !capped(rounds) {
                    let _ = map_reader.read().len();
                    held.push(map.snapshot());
                    let _ = tree.read().iter().count();
                    let snapshot = tree.snapshot();
                    let _ = snapshot.iter().next();
                    if held.len() > 4 {
                        held.remove(0);
                    }
                    rounds += 1;
                }
            })
        })
        .collect();
    let writes = scaled(2000, 30) as u64;
    for i in 0..writes {
        map.insert(i % 64, log.value(i));
        tree.insert(i % 64, log.value(1_000_000 + i));
        if i % 97 == 0 {
            drop(map.store(Default::default()));
        }
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.join().unwrap();
    }
    map.reclaim();
    tree.reclaim();
    let readers = reader_ids.lock().unwrap().clone();
    log.assert_none_dropped_on(&readers);
    assert_eq!((map.retired().alive, tree.retired().alive), (0, 0));
}

/// A loop of `store`s of 100,000-element vectors with no reader never holds more than
/// two retired versions: large versions are freed by the next write.
#[test]
fn large_stores_without_readers_hold_at_most_two_retired_versions() {
    let n = scaled(100_000, 1_000);
    let list = CowVec::from(vec![0u64; n]);
    for i in 0..scaled(50, 5) as u64 {
        drop(list.store(vec![i; n]));
        let retired = list.retired();
        assert!(
            retired.alive <= 2,
            "store {i}: {} retired versions alive",
            retired.alive
        );
    }
}

/// Small versions that nobody holds are freed within `ceil(threads / 4)` writes, where
/// `threads` is the most threads that have read at the same time. This test binary runs
/// two tests at a time, each with at most 7 threads reading, so at most 16 threads: at
/// most 4 retired versions wait, and never more than 16 here.
#[test]
fn small_retired_versions_are_freed_within_a_bounded_number_of_writes() {
    let list = CowVec::from(vec![0u8; 4]);
    for i in 0..256 {
        list.set(0, i as u8);
        let retired = list.retired();
        assert!(retired.alive <= 16, "after write {i}: {retired:?}");
    }
    assert_eq!(list.reclaim().alive, 0);
}

/// `retired()` and `reclaim()` name what is held, and the oldest held version.
#[test]
fn retired_reports_held_versions_and_reclaim_frees_the_rest() {
    let cell = CowCell::new(0u64);
    let oldest = cell.snapshot(); // version 0
    cell.store(1);
    let middle = cell.snapshot(); // version 1
    for v in 2..10 {
        cell.store(v);
    }
    let retired = cell.reclaim();
    assert_eq!(retired.version, 9);
    assert_eq!((retired.alive, retired.oldest), (2, Some(0)));
    drop(oldest);
    assert_eq!(cell.reclaim().oldest, Some(1));
    drop(middle);
    assert_eq!(cell.reclaim().alive, 0);
    assert_eq!(cell.retired().oldest, None);
}

/// More read guards on one thread than it has hazard slots, over several cells and the
/// same cell: the extra guards fall back to counted references, every guard shows its
/// version, and everything is freed once they are dropped.
#[test]
fn more_guards_than_hazard_slots() {
    let cells: Vec<CowVec<u64>> = (0..8).map(|i| CowVec::from(vec![i])).collect();
    let mut guards = Vec::new();
    for round in 0..4u64 {
        for (i, cell) in cells.iter().enumerate() {
            guards.push((i as u64, round, cell.read()));
        }
        for cell in &cells {
            let old = cell.read()[0];
            cell.set(0, old + 100);
        }
    }
    assert_eq!(guards.len(), 32);
    for (i, round, guard) in &guards {
        assert_eq!(guard[0], i + 100 * round, "guard {i} of round {round}");
        assert_eq!(guard.version(), *round);
    }
    // Held versions stay; the writer frees them once the guards are gone.
    assert_eq!(cells[0].reclaim().alive, 4);
    let snapshots: Vec<Snapshot<Vec<u64>>> =
        guards.iter().map(|(_, _, g)| g.to_snapshot()).collect();
    drop(guards);
    assert_eq!(cells[0].reclaim().alive, 4, "the snapshots hold them now");
    drop(snapshots);
    for cell in &cells {
        assert_eq!(cell.reclaim().alive, 0);
    }
}

/// A guard moved to another thread and dropped there releases its slot: the writer then
/// frees the version.
#[test]
fn a_guard_dropped_on_another_thread_releases_its_slot() {
    let list = CowVec::from(vec![1u8]);
    let guard = list.read();
    list.push(2);
    assert_eq!(list.reclaim().alive, 1);
    thread::scope(|s| {
        s.spawn(move || assert_eq!(*guard, [1]));
    });
    assert_eq!(list.reclaim().alive, 0);
    // This thread's slots are all free again.
    let guards: Vec<_> = (0..20).map(|_| list.read()).collect();
    assert!(guards.iter().all(|g| **g == [1, 2]));
}

/// Snapshots that outlive their cell (and every clone of it) keep their version; the
/// last one frees it, on whichever thread drops it.
#[test]
fn snapshots_outlive_their_cell() {
    let log = DropLog::default();
    let cell = CowCell::new(log.value(1));
    let current = cell.snapshot();
    cell.store(log.value(2));
    let copy = cell.clone();
    drop(cell);
    assert!(log.drops().is_empty(), "the clone still owns version 1");
    let held = copy.snapshot();
    drop(copy);
    assert_eq!(log.drops().len(), 0, "both versions are held by snapshots");
    assert_eq!((current.id, held.id), (1, 2));
    drop(current);
    assert_eq!(log.drops().iter().map(|d| d.0).collect::<Vec<_>>(), [1]);
    thread::spawn(move || drop(held)).join().unwrap();
    assert_eq!(log.drops().iter().map(|d| d.0).collect::<Vec<_>>(), [1, 2]);
}

/// Versions shared between cells (`clone`, `From<Snapshot>`) are freed once, by a
/// writer, whichever cell retires them last.
#[test]
fn versions_shared_by_cells_are_freed_once() {
    let log = DropLog::default();
    let a = CowCell::new(log.value(1));
    let b = a.clone();
    let c = CowCell::from(b.snapshot());
    a.store(log.value(2));
    b.store(log.value(3));
    a.reclaim();
    b.reclaim();
    assert!(log.drops().is_empty(), "c still has version 0 current");
    c.store(log.value(4));
    c.reclaim();
    assert_eq!(log.drops().iter().map(|d| d.0).collect::<Vec<_>>(), [1]);
    drop((a, b, c));
    let mut ids: Vec<u64> = log.drops().iter().map(|d| d.0).collect();
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3, 4]);
}

/// Waiting for a newer version inside the same cell's write, on the same thread, would
/// never return: it panics with a message instead, and the write publishes nothing.
#[test]
fn waiting_inside_the_same_cells_write_panics() {
    let set = CowSet::from([1]);
    let message = expect_panic(&["waiting for a newer version", "write lock"], || {
        set.update(|_| set.watch().wait(Duration::from_secs(60)))
    });
    assert!(message.contains("never return"), "{message}");
    let message = expect_panic(&["waiting for a newer version"], || {
        let _guard = set.write();
        set.wait_newer(set.version(), Duration::from_secs(60))
    });
    assert!(message.contains("changed"), "{message}");
    assert_eq!(set.version(), 0);
    // Another thread waits normally meanwhile.
    let waited = AtomicUsize::new(0);
    thread::scope(|s| {
        s.spawn(|| {
            set.wait_newer(0, Duration::from_secs(60))
                .expect("published");
            waited.fetch_add(1, Ordering::Relaxed);
        });
        set.update(|s| {
            s.insert(2);
        });
    });
    assert_eq!(waited.load(Ordering::Relaxed), 1);
}
