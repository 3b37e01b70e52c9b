//! Waiting for changes: what it costs, against `tokio::sync::watch`, in one run.
//!
//! 1. `notify_read_2t` (criterion): `read()` while a second thread reads the same
//!    collection, against `watch::Receiver::borrow()` (an `RwLock` read lock) with a
//!    second receiver doing the same. Target: ours at least 10x faster.
//! 2. `notify_write_set` (criterion): a 16-element `CowVec::set` with nobody waiting,
//!    after waiters have come and gone (the waiter list exists, the count is 0): what a
//!    write pays for the feature is one atomic load. The before/after comparison with the
//!    crate before this feature is `cargo bench --bench write -- write_set` on both
//!    commits (BENCHMARKS.md).
//! 3. Wake latency (custom, printed): from just before a publish to the moment the
//!    waiter has the new version, for a thread blocked in `wait_newer` and for a tokio
//!    task awaiting `changed()`, against `watch::Sender::send` to the return of
//!    `watch::Receiver::changed()` (a thread blocking on it, and a task). p50 and p99 of
//!    `WAKES` publishes each; the waiter is asleep before each publish (the publisher
//!    waits for its acknowledgement and then lets it park). Target: p99 at most 1.5x
//!    watch's.
//! 4. 1,000 waiters (tokio tasks) on one collection: one publish wakes them all; the
//!    time from the publish to the last task's wake-up, median of `ROUNDS`, against
//!    1,000 `watch::Receiver`s.
//!
//! `cargo bench --bench notify` runs all four; criterion's filters apply to 1 and 2
//! only (`cargo bench --bench notify -- notify_read`). `NOTIFY_WAKES=N` changes the
//! number of samples of 3.

mod common;

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{config, criterion_dir, with_background};
use cow_collections::{CowCell, CowVec};
use criterion::Criterion;
use hdrhistogram::Histogram;
use tokio::sync::watch;

/// 1: two threads reading.
fn read_2t(c: &mut Criterion) {
    let mut group = c.benchmark_group("notify_read_2t");
    let cell = CowVec::from((0..16u64).collect::<Vec<_>>());
    group.bench_function("cow_read", |b| {
        b.iter_custom(|iters| {
            let (elapsed, _) = with_background(
                1,
                || {
                    || {
                        black_box(cell.read()[0]);
                    }
                },
                || {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(cell.read()[0]);
                    }
                    start.elapsed()
                },
            );
            elapsed
        })
    });
    let (tx, rx) = watch::channel((0..16u64).collect::<Vec<_>>());
    group.bench_function("watch_borrow", |b| {
        b.iter_custom(|iters| {
            let (elapsed, _) = with_background(
                1,
                || {
                    let rx = rx.clone();
                    move || {
                        black_box(rx.borrow()[0]);
                    }
                },
                || {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(rx.borrow()[0]);
                    }
                    start.elapsed()
                },
            );
            elapsed
        })
    });
    group.finish();
    drop(tx);
}

/// 2: a write with nobody waiting, before any waiter ever registered and after some did.
fn write_set(c: &mut Criterion) {
    let mut group = c.benchmark_group("notify_write_set");
    let never = CowVec::from((0..16u64).collect::<Vec<_>>());
    let mut i = 0u64;
    group.bench_function("set_16_never_waited", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            never.set((i % 16) as usize, i)
        })
    });
    let waited = CowVec::from((0..16u64).collect::<Vec<_>>());
    // Waiters came, were woken and left: the waiter list is allocated, the count is 0.
    for _ in 0..3 {
        thread::scope(|s| {
            s.spawn(|| waited.wait_newer(waited.version(), Duration::from_secs(10)));
            thread::sleep(Duration::from_millis(5));
            waited.set(0, 0);
        });
    }
    group.bench_function("set_16_waited_before", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            waited.set((i % 16) as usize, i)
        })
    });
    group.finish();
}

