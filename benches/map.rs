//! Map lookups: `CowMap::get` (clones the value), `read().get()` (borrows) and a
//! `Reader` against `RwLock<HashMap>`, `parking_lot::RwLock<HashMap>` and `DashMap`,
//! alone and next to a writer thread. 1,024 `u64 -> u64` entries, std's `RandomState`
//! (SipHash) everywhere, keys looked up in a fixed pseudo-random order.
//!
//! The writer overwrites one entry in a loop: a full O(n) copy-and-publish for
//! `CowMap`, an in-place insert under the lock (or shard lock) for the others.

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

mod common;

use std::collections::HashMap;
use std::hint::black_box;

use common::{config, idle, timed};
use cow_collections::CowMap;
use criterion::{criterion_group, criterion_main, Criterion};
use dashmap::DashMap;

const ENTRIES: u64 = 1024;

struct Fixture {
    cow: CowMap<u64, u64>,
    std_rwlock: std::sync::RwLock<HashMap<u64, u64>>,
    pl_rwlock: parking_lot::RwLock<HashMap<u64, u64>>,
    dashmap: DashMap<u64, u64>,
}

/// A fixed pseudo-random walk over the keys (an LCG: no `rand` dependency).
fn keys() -> Vec<u64> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    (0..4096)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % ENTRIES
        })
        .collect()
}

fn lookups(c: &mut Criterion, name: &str, with_writer: bool) {
    let entries = (0..ENTRIES).map(|k| (k, k * 2));
    let f = &Fixture {
        cow: entries.clone().collect(),
        std_rwlock: std::sync::RwLock::new(entries.clone().collect()),
        pl_rwlock: parking_lot::RwLock::new(entries.clone().collect()),
        dashmap: entries.collect(),
    };
    let keys = &keys();
    let mut group = c.benchmark_group(name);
    let threads = usize::from(with_writer);

    // `$get(key)` is one lookup; `$write(i)` one write by the background writer.
    macro_rules! case {
        ($id:literal, $prepare:expr, |$state:ident, $key:ident| $get:expr, |$i:ident| $write:expr) => {
            group.bench_function($id, |b| {
                b.iter_custom(|iters| {
                    let writer = || {
                        let mut $i = 0u64;
                        move || {
                            $i = $i.wrapping_add(1);
                            $write;
                        }
                    };
                    let op = || {
                        #[allow(unused_mut)]
                        let mut $state = $prepare;
                        let mut n = 0usize;
                        move || {
                            n = (n + 1) & (keys.len() - 1);
                            let $key = &keys[n];
                            $get
                        }
                    };
                    if with_writer {
                        timed(threads, iters, writer, op)
                    } else {
                        timed(0, iters, idle, op)
                    }
                })
            });
        };
    }

    case!("cow_get", (), |_s, k| f.cow.get(k), |i| f
        .cow
        .insert(i % ENTRIES, i));
    case!(
        "cow_read_get",
        (),
        |_s, k| f.cow.read().get(k).copied(),
        |i| f.cow.insert(i % ENTRIES, i)
    );
    case!(
        "cow_reader_get",
        f.cow.reader(),
        |reader, k| reader.read().get(k).copied(),
        |i| f.cow.insert(i % ENTRIES, i)
    );
    case!(
        "std_rwlock",
        (),
        |_s, k| f.std_rwlock.read().unwrap().get(k).copied(),
        |i| f.std_rwlock.write().unwrap().insert(i % ENTRIES, i)
    );
    case!(
        "pl_rwlock",
        (),
        |_s, k| f.pl_rwlock.read().get(k).copied(),
        |i| f.pl_rwlock.write().insert(i % ENTRIES, i)
    );
    case!("dashmap", (), |_s, k| f.dashmap.get(k).map(|v| *v), |i| f
        .dashmap
        .insert(i % ENTRIES, i));
    group.finish();
    black_box(f);
}

fn map(c: &mut Criterion) {
    lookups(c, "map_get_1t", false);
    lookups(c, "map_get_writer", true);
}

criterion_group! {
    name = benches;
    config = config();
    targets = map
}
criterion_main!(benches);
