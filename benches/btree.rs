//! `PersistentBTreeMap` against std's `BTreeMap`, `imbl::OrdMap` (a persistent B-tree),
//! `concread::bptree::BptreeMap` (a transactional copy-on-write B+tree) and, for writes,
//! the crate's `CowMap` (a flat map copied whole on every write).
//!
//! One group per question, every peer in the same group:
//!
//! * `insert_*`: one insert of a new key as a copy-on-write cell pays for it: `clone`
//!   the current version, insert into the clone, drop the retired version (freeing the
//!   nodes only it held). `ours` does that by hand on a `PersistentBTreeMap`;
//!   `cow_btree_map` is `CowBTreeMap::insert` itself (the writer lock, the publish, the
//!   retired version freed after the unlock). imbl the same as `ours`; concread a write
//!   transaction with one insert and its commit; `cowmap` is `CowMap::insert` (a full
//!   copy of the map). The inserted keys are removed again outside the timed region
//!   every `CHUNK` inserts, so the size stays near `n`.
//! * `crossover_insert`, `crossover_get` (`String` keys, 16 to 16,384 entries): where
//!   `CowBTreeMap` overtakes the flat `CowMap` on writes, and what it costs on reads.
//! * `get_*`: one lookup of a present key, keys in a fixed pseudo-random order;
//!   `cow_btree_map` looks up through the cell (`read().get(k)`).
//! * `iter_*`: a full iteration summing the values.
//! * `batch_string`: 1,000 inserts on one clone (each shared node copied once), then
//!   the retired version dropped; `cow_btree_map`: the same as one `CowBTreeMap::update`;
//!   concread: one write transaction of 1,000 inserts.
//! * `from_iter_*`: building from sorted entries.
//! * `update_*`: one update of a present key's value (a new version each time), every
//!   peer versioned as in `insert_*`.
//! * `relations_u64`: `is_subset` and `is_disjoint` between two versions one insert
//!   apart, against a plain merge walk and std's `BTreeSet`.
//!
//! Maps are built by inserting the keys in a random order (realistic fill), keys
//! `format!("service-{i:08}")` (`*_string`) or `u64` (`*_u64`), values `u64`, sizes
//! 1,000 / 100,000 / 1,000,000. `BTREE_BENCH_SIZES=1000,100000` limits the sizes;
//! `COW_BENCH_CLOCK=thread-cpu` times the thread's CPU time (see `common::Clock`).

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::time::Duration;

use common::{config, Clock};
use cow_collections::{CowBTreeMap, CowMap, PersistentBTreeMap, PersistentBTreeSet};
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};

/// Inserts timed back to back before the untimed clean-up.
const CHUNK: usize = 64;
/// Inserts per `batch_*` transaction.
const BATCH: usize = 1_000;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A random permutation of `items` (Fisher-Yates).
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// A key type of the benchmark: made from an id; ids `2i` are in the map, odd ids not.
trait Key: Ord + Clone + Send + Sync + std::fmt::Debug + std::hash::Hash + 'static {
    const NAME: &'static str;
    fn make(id: u64) -> Self;
}

impl Key for String {
    const NAME: &'static str = "string";
    fn make(id: u64) -> Self {
        format!("service-{id:08}")
    }
}

