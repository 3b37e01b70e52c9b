//! Rayon integration (feature `rayon`): parallel iteration over snapshots and guards,
//! parallel collect and extend with a single publish.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use cow_collections::{CowBTreeMap, CowBTreeSet, CowMap, CowSet, CowVec};
use indexmap::{IndexMap, IndexSet};
use rayon::prelude::*;

const N: u64 = if cfg!(miri) { 100 } else { 10_000 };

/// Accepts anything that iterates in parallel by reference: generic code must be able to
/// take a snapshot reference directly.
fn par_sum<'a, C>(collection: C) -> u64
where
    C: IntoParallelIterator<Item = &'a u64>,
{
    collection.into_par_iter().copied().sum()
}

#[test]
fn vec_snapshot_par_iter_matches_sequential() {
    let list: CowVec<u64> = (0..N).collect();
    let snapshot = list.snapshot();
    let sequential: u64 = snapshot.iter().sum();
    assert_eq!(snapshot.par_iter().sum::<u64>(), sequential);
    assert_eq!((&snapshot).into_par_iter().sum::<u64>(), sequential);
    assert_eq!(par_sum(&snapshot), sequential);
    assert_eq!(par_sum(&list.read()), sequential);
    assert_eq!(sequential, N * (N - 1) / 2);
}

#[test]
fn vec_snapshot_par_iter_is_indexed_and_ordered() {
    let list: CowVec<u64> = (0..N).collect();
    let snapshot = list.snapshot();
    let iter = (&snapshot).into_par_iter();
    // `len` and `enumerate` exist only on indexed parallel iterators.
    assert_eq!(iter.len(), N as usize);
    assert!(snapshot.par_iter().enumerate().all(|(i, &x)| i as u64 == x));
    let doubled: Vec<u64> = snapshot.par_iter().map(|x| x * 2).collect();
    assert_eq!(doubled, snapshot.iter().map(|x| x * 2).collect::<Vec<_>>());
}

#[test]
fn set_and_map_snapshots_iterate_in_parallel() {
    let set: CowSet<u64> = (0..N).collect();
    let snapshot = set.snapshot();
    let via_ref: IndexSet<u64> = (&snapshot).into_par_iter().copied().collect();
    assert_eq!(via_ref, *snapshot);
    assert_eq!(par_sum(&snapshot), N * (N - 1) / 2);

    let map: CowMap<u64, String> = (0..N).map(|i| (i, i.to_string())).collect();
    let snapshot = map.snapshot();
    assert!(snapshot
        .par_iter()
        .all(|(k, v)| v.parse::<u64>().unwrap() == *k));
    let keys: u64 = (&snapshot).into_par_iter().map(|(k, _)| *k).sum();
    assert_eq!(keys, N * (N - 1) / 2);
    // Indexed: ordered collect keeps insertion order.
    let pairs: Vec<(u64, String)> = snapshot.par_iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(pairs.first(), Some(&(0, "0".to_string())));
    assert_eq!(pairs.len(), N as usize);
}

#[test]
fn parallel_iteration_sees_one_version_while_writers_publish() {
    let list = CowVec::from(vec![0u64; 1_000]);
    let stop = AtomicBool::new(false);
    thread::scope(|s| {
        s.spawn(|| {
            let mut round = 1;
            while !stop.load(Ordering::Relaxed) && round < 200 {
                // Every published version is some `k` repeated: a torn read would mix.
                list.update(|v| v.iter_mut().for_each(|x| *x = round));
                round += 1;
            }
        });
        for _ in 0..20 {
            let snapshot = list.snapshot();
            // Round k publishes version k with every element k.
            let version = snapshot.version();
            assert!(snapshot.par_iter().all(|&x| x == version));
            assert_eq!(snapshot.par_iter().len(), 1_000);
        }
        stop.store(true, Ordering::Relaxed);
    });
}

#[test]
fn from_par_iter_builds_version_zero() {
    let list: CowVec<u64> = (0..N).into_par_iter().collect();
    assert_eq!(list.version(), 0);
    assert_eq!(*list.snapshot(), (0..N).collect::<Vec<_>>());

    let set: CowSet<u64> = (0..N).into_par_iter().map(|i| i % 7).collect();
    assert_eq!(set.len(), 7);
    assert_eq!(set.version(), 0);

    let map: CowMap<u64, u64> = (0..N).into_par_iter().map(|i| (i, i * i)).collect();
    assert_eq!(map.len(), N as usize);
    assert_eq!(map.get(&12), Some(144));
    // Parallel collect keeps the sequential order.
    assert_eq!(
        map.read().keys().copied().collect::<Vec<_>>(),
        (0..N).collect::<Vec<_>>()
    );
}

