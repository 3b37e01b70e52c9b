//! Running one implementation: the reader and writer threads, the timed region, and the
//! checks on what the readers saw.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::args::Options;
use crate::contenders::{listener, Contender, ReadResult};
use crate::report::Row;
use crate::services;
use crate::Failure;

/// The listener list starts at `MIN_LISTENERS` and the writer keeps it in this range.
const MIN_LISTENERS: usize = 4;
const MAX_LISTENERS: usize = 8;
/// How many missed writer rounds are made up back to back before the backlog is dropped.
const MAX_CATCH_UP: u32 = 10;

/// Latencies above this (one hour) are recorded as one hour.
const HIGHEST_NANOS: u64 = 3_600 * 1_000_000_000;
/// Two significant digits: exact below 256 ns, then each bucket 1/128 of its values
/// wide, so a reported value is at most 0.8% above the true one. 36 KB per reader thread
/// (three digits would be 270 KB).
const SIGNIFICANT_DIGITS: u8 = 2;

/// An empty histogram of read latencies in nanoseconds.
pub(crate) fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS)
        .expect("1 ns to one hour at two significant digits is a valid range")
}

/// What the threads share during one row's run.
pub(crate) struct Workload<'a> {
    pub(crate) path: &'a Path,
    pub(crate) names: &'a [String],
    pub(crate) options: &'a Options,
}

/// The median cost of an empty timed region, as the readers time theirs.
pub(crate) fn timer_overhead() -> u64 {
    let mut histogram = latency_histogram();
    for _ in 0..100_000 {
        let start = Instant::now();
        black_box(());
        histogram.saturating_record(start.elapsed().as_nanos() as u64);
    }
    histogram.value_at_quantile(0.5)
}

/// Runs one implementation for `--duration` and returns its row.
pub(crate) fn measure<C: Contender>(workload: &Workload<'_>) -> Result<Row, Failure> {
    let options = workload.options;
    let contender = C::new(
        &services::load(workload.path)
            .map_err(|e| Failure::Input(format!("cannot read {}: {e}", workload.path.display())))?
            .entries,
        (0..MIN_LISTENERS as u64).map(listener).collect(),
    );
    let stop = AtomicBool::new(false);
    // Readers, the writer, and this thread.
    let start = Barrier::new(options.readers + 2);

    let (readers, writer) = thread::scope(|s| {
        let readers: Vec<_> = (0..options.readers)
            .map(|i| {
                let (contender, stop, start) = (&contender, &stop, &start);
                s.spawn(move || read_loop(contender, workload.names, i as u64, start, stop))
            })
            .collect();
        let writer = s.spawn(|| write_loop(&contender, workload, &start, &stop));
        start.wait();
        thread::sleep(options.duration);
        stop.store(true, Ordering::Relaxed);
        let readers: Vec<ReaderStats> = readers
            .into_iter()
            .map(|h| h.join().expect("reader thread panicked"))
            .collect();
        (readers, writer.join().expect("writer thread panicked"))
    });

    let mut latency = latency_histogram();
    let mut rate_sum = 0.0;
    let mut misses = 0;
    for r in &readers {
        if r.bad_listener_counts > 0 {
            return Err(Failure::Inconsistent(format!(
                "{}: {} reads saw a listener list outside {MIN_LISTENERS}..={MAX_LISTENERS} \
                 (first: {} listeners)",
                C::NAME,
                r.bad_listener_counts,
                r.first_bad_count
            )));
        }
        latency
            .add(&r.latency)
            .expect("histograms of the same range add up");
        rate_sum += r.latency.len() as f64 / r.elapsed.as_secs_f64();
        misses += r.misses;
    }
    Ok(Row {
        name: C::NAME,
        reads_per_sec_per_thread: rate_sum / readers.len() as f64,
        latency,
        writes_per_sec: writer.writes as f64 / writer.elapsed.as_secs_f64(),
        misses,
        reload_errors: writer.reload_errors,
    })
}

struct ReaderStats {
    latency: Histogram<u64>,
    elapsed: Duration,
    misses: u64,
    bad_listener_counts: u64,
    first_bad_count: usize,
}