impl Key for u64 {
    const NAME: &'static str = "u64";
    fn make(id: u64) -> Self {
        id.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// The maps under test, each holding keys `make(2i)` for `i < n`, inserted in one random
/// order, value `i`.
struct Fixture<K: Key> {
    n: usize,
    ours: PersistentBTreeMap<K, u64>,
    /// The same entries in a concurrent cell, inserted in the same order (own nodes).
    cell: CowBTreeMap<K, u64>,
    std: BTreeMap<K, u64>,
    imbl: imbl::OrdMap<K, u64>,
    concread: concread::bptree::BptreeMap<K, u64>,
    /// Present keys in a random order (lookups).
    present: Vec<K>,
    /// Absent keys in a random order (inserts).
    absent: Vec<K>,
}

impl<K: Key> Fixture<K> {
    fn new(n: usize) -> Self {
        let mut rng = Rng(0x5EED_0000 + n as u64);
        let mut ids: Vec<u64> = (0..n as u64).collect();
        rng.shuffle(&mut ids);
        let entries: Vec<(K, u64)> = ids.iter().map(|&i| (K::make(2 * i), i)).collect();
        let mut ours = PersistentBTreeMap::new();
        let cell = CowBTreeMap::new();
        cell.update(|m| {
            for (k, v) in &entries {
                m.insert(k.clone(), *v);
            }
        });
        let mut std = BTreeMap::new();
        let mut imbl = imbl::OrdMap::new();
        let concread = concread::bptree::BptreeMap::new();
        // One loop per map: built in one interleaved loop, each map's nodes sat among
        // the others' in memory, and the cell's map (built alone above) read faster
        // than the same tree outside it.
        for (k, v) in &entries {
            ours.insert(k.clone(), *v);
        }
        for (k, v) in &entries {
            std.insert(k.clone(), *v);
        }
        for (k, v) in &entries {
            imbl.insert(k.clone(), *v);
        }
        let mut txn = concread.write();
        for (k, v) in &entries {
            txn.insert(k.clone(), *v);
        }
        txn.commit();
        let mut present: Vec<K> = entries.into_iter().map(|(k, _)| k).collect();
        rng.shuffle(&mut present);
        present.truncate(1 << 16);
        let mut absent: Vec<K> = (0..(1u64 << 16).min(n as u64 * 4))
            .map(|_| K::make(2 * (rng.next() % n as u64) + 1))
            .collect();
        absent.sort();
        absent.dedup();
        rng.shuffle(&mut absent);
        Fixture {
            n,
            ours,
            cell,
            std,
            imbl,
            concread,
            present,
            absent,
        }
    }
}

/// Runs `iters` timed operations in chunks of `chunk`: `op(state, key)` timed for each
/// key of the chunk, then `undo(state, keys)` untimed.
fn chunked<K: Key, S: ?Sized>(
    iters: u64,
    chunk: usize,
    keys: &[K],
    state: &mut S,
    mut op: impl FnMut(&mut S, &K),
    mut undo: impl FnMut(&mut S, &[K]),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    let mut at = 0usize;
    while done < iters {
        let len = chunk.min((iters - done) as usize);
        if at + len > keys.len() {
            at = 0;
        }
        let slice = &keys[at..at + len];
        total += Clock::get().time(|| {
            for k in slice {
                op(state, k);
            }
        });
        undo(state, slice);
        at += len;
        done += len as u64;
    }
    total
}

/// A persistent map, versioned the way a copy-on-write cell versions it: clone the
/// current version, change the clone, retire the old one.
trait Persistent<K>: Clone {
    fn put(&mut self, key: K);
    fn take(&mut self, key: &K);
}

impl<K: Key> Persistent<K> for PersistentBTreeMap<K, u64> {
    fn put(&mut self, key: K) {
        self.insert(key, 1);
    }
    fn take(&mut self, key: &K) {
        self.remove(key);
    }
}

impl<K: Key> Persistent<K> for imbl::OrdMap<K, u64> {
    fn put(&mut self, key: K) {
        self.insert(key, 1);
    }
    fn take(&mut self, key: &K) {
        self.remove(key);
    }
}

/// One `clone` + one insert per timed operation, the retired version dropped.
fn clone_insert<K: Key, M: Persistent<K>>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    keys: &[K],
    map: &mut M,
) {
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                CHUNK,
                keys,
                map,
                |cur, k| {
                    let mut next = cur.clone();
                    next.put(k.clone());
                    drop(std::mem::replace(cur, next));
                },
                |cur, ks| ks.iter().for_each(|k| cur.take(k)),
            )
        })
    });
}

/// One `clone`, `keys.len()` inserts, the retired version dropped, per iteration.
fn clone_batch<K: Key, M: Persistent<K>>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    keys: &[K],
    cur: &mut M,
) {
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += Clock::get().time(|| {
                    let mut next = cur.clone();
                    for k in keys {
                        next.put(k.clone());
                    }
                    drop(std::mem::replace(cur, next));
                });
                keys.iter().for_each(|k| cur.take(k));
            }
            total
        })
    });
}

