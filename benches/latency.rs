//! Read latency under a writer: p50 / p99 / p99.9 / max of single reads while another
//! thread writes a 65,536-element `Vec<u64>` in a loop.
//!
//! Copy-on-write cases: the writer copies the whole vector, changes one element and
//! publishes it (`CowVec::set`, or the same by hand for raw arc-swap). `RwLock` cases:
//! the writer does the same work, copy included, while holding the write lock, so a
//! reader waits for a whole copy whenever it arrives during one.
//!
//! Criterion has no percentiles, so this is a plain `harness = false` binary. The reader
//! runs open loop: one read scheduled every `LATENCY_PERIOD_NS` (default 1,000 ns), and
//! a read's *response time* runs from its scheduled start to its end, so time the reader
//! spends blocked or descheduled is charged to every read that should have run meanwhile
//! (see `measure`). Times come from `Instant::now()` into an HDR histogram
//! (`hdrhistogram`, three significant digits): percentiles and `max` are bucket tops,
//! exact below 2,048 ns and at most 0.1% high above. What the clock reads cost alone is
//! measured the same way (`timer_floor`) and reported, not subtracted.
//! Results are printed and written as JSON to `<criterion dir>/latency/latency.json`,
//! which `ci/bench-report.py` turns into a table.
//!
//! `cargo bench --bench latency` runs ~2 s per case (`LATENCY_SECS` overrides it); run
//! without `--bench` (as `cargo test --benches` does) it takes a few milliseconds per
//! case and writes nothing. A filter argument (as in `cargo bench -- read_1t`) that
//! matches no case name skips the binary.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use common::{criterion_dir, data, with_background};
use cow_collections::CowVec;
use hdrhistogram::Histogram;

const ELEMENTS: usize = 65_536;
const MAX_SAMPLES: u64 = 20_000_000;

/// Latencies above this (one hour) are recorded as one hour.
const HIGHEST_NANOS: u64 = 3_600 * 1_000_000_000;

/// An empty latency histogram in nanoseconds, three significant digits: exact below
/// 2,048 ns, each bucket at most 0.1% of its values wide above.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NANOS, 3)
        .expect("1 ns to one hour at three significant digits is a valid range")
}

/// How many samples were above `ns` (exact for `ns` below 2,048).
fn count_over(h: &Histogram<u64>, ns: u64) -> u64 {
    h.len() - h.count_between(0, ns)
}

/// The sum of all samples in ns, from the histogram: exact for samples below 2,048 ns,
/// each larger one counted at the middle of its bucket (within 0.05%).
fn sum(h: &Histogram<u64>) -> u64 {
    (h.mean() * h.len() as f64).round() as u64
}

struct Outcome {
    name: &'static str,
    /// From the read's scheduled start to its end: includes waiting behind a stall.
    response: Histogram<u64>,
    /// From the read's actual start to its end.
    service: Histogram<u64>,
    writes: u64,
    seconds: f64,
}

