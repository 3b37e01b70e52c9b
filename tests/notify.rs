//! Waiting for changes: `changed(since).await`, `wait_newer(since, timeout)` and
//! `Watcher`, on every collection type, with plain threads and with a multi-thread tokio
//! runtime; which writes wake waiters (only those that publish), and cancel-safety.

#![cfg(not(loom))]

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use common::{catch, with_deadline, with_timeout};
use cow_collections::{
    CowBTreeMap, CowBTreeSet, CowCell, CowMap, CowSet, CowVec, PersistentBTreeMap, Snapshot,
};

/// Long enough never to fire on a slow machine, short enough to fail a hung test.
const LONG: Duration = Duration::from_secs(60);

/// A waker that counts its wake-ups: tells exactly which writes notify a waiter.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl CountingWaker {
    fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Polls `future` once with `waker`.
fn poll_once<F: Future>(
    future: std::pin::Pin<&mut F>,
    waker: &Arc<CountingWaker>,
) -> Poll<F::Output> {
    let waker = Waker::from(Arc::clone(waker));
    future.poll(&mut Context::from_waker(&waker))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn changed_is_ready_at_once_when_the_current_version_is_newer() {
    let cell = CowCell::new(0);
    cell.store(1);
    let waker = Arc::new(CountingWaker::default());
    let mut future = pin!(cell.changed(0));
    match poll_once(future.as_mut(), &waker) {
        Poll::Ready(newer) => assert_eq!((*newer, newer.version()), (1, 1)),
        Poll::Pending => panic!("version 1 is above 0: changed(0) must be ready"),
    }
    // `since` above the current version: waits, even for versions that do not exist yet.
    let mut future = pin!(cell.changed(1));
    assert!(poll_once(future.as_mut(), &waker).is_pending());
    let mut future = pin!(cell.changed(5));
    assert!(poll_once(future.as_mut(), &waker).is_pending());
}

#[test]
fn only_writes_that_publish_wake_waiters() {
    let set = CowSet::from([1, 2]);
    let waker = Arc::new(CountingWaker::default());
    let mut future = pin!(set.changed(set.version()));
    assert!(poll_once(future.as_mut(), &waker).is_pending());

    // Writes that change nothing publish nothing and wake nobody.
    assert!(!set.insert(1));
    assert!(!set.remove(&9));
    set.retain(|_| true);
    set.extend([1, 2]);
    let failed: Result<(), &str> = set.try_update(|s| {
        s.insert(3);
        Err("no")
    });
    assert!(failed.is_err());
    set.write().discard();
    // A write whose closure panics publishes nothing and wakes nobody either.
    let panicked = catch(|| set.update(|_| panic!("planned")));
    assert!(panicked.is_err());
    assert_eq!(set.version(), 0);
    assert_eq!(
        waker.wakes(),
        0,
        "a write that published nothing woke a waiter"
    );
    assert!(poll_once(future.as_mut(), &waker).is_pending());

    // One publish: one wake-up, and the future resolves with it.
    assert!(set.insert(3));
    assert_eq!(waker.wakes(), 1);
    match poll_once(future.as_mut(), &waker) {
        Poll::Ready(newer) => assert_eq!((newer.len(), newer.version()), (3, 1)),
        Poll::Pending => panic!("woken but not ready"),
    }
}

#[test]
fn every_kind_of_publish_wakes_waiters() {
    type Write = fn(&CowVec<u8>);
    let writes: [(&str, Write); 5] = [
        ("push", |v| v.push(1)),
        ("update", |v| v.update(|v| v.push(2))),
        ("store", |v| drop(v.store(vec![3]))),
        ("write guard", |v| v.write().push(4)),
        ("try_update Ok", |v| {
            v.try_update(|v| {
                v.push(5);
                Ok::<_, ()>(())
            })
            .unwrap()
        }),
    ];
    let list = CowVec::new();
    for (name, write) in writes {
        let waker = Arc::new(CountingWaker::default());
        let mut future = pin!(list.changed(list.version()));
        assert!(poll_once(future.as_mut(), &waker).is_pending(), "{name}");
        write(&list);
        assert_eq!(waker.wakes(), 1, "{name} did not wake the waiter");
        assert!(poll_once(future.as_mut(), &waker).is_ready(), "{name}");
    }
}

#[test]
fn a_publish_wakes_every_waiter_and_a_dropped_future_loses_nothing() {
    let cell = CowCell::new(0u64);
    let wakers: Vec<_> = (0..8).map(|_| Arc::new(CountingWaker::default())).collect();
    let mut kept = Vec::new();
    for (i, waker) in wakers.iter().enumerate() {
        let mut future = Box::pin(cell.changed(0));
        assert!(poll_once(future.as_mut(), waker).is_pending());
        if i % 2 == 0 {
            kept.push((future, waker));
        } // the odd ones are dropped while registered: cancelled mid-wait
    }
    cell.store(1);
    for (mut future, waker) in kept {
        assert_eq!(waker.wakes(), 1);
        assert!(poll_once(future.as_mut(), waker).is_ready());
    }
    for waker in wakers.iter().skip(1).step_by(2) {
        assert_eq!(waker.wakes(), 0, "a dropped future was woken");
    }
    // Later waiters are unaffected by the cancelled ones.
    thread::scope(|s| {
        s.spawn(|| cell.store(2));
        let newer = cell.wait_newer(1, LONG).expect("woken");
        assert_eq!(newer.version(), 2);
    });
}

#[test]
fn wait_newer_times_out_with_none_and_never_returns_an_older_version() {
    let cell = CowCell::new(String::from("a"));
    let started = Instant::now();
    assert!(cell.wait_newer(0, Duration::from_millis(30)).is_none());
    assert!(started.elapsed() >= Duration::from_millis(30));
    assert!(cell.wait_newer(0, Duration::ZERO).is_none());
    cell.store(String::from("b"));
    // Already newer: at once, whatever the timeout.
    let newer = cell.wait_newer(0, Duration::ZERO).unwrap();
    assert_eq!((newer.as_str(), newer.version()), ("b", 1));
    // `since` ahead of the current version: only a version above it will do.
    assert!(cell.wait_newer(1, Duration::from_millis(5)).is_none());
    // No deadline at all.
    thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(Duration::from_millis(5));
            cell.store(String::from("c"));
        });
        let newer = cell.wait_newer(1, Duration::MAX).unwrap();
        assert_eq!((newer.as_str(), newer.version()), ("c", 2));
    });
}

