//! Read path: what one read costs, alone, next to a second reading thread, and next to
//! a writer; and iterating a listener list. Every group holds the crate's three read
//! forms and the baselines (std and parking_lot `RwLock`, std `Mutex`, raw arc-swap, an
//! unsynchronized `Arc<Vec>`), so ratios are same-run.
//!
//! One "read" = take the access (guard, snapshot, lock), read element 0, release it.
//! Background threads are started and confirmed running before the clock starts
//! (`common::with_background`); the time is the measured thread's, per read.

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

mod common;

use std::hint::black_box;
use std::sync::Arc;

use arc_swap::ArcSwap;
use common::{config, data, idle, timed};
use cow_collections::CowVec;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};

/// Everything a read group measures, holding the same data.
struct Fixture {
    cow: CowVec<u64>,
    arcswap: ArcSwap<Vec<u64>>,
    std_rwlock: std::sync::RwLock<Vec<u64>>,
    pl_rwlock: parking_lot::RwLock<Vec<u64>>,
    std_mutex: std::sync::Mutex<Vec<u64>>,
    unsync: Arc<Vec<u64>>,
}

impl Fixture {
    fn new(n: usize) -> Self {
        let v = data(n);
        Self {
            cow: CowVec::from(v.clone()),
            arcswap: ArcSwap::from_pointee(v.clone()),
            std_rwlock: std::sync::RwLock::new(v.clone()),
            pl_rwlock: parking_lot::RwLock::new(v.clone()),
            std_mutex: std::sync::Mutex::new(v.clone()),
            unsync: Arc::new(v),
        }
    }
}

/// What runs next to the measured thread.
#[derive(Clone, Copy, PartialEq)]
enum Background {
    /// Nothing.
    Alone,
    /// One more thread doing the same reads on the same collection.
    Reader,
    /// One thread writing (`set` of one element) in a loop: a copy-and-swap for the
    /// copy-on-write cells, an in-place write under the lock for the locks.
    Writer,
}

fn bench<O, P, B, F>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    threads: usize,
    background: B,
    op: O,
) where
    O: Fn() -> P,
    P: FnMut() -> u64,
    B: Fn() -> F + Sync,
    F: FnMut(),
{
    group.bench_function(id, |b| {
        b.iter_custom(|iters| timed(threads, iters, &background, &op))
    });
}

