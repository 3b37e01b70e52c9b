//! What a diff between two versions costs, against what a caller would do without it.
//!
//! * `diff_btree_1m`: two versions of a 1,000,000-entry `CowBTreeMap<String, u64>`
//!   (keys `service-%08d`) 1, 1,000 and 100,000 changes apart (a third value updates, a
//!   third removals, a third inserts of new keys, spread over the key range), diffed
//!   with `older.diff(&newer)` (`ours`), against a full walk of both versions (`zip` of
//!   the two iterators comparing each pair: the least a diff that does not skip shared
//!   subtrees costs), and against `imbl::OrdMap::diff` on the same history. The number
//!   of items each reports is printed before the group runs (imbl's is checked against
//!   ours).
//! * `diff_flat`: two versions of a `CowMap<String, u64>` of 10,000 and 1,000,000
//!   entries, 100 changes apart: `older.diff(&newer)` against iterating the newer
//!   version and looking each key up in the older one (half a diff: it cannot see
//!   removals).
//!
//! The 1M fixtures are built once. `sample_size` 10; run with
//! `cargo bench --bench diff -- --warm-up-time 1 --measurement-time 3`.

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use cow_collections::{CowBTreeMap, CowMap, DiffItem, PersistentBTreeMap, Snapshot};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use indexmap::IndexMap;

const N: u64 = 1_000_000;
const CHANGES: [u64; 3] = [1, 1_000, 100_000];

fn key(i: u64) -> String {
    format!("service-{i:08}")
}

/// The `j`-th of `c` changes: a key spread over `0..n` (distinct for distinct `j`), and
/// what happens to it: 0 a new value, 1 removed, 2 a new key inserted just after it.
fn change(j: u64, c: u64, n: u64) -> (u64, u64) {
    let stride = n / c;
    (j * stride + stride / 2, j % 3)
}

/// The `c` changes as writes: `(key, Some(value))` an insert, `(key, None)` a removal.
fn writes(c: u64, n: u64) -> Vec<(String, Option<u64>)> {
    (0..c)
        .map(|j| match change(j, c, n) {
            (k, 0) => (key(k), Some(u64::MAX)),
            (k, 1) => (key(k), None),
            (k, _) => (format!("{}+", key(k)), Some(0)),
        })
        .collect()
}

/// A diff item as (key, kind): 0 added, 1 removed, 2 changed.
fn kind<'a>(item: &DiffItem<'a, String, u64>) -> (&'a str, u8) {
    match *item {
        DiffItem::Added(k, _) => (k, 0),
        DiffItem::Removed(k, _) => (k, 1),
        DiffItem::Changed { key, .. } => (key, 2),
    }
}

/// The B+tree versions (snapshots of one `CowBTreeMap`) and imbl's, `c` changes apart.
struct TreeHistory {
    c: u64,
    older: Snapshot<PersistentBTreeMap<String, u64>>,
    newer: Snapshot<PersistentBTreeMap<String, u64>>,
    imbl_older: imbl::OrdMap<String, u64>,
    imbl_newer: imbl::OrdMap<String, u64>,
}