#[test]
fn wait_newer_skips_versions_it_cannot_reach_and_returns_the_latest() {
    with_timeout(|| {
        let cell = Arc::new(CowCell::new(0u64));
        let writer = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || {
                for v in 1..=5 {
                    thread::sleep(Duration::from_millis(2));
                    cell.store(v);
                }
            })
        };
        // Waits through publishes 1 to 3 (not above 3), returns 4 or later.
        let newer = cell.wait_newer(3, LONG).unwrap();
        assert!(newer.version() >= 4);
        assert_eq!(*newer, newer.version());
        writer.join().unwrap();
    });
}

#[test]
fn a_watcher_returns_each_newer_version_once_and_skips_intermediate_ones() {
    let map = CowMap::from([("k", 0)]);
    map.insert("k", 1); // before the watcher: counts as seen
    let mut watcher = map.watch();
    assert_eq!(watcher.seen(), 1);
    assert!(!watcher.has_changed());
    assert!(watcher.wait(Duration::ZERO).is_none());
    map.insert("k", 2);
    map.insert("k", 3);
    assert!(watcher.has_changed());
    let latest = watcher.wait(LONG).unwrap();
    assert_eq!((latest["k"], latest.version()), (3, 3)); // 2 is skipped, not queued
    assert_eq!(watcher.seen(), 3);
    assert!(!watcher.has_changed());
    assert!(watcher.wait(Duration::ZERO).is_none());
    // Reading the map does not count as seen; only what the watcher returned does.
    map.insert("k", 4);
    assert_eq!(map.read()["k"], 4);
    assert_eq!(watcher.wait(Duration::ZERO).unwrap()["k"], 4);

    // A dropped `changed` future leaves the watcher where it was.
    let waker = Arc::new(CountingWaker::default());
    {
        let mut future = pin!(watcher.changed());
        assert!(poll_once(future.as_mut(), &waker).is_pending());
    }
    assert_eq!(watcher.seen(), 4);
    map.insert("k", 5);
    let mut future = pin!(watcher.changed());
    match poll_once(future.as_mut(), &waker) {
        Poll::Ready(newer) => assert_eq!(newer["k"], 5),
        Poll::Pending => panic!("version 5 was already published"),
    }
}

