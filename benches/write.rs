//! Write path: `push`, `set`, `update` (10 changes in one call) and `store` at 16,
//! 1,024, 100,000 and 1,000,000 `u64` elements, against `RwLock` writes (in place, no
//! copy) and a bare `Vec::clone` of the same data; and the fixed cost of a 16-element
//! `set` taken apart (`write_parts`).
//!
//! Freeing the retired version is **inside** the timing for every copy-on-write case
//! (the cell is its only owner, so the write frees it after unlocking), and the
//! `vec_clone` baseline drops its clone inside the timing too: both sides pay one
//! allocation, one copy and one free of `n` elements. `RwLock` writes change the vector
//! in place: what a copy-on-write design gives up.
//!
//! `set`, `update` and the `RwLock` cases run in steady state on one collection (an
//! `RwLock` push goes into spare capacity, undone outside the timing). `store`, and
//! `push` below 100,000 elements, take a fresh input per write, built outside the timing
//! (`common::iter_batched`); what they leave behind is dropped outside too. `push` from
//! 100,000 elements runs on one cell, each push timed alone and undone (`truncate`)
//! outside the timing: fresh multi-megabyte cells would measure the allocator giving
//! memory back to the OS and faulting it in again. All cases time themselves through
//! `common::Clock`.

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

mod common;

use std::hint::black_box;
use std::sync::Arc;

use arc_swap::ArcSwap;
use common::{config, data, iter, iter_batched, Clock};
use cow_collections::CowVec;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const SIZES: [usize; 4] = [16, 1024, 100_000, 1_000_000];

/// Inputs built per timed batch: many when small, one when large (a batch of
/// 1,000,000-element vectors would not fit the machine's caches, or memory).
fn batch(n: usize) -> usize {
    if n >= 100_000 {
        1
    } else {
        64
    }
}

fn set(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_set");
    for n in SIZES {
        let cow = CowVec::from(data(n));
        let rwlock = std::sync::RwLock::new(data(n));
        let plain = data(n);
        let mut i = 0usize;
        let mut next = move || {
            i = (i + 7) % n;
            i
        };
        group.bench_with_input(BenchmarkId::new("cow", n), &n, |b, _| {
            iter(b, || cow.set(next(), 1))
        });
        group.bench_with_input(BenchmarkId::new("vec_clone", n), &n, |b, _| {
            iter(b, || black_box(&plain).clone())
        });
        group.bench_with_input(BenchmarkId::new("std_rwlock", n), &n, |b, _| {
            iter(b, || {
                std::mem::replace(&mut rwlock.write().unwrap()[next()], 1)
            })
        });
    }
    group.finish();
}

fn push(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_push");
    for n in SIZES {
        let base = data(n);
        let steady = CowVec::from(data(n));
        group.bench_with_input(BenchmarkId::new("cow", n), &n, |b, _| {
            if n < 100_000 {
                iter_batched(
                    b,
                    batch(n),
                    || CowVec::from(base.clone()),
                    |cow| {
                        cow.push(1);
                        cow
                    },
                )
            } else {
                // Large: one cell in steady state, each push timed alone and undone
                // outside the timing. Fresh 8 MB cells per push would measure the
                // allocator returning memory to the OS and faulting it back in.
                b.iter_custom(|iters| {
                    let mut total = std::time::Duration::ZERO;
                    for _ in 0..iters {
                        total += Clock::get().time(|| steady.push(1));
                        steady.truncate(n);
                    }
                    total
                })
            }
        });
        group.bench_with_input(BenchmarkId::new("vec_clone", n), &n, |b, _| {
            iter(b, || black_box(&base).clone())
        });
        // In steady state too: pushes into spare capacity, undone outside the timing
        // (with a fresh exactly-sized vector every push would reallocate).
        let rwlock = std::sync::RwLock::new(data(n));
        group.bench_with_input(BenchmarkId::new("std_rwlock", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let batch = left.min(64);
                    left -= batch;
                    total += Clock::get().time(|| {
                        for _ in 0..batch {
                            rwlock.write().unwrap().push(1);
                        }
                    });
                    rwlock.write().unwrap().truncate(n);
                }
                total
            })
        });
    }
    group.finish();
}