/// Wake latency samples in nanoseconds: `publish(t0)` publishes the instant it was
/// called with; `wait` is the waiter's loop body, which returns the time from that
/// instant to its wake-up. The publisher waits for the waiter to acknowledge each sample
/// and then gives it 200 us to fall asleep again.
fn wake_latency(
    samples: usize,
    publish: impl Fn(Instant) + Send,
    wait: impl FnMut() -> Duration + Send,
) -> Histogram<u64> {
    let acked = AtomicU64::new(0);
    let start = Barrier::new(2);
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).unwrap();
    thread::scope(|s| {
        let (acked, start) = (&acked, &start);
        let waiter = s.spawn(move || {
            let mut wait = wait;
            let mut latencies = Vec::with_capacity(samples);
            start.wait();
            for n in 1..=samples as u64 {
                latencies.push(wait().as_nanos() as u64);
                acked.store(n, Ordering::Release);
            }
            latencies
        });
        start.wait();
        for n in 1..=samples as u64 {
            thread::sleep(Duration::from_micros(200));
            publish(Instant::now());
            while acked.load(Ordering::Acquire) < n {
                thread::yield_now();
            }
        }
        for ns in waiter.join().unwrap() {
            hist.record(ns.max(1)).unwrap();
        }
    });
    hist
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// 3: publish-to-wake latency, ours and watch's, threads and tasks.
fn wake_latencies(samples: usize) -> Vec<(&'static str, Histogram<u64>)> {
    let mut rows = Vec::new();

    let cell = CowCell::new(Instant::now());
    let mut seen = cell.version();
    rows.push((
        "cow wait_newer (thread)",
        wake_latency(
            samples,
            |t| drop(cell.store(t)),
            || {
                let newer = cell.wait_newer(seen, Duration::from_secs(10)).unwrap();
                seen = newer.version();
                newer.elapsed()
            },
        ),
    ));

    // watch has no blocking wait: a thread blocks on its future in a current-thread
    // runtime (made once), which parks the thread like `wait_newer` does.
    let (tx, mut rx) = watch::channel(Instant::now());
    let local = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rows.push((
        "watch changed (thread)",
        wake_latency(
            samples,
            |t| tx.send(t).unwrap(),
            || {
                local.block_on(rx.changed()).unwrap();
                rx.borrow_and_update().elapsed()
            },
        ),
    ));

    // Tasks: the waiter is a task on a one-worker runtime; the loop body hands each
    // instant over through a std channel so that `wake_latency` stays the same.
    let rt = runtime();
    let cell = Arc::new(CowCell::new(Instant::now()));
    let (to_bench, from_task) = std::sync::mpsc::channel();
    let task = {
        let cell = Arc::clone(&cell);
        rt.spawn(async move {
            let mut watcher = cell.watch();
            for _ in 0..samples {
                let newer = watcher.changed().await;
                let woke = Instant::now();
                to_bench.send((*newer, woke)).unwrap();
            }
        })
    };
    rows.push((
        "cow changed (tokio task)",
        wake_latency(
            samples,
            |t| drop(cell.store(t)),
            move || {
                // Up to the task's wake-up, not the channel's hand-over.
                let (sent, woke) = from_task.recv().unwrap();
                woke - sent
            },
        ),
    ));
    rt.block_on(task).unwrap();

    let (tx, rx) = watch::channel(Instant::now());
    let (to_bench, from_task) = std::sync::mpsc::channel();
    let task = {
        let mut rx = rx.clone();
        rt.spawn(async move {
            for _ in 0..samples {
                rx.changed().await.unwrap();
                let sent = *rx.borrow_and_update();
                to_bench.send((sent, Instant::now())).unwrap();
            }
        })
    };
    rows.push((
        "watch changed (tokio task)",
        wake_latency(
            samples,
            |t| tx.send(t).unwrap(),
            move || {
                let (sent, woke) = from_task.recv().unwrap();
                woke - sent
            },
        ),
    ));
    rt.block_on(task).unwrap();
    drop(rx);
    rows
}