fn insert<K: Key>(c: &mut Criterion, f: &mut Fixture<K>, cow: Option<&CowMap<K, u64>>) {
    let mut group = c.benchmark_group(format!("insert_{}", K::NAME));
    let n = f.n;
    if n >= 1_000_000 && cow.is_some() {
        // `cowmap` copies a million entries per insert.
        group.sample_size(10);
    }
    let keys = &f.absent;
    clone_insert(&mut group, BenchmarkId::new("ours", n), keys, &mut f.ours);
    let cell = &f.cell;
    group.bench_function(BenchmarkId::new("cow_btree_map", n), |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                CHUNK,
                keys,
                &mut (),
                |(), k| {
                    cell.insert(k.clone(), 1);
                },
                |(), ks| {
                    cell.update(|m| {
                        ks.iter().for_each(|k| {
                            m.remove(k);
                        })
                    })
                },
            )
        })
    });
    clone_insert(&mut group, BenchmarkId::new("imbl", n), keys, &mut f.imbl);
    group.bench_function(BenchmarkId::new("concread", n), |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                CHUNK,
                keys,
                &mut f.concread,
                |tree, k| {
                    let mut txn = tree.write();
                    txn.insert(k.clone(), 1);
                    txn.commit();
                },
                |tree, ks| {
                    let mut txn = tree.write();
                    ks.iter().for_each(|k| {
                        txn.remove(k);
                    });
                    txn.commit();
                },
            )
        })
    });
    if let Some(cow) = cow {
        group.bench_function(BenchmarkId::new("cowmap", n), |b| {
            b.iter_custom(|iters| {
                chunked(
                    iters,
                    4,
                    keys,
                    &mut (),
                    |(), k| {
                        cow.insert(k.clone(), 1);
                    },
                    |(), ks| {
                        cow.update(|m| {
                            ks.iter().for_each(|k| {
                                m.swap_remove(k);
                            })
                        })
                    },
                )
            })
        });
    }
    group.finish();
}

/// One update of a present key's value, the way each peer versions its map: `ours` and
/// imbl clone the current version, insert into the clone and drop the retired one;
/// `cow_btree_map` is `CowBTreeMap::insert` (through the cell); concread a write
/// transaction and its commit.
fn update<K: Key>(c: &mut Criterion, f: &mut Fixture<K>) {
    let mut group = c.benchmark_group(format!("update_{}", K::NAME));
    let n = f.n;
    let keys = &f.present;
    fn versioned<K: Key, M: Persistent<K>>(
        group: &mut BenchmarkGroup<'_, WallTime>,
        id: BenchmarkId,
        keys: &[K],
        map: &mut M,
    ) {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                chunked(
                    iters,
                    CHUNK,
                    keys,
                    map,
                    |cur, k| {
                        let mut next = cur.clone();
                        next.put(k.clone());
                        drop(std::mem::replace(cur, next));
                    },
                    |_, _| {},
                )
            })
        });
    }
    versioned(&mut group, BenchmarkId::new("ours", n), keys, &mut f.ours);
    let cell = &f.cell;
    group.bench_function(BenchmarkId::new("cow_btree_map", n), |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                CHUNK,
                keys,
                &mut (),
                |(), k| {
                    cell.insert(k.clone(), 1);
                },
                |(), _| {},
            )
        })
    });
    versioned(&mut group, BenchmarkId::new("imbl", n), keys, &mut f.imbl);
    group.bench_function(BenchmarkId::new("concread", n), |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                CHUNK,
                keys,
                &mut f.concread,
                |tree, k| {
                    let mut txn = tree.write();
                    txn.insert(k.clone(), 1);
                    txn.commit();
                },
                |_, _| {},
            )
        })
    });
    group.finish();
}

fn get<K: Key>(c: &mut Criterion, f: &Fixture<K>) {
    let mut group = c.benchmark_group(format!("get_{}", K::NAME));
    let n = f.n;
    let keys = &f.present;
    macro_rules! case {
        ($name:literal, $prepare:expr, |$m:ident, $k:ident| $get:expr) => {
            group.bench_function(BenchmarkId::new($name, n), |b| {
                let $m = $prepare;
                let mut i = 0usize;
                common::iter(b, || {
                    i = (i + 1) % keys.len();
                    let $k = &keys[i];
                    black_box($get)
                })
            });
        };
    }
    case!("ours", &f.ours, |m, k| m.get(k).copied());
    case!("cow_btree_map", &f.cell, |m, k| m.read().get(k).copied());
    case!("std", &f.std, |m, k| m.get(k).copied());
    case!("imbl", &f.imbl, |m, k| m.get(k).copied());
    case!("concread", f.concread.read(), |m, k| m.get(k).copied());
    group.finish();
}