/// Runs one read-shaped operation (`access` applied to the current contents) over all
/// subjects, with the given background.
fn read_group<A>(c: &mut Criterion, name: &str, n: usize, mode: Background, access: A)
where
    A: Fn(&[u64]) -> u64 + Copy + Sync,
{
    let f = &Fixture::new(n);
    let mut group = c.benchmark_group(name);

    // One case: `$op` is a factory of the measured operation (called once per thread).
    // The background is: nothing, the same reads, or `$write` (a factory of one write).
    macro_rules! case {
        ($id:literal, $op:expr, $write:expr) => {{
            let op = $op;
            match mode {
                Background::Alone => bench(&mut group, $id, 0, idle, &op),
                Background::Reader => bench(
                    &mut group,
                    $id,
                    1,
                    || {
                        #[allow(unused_mut)] // FnMut for `reader`, Fn for the rest
                        let mut read = op();
                        move || {
                            black_box(read());
                        }
                    },
                    &op,
                ),
                Background::Writer => bench(&mut group, $id, 1, $write, &op),
            }
        }};
    }
    // A write factory: `$write(i)` with a per-thread counter `i`.
    macro_rules! writer {
        (|$i:ident| $body:expr) => {
            || {
                let mut $i = 0u64;
                move || {
                    $i = $i.wrapping_add(1);
                    $body;
                }
            }
        };
    }
    let slot = move |i: u64| (i % n as u64) as usize;

    case!(
        "cow_read",
        || move || access(&f.cow.read()),
        writer!(|i| f.cow.set(slot(i), i))
    );
    case!(
        "cow_snapshot",
        || move || access(&f.cow.snapshot()),
        writer!(|i| f.cow.set(slot(i), i))
    );
    case!(
        "cow_reader",
        || {
            let mut reader = f.cow.reader();
            move || access(reader.read())
        },
        writer!(|i| f.cow.set(slot(i), i))
    );
    case!(
        "arcswap_load",
        || move || access(&f.arcswap.load()),
        writer!(|i| {
            let mut next = Vec::clone(&f.arcswap.load());
            next[slot(i)] = i;
            f.arcswap.store(Arc::new(next));
        })
    );
    case!(
        "arcswap_load_full",
        || move || access(&f.arcswap.load_full()),
        writer!(|i| {
            let mut next = Vec::clone(&f.arcswap.load());
            next[slot(i)] = i;
            f.arcswap.store(Arc::new(next));
        })
    );
    case!(
        "arcswap_cache",
        || {
            let mut cache = arc_swap::Cache::new(&f.arcswap);
            move || access(cache.load())
        },
        writer!(|i| {
            let mut next = Vec::clone(&f.arcswap.load());
            next[slot(i)] = i;
            f.arcswap.store(Arc::new(next));
        })
    );
    case!(
        "std_rwlock",
        || move || access(&f.std_rwlock.read().unwrap()),
        writer!(|i| f.std_rwlock.write().unwrap()[slot(i)] = i)
    );
    case!(
        "pl_rwlock",
        || move || access(&f.pl_rwlock.read()),
        writer!(|i| f.pl_rwlock.write()[slot(i)] = i)
    );
    case!(
        "std_mutex",
        || move || access(&f.std_mutex.lock().unwrap()),
        writer!(|i| f.std_mutex.lock().unwrap()[slot(i)] = i)
    );
    if mode != Background::Writer {
        // No safe writer exists for an unsynchronized `Arc<Vec>`: the floor, alone and
        // next to another reader only.
        case!(
            "unsync_arc",
            || move || access(black_box(&f.unsync)),
            writer!(|i| black_box(i))
        );
    }
    group.finish();
}

fn first(v: &[u64]) -> u64 {
    v[0]
}

fn sum(v: &[u64]) -> u64 {
    v.iter().sum()
}

fn read_one(c: &mut Criterion) {
    read_group(c, "read_1t", 16, Background::Alone, first);
    read_group(c, "read_2t", 16, Background::Reader, first);
    read_group(c, "read_writer", 16, Background::Writer, first);
}

fn iterate(c: &mut Criterion) {
    read_group(c, "iter_16", 16, Background::Alone, sum);
    read_group(c, "iter_1024", 1024, Background::Alone, sum);
}

/// One thread reading `k` different cells in rotation: a read's cost should not depend on
/// how many cells a thread reads (a per-thread cache of versions would; see
/// BENCHMARKS.md).
fn many_cells(c: &mut Criterion) {
    let mut group = c.benchmark_group("read_many_cells");
    for k in [1usize, 8, 64] {
        let cows: Vec<CowVec<u64>> = (0..k).map(|_| CowVec::from(data(16))).collect();
        let swaps: Vec<ArcSwap<Vec<u64>>> =
            (0..k).map(|_| ArcSwap::from_pointee(data(16))).collect();
        let mask = k - 1;
        macro_rules! rotate {
            ($id:literal, $cells:expr, |$cell:ident| $read:expr) => {
                group.bench_with_input(BenchmarkId::new($id, k), &k, |b, _| {
                    let cells = &$cells;
                    b.iter_custom(|iters| {
                        timed(0, iters, idle, || {
                            let mut i = 0usize;
                            move || {
                                i = (i + 1) & mask;
                                let $cell = &cells[i];
                                $read
                            }
                        })
                    })
                });
            };
        }
        rotate!("cow_read", cows, |cell| cell.read()[0]);
        rotate!("arcswap_load", swaps, |cell| cell.load()[0]);
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = read_one, iterate, many_cells
}
criterion_main!(benches);