fn diff_btree(crit: &mut Criterion) {
    let map: CowBTreeMap<String, u64> = (0..N).map(|i| (key(i), i)).collect();
    let base = map.snapshot();
    let imbl_base: imbl::OrdMap<String, u64> = (0..N).map(|i| (key(i), i)).collect();
    let histories: Vec<TreeHistory> = CHANGES
        .iter()
        .map(|&c| {
            map.store((*base).clone());
            let older = map.snapshot();
            map.update(|m| {
                for (k, v) in writes(c, N) {
                    match v {
                        Some(v) => m.insert(k, v),
                        None => m.remove(&k),
                    };
                }
            });
            let newer = map.snapshot();
            let mut imbl_newer = imbl_base.clone();
            for (k, v) in writes(c, N) {
                match v {
                    Some(v) => imbl_newer.insert(k, v),
                    None => imbl_newer.remove(&k),
                };
            }
            let ours: Vec<DiffItem<'_, String, u64>> = older.diff(&newer).collect();
            let theirs: Vec<(&str, u8)> = imbl_base
                .diff(&imbl_newer)
                .map(|item| match item {
                    imbl::ordmap::DiffItem::Add(k, _) => (k.as_str(), 0),
                    imbl::ordmap::DiffItem::Remove(k, _) => (k.as_str(), 1),
                    imbl::ordmap::DiffItem::Update { new, .. } => (new.0.as_str(), 2),
                })
                .collect();
            let ours_kinds: Vec<(&str, u8)> = ours.iter().map(kind).collect();
            let theirs_set: HashSet<&(&str, u8)> = theirs.iter().collect();
            let missed = ours_kinds
                .iter()
                .filter(|x| !theirs_set.contains(x))
                .count();
            let mut naive = 0;
            let (mut a, mut b) = (older.iter().peekable(), newer.iter().peekable());
            while a.peek().is_some() || b.peek().is_some() {
                match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) if x.0 == y.0 => {
                        naive += usize::from(x.1 != y.1);
                        a.next();
                        b.next();
                    }
                    (Some(x), Some(y)) if x.0 < y.0 => {
                        naive += 1;
                        a.next();
                    }
                    (Some(_), None) => {
                        naive += 1;
                        a.next();
                    }
                    _ => {
                        naive += 1;
                        b.next();
                    }
                }
            }
            eprintln!(
                "diff_btree_1m: {c} changes: ours {} items, naive merge {naive}, imbl {} \
                 ({missed} of ours missing from imbl's; the same items in the same order: {})",
                ours.len(),
                theirs.len(),
                ours_kinds == theirs,
            );
            assert_eq!(ours.len(), naive, "our diff against the naive merge");
            TreeHistory {
                c,
                older,
                newer,
                imbl_older: imbl_base.clone(),
                imbl_newer,
            }
        })
        .collect();

    let mut group = crit.benchmark_group("diff_btree_1m");
    group.sample_size(10);
    for h in &histories {
        group.bench_with_input(BenchmarkId::new("ours", h.c), h, |b, h| {
            b.iter(|| black_box(h.older.diff(&h.newer).count()));
        });
        group.bench_with_input(BenchmarkId::new("full_walk", h.c), h, |b, h| {
            b.iter(|| {
                black_box(
                    h.older
                        .iter()
                        .zip(h.newer.iter())
                        .filter(|(x, y)| x != y)
                        .count(),
                )
            });
        });
        group.bench_with_input(BenchmarkId::new("imbl", h.c), h, |b, h| {
            b.iter(|| black_box(h.imbl_older.diff(&h.imbl_newer).count()));
        });
    }
    group.finish();
}

/// Iterates `newer` and looks each key up in `older`: the entries added or changed.
fn lookup_each(older: &IndexMap<String, u64>, newer: &IndexMap<String, u64>) -> usize {
    newer
        .iter()
        .filter(|(k, v)| older.get(*k) != Some(*v))
        .count()
}

fn diff_flat(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("diff_flat");
    group.sample_size(10);
    for n in [10_000, N] {
        let map: CowMap<String, u64> = (0..n).map(|i| (key(i), i)).collect();
        let older = map.snapshot();
        map.update(|m| {
            for (k, v) in writes(100, n) {
                match v {
                    Some(v) => m.insert(k, v),
                    None => m.shift_remove(&k),
                };
            }
        });
        let newer = map.snapshot();
        group.bench_function(BenchmarkId::new("ours", n), |b| {
            b.iter(|| black_box(older.diff(&newer).count()));
        });
        group.bench_function(BenchmarkId::new("lookup_each", n), |b| {
            b.iter(|| black_box(lookup_each(&older, &newer)));
        });
    }
    group.finish();
}

criterion_group! {
    name = diff;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10)
        .without_plots();
    targets = diff_btree, diff_flat
}
criterion_main!(diff);
