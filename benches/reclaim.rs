//! What the publication cell costs writers and readers besides the copy, against
//! arc-swap and a `parking_lot::Mutex<Arc<_>>` measured in the same process:
//!
//! * `write_after_readers`: a 16-element `set` (copy, change one element, publish),
//!   after 0, 8, 64 and 256 threads have read the collection, with those threads
//!   exited (`exited`) or alive and blocked (`idle`). Mean (from batches of writes) and
//!   p99 (from single writes) per write. arc-swap's store walks a node per thread that
//!   has loaded, and its list never shrinks; our scan reads one record per thread
//!   reading at the same time, once per 128 writes.
//! * `reader_drop`: a request thread holds a snapshot of a `CowMap<String, u64>` (or
//!   `CowBTreeMap`) of 10,000 / 100,000 / 1,000,000 entries while another thread
//!   `store`s a reloaded map, then drops its snapshot: the time that drop takes on the
//!   request's thread. Baseline: the same with `ArcSwap<IndexMap>` and `load_full`,
//!   where the last `Arc` frees the map on the reader's thread.
//! * `retired_alive`: retired versions still allocated after 10,000 `store`s of a
//!   16-element vector with no reader, and of 100,000-element vectors.
//! * `read_scaling`: reads per second per thread with 1 to 4 reading threads (2 cores).
//!
//! Criterion has no percentiles, so this is a plain `harness = false` binary, like
//! `latency.rs`. Results are printed and written as JSON to
//! `<criterion dir>/reclaim/reclaim.json`, which `ci/bench-report.py` turns into tables
//! and SVG plots. Run without `--bench` (as `cargo test --benches` does) every case runs
//! a few iterations and nothing is written.

mod common;

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use common::{criterion_dir, data};
use cow_collections::{CowBTreeMap, CowMap, CowVec};
use hdrhistogram::Histogram;
use indexmap::IndexMap;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("a valid range")
}

/// Mean (ns per op, from `batches` timed batches of `batch` ops) and p99 (ns, from
/// `singles` ops timed one by one, `Instant` overhead included, as in `timer_floor`).
struct Cost {
    mean: f64,
    p99: u64,
}

fn cost(batches: usize, batch: usize, singles: usize, mut op: impl FnMut()) -> Cost {
    let mut total = Duration::ZERO;
    for _ in 0..batches {
        let start = Instant::now();
        for _ in 0..batch {
            op();
        }
        total += start.elapsed();
    }
    let mut h = histogram();
    for _ in 0..singles {
        let start = Instant::now();
        op();
        h.saturating_record(start.elapsed().as_nanos() as u64);
    }
    Cost {
        mean: total.as_nanos() as f64 / (batches * batch) as f64,
        p99: h.value_at_quantile(0.99),
    }
}

/// Lets `n` threads read once through `read`, then either joins them (`exited`) or keeps
/// them blocked until `f` returns (`idle`).
fn after_readers<R: Fn() + Sync>(n: usize, idle: bool, read: &R, f: impl FnOnce()) {
    let ready = Barrier::new(n + 1);
    let release = Barrier::new(if idle { n + 1 } else { 1 });
    let mut f = Some(f);
    std::thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| {
                read();
                ready.wait();
                if idle {
                    release.wait();
                }
            });
        }
        ready.wait();
        if idle {
            (f.take().expect("once"))();
            release.wait();
        }
    });
    if let Some(f) = f {
        f();
    }
}