/// `changed`, `wait_newer` and `watch` through each collection's facade: a future on a
/// tokio runtime, a blocked thread, a watcher.
macro_rules! check_waiting {
    ($collection:expr, $clear:expr, $add_one:expr) => {{
        let c = $collection;
        let (clear, add_one) = ($clear, $add_one);
        let v = c.version();
        thread::scope(|s| {
            s.spawn(|| clear(&c));
            let newer = runtime().block_on(c.changed(v));
            assert!(newer.is_empty());
        });
        assert!(c.wait_newer(v, Duration::ZERO).unwrap().is_empty());
        assert!(c.wait_newer(v + 1, Duration::from_millis(1)).is_none());
        let mut watcher = c.watch();
        thread::scope(|s| {
            s.spawn(|| add_one(&c));
            assert_eq!(watcher.wait(LONG).unwrap().len(), 1);
        });
    }};
}

#[test]
#[cfg_attr(miri, ignore = "tokio's runtime is not supported under Miri")]
fn every_collection_type_can_be_waited_on() {
    check_waiting!(
        CowVec::from(vec![1]),
        |c: &CowVec<i32>| c.clear(),
        |c: &CowVec<i32>| c.push(2)
    );
    check_waiting!(
        CowSet::from([1]),
        |c: &CowSet<i32>| c.clear(),
        |c: &CowSet<i32>| assert!(c.insert(2))
    );
    check_waiting!(
        CowMap::from([(1, 'a')]),
        |c: &CowMap<i32, char>| c.clear(),
        |c: &CowMap<i32, char>| assert!(c.insert(2, 'b').is_none())
    );
    check_waiting!(
        CowCell::new(vec![1]),
        |c: &CowCell<Vec<i32>>| drop(c.store(Vec::new())),
        |c: &CowCell<Vec<i32>>| c.update(|v| v.push(2))
    );
}

#[test]
#[cfg_attr(miri, ignore = "tokio's runtime is not supported under Miri")]
fn tasks_and_threads_all_reach_the_final_version() {
    with_deadline(LONG, || {
        let publishes = 300u64;
        let cell = Arc::new(CowCell::new(0u64));
        let rt = runtime();
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let cell = Arc::clone(&cell);
                rt.spawn(async move {
                    let (mut seen, mut wakes) = (0, 0);
                    if i % 2 == 0 {
                        while seen < publishes {
                            let newer = cell.changed(seen).await;
                            assert!(newer.version() > seen);
                            assert_eq!(*newer, newer.version());
                            seen = newer.version();
                            wakes += 1;
                        }
                    } else {
                        let mut watcher = cell.watch();
                        while watcher.seen() < publishes {
                            let newer = watcher.changed().await;
                            assert_eq!(*newer, watcher.seen());
                            wakes += 1;
                        }
                    }
                    wakes
                })
            })
            .collect();
        let start = Arc::new(Barrier::new(5));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (cell, start) = (Arc::clone(&cell), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    let mut seen = 0;
                    while seen < publishes {
                        seen = cell
                            .wait_newer(seen, LONG)
                            .expect("no publish within 60 s")
                            .version();
                    }
                })
            })
            .collect();
        start.wait();
        for v in 1..=publishes {
            cell.update(|x| *x = v);
            if v % 16 == 0 {
                thread::yield_now();
            }
        }
        for t in threads {
            t.join().unwrap();
        }
        for task in tasks {
            let wakes = rt.block_on(task).unwrap();
            assert!((1..=publishes).contains(&wakes));
        }
    });
}