/// 4: one publish, `waiters` tasks; the time until the last one woke, per round.
fn wake_all(waiters: usize, rounds: usize) -> (Vec<Duration>, Vec<Duration>) {
    let rt = runtime();
    let mut cow = Vec::new();
    let mut watch_times = Vec::new();
    for _ in 0..rounds {
        let cell = Arc::new(CowCell::new(Instant::now()));
        let tasks: Vec<_> = (0..waiters)
            .map(|_| {
                let cell = Arc::clone(&cell);
                rt.spawn(async move {
                    let newer = cell.changed(0).await;
                    Instant::now() - *newer
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(20)); // every task is waiting
        cell.store(Instant::now());
        let last = tasks
            .into_iter()
            .map(|t| rt.block_on(t).unwrap())
            .max()
            .unwrap();
        cow.push(last);

        let (tx, rx) = watch::channel(Instant::now());
        let tasks: Vec<_> = (0..waiters)
            .map(|_| {
                let mut rx = rx.clone();
                rt.spawn(async move {
                    rx.changed().await.unwrap();
                    let sent = *rx.borrow_and_update();
                    Instant::now() - sent
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(20));
        tx.send(Instant::now()).unwrap();
        let last = tasks
            .into_iter()
            .map(|t| rt.block_on(t).unwrap())
            .max()
            .unwrap();
        watch_times.push(last);
    }
    (cow, watch_times)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut c = config().configure_from_args();
    read_2t(&mut c);
    write_set(&mut c);
    c.final_summary();

    let samples = std::env::var("NOTIFY_WAKES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    println!("\nnotify_wake_latency: {samples} publishes each, waiter asleep before each");
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "", "p50 ns", "p99 ns", "max ns"
    );
    let rows = wake_latencies(samples);
    for (name, hist) in &rows {
        println!(
            "{name:<28} {:>10} {:>10} {:>10}",
            hist.value_at_quantile(0.5),
            hist.value_at_quantile(0.99),
            hist.max()
        );
    }
    let p99 = |name: &str| {
        rows.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, h)| h.value_at_quantile(0.99) as f64)
            .unwrap()
    };
    println!(
        "p99 ratio, ours / watch's: thread {:.2}x, tokio task {:.2}x (target <= 1.5x)",
        p99("cow wait_newer (thread)") / p99("watch changed (thread)"),
        p99("cow changed (tokio task)") / p99("watch changed (tokio task)")
    );

    let (cow, watch_times) = wake_all(1000, 11);
    let (cow, watch_times) = (median(cow), median(watch_times));
    println!(
        "\nnotify_wake_all: 1,000 tokio tasks, one publish; publish to the last wake-up, \
         median of 11 rounds: cow {:.1} us, watch {:.1} us ({:.2}x)",
        cow.as_secs_f64() * 1e6,
        watch_times.as_secs_f64() * 1e6,
        cow.as_secs_f64() / watch_times.as_secs_f64()
    );
    write_json(samples, &rows, cow, watch_times);
}

/// `<criterion dir>/notify/notify.json`, for `ci/bench-report.py`.
fn write_json(samples: usize, rows: &[(&str, Histogram<u64>)], cow: Duration, watch: Duration) {
    let dir = criterion_dir().join("notify");
    std::fs::create_dir_all(&dir).expect("create the notify results directory");
    let rows: Vec<String> = rows
        .iter()
        .map(|(name, h)| {
            format!(
                "    {{\"name\": \"{name}\", \"p50\": {}, \"p99\": {}, \"max\": {}}}",
                h.value_at_quantile(0.5),
                h.value_at_quantile(0.99),
                h.max()
            )
        })
        .collect();
    let json = format!(
        "{{\n  \"samples\": {samples},\n  \"wake_latency\": [\n{}\n  ],\n  \
         \"wake_all_1000_ns\": {{\"cow\": {}, \"watch\": {}}}\n}}\n",
        rows.join(",\n"),
        cow.as_nanos(),
        watch.as_nanos()
    );
    std::fs::write(dir.join("notify.json"), json).expect("write notify.json");
}