/// Times single reads, one scheduled every `period`, for `budget` while `threads`
/// background threads run `writer`.
///
/// Open loop: a read's response time runs from when it was *scheduled*, so a reader
/// stalled for 5 ms (blocked on a lock, or descheduled) counts as the 5,000 reads that
/// should have happened meanwhile, each late, not as one slow sample. Timing reads back
/// to back instead hides exactly the stalls this bench is about ("coordinated
/// omission"): a blocked reader issues no reads. The service time (actual start to end)
/// is kept too.
fn measure<W, F, O, P, R>(
    name: &'static str,
    budget: Duration,
    period: Duration,
    threads: usize,
    writer: W,
    op: O,
) -> Outcome
where
    W: Fn() -> F + Sync,
    F: FnMut(),
    O: FnOnce() -> P,
    P: FnMut() -> R,
{
    let mut response = histogram();
    let mut service = histogram();
    let mut seconds = 0.0;
    let (_, background) = with_background(threads, writer, || {
        let mut op = op();
        let start = Instant::now();
        let mut scheduled = start;
        for _ in 0..MAX_SAMPLES {
            scheduled += period;
            let mut t0 = Instant::now();
            while t0 < scheduled {
                std::hint::spin_loop();
                t0 = Instant::now();
            }
            black_box(op());
            let t1 = Instant::now();
            service.saturating_record(t1.duration_since(t0).as_nanos() as u64);
            response.saturating_record(t1.duration_since(scheduled).as_nanos() as u64);
            if t1.duration_since(start) >= budget {
                break;
            }
        }
        seconds = start.elapsed().as_secs_f64();
        Duration::ZERO
    });
    Outcome {
        name,
        response,
        service,
        writes: background.ops,
        seconds,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let cases = [
        "timer_floor",
        "cow_read",
        "cow_reader",
        "arcswap_load",
        "std_rwlock",
        "pl_rwlock",
    ];
    let selected = |name: &str| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| format!("latency/{name}").contains(f.as_str()))
    };
    if !cases.iter().any(|c| selected(c)) {
        return;
    }
    let budget = match std::env::var("LATENCY_SECS") {
        Ok(s) => Duration::from_secs_f64(s.parse().expect("LATENCY_SECS: seconds")),
        Err(_) if benching => Duration::from_secs(2),
        Err(_) => Duration::from_millis(5),
    };

    let period = Duration::from_nanos(match std::env::var("LATENCY_PERIOD_NS") {
        Ok(s) => s.parse().expect("LATENCY_PERIOD_NS: nanoseconds"),
        Err(_) => 1000,
    });

    let cow = &CowVec::from(data(ELEMENTS));
    let swap = &ArcSwap::from_pointee(data(ELEMENTS));
    let std_rwlock = &std::sync::RwLock::new(data(ELEMENTS));
    let pl_rwlock = &parking_lot::RwLock::new(data(ELEMENTS));
    let slot = |i: u64| (i as usize * 7919) % ELEMENTS;

    // A write factory: `$body` with a per-thread counter `i`.
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
    let mut outcomes = Vec::new();
    let mut run = |outcome: Outcome| {
        let h = &outcome.response;
        println!(
            "latency/{:<16} p50 {:>6} ns  p99 {:>6} ns  p99.9 {:>8} ns  p99.99 {:>8} ns  \
             max {:>10} ns  (response; service p99.9 {} ns, {:.1}% of the time inside reads; \
             {} reads, {} over 1 us, {} writes in {:.1} s)",
            outcome.name,
            h.value_at_quantile(0.50),
            h.value_at_quantile(0.99),
            h.value_at_quantile(0.999),
            h.value_at_quantile(0.9999),
            h.max(),
            outcome.service.value_at_quantile(0.999),
            sum(&outcome.service) as f64 / 1e7 / outcome.seconds,
            h.len(),
            count_over(h, 1000),
            outcome.writes,
            outcome.seconds
        );
        outcomes.push(outcome);
    };

    if selected("timer_floor") {
        run(measure(
            "timer_floor",
            budget,
            period,
            0,
            common::idle,
            || || 0u64,
        ));
    }
    if selected("cow_read") {
        run(measure(
            "cow_read",
            budget,
            period,
            1,
            writer!(|i| cow.set(slot(i), i)),
            || || cow.read()[0],
        ));
    }
    if selected("cow_reader") {
        run(measure(
            "cow_reader",
            budget,
            period,
            1,
            writer!(|i| cow.set(slot(i), i)),
            || {
                let mut reader = cow.reader();
                move || reader.read()[0]
            },
        ));
    }
    if selected("arcswap_load") {
        run(measure(
            "arcswap_load",
            budget,
            period,
            1,
            writer!(|i| {
                let mut next = Vec::clone(&swap.load());
                next[slot(i)] = i;
                swap.store(Arc::new(next));
            }),
            || || swap.load()[0],
        ));
    }
    if selected("std_rwlock") {
        run(measure(
            "std_rwlock",
            budget,
            period,
            1,
            writer!(|i| {
                let mut guard = std_rwlock.write().unwrap();
                let mut next = guard.clone();
                next[slot(i)] = i;
                *guard = next;
            }),
            || || std_rwlock.read().unwrap()[0],
        ));
    }
    if selected("pl_rwlock") {
        run(measure(
            "pl_rwlock",
            budget,
            period,
            1,
            writer!(|i| {
                let mut guard = pl_rwlock.write();
                let mut next = guard.clone();
                next[slot(i)] = i;
                *guard = next;
            }),
            || || pl_rwlock.read()[0],
        ));
    }

    if !benching {
        return;
    }
    let dir = criterion_dir().join("latency");
    std::fs::create_dir_all(&dir).expect("create the latency output directory");
    let mut json = String::from("{\n");
    json += &format!(
        "  \"elements\": {ELEMENTS},\n  \"seconds_per_case\": {},\n  \"period_ns\": {},\n  \
         \"unit\": \"ns\",\n  \"results\": [\n",
        budget.as_secs_f64(),
        period.as_nanos()
    );
    let stats = |h: &Histogram<u64>| {
        format!(
            "{{\"p50\": {}, \"p99\": {}, \"p999\": {}, \"p9999\": {}, \"max\": {}, \"over_1us\": {}, \
             \"sum\": {}}}",
            h.value_at_quantile(0.50),
            h.value_at_quantile(0.99),
            h.value_at_quantile(0.999),
            h.value_at_quantile(0.9999),
            h.max(),
            count_over(h, 1000),
            sum(h)
        )
    };
    let rows: Vec<String> = outcomes
        .iter()
        .map(|o| {
            format!(
                "    {{\"name\": \"{}\", \"reads\": {}, \"writes\": {}, \"seconds\": {:.3}, \
                 \"response\": {}, \"service\": {}}}",
                o.name,
                o.response.len(),
                o.writes,
                o.seconds,
                stats(&o.response),
                stats(&o.service)
            )
        })
        .collect();
    json += &rows.join(",\n");
    json += "\n  ]\n}\n";
    let path = dir.join("latency.json");
    std::fs::write(&path, json).expect("write latency.json");
    println!("wrote {}", path.display());
}