struct Row {
    group: &'static str,
    name: String,
    fields: Vec<(&'static str, f64)>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let selected =
        |group: &str| filters.is_empty() || filters.iter().any(|f| group.contains(f.as_str()));
    let groups = [
        "write_after_readers",
        "reader_drop",
        "retired_alive",
        "read_scaling",
    ];
    if !groups.iter().any(|g| selected(g)) {
        return;
    }
    let scale = |full: usize, quick: usize| if benching { full } else { quick };
    let mut rows: Vec<Row> = Vec::new();
    let mut report = |row: Row| {
        let fields: Vec<String> = row
            .fields
            .iter()
            .map(|(k, v)| format!("{k} {v:.1}"))
            .collect();
        println!("{}/{:<28} {}", row.group, row.name, fields.join("  "));
        rows.push(row);
    };

    if selected("write_after_readers") {
        let n = 16;
        let cow = CowVec::from(data(n));
        let swap = ArcSwap::from_pointee(data(n));
        let mutex = parking_lot::Mutex::new(Arc::new(data(n)));
        let mut i = 0usize;
        let mut slot = move || {
            i = (i + 7) % n;
            i
        };
        let read = || {
            black_box(cow.read()[0]);
            black_box(swap.load()[0]);
            black_box(mutex.lock()[0]);
        };
        let (batches, batch, singles) = (scale(200, 2), scale(1000, 10), scale(200_000, 100));
        // Thread counts only grow: neither arc-swap's debt list nor our record list
        // shrinks, so each case sees every thread of the cases before it.
        for readers in [0usize, 8, 64, 256] {
            for idle in [false, true] {
                if readers == 0 && idle {
                    continue;
                }
                let state = if idle { "idle" } else { "exited" };
                let mut measured = Vec::new();
                after_readers(readers, idle, &read, || {
                    measured.push((
                        "cow_set",
                        cost(batches, batch, singles, || {
                            cow.set(slot(), 1);
                        }),
                    ));
                    measured.push((
                        "arcswap_store",
                        cost(batches, batch, singles, || {
                            let mut next = Vec::clone(&swap.load());
                            next[slot()] = 1;
                            swap.store(Arc::new(next));
                        }),
                    ));
                    measured.push((
                        "mutex_arc",
                        cost(batches, batch, singles, || {
                            let mut guard = mutex.lock();
                            let mut next = Vec::clone(&guard);
                            next[slot()] = 1;
                            let old = std::mem::replace(&mut *guard, Arc::new(next));
                            drop(guard);
                            drop(old);
                        }),
                    ));
                });
                for (subject, c) in measured {
                    report(Row {
                        group: "write_after_readers",
                        name: format!("{subject}/{state}/{readers}"),
                        fields: vec![
                            ("readers", readers as f64),
                            ("mean_ns", c.mean),
                            ("p99_ns", c.p99 as f64),
                        ],
                    });
                }
            }
        }
    }

    if selected("reader_drop") {
        for entries in [10_000usize, 100_000, 1_000_000] {
            if !benching && entries > 10_000 {
                continue;
            }
            let rounds = scale(9, 1);
            let names: Vec<String> = (0..entries).map(|i| format!("service-{i:08}")).collect();
            let build_flat =
                || -> IndexMap<String, u64> { names.iter().map(|k| (k.clone(), 1)).collect() };
            let cow = CowMap::from_iter(build_flat());
            let btree: CowBTreeMap<String, u64> = names.iter().map(|k| (k.clone(), 1)).collect();
            let swap = ArcSwap::from_pointee(build_flat());
            let mut times: [(&str, Vec<f64>); 3] = [
                ("cow_map", Vec::new()),
                ("cow_btree_map", Vec::new()),
                ("arcswap_indexmap", Vec::new()),
            ];
            for _ in 0..rounds {
                // The reloaded versions are built outside the timing.
                let reloaded_flat = build_flat();
                let reloaded_swap = build_flat();
                let reloaded_btree: cow_collections::PersistentBTreeMap<String, u64> =
                    names.iter().map(|k| (k.clone(), 2)).collect();
                let held_cow = cow.snapshot();
                let held_btree = btree.snapshot();
                let held_swap = swap.load_full();
                drop(cow.store(reloaded_flat));
                drop(btree.store(reloaded_btree));
                swap.store(Arc::new(reloaded_swap));
                // The request thread: its drop of the last reader reference, timed.
                let timed = std::thread::scope(|s| {
                    s.spawn(move || {
                        let mut t = [0.0; 3];
                        let start = Instant::now();
                        drop(held_cow);
                        t[0] = start.elapsed().as_nanos() as f64;
                        let start = Instant::now();
                        drop(held_btree);
                        t[1] = start.elapsed().as_nanos() as f64;
                        let start = Instant::now();
                        drop(held_swap);
                        t[2] = start.elapsed().as_nanos() as f64;
                        t
                    })
                    .join()
                    .expect("the request thread")
                });
                for (k, t) in timed.iter().enumerate() {
                    times[k].1.push(*t);
                }
                // The writer frees what the request let go of (outside the timing).
                cow.reclaim();
                btree.reclaim();
            }
            for (subject, mut t) in times {
                t.sort_by(f64::total_cmp);
                report(Row {
                    group: "reader_drop",
                    name: format!("{subject}/{entries}"),
                    fields: vec![
                        ("entries", entries as f64),
                        ("median_ns", t[t.len() / 2]),
                        ("max_ns", t[t.len() - 1]),
                    ],
                });
            }
        }
    }

    if selected("retired_alive") {
        for (elements, stores) in [(16usize, scale(10_000, 200)), (100_000, scale(200, 5))] {
            let cow = CowVec::from(data(elements));
            let base = data(elements);
            let mut most = 0usize;
            for _ in 0..stores {
                drop(cow.store(base.clone()));
                most = most.max(cow.retired().alive);
            }
            report(Row {
                group: "retired_alive",
                name: format!("cow_store/{elements}"),
                fields: vec![
                    ("elements", elements as f64),
                    ("stores", stores as f64),
                    ("alive_at_end", cow.retired().alive as f64),
                    ("most_alive", most as f64),
                ],
            });
        }
    }

    if selected("read_scaling") {
        let n = 16;
        let cow = CowVec::from(data(n));
        let swap = ArcSwap::from_pointee(data(n));
        let pl = parking_lot::RwLock::new(data(n));
        let std_rw = std::sync::RwLock::new(data(n));
        let budget = Duration::from_millis(scale(500, 5) as u64);
        type ReadOp<'a> = Box<dyn Fn() -> u64 + Sync + 'a>;
        let subjects: Vec<(&str, ReadOp<'_>)> = vec![
            ("cow_read", Box::new(|| cow.read()[0])),
            ("cow_snapshot", Box::new(|| cow.snapshot()[0])),
            ("arcswap_load", Box::new(|| swap.load()[0])),
            ("pl_rwlock", Box::new(|| pl.read()[0])),
            ("std_rwlock", Box::new(|| std_rw.read().unwrap()[0])),
        ];
        for threads in 1..=4usize {
            for (name, op) in &subjects {
                let stop = AtomicBool::new(false);
                let total = AtomicU64::new(0);
                let start = Barrier::new(threads + 1);
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            start.wait();
                            let mut count = 0u64;
                            while !stop.load(Ordering::Relaxed) {
                                for _ in 0..64 {
                                    black_box(op());
                                }
                                count += 64;
                            }
                            total.fetch_add(count, Ordering::Relaxed);
                        });
                    }
                    start.wait();
                    std::thread::sleep(budget);
                    stop.store(true, Ordering::Relaxed);
                });
                let per_second = total.load(Ordering::Relaxed) as f64 / budget.as_secs_f64();
                report(Row {
                    group: "read_scaling",
                    name: format!("{name}/{threads}"),
                    fields: vec![
                        ("threads", threads as f64),
                        ("reads_per_s_total", per_second),
                    ],
                });
            }
        }
    }

    if !benching {
        return;
    }
    let dir = criterion_dir().join("reclaim");
    std::fs::create_dir_all(&dir).expect("create the reclaim output directory");
    let json_rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|(k, v)| format!("\"{k}\": {v}"))
                .collect();
            format!(
                "    {{\"group\": \"{}\", \"name\": \"{}\", {}}}",
                r.group,
                r.name,
                fields.join(", ")
            )
        })
        .collect();
    let json = format!("{{\n  \"results\": [\n{}\n  ]\n}}\n", json_rows.join(",\n"));
    // A filtered run adds to the file rather than replacing the other groups' rows.
    let path = dir.join("reclaim.json");
    let merged = merge(&path, &json, &groups.map(|g| (g, selected(g))));
    std::fs::write(&path, merged).expect("write reclaim.json");
    println!("wrote {}", path.display());
}

/// The new rows, plus the old file's rows of the groups this run did not select.
fn merge(path: &std::path::Path, new: &str, groups: &[(&str, bool)]) -> String {
    let Ok(old) = std::fs::read_to_string(path) else {
        return new.to_owned();
    };
    let kept: Vec<&str> = old
        .lines()
        .filter(|line| line.trim_start().starts_with("{\"group\""))
        .filter(|line| {
            groups
                .iter()
                .any(|(g, ran)| !ran && line.contains(&format!("\"group\": \"{g}\"")))
        })
        .map(|line| line.trim_end_matches(','))
        .collect();
    if kept.is_empty() {
        return new.to_owned();
    }
    let new_rows: Vec<&str> = new
        .lines()
        .filter(|line| line.trim_start().starts_with("{\"group\""))
        .map(|line| line.trim_end_matches(','))
        .collect();
    let all: Vec<&str> = kept.into_iter().chain(new_rows).collect();
    format!("{{\n  \"results\": [\n{}\n  ]\n}}\n", all.join(",\n"))
}