#[test]
fn par_extend_publishes_once() {
    let list = CowVec::from(vec![u64::MAX]);
    let before = list.snapshot();
    list.par_extend((0..N).into_par_iter());
    assert_eq!(list.version(), 1);
    assert_eq!(list.len(), N as usize + 1);
    assert_eq!(list.get(1), Some(0));
    assert_eq!(list.get(N as usize), Some(N - 1));
    assert_eq!(*before, [u64::MAX]); // the old version is untouched

    // An empty parallel iterator publishes nothing.
    list.par_extend(Vec::<u64>::new());
    assert_eq!(list.version(), 1);

    // The trait method (&mut self) behaves the same.
    let mut list = list;
    ParallelExtend::par_extend(&mut list, vec![7, 8]);
    assert_eq!(list.version(), 2);
    assert_eq!(list.read()[list.len() - 2..], [7, 8]);
}

#[test]
fn set_and_map_par_extend() {
    let set = CowSet::from([1u64, 2]);
    set.par_extend((0..100u64).into_par_iter());
    assert_eq!(set.version(), 1);
    assert_eq!(set.len(), 100);
    // Existing elements keep their position; new ones follow in order.
    assert_eq!(
        set.read().iter().take(3).copied().collect::<Vec<_>>(),
        [1, 2, 0]
    );
    set.par_extend((0..100u64).into_par_iter());
    assert_eq!(set.version(), 1, "nothing new: no publish");
    let mut set = set;
    ParallelExtend::par_extend(&mut set, vec![1000]);
    assert!(set.contains(&1000));

    let map: CowMap<u64, &str> = CowMap::from(IndexMap::from_iter([(1, "old")]));
    map.par_extend(vec![(1, "new"), (2, "two")]);
    assert_eq!(map.version(), 1);
    assert_eq!(map.get(&1), Some("new"));
    assert_eq!(map.get(&2), Some("two"));
    let mut map = map;
    ParallelExtend::par_extend(&mut map, vec![(3, "three")]);
    assert_eq!(map.version(), 2);
}

#[test]
fn par_extend_concurrently_loses_nothing() {
    let list = CowVec::new();
    thread::scope(|s| {
        for t in 0..4u64 {
            let list = &list;
            s.spawn(move || {
                for chunk in 0..5u64 {
                    let base = (t * 5 + chunk) * 100;
                    list.par_extend((base..base + 100).into_par_iter());
                }
            });
        }
    });
    assert_eq!(list.version(), 20);
    let seen: HashSet<u64> = list.snapshot().par_iter().copied().collect();
    assert_eq!(seen.len(), 2_000);
    assert_eq!(seen, (0..2_000).collect());
}

#[test]
fn btree_snapshots_iterate_in_parallel_split_along_the_tree() {
    // Sizes around and well past one leaf, so that every split path runs: a lone leaf,
    // a root whose children are leaves, and deeper trees.
    for n in [0, 1, 15, 17, 600, N] {
        let map: CowBTreeMap<u64, u64> = (0..n).map(|i| (i, i * 3)).collect();
        let snapshot = map.snapshot();
        let keys: Vec<u64> = snapshot.par_iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            (0..n).collect::<Vec<_>>(),
            "n = {n}: collect keeps order"
        );
        let sum: u64 = snapshot.par_iter().map(|(_, v)| *v).sum();
        assert_eq!(sum, 3 * (0..n).sum::<u64>());
        let seen: HashSet<u64> = (&snapshot).into_par_iter().map(|(k, _)| *k).collect();
        assert_eq!(seen.len() as u64, n);
        // Short-circuiting stops early and still finds the answer.
        assert_eq!(
            snapshot
                .par_iter()
                .find_any(|(k, _)| **k == n / 2)
                .is_some(),
            n > 0
        );

        let set: CowBTreeSet<u64> = (0..n).collect();
        assert_eq!(par_sum(&set.snapshot()), (0..n).sum::<u64>());
        assert_eq!(par_sum(&set.read()), (0..n).sum::<u64>());
    }
}

#[test]
fn btree_collections_collect_and_extend_in_parallel_with_one_publish() {
    let map: CowBTreeMap<u64, u64> = (0..N).into_par_iter().map(|i| (N - 1 - i, i)).collect();
    assert_eq!((map.len() as u64, map.version()), (N, 0));
    map.read().check_invariants();
    map.par_extend((N..N + 100).into_par_iter().map(|i| (i, i)));
    assert_eq!((map.len() as u64, map.version()), (N + 100, 1));
    let mut map = map;
    ParallelExtend::par_extend(&mut map, vec![(0, 7)]);
    assert_eq!((map.get(&0), map.version()), (Some(7), 2));
    assert_eq!(map.get(&(N - 1)), Some(0));

    let set: CowBTreeSet<u64> = (0..N).into_par_iter().map(|i| i % 100).collect();
    assert_eq!(set.len(), 100);
    set.par_extend((0..100u64).into_par_iter()); // nothing new
    assert_eq!(set.version(), 0);
    let mut set = set;
    ParallelExtend::par_extend(&mut set, vec![1000]);
    assert_eq!((set.len(), set.version()), (101, 1));
}