/// The future is `Send` (it can be spawned on a multi-thread runtime) when `T: Send + Sync`.
#[test]
fn changed_futures_are_send() {
    fn send<F: Future + Send>(f: F) -> F {
        f
    }
    let cell = CowCell::new(vec![String::new()]);
    let list = CowVec::from(vec![1]);
    drop(send(cell.changed(0)));
    drop(send(list.changed(0)));
    let mut watcher = list.watch();
    drop(send(watcher.changed()));
    let _: Option<Snapshot<Vec<i32>>> = list.wait_newer(0, Duration::ZERO);
}

/// `store_if_changed` on every collection: a value equal to the current version
/// publishes nothing (the version does not move, a pending watcher is not woken, the
/// value is dropped); a different one publishes, wakes the watcher once and returns the
/// version it replaced.
#[test]
fn store_if_changed_publishes_and_wakes_only_on_a_difference() {
    fn check<C, T: Clone + PartialEq + std::fmt::Debug>(
        what: &str,
        collection: &C,
        version: impl Fn(&C) -> u64,
        watch: impl for<'a> Fn(&'a C) -> cow_collections::Watcher<'a, T>,
        store_if_changed: impl Fn(&C, T) -> Option<Snapshot<T>>,
        same: T,
        other: T,
    ) {
        let mut watcher = watch(collection);
        let waker = Arc::new(CountingWaker::default());
        {
            let mut future = pin!(watcher.changed());
            assert!(poll_once(future.as_mut(), &waker).is_pending());
            for _ in 0..3 {
                assert!(
                    store_if_changed(collection, same.clone()).is_none(),
                    "{what}"
                );
            }
            assert_eq!(version(collection), 0, "{what}: an equal store published");
            assert_eq!(waker.wakes(), 0, "{what}: an equal store woke a watcher");
            assert!(poll_once(future.as_mut(), &waker).is_pending(), "{what}");

            let replaced = store_if_changed(collection, other.clone()).expect(what);
            assert_eq!((*replaced).clone(), same, "{what}: the replaced version");
            assert_eq!(replaced.version(), 0, "{what}");
            assert_eq!(version(collection), 1, "{what}");
            assert_eq!(waker.wakes(), 1, "{what}: one publish, one wake-up");
            match poll_once(future.as_mut(), &waker) {
                Poll::Ready(newer) => {
                    assert_eq!(((*newer).clone(), newer.version()), (other.clone(), 1))
                }
                Poll::Pending => panic!("{what}: woken but not ready"),
            }
        }
        // The new value again: nothing.
        assert!(store_if_changed(collection, other).is_none(), "{what}");
        assert!(!watcher.has_changed(), "{what}");
        assert_eq!(version(collection), 1, "{what}");
    }

    let vec = CowVec::from(vec![1, 2]);
    check(
        "CowVec",
        &vec,
        CowVec::version,
        CowVec::watch,
        CowVec::store_if_changed,
        vec![1, 2],
        vec![1, 2, 3],
    );
    let set = CowSet::from([1, 2]);
    let reordered: indexmap::IndexSet<i32> = [2, 1].into_iter().collect();
    // `IndexSet`'s `==` ignores order: a reordered copy is equal, nothing published.
    assert!(set.store_if_changed(reordered).is_none());
    check(
        "CowSet",
        &set,
        CowSet::version,
        CowSet::watch,
        CowSet::store_if_changed,
        (*set.read()).clone(),
        [1, 2, 3].into_iter().collect(),
    );
    let map = CowMap::from([("a", 1)]);
    check(
        "CowMap",
        &map,
        CowMap::version,
        CowMap::watch,
        CowMap::store_if_changed,
        (*map.read()).clone(),
        [("a", 2)].into_iter().collect(),
    );
    let btree_map: CowBTreeMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    // Equal content in a tree built separately (no node shared): still equal.
    let rebuilt: PersistentBTreeMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    check(
        "CowBTreeMap",
        &btree_map,
        CowBTreeMap::version,
        CowBTreeMap::watch,
        CowBTreeMap::store_if_changed,
        rebuilt,
        (0..100).map(|i| (i, i + 1)).collect(),
    );
    let btree_set: CowBTreeSet<u32> = (0..100).collect();
    check(
        "CowBTreeSet",
        &btree_set,
        CowBTreeSet::version,
        CowBTreeSet::watch,
        CowBTreeSet::store_if_changed,
        (0..100).collect(),
        (1..100).collect(),
    );
}
