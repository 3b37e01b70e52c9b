//! Does `par_iter` over a snapshot pay off? A 1M-element `Snapshot<Vec<u64>>`, iterated
//! sequentially and with rayon, for a memory-bound reduction (sum) and for a
//! compute-bound one (a hash-like mix per element). The plain `Vec` rows are the
//! baseline: iterating a snapshot should cost the same as iterating the vector. The
//! memory-bound `sum` rows of the vector and the snapshot can differ by up to ~1.7x from
//! where each 8 MB buffer landed (swapping the two allocations swaps which one is faster);
//! compare `snapshot_iter` with `snapshot_par_iter`, which read the same buffer.
//!
//! Run: `cargo bench --features rayon --bench rayon`.

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use cow_collections::CowVec;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;

const LEN: u64 = 1_000_000;

/// A few rounds of a 64-bit mixer (splitmix64's finalizer): enough work per element that
/// the loop is bound by compute, not by memory bandwidth.
#[inline]
fn mix(mut x: u64) -> u64 {
    for _ in 0..8 {
        x ^= x >> 30;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^= x >> 27;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
    }
    x
}

fn snapshot_iteration(c: &mut Criterion) {
    let list: CowVec<u64> = (0..LEN).collect();
    let snapshot = list.snapshot();
    let plain: Vec<u64> = (0..LEN).collect();
    // Check once, outside the timed region, that every variant computes the same thing.
    let expected_sum: u64 = plain.iter().sum();
    assert_eq!(snapshot.par_iter().sum::<u64>(), expected_sum);
    let expected_mix = plain.iter().map(|&x| mix(x)).fold(0, u64::wrapping_add);
    let par_mix = snapshot
        .par_iter()
        .map(|&x| mix(x))
        .reduce(|| 0, u64::wrapping_add);
    assert_eq!(par_mix, expected_mix);

    let mut group = c.benchmark_group("snapshot_1m");
    group.throughput(Throughput::Elements(LEN));
    group.bench_function("sum/vec_iter", |b| {
        b.iter(|| black_box(&plain).iter().sum::<u64>())
    });
    group.bench_function("sum/snapshot_iter", |b| {
        b.iter(|| black_box(&snapshot).iter().sum::<u64>())
    });
    group.bench_function("sum/snapshot_par_iter", |b| {
        b.iter(|| black_box(&snapshot).par_iter().sum::<u64>())
    });
    group.bench_function("mix/vec_iter", |b| {
        b.iter(|| {
            black_box(&plain)
                .iter()
                .map(|&x| mix(x))
                .fold(0, u64::wrapping_add)
        })
    });
    group.bench_function("mix/snapshot_iter", |b| {
        b.iter(|| {
            black_box(&snapshot)
                .iter()
                .map(|&x| mix(x))
                .fold(0, u64::wrapping_add)
        })
    });
    group.bench_function("mix/snapshot_par_iter", |b| {
        b.iter(|| {
            black_box(&snapshot)
                .par_iter()
                .map(|&x| mix(x))
                .reduce(|| 0, u64::wrapping_add)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = snapshot_iteration
}
criterion_main!(benches);