fn iter<K: Key>(c: &mut Criterion, f: &Fixture<K>) {
    let mut group = c.benchmark_group(format!("iter_{}", K::NAME));
    if f.n >= 1_000_000 {
        group.sample_size(10);
    }
    let n = f.n;
    macro_rules! case {
        ($name:literal, $prepare:expr, |$m:ident| $iter:expr) => {
            group.bench_function(BenchmarkId::new($name, n), |b| {
                let $m = $prepare;
                common::iter(b, || $iter.fold(0u64, |acc, (_, v)| acc.wrapping_add(*v)))
            });
        };
    }
    case!("ours", &f.ours, |m| m.iter());
    case!("std", &f.std, |m| m.iter());
    case!("imbl", &f.imbl, |m| m.iter());
    case!("concread", f.concread.read(), |m| m.iter());
    group.finish();
}

fn batch<K: Key>(c: &mut Criterion, f: &mut Fixture<K>) {
    let mut group = c.benchmark_group(format!("batch_{}", K::NAME));
    group.sample_size(10);
    let n = f.n;
    let keys = &f.absent[..BATCH];
    clone_batch(&mut group, BenchmarkId::new("ours", n), keys, &mut f.ours);
    let cell = &f.cell;
    group.bench_function(BenchmarkId::new("cow_btree_map", n), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += Clock::get().time(|| {
                    cell.update(|m| {
                        for k in keys {
                            m.insert(k.clone(), 1);
                        }
                    })
                });
                cell.update(|m| keys.iter().for_each(|k| assert!(m.remove(k).is_some())));
            }
            total
        })
    });
    clone_batch(&mut group, BenchmarkId::new("imbl", n), keys, &mut f.imbl);
    group.bench_function(BenchmarkId::new("concread", n), |b| {
        let tree = &f.concread;
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += Clock::get().time(|| {
                    let mut txn = tree.write();
                    for k in keys {
                        txn.insert(k.clone(), 1);
                    }
                    txn.commit();
                });
                let mut txn = tree.write();
                keys.iter().for_each(|k| {
                    txn.remove(k);
                });
                txn.commit();
            }
            total
        })
    });
    group.finish();
}

fn from_iter<K: Key>(c: &mut Criterion, n: usize) {
    let mut group = c.benchmark_group(format!("from_iter_{}", K::NAME));
    if n >= 1_000_000 {
        group.sample_size(10);
    }
    let mut sorted: Vec<(K, u64)> = (0..n as u64).map(|i| (K::make(2 * i), i)).collect();
    sorted.sort();
    let sorted = &sorted;
    group.bench_function(BenchmarkId::new("ours", n), |b| {
        common::iter(b, || {
            sorted.iter().cloned().collect::<PersistentBTreeMap<_, _>>()
        })
    });
    group.bench_function(BenchmarkId::new("std", n), |b| {
        common::iter(b, || sorted.iter().cloned().collect::<BTreeMap<_, _>>())
    });
    group.bench_function(BenchmarkId::new("imbl", n), |b| {
        common::iter(b, || {
            sorted.iter().cloned().collect::<imbl::OrdMap<K, u64>>()
        })
    });
    group.finish();
}

fn sizes() -> Vec<usize> {
    std::env::var("BTREE_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().parse().expect("a size"))
                .collect()
        })
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000])
}

fn suite<K: Key>(c: &mut Criterion) {
    for n in sizes() {
        let mut f = Fixture::<K>::new(n);
        // A whole copy per write (~50 ms a write at 1M): `String` keys only.
        let cow = (K::NAME == "string").then(|| {
            f.std
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect::<CowMap<_, _>>()
        });
        insert(c, &mut f, cow.as_ref());
        drop(cow);
        update(c, &mut f);
        get(c, &f);
        iter(c, &f);
        if K::NAME == "string" && n >= 100_000 {
            batch(c, &mut f);
        }
        drop(f);
        from_iter::<K>(c, n);
    }
}