fn update(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_update10");
    for n in SIZES {
        let cow = CowVec::from(data(n));
        let rwlock = std::sync::RwLock::new(data(n));
        let plain = data(n);
        let stride = (n / 10).max(1);
        let ten = move |v: &mut [u64]| {
            for j in 0..10 {
                let k = (j * stride) % v.len();
                v[k] = v[k].wrapping_add(1);
            }
        };
        group.bench_with_input(BenchmarkId::new("cow", n), &n, |b, _| {
            iter(b, || cow.update(|v| ten(v)))
        });
        group.bench_with_input(BenchmarkId::new("vec_clone", n), &n, |b, _| {
            iter(b, || black_box(&plain).clone())
        });
        group.bench_with_input(BenchmarkId::new("std_rwlock", n), &n, |b, _| {
            iter(b, || ten(&mut rwlock.write().unwrap()))
        });
    }
    group.finish();
}

fn store(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_store");
    for n in SIZES {
        let base = data(n);
        let cow = CowVec::from(data(n));
        let swap = ArcSwap::from_pointee(data(n));
        group.bench_with_input(BenchmarkId::new("cow", n), &n, |b, _| {
            iter_batched(b, batch(n), || base.clone(), |v| drop(cow.store(v)))
        });
        group.bench_with_input(BenchmarkId::new("arcswap_store", n), &n, |b, _| {
            iter_batched(b, batch(n), || base.clone(), |v| swap.store(Arc::new(v)))
        });
        group.bench_with_input(BenchmarkId::new("vec_clone", n), &n, |b, _| {
            iter(b, || black_box(&base).clone())
        });
    }
    group.finish();
}

/// The pieces of a 16-element `set`, each measured alone, next to the whole.
fn parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_parts");
    let n = 16;
    let cow = CowVec::from(data(n));
    let plain = data(n);
    group.bench_function("cow_set", |b| iter(b, || cow.set(3, 1)));
    // Floor without arc-swap: lock, copy, one `Arc` allocation, replace, free the old.
    let floor = parking_lot::Mutex::new(Arc::new((0u64, data(n))));
    group.bench_function("mutex_arc_replace", |b| {
        iter(b, || {
            let mut slot = floor.lock();
            let mut value = slot.1.clone();
            value[3] = 1;
            let version = slot.0 + 1;
            let retired = std::mem::replace(&mut *slot, Arc::new((version, value)));
            drop(slot);
            retired
        })
    });
    group.bench_function("vec_clone", |b| iter(b, || black_box(&plain).clone()));
    group.bench_function("arc_alloc_free", |b| {
        iter(b, || Arc::new(black_box((0u64, Vec::<u64>::new()))))
    });
    let mutex = parking_lot::Mutex::new(());
    group.bench_function("pl_mutex_lock_unlock", |b| iter(b, || drop(mutex.lock())));
    std::thread_local!(static TOKEN: u8 = const { 0 });
    group.bench_function("thread_token", |b| {
        iter(b, || TOKEN.with(|t| std::ptr::from_ref(t).addr()))
    });
    let swap = ArcSwap::from_pointee(data(n));
    group.bench_function("arcswap_load", |b| iter(b, || swap.load()[0]));
    let mut spare = Some(Arc::new(data(n)));
    group.bench_function("arcswap_swap", |b| {
        iter(b, || {
            let mine = spare.take().expect("put back below");
            spare = Some(swap.swap(mine));
        })
    });
    let counted = Arc::new(data(n));
    group.bench_function("arc_clone_drop", |b| {
        iter(b, || Arc::clone(black_box(&counted)))
    });

    // arc-swap's swap pays debts by visiting the debt node of every thread that ever
    // loaded from any `ArcSwap` and is still alive: the same two writes again with 64
    // more threads that have read once and now sleep.
    const IDLE_READERS: usize = 64;
    let ready = std::sync::Barrier::new(IDLE_READERS + 1);
    let done = std::sync::Barrier::new(IDLE_READERS + 1);
    std::thread::scope(|scope| {
        for _ in 0..IDLE_READERS {
            scope.spawn(|| {
                black_box(cow.read()[0]);
                black_box(swap.load()[0]);
                ready.wait();
                done.wait();
            });
        }
        ready.wait();
        group.bench_function("cow_set_64_idle_readers", |b| iter(b, || cow.set(3, 1)));
        let mut spare = Some(Arc::new(data(n)));
        group.bench_function("arcswap_swap_64_idle_readers", |b| {
            iter(b, || {
                let mine = spare.take().expect("put back below");
                spare = Some(swap.swap(mine));
            })
        });
        done.wait();
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    // `parts` last: its 64 idle readers leave arc-swap debt nodes behind for the rest
    // of the process (arc-swap never frees them), which would slow every later swap.
    targets = set, push, update, store, parts
}
criterion_main!(benches);