/// A reader thread: every iteration draws a name, times one read, checks its result.
fn read_loop<C: Contender>(
    contender: &C,
    names: &[String],
    seed: u64,
    start: &Barrier,
    stop: &AtomicBool,
) -> ReaderStats {
    let mut handle = contender.handle();
    let mut rng = XorShift::new(seed);
    let mut stats = ReaderStats {
        latency: latency_histogram(),
        elapsed: Duration::ZERO,
        misses: 0,
        bad_listener_counts: 0,
        first_bad_count: 0,
    };
    start.wait();
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let name = names[rng.below(names.len())].as_str();

        let t0 = Instant::now();
        let result: ReadResult = C::read(&mut handle, name);
        let nanos = t0.elapsed().as_nanos() as u64;

        let result = black_box(result);
        stats.latency.saturating_record(nanos);
        stats.misses += u64::from(result.port.is_none());
        if !(MIN_LISTENERS..=MAX_LISTENERS).contains(&result.listeners) {
            if stats.bad_listener_counts == 0 {
                stats.first_bad_count = result.listeners;
            }
            stats.bad_listener_counts += 1;
        }
    }
    stats.elapsed = started.elapsed();
    stats
}

struct WriterStats {
    writes: u64,
    elapsed: Duration,
    reload_errors: u64,
}

/// The writer: every interval, reload the file and publish it, then push or pop one
/// listener (4 -> 8 -> 4 -> ...). Scheduled on deadlines, so sleep overshoot and a late
/// wake-up (more threads than cores) are made up by the next rounds; after falling more
/// than `MAX_CATCH_UP` intervals behind (a stall) it drops the backlog instead of
/// bursting through it.
fn write_loop<C: Contender>(
    contender: &C,
    workload: &Workload<'_>,
    start: &Barrier,
    stop: &AtomicBool,
) -> WriterStats {
    let interval = workload.options.write_interval;
    let mut listeners = MIN_LISTENERS;
    let mut growing = true;
    let mut next_id = MIN_LISTENERS as u64;
    let mut stats = WriterStats {
        writes: 0,
        elapsed: Duration::ZERO,
        reload_errors: 0,
    };
    start.wait();
    let started = Instant::now();
    let mut deadline = started + interval;
    loop {
        let now = Instant::now();
        if deadline > now {
            thread::sleep(deadline - now);
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }

        match services::load(workload.path) {
            Ok(services) => contender.publish(&services.entries),
            Err(_) => stats.reload_errors += 1,
        }
        if growing {
            contender.push_listener(listener(next_id));
            next_id += 1;
            listeners += 1;
            growing = listeners < MAX_LISTENERS;
        } else {
            drop(contender.pop_listener());
            listeners -= 1;
            growing = listeners == MIN_LISTENERS;
        }
        stats.writes += 1;

        deadline += interval;
        let now = Instant::now();
        if now > deadline + interval * MAX_CATCH_UP {
            deadline = now + interval;
        }
    }
    stats.elapsed = started.elapsed();
    stats
}

/// xorshift64*: a tiny, fast generator for picking names; quality is not the point.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(seed + 1) | 1)
    }

    #[inline]
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let random = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        // Multiply-shift instead of `%`: no division on the reader's path.
        (((random >> 32) * n as u64) >> 32) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_precision_is_what_the_docs_claim() {
        let mut h = latency_histogram();
        for v in 0..256 {
            h.saturating_record(v);
            assert_eq!(h.highest_equivalent(v), v, "exact below 256 ns");
        }
        for v in (256..10_000_000).step_by(997) {
            let reported = h.highest_equivalent(v);
            assert!(reported >= v && reported - v <= v / 128, "{v}: {reported}");
        }
        h.saturating_record(u64::MAX);
        assert!(h.max() >= HIGHEST_NANOS, "clamped, not dropped");
        assert!(
            h.distinct_values() * 8 < 40_000,
            "{} buckets",
            h.distinct_values()
        );
    }

    #[test]
    fn merging_adds_counts_and_keeps_the_larger_maximum() {
        let (mut a, mut b) = (latency_histogram(), latency_histogram());
        for _ in 0..90 {
            a.saturating_record(10);
        }
        for _ in 0..10 {
            b.saturating_record(5_000);
        }
        a.add(&b).unwrap();
        assert_eq!(a.len(), 100);
        assert_eq!(a.value_at_quantile(0.5), 10);
        assert_eq!(a.value_at_quantile(0.9), 10);
        assert_eq!(a.value_at_quantile(0.95), a.highest_equivalent(5_000));
        assert_eq!(a.max(), a.highest_equivalent(5_000));
        assert_eq!(latency_histogram().value_at_quantile(0.99), 0, "empty");
    }

    #[test]
    fn name_picker_stays_in_range_and_covers_it() {
        let mut rng = XorShift::new(0);
        let mut seen = [false; 7];
        for _ in 0..1_000 {
            seen[rng.below(7)] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