/// Where the B+tree overtakes the flat map: one insert of a new key (published, the
/// retired version freed) and one lookup, both through their cells, `String` keys, at
/// sizes around the crossover.
fn crossover(c: &mut Criterion) {
    let sizes = [16usize, 64, 256, 1024, 4096, 16384];
    let mut insert = c.benchmark_group("crossover_insert");
    for &n in &sizes {
        let present: Vec<String> = (0..n as u64).map(|i| String::make(2 * i)).collect();
        let absent: Vec<String> = (0..n as u64).map(|i| String::make(2 * i + 1)).collect();
        let flat: CowMap<String, u64> = present.iter().map(|k| (k.clone(), 0)).collect();
        let tree: CowBTreeMap<String, u64> = present.iter().map(|k| (k.clone(), 0)).collect();
        insert.bench_function(BenchmarkId::new("cowmap", n), |b| {
            b.iter_custom(|iters| {
                chunked(
                    iters,
                    8,
                    &absent,
                    &mut (),
                    |(), k| {
                        flat.insert(k.clone(), 1);
                    },
                    |(), ks| {
                        flat.update(|m| ks.iter().for_each(|k| assert!(m.swap_remove(k).is_some())))
                    },
                )
            })
        });
        insert.bench_function(BenchmarkId::new("cow_btree_map", n), |b| {
            b.iter_custom(|iters| {
                chunked(
                    iters,
                    8,
                    &absent,
                    &mut (),
                    |(), k| {
                        tree.insert(k.clone(), 1);
                    },
                    |(), ks| {
                        tree.update(|m| ks.iter().for_each(|k| assert!(m.remove(k).is_some())))
                    },
                )
            })
        });
    }
    insert.finish();
    let mut get = c.benchmark_group("crossover_get");
    for &n in &sizes {
        let mut keys: Vec<String> = (0..n as u64).map(|i| String::make(2 * i)).collect();
        let flat: CowMap<String, u64> = keys.iter().map(|k| (k.clone(), 0)).collect();
        let tree: CowBTreeMap<String, u64> = keys.iter().map(|k| (k.clone(), 0)).collect();
        Rng(n as u64 + 1).shuffle(&mut keys);
        let keys = &keys;
        get.bench_function(BenchmarkId::new("cowmap", n), |b| {
            let mut i = 0;
            common::iter(b, || {
                i = (i + 1) % keys.len();
                flat.read().get(&keys[i]).copied()
            })
        });
        get.bench_function(BenchmarkId::new("cow_btree_map", n), |b| {
            let mut i = 0;
            common::iter(b, || {
                i = (i + 1) % keys.len();
                tree.read().get(&keys[i]).copied()
            })
        });
    }
    get.finish();
}

/// `is_subset` between two versions of a set one insert apart (the second a clone of the
/// first plus a key in the middle), at the largest size: ours skips the subtrees both
/// share; `ours_walk` is the merge walk it would do without (std's strategy, spelled out
/// over our iterators); `std` is `BTreeSet::is_subset` on the same elements.
/// `is_disjoint` likewise (both answer at the first common element).
fn relations(c: &mut Criterion) {
    let n = sizes().into_iter().max().unwrap_or(1_000_000);
    let mut group = c.benchmark_group("relations_u64");
    let v1: PersistentBTreeSet<u64> = (0..n as u64).map(|i| 2 * i).collect();
    let mut v2 = v1.clone();
    v2.insert(n as u64 + 1);
    let (s1, s2): (BTreeSet<u64>, BTreeSet<u64>) =
        (v1.iter().copied().collect(), v2.iter().copied().collect());
    group.bench_function(BenchmarkId::new("is_subset/ours", n), |b| {
        common::iter(b, || v1.is_subset(&v2))
    });
    group.bench_function(BenchmarkId::new("is_subset/ours_walk", n), |b| {
        common::iter(b, || merge_walk_subset(v1.iter(), v2.iter()))
    });
    group.bench_function(BenchmarkId::new("is_subset/std", n), |b| {
        common::iter(b, || s1.is_subset(&s2))
    });
    group.bench_function(BenchmarkId::new("is_disjoint/ours", n), |b| {
        common::iter(b, || v1.is_disjoint(&v2))
    });
    group.bench_function(BenchmarkId::new("is_disjoint/std", n), |b| {
        common::iter(b, || s1.is_disjoint(&s2))
    });
    group.finish();
}

/// Whether every element of `a` is in `b`, both sorted: one merge pass.
fn merge_walk_subset<'a>(
    a: impl Iterator<Item = &'a u64>,
    mut b: impl Iterator<Item = &'a u64>,
) -> bool {
    for x in a {
        loop {
            match b.next() {
                Some(y) if y < x => continue,
                Some(y) if y == x => break,
                _ => return false,
            }
        }
    }
    true
}

fn benches(c: &mut Criterion) {
    suite::<String>(c);
    suite::<u64>(c);
    crossover(c);
    relations(c);
}

criterion_group! {
    name = btree;
    config = config();
    targets = benches
}
criterion_main!(btree);
