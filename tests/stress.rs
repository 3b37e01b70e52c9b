//! Concurrent stress tests with invariants: no lost updates, readers only ever see whole
//! published versions whose number matches their contents, version numbers never go
//! down, and conditional writes have exactly one winner.
//!
//! Sized to run in well under a second each in a debug build, and tiny under Miri.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::{scaled, with_deadline, Tracker};
use cow_collections::{CowBTreeMap, CowCell, CowMap, CowSet, CowVec, Snapshot};

/// Generous: a stuck stress test fails instead of hanging, a slow machine does not.
fn limit() -> Duration {
    Duration::from_secs(if cfg!(miri) { 3600 } else { 120 })
}

fn writers() -> usize {
    scaled(4, 2)
}

fn ops_per_writer() -> usize {
    scaled(1000, 10)
}

/// Spawns `n` threads running `f(i)` after a common start barrier; returns the results.
fn run_threads<R: Send + 'static>(
    n: usize,
    f: impl Fn(usize) -> R + Send + Sync + 'static,
) -> Vec<R> {
    let f = Arc::new(f);
    let start = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (f, start) = (Arc::clone(&f), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                f(i)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Starts `readers` threads running `read(done)`, waits until they all run, then runs
/// `write` on this thread, sets `done` and joins the readers.
fn with_readers<W: Send + 'static, R: Send + 'static>(
    readers: usize,
    read: impl Fn(&AtomicBool) -> R + Send + Sync + 'static,
    write: impl FnOnce() -> W,
) -> (W, Vec<R>) {
    let done = Arc::new(AtomicBool::new(false));
    let read = Arc::new(read);
    let running = Arc::new(Barrier::new(readers + 1));
    let handles: Vec<_> = (0..readers)
        .map(|_| {
            let (done, read, running) =
                (Arc::clone(&done), Arc::clone(&read), Arc::clone(&running));
            thread::spawn(move || {
                running.wait();
                read(&done)
            })
        })
        .collect();
    running.wait();
    let written = write();
    done.store(true, Ordering::Release);
    let read = handles.into_iter().map(|h| h.join().unwrap()).collect();
    (written, read)
}

/// Whether a reader loop goes on: until the writers are done (and, under Miri, for a few
/// rounds at most).
fn keep_reading(done: &AtomicBool, rounds: usize) -> bool {
    let capped = cfg!(miri) && rounds > 20;
    !done.load(Ordering::Acquire) && !capped
}

// ---------------------------------------------------------------------------------------
// Push-only history: every snapshot is a prefix of the final vector
// ---------------------------------------------------------------------------------------

/// Checks a snapshot of a push-only run where writer `w` pushes `(w, 0)`, `(w, 1)`, ...:
/// its length equals its version, and each writer's values appear in order, none
/// missing.
fn check_push_only(snap: &[(usize, usize)], version: u64, writers: usize) {
    assert_eq!(
        snap.len() as u64,
        version,
        "push-only: length must equal version"
    );
    let mut next = vec![0; writers];
    for &(w, seq) in snap {
        assert_eq!(seq, next[w], "writer {w}: values out of order or missing");
        next[w] += 1;
    }
}

#[test]
fn push_only_readers_see_only_published_prefixes_in_order() {
    with_deadline(limit(), || {
        let (w, n) = (writers(), ops_per_writer());
        let v: Arc<CowVec<(usize, usize)>> = Arc::new(CowVec::new());
        let reader_v = Arc::clone(&v);
        let (_, seen) = with_readers(
            scaled(2, 1),
            move |done| {
                let mut last: Option<Snapshot<Vec<(usize, usize)>>> = None;
                let mut observed = 0usize;
                let mut reader = reader_v.reader();
                loop {
                    let finished = done.load(Ordering::Acquire);
                    let snap = reader_v.snapshot();
                    check_push_only(&snap, snap.version(), w);
                    if let Some(prev) = &last {
                        assert!(snap.version() >= prev.version(), "version went down");
                        assert!(snap.starts_with(prev), "an older snapshot is not a prefix");
                    }
                    let (contents, version) = reader.read_with_version();
                    check_push_only(contents, version, w);
                    assert!(version >= snap.version(), "Reader went behind a snapshot");
                    last = Some(snap);
                    observed += 1;
                    if finished || (cfg!(miri) && observed > 20) {
                        return (last.unwrap(), observed);
                    }
                    thread::yield_now();
                }
            },
            || {
                let v = Arc::clone(&v);
                run_threads(w, move |i| {
                    for seq in 0..n {
                        v.push((i, seq));
                        if seq % 16 == 0 {
                            thread::yield_now();
                        }
                    }
                })
            },
        );
        let total = w * n;
        let last = v.snapshot();
        assert_eq!(last.len(), total, "a push was lost");
        assert_eq!(v.version(), total as u64);
        check_push_only(&last, last.version(), w);
        for (reader_last, observed) in seen {
            assert!(observed > 0);
            // Each reader's history was a chain of prefixes; its last one is a prefix of
            // the final vector, so every state it saw really existed.
            assert!(last.starts_with(&reader_last));
        }
    });
}

// ---------------------------------------------------------------------------------------
// Counters: no lost updates, and a version's number matches its contents
// ---------------------------------------------------------------------------------------

#[test]
fn concurrent_increments_through_every_write_kind_lose_nothing() {
    with_deadline(limit(), || {
        let (w, n) = (writers(), ops_per_writer());
        let cell = Arc::new(CowCell::new(0u64));
        let reader_cell = Arc::clone(&cell);
        let (counts, _) = with_readers(
            scaled(2, 1),
            move |done| {
                // Every publish adds exactly 1, starting from 0: value == version.
                let mut reader = reader_cell.reader();
                let mut last = 0;
                let mut rounds = 0;
                while keep_reading(done, rounds) {
                    let (value, version) = reader.read_with_version();
                    assert_eq!(*value, version);
                    assert!(version >= last, "version went down");
                    last = version;
                    let guard = reader_cell.read();
                    assert_eq!(*guard, guard.version());
                    let snap = reader_cell.snapshot();
                    assert_eq!(*snap, snap.version());
                    rounds += 1;
                    thread::yield_now();
                }
            },
            || {
                let cell = Arc::clone(&cell);
                run_threads(w, move |i| {
                    let mut increments = 0u64;
                    for op in 0..n {
                        match (op + i) % 4 {
                            0 => cell.update(|c| *c += 1),
                            1 => cell
                                .try_update(|c| {
                                    *c += 1;
                                    Ok::<(), ()>(())
                                })
                                .unwrap(),
                            2 => *cell.write() += 1,
                            _ => {
                                // A refused write: publishes nothing.
                                let r = cell.try_update(|c| {
                                    *c += 1;
                                    Err::<(), ()>(())
                                });
                                assert!(r.is_err());
                                continue;
                            }
                        }
                        increments += 1;
                    }
                    increments
                })
            },
        );
        let expected: u64 = counts.iter().sum();
        assert_eq!(*cell.read(), expected, "an increment was lost");
        assert_eq!(
            cell.version(),
            expected,
            "one publish per increment, none for Err"
        );
    });
}

#[test]
fn map_compute_counters_lose_no_increment() {
    with_deadline(limit(), || {
        let (w, n, keys) = (writers(), ops_per_writer(), 5usize);
        let map: Arc<CowMap<usize, u64>> = Arc::new(CowMap::new());
        let reader_map = Arc::clone(&map);
        let (per_thread, _) = with_readers(
            1,
            move |done| {
                let mut last = 0;
                let mut rounds = 0;
                while keep_reading(done, rounds) {
                    let snap = reader_map.snapshot();
                    let sum: u64 = snap.values().sum();
                    assert_eq!(sum, snap.version(), "one +1 per publish");
                    assert!(snap.version() >= last);
                    last = snap.version();
                    rounds += 1;
                    thread::yield_now();
                }
            },
            || {
                let map = Arc::clone(&map);
                run_threads(w, move |i| {
                    let mut mine = vec![0u64; keys];
                    for op in 0..n {
                        let key = (op * 7 + i) % keys;
                        let new = map.compute(key, |old| Some(old.map_or(1, |c| c + 1)));
                        assert!(new.is_some_and(|c| c >= 1));
                        mine[key] += 1;
                    }
                    mine
                })
            },
        );
        for key in 0..keys {
            let expected: u64 = per_thread.iter().map(|m| m[key]).sum();
            assert_eq!(map.get(&key).unwrap_or(0), expected, "key {key}");
        }
        assert_eq!(map.version(), (w * n) as u64);
    });
}

#[test]
fn replace_if_eq_cas_loops_lose_no_increment() {
    with_deadline(limit(), || {
        let (w, n) = (writers(), ops_per_writer());
        let map = Arc::new(CowMap::from([("n", 0u64)]));
        let m = Arc::clone(&map);
        let failures: usize = run_threads(w, move |_| {
            let mut failures = 0;
            for _ in 0..n {
                loop {
                    let current = m.get("n").unwrap();
                    if m.replace_if_eq("n", &current, current + 1) {
                        break;
                    }
                    failures += 1;
                }
            }
            failures
        })
        .into_iter()
        .sum();
        let total = (w * n) as u64;
        assert_eq!(map.get("n"), Some(total));
        assert_eq!(
            map.version(),
            total,
            "failed CAS attempts ({failures}) published"
        );
    });
}

// ---------------------------------------------------------------------------------------
// Conditional writes: exactly one winner
// ---------------------------------------------------------------------------------------

#[test]
fn insert_if_absent_races_have_exactly_one_winner() {
    with_deadline(limit(), || {
        let (threads, rounds) = (writers(), scaled(100, 4));
        let map: Arc<CowMap<usize, usize>> = Arc::new(CowMap::new());
        let round_start = Arc::new(Barrier::new(threads));
        let m = Arc::clone(&map);
        let results = run_threads(threads, move |i| {
            (0..rounds)
                .map(|round| {
                    round_start.wait();
                    m.insert_if_absent(round, i)
                })
                .collect::<Vec<_>>()
        });
        for round in 0..rounds {
            let winner = map.get(&round).expect("someone inserted");
            let outcomes: Vec<Option<usize>> = results.iter().map(|r| r[round]).collect();
            assert_eq!(
                outcomes[winner], None,
                "round {round}: the stored value is the winner's"
            );
            let winners = outcomes.iter().filter(|o| o.is_none()).count();
            assert_eq!(winners, 1, "round {round}: {outcomes:?}");
            for (i, o) in outcomes.iter().enumerate() {
                if i != winner {
                    assert_eq!(*o, Some(winner), "round {round}: losers see the winner");
                }
            }
        }
        assert_eq!(map.version(), rounds as u64, "losers publish nothing");
    });
}

#[test]
fn push_if_absent_and_set_insert_races_have_exactly_one_winner() {
    with_deadline(limit(), || {
        let (threads, rounds) = (writers(), scaled(100, 4));
        let vec: Arc<CowVec<usize>> = Arc::new(CowVec::new());
        let set: Arc<CowSet<usize>> = Arc::new(CowSet::new());
        let round_start = Arc::new(Barrier::new(threads));
        let (v, s) = (Arc::clone(&vec), Arc::clone(&set));
        let results = run_threads(threads, move |_| {
            (0..rounds)
                .map(|round| {
                    round_start.wait();
                    (v.push_if_absent(round), s.insert(round))
                })
                .collect::<Vec<_>>()
        });
        for round in 0..rounds {
            let vec_wins = results.iter().filter(|r| r[round].0).count();
            let set_wins = results.iter().filter(|r| r[round].1).count();
            assert_eq!((vec_wins, set_wins), (1, 1), "round {round}");
        }
        assert_eq!(vec.to_vec(), (0..rounds).collect::<Vec<_>>());
        assert_eq!(set.len(), rounds);
        assert_eq!(
            (vec.version(), set.version()),
            (rounds as u64, rounds as u64)
        );
    });
}

// ---------------------------------------------------------------------------------------
// Whole-value publication and drop accounting under concurrency
// ---------------------------------------------------------------------------------------

/// A value whose fields must always agree: a torn or half-applied write would show.
#[derive(Clone, Debug)]
struct Config {
    generation: u64,
    double: u64,
    names: Vec<String>,
}

impl Config {
    fn new(generation: u64) -> Self {
        Self {
            generation,
            double: generation * 2,
            names: (0..3).map(|i| format!("{generation}-{i}")).collect(),
        }
    }

    fn assert_consistent(&self) {
        assert_eq!(self.double, self.generation * 2);
        for (i, name) in self.names.iter().enumerate() {
            assert_eq!(*name, format!("{}-{i}", self.generation));
        }
    }
}

#[test]
fn reloads_are_seen_whole_and_in_order() {
    with_deadline(limit(), || {
        let reloads = scaled(500, 10) as u64;
        let cell = Arc::new(CowCell::new(Config::new(0)));
        let reader_cell = Arc::clone(&cell);
        let ((), seen) = with_readers(
            scaled(2, 1),
            move |done| {
                let mut reader = reader_cell.reader();
                let mut last = 0;
                let mut distinct = 0;
                let mut rounds = 0;
                while keep_reading(done, rounds) {
                    let (config, version) = reader.read_with_version();
                    config.assert_consistent();
                    // Each store publishes generation n as version n.
                    assert_eq!(config.generation, version);
                    assert!(version >= last, "version went down");
                    distinct += usize::from(version != last);
                    last = version;
                    rounds += 1;
                    thread::yield_now();
                }
                distinct
            },
            || {
                for generation in 1..=reloads {
                    thread::yield_now(); // let the readers in between reloads
                    let previous = cell.store(Config::new(generation));
                    assert_eq!(previous.generation, generation - 1);
                    assert_eq!(previous.version(), generation - 1);
                }
            },
        );
        assert_eq!(seen.len(), scaled(2, 1));
        assert_eq!(cell.version(), reloads);
        cell.read().assert_consistent();
    });
}

#[test]
fn concurrent_writes_and_snapshots_drop_every_element_exactly_once() {
    with_deadline(limit(), || {
        let t = Tracker::new();
        let (w, n) = (writers(), scaled(100, 8));
        let v = Arc::new(CowVec::from(t.dummies(0..4)));
        let reader_v = Arc::clone(&v);
        with_readers(
            scaled(2, 1),
            move |done| {
                // Hold a few snapshots and a reader across writes, then let them go.
                let mut reader = reader_v.reader();
                let mut held = Vec::new();
                let mut rounds = 0;
                while keep_reading(done, rounds) {
                    let _ = reader.read().len();
                    held.push(reader_v.snapshot());
                    if held.len() > 8 {
                        held.remove(0);
                    }
                    rounds += 1;
                    thread::yield_now();
                }
            },
            || {
                let (v, t) = (Arc::clone(&v), t.clone());
                run_threads(w, move |i| {
                    for op in 0..n {
                        let id = (i * n + op) as u64 + 100;
                        match op % 4 {
                            0 => v.push(t.dummy(id)),
                            1 => drop(v.pop()),
                            2 => {
                                v.push_if_absent(t.dummy(id));
                            }
                            _ => v.retain(|d| d.id() % 3 != 0),
                        }
                    }
                })
            },
        );
        // Readers and writers are gone: once a writer reclaims, only the current
        // version's elements are alive.
        assert_eq!(v.reclaim().alive, 0, "a retired version is still held");
        assert_eq!(t.total_alive(), v.len(), "a retired version was not freed");
        drop(v);
        t.assert_balanced();
    });
}

/// A value that names the cell it was stored into.
struct Tagged {
    cell: usize,
    seq: u64,
}

/// A read must never return another cell's version, whatever addresses freed versions
/// get reused for. arc-swap before 1.9.5 could (vorner/arc-swap#210: a `load` returned a
/// value stored into a *different* `ArcSwap` once a freed version's address was reused
/// for another cell's version; a 30-second release-mode run of this test against arc-swap
/// 1.9.3, which the crate used then, saw a handful per few hundred million reads). Many
/// cells of one type, versions freed and reallocated all the time, is this crate's
/// everyday pattern. Two threads `store` into 8 cells of one type; two threads read every
/// cell through `read()`, `snapshot()` and a `Reader` and check that each value carries
/// its own cell's tag and that each cell's sequence never goes back.
///
/// Runs for `COW_STRESS_SECONDS` (default: 0.3 s; a few rounds under Miri).
#[test]
fn reads_never_return_another_cells_version() {
    const CELLS: usize = 8;
    let seconds: f64 = std::env::var("COW_STRESS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.3);
    with_deadline(limit() + Duration::from_secs_f64(seconds), move || {
        let cells: Arc<Vec<CowCell<Tagged>>> = Arc::new(
            (0..CELLS)
                .map(|cell| CowCell::new(Tagged { cell, seq: 0 }))
                .collect(),
        );
        let writer_cells = Arc::clone(&cells);
        let deadline = std::time::Instant::now() + Duration::from_secs_f64(seconds);
        let ((), reads) = with_readers(
            2,
            move |done| {
                let mut readers: Vec<_> = cells.iter().map(CowCell::reader).collect();
                let mut last_seq = [0u64; CELLS];
                let (mut reads, mut rounds) = (0u64, 0);
                while keep_reading(done, rounds) {
                    for (i, cell) in cells.iter().enumerate() {
                        let guard = cell.read();
                        let snapshot = cells[(i + 3) % CELLS].snapshot();
                        let cached = readers[i].read();
                        for (tagged, own) in
                            [(&*guard, i), (&*snapshot, (i + 3) % CELLS), (cached, i)]
                        {
                            assert_eq!(
                                tagged.cell, own,
                                "a read of cell {own} returned cell {}'s version (seq {})",
                                tagged.cell, tagged.seq
                            );
                        }
                        assert!(guard.seq >= last_seq[i], "cell {i} went back");
                        last_seq[i] = guard.seq;
                        reads += 3;
                    }
                    rounds += 1;
                }
                reads
            },
            move || {
                let store = |parity: usize| {
                    let mut seq = 0;
                    while std::time::Instant::now() < deadline || seq == 0 {
                        seq += 1;
                        for cell in (parity..CELLS).step_by(2) {
                            writer_cells[cell].store(Tagged { cell, seq });
                        }
                        if cfg!(miri) && seq >= 3 {
                            break;
                        }
                    }
                };
                thread::scope(|s| {
                    s.spawn(|| store(1));
                    store(0);
                });
            },
        );
        assert!(reads.iter().all(|&n| n > 0));
        // Shown with `--nocapture`: how much a long run checked.
        println!(
            "{} reads, none returned another cell's version",
            reads.iter().sum::<u64>()
        );
    });
}

/// ABA within one cell: every write frees the version it replaced at once (no reader
/// holds it), so the allocator hands the same addresses back to the next versions of the
/// same cell, and a reader's hazard slot may hold an address that was freed and reused
/// since it loaded it. Readers (guards, snapshots, `Reader`s) must still see only whole,
/// published versions, in order: the value's sequence equals its version number and
/// never goes back. Also a Tree Borrows / data-race check under Miri and TSan.
#[test]
fn reused_addresses_within_one_cell_never_show_a_stale_or_torn_version() {
    with_deadline(limit(), || {
        let cell = Arc::new(CowCell::new([0u64; 4]));
        let writer_cell = Arc::clone(&cell);
        let writes = scaled(20_000, 40) as u64;
        let ((), reads) = with_readers(
            2,
            move |done| {
                let mut reader = cell.reader();
                let (mut last, mut reads, mut rounds) = (0u64, 0u64, 0);
                while keep_reading(done, rounds) {
                    let guard = cell.read();
                    assert!(
                        guard.iter().all(|&x| x == guard.version()),
                        "torn: {:?}",
                        *guard
                    );
                    assert!(guard.version() >= last, "went back to {}", guard.version());
                    last = guard.version();
                    drop(guard);
                    let snapshot = cell.snapshot();
                    assert!(snapshot.iter().all(|&x| x == snapshot.version()));
                    let (value, version) = reader.read_with_version();
                    assert!(value.iter().all(|&x| x == version));
                    assert!(version >= last);
                    reads += 3;
                    rounds += 1;
                }
                reads
            },
            move || {
                let mut addresses = std::collections::HashSet::new();
                for v in 1..=writes {
                    writer_cell.store([v; 4]);
                    addresses.insert(writer_cell.read().as_ptr() as usize);
                }
                // Shown with `--nocapture`: how often addresses were reused.
                println!(
                    "{writes} versions at {} distinct addresses",
                    addresses.len()
                );
            },
        );
        assert!(reads.iter().all(|&n| n > 0));
    });
}

/// Many waiters, many publishes: every waiter (blocked threads through `wait_newer`, and
/// through `Watcher`s) reaches the final version, none ever sees a version go down or a
/// value that does not match its version. A lost wake-up shows as a waiter stuck past
/// the time limit. (tests/notify.rs runs the same with tokio tasks; ci/tsan.sh runs
/// this one.)
#[test]
fn every_waiter_reaches_the_final_version() {
    with_deadline(limit(), || {
        let publishes = scaled(2000, 20) as u64;
        let waiters = scaled(6, 2);
        let cell = Arc::new(CowCell::new(0u64));
        let waiter_cell = Arc::clone(&cell);
        let kinds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let ((), wakes) = with_readers(
            waiters,
            move |_| {
                // Every other waiter uses a `Watcher` instead of `wait_newer`.
                let watch = kinds.fetch_add(1, Ordering::Relaxed) % 2 == 1;
                let mut watcher = waiter_cell.watch();
                let (mut seen, mut wakes) = (0, 0u64);
                while seen < publishes {
                    let newer = if watch {
                        watcher.wait(limit())
                    } else {
                        waiter_cell.wait_newer(seen, limit())
                    }
                    .expect("no publish for the whole time limit: a lost wake-up");
                    assert!(newer.version() > seen, "from {seen} to {}", newer.version());
                    assert_eq!(*newer, newer.version());
                    seen = newer.version();
                    wakes += 1;
                }
                wakes
            },
            || {
                for v in 1..=publishes {
                    cell.update(|x| *x = v);
                    if v % 8 == 0 {
                        thread::yield_now(); // let waiters in between publishes
                    }
                }
            },
        );
        assert_eq!(wakes.len(), waiters);
        assert!(wakes.iter().all(|&n| (1..=publishes).contains(&n)));
    });
}

/// `CowBTreeMap` under concurrent writers: readers check that every version they see is
/// sorted, whole (each writer's entries come as a contiguous prefix of what it wrote,
/// matching the version's length) and never older than the last one they saw; at the end
/// every write is there. Writers insert and remove through several kinds of write, so
/// splits and merges happen while readers iterate.
#[test]
fn btree_map_readers_see_sorted_whole_versions() {
    with_deadline(limit(), || {
        let per_writer = scaled(600, 12) as u32;
        let writers = scaled(2, 2);
        let map: Arc<CowBTreeMap<u32, u32>> = Arc::new(CowBTreeMap::new());
        let reader_map = Arc::clone(&map);
        let ((), rounds) = with_readers(
            2,
            move |done| {
                let mut last = 0;
                let mut rounds = 0;
                while keep_reading(done, rounds) {
                    let snapshot = reader_map.snapshot();
                    assert!(snapshot.version() >= last, "version went down");
                    last = snapshot.version();
                    // Sorted, values match keys, and each writer's keys are exactly the
                    // first n of its sequence (w, w + 2, w + 4, ...): count and maximum
                    // agree, so nothing in between was skipped.
                    let mut previous = None;
                    let mut count = [0u32; 2];
                    let mut max = [None; 2];
                    for (&k, &v) in snapshot.iter() {
                        assert!(previous < Some(k), "not sorted: {previous:?} then {k}");
                        previous = Some(k);
                        assert_eq!(v, k * 2);
                        count[(k % 2) as usize] += 1;
                        max[(k % 2) as usize] = Some(k);
                    }
                    assert_eq!(count.iter().sum::<u32>() as usize, snapshot.len());
                    for w in 0..2u32 {
                        let n = count[w as usize];
                        assert_eq!(max[w as usize], n.checked_sub(1).map(|i| w + 2 * i));
                    }
                    rounds += 1;
                }
                rounds
            },
            || {
                thread::scope(|s| {
                    for w in 0..writers as u32 {
                        let map = &map;
                        s.spawn(move || {
                            for i in 0..per_writer {
                                let k = w + 2 * i;
                                let previous = match i % 3 {
                                    0 => map.insert(k, k * 2),
                                    1 => map.insert_if_absent(k, k * 2),
                                    _ => map.update(|m| m.insert(k, k * 2)),
                                };
                                assert_eq!(previous, None, "key {k} inserted twice");
                            }
                        });
                    }
                });
            },
        );
        assert!(rounds.iter().all(|&r| r > 0));
        assert_eq!(map.len(), writers * per_writer as usize);
        assert_eq!(map.version(), (writers * per_writer as usize) as u64);
        map.read().check_invariants();
        // Removals in bulk while nobody reads: the tree shrinks back to empty and stays valid.
        map.retain(|k, _| k % 4 == 0);
        map.read().check_invariants();
        while map.pop_first().is_some() {}
        assert!(map.is_empty());
    });
}
