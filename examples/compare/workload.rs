//! Running one implementation: the reader and writer threads, the timed region, and the
//! checks on what the readers saw.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock, RwLockWriteGuard};
use std::thread::{self, Thread};
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
/// wide, so a reported value is at most 0.8% above the true one. 36 KB per reader thread,
/// plus the 2 KB of `Latencies::exact` (three digits would be 270 KB).
const SIGNIFICANT_DIGITS: u8 = 2;

/// An empty histogram of read latencies in nanoseconds.
pub(crate) fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NANOS, SIGNIFICANT_DIGITS)
        .expect("1 ns to one hour at two significant digits is a valid range")
}

/// A reader's latencies: hdrhistogram, with the values below `EXACT_BELOW` counted in a
/// plain array first and added to the histogram once, at the end.
///
/// In the reader loop hdrhistogram's `record` cost about 7 ns per read (index arithmetic
/// from its run-time configuration, minimum and maximum, total count), which is 5% of a
/// loop iteration and so 5% off every row's reads/s; an array increment costs nothing
/// measurable. Nearly every read lands below 256 ns, where two significant digits store
/// each nanosecond exactly anyway, so the histogram ends up the same.
struct Latencies {
    /// `exact[ns]`: how many reads took `ns` nanoseconds.
    exact: Box<[u64; EXACT_BELOW]>,
    /// Every value from `EXACT_BELOW` up.
    histogram: Histogram<u64>,
}

/// Where hdrhistogram's exact range ends at two significant digits.
const EXACT_BELOW: usize = 256;

impl Latencies {
    fn new() -> Self {
        Self {
            exact: Box::new([0; EXACT_BELOW]),
            histogram: latency_histogram(),
        }
    }

    #[inline]
    fn record(&mut self, nanos: u64) {
        match self.exact.get_mut(nanos as usize) {
            Some(count) => *count += 1,
            None => self.histogram.saturating_record(nanos),
        }
    }

    fn into_histogram(self) -> Histogram<u64> {
        let Self {
            exact,
            mut histogram,
        } = self;
        for (nanos, &count) in exact.iter().enumerate() {
            if count > 0 {
                histogram.saturating_record_n(nanos as u64, count);
            }
        }
        histogram
    }
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
    let start = StartGate::new(options.readers + 1);

    let (readers, writer) = thread::scope(|s| {
        let mut closed = start.close();
        let mut readers = Vec::with_capacity(options.readers);
        let mut spawned = Ok(());
        for i in 0..options.readers {
            let (contender, start) = (&contender, &start);
            let reader = thread::Builder::new()
                .name(format!("reader {i}"))
                .spawn_scoped(s, move || {
                    read_loop(contender, workload.names, i as u64, start)
                });
            match reader {
                Ok(reader) => readers.push(reader),
                Err(e) => {
                    spawned = Err(format!(
                        "--readers {}: cannot start reader thread {}: {e}",
                        options.readers,
                        i + 1
                    ));
                    break;
                }
            }
        }
        let writer = spawned.and_then(|()| {
            thread::Builder::new()
                .name("writer".into())
                .spawn_scoped(s, || write_loop(&contender, workload, &start))
                .map_err(|e| {
                    format!(
                        "--readers {}: cannot start the writer thread after the readers: {e}",
                        options.readers
                    )
                })
        });
        let writer = match writer {
            Ok(writer) => writer,
            Err(message) => {
                // Open the gate with no end time: the threads already started return
                // at once, and the scope joins them.
                drop(closed);
                return Err(Failure::Input(message));
            }
        };
        start.wait_until_ready();
        *closed = Some(Instant::now() + options.duration);
        drop(closed);
        // No sleep here: the threads stop themselves at the end time. (Woken from a
        // sleep, this thread would wait for a core behind every busy reader first.)
        let readers: Vec<ReaderStats> = readers
            .into_iter()
            .map(|h| h.join().expect("reader thread panicked"))
            .collect();
        Ok((readers, writer.join().expect("writer thread panicked")))
    })?;

    let mut latency = latency_histogram();
    let mut rate_sum = 0.0;
    let mut misses = 0;
    let mut idle_readers = 0;
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
        if !r.elapsed.is_zero() {
            // A reader that only got a core after the end did no reads: it counts as 0.
            rate_sum += r.latency.len() as f64 / r.elapsed.as_secs_f64();
        }
        misses += r.misses;
        idle_readers += usize::from(r.latency.is_empty());
    }
    Ok(Row {
        name: C::NAME,
        reads_per_sec_per_thread: rate_sum / readers.len() as f64,
        latency,
        writes_per_sec: writer.writes as f64 / writer.elapsed.as_secs_f64(),
        inserts: writer.inserts,
        misses,
        idle_readers,
        reload_errors: writer.reload_errors,
    })
}

/// Where the threads of one row wait until all of them are ready (read handle made,
/// histogram allocated), to start together; it hands them the row's end time, at which
/// each thread stops by itself.
///
/// With more threads than cores, how they are let go matters. A `std::sync::Barrier`
/// wakes its waiters, which then leave one at a time through its mutex, and each
/// hand-over waits for a core that the readers already through are busy on: with 256
/// readers on 2 cores the measuring thread got through 5 to 27 s late (and some readers
/// only after the row had ended); with 2,000 a run did not end within 5 minutes. Here
/// the measuring thread holds `gate` (a write lock) while the threads start; each
/// thread counts itself in `ready` and then asks for a read lock, and dropping the write
/// lock wakes all waiting readers at once (std's `RwLock`: one wake-all, and no thread
/// has to run before another can go).
struct StartGate {
    /// The row's end time, written under the write lock before it opens; `None`: the
    /// row was called off before it started.
    gate: RwLock<Option<Instant>>,
    ready: AtomicUsize,
    /// How many threads call `wait`.
    threads: usize,
    /// The measuring thread: the last thread to get ready wakes it.
    coordinator: Thread,
}

impl StartGate {
    fn new(threads: usize) -> Self {
        Self {
            gate: RwLock::new(None),
            ready: AtomicUsize::new(0),
            threads,
            coordinator: thread::current(),
        }
    }

    /// Closes the gate until the guard is dropped; write the end time through it.
    /// Measuring thread only.
    fn close(&self) -> RwLockWriteGuard<'_, Option<Instant>> {
        self.gate.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Parks until every thread has called `wait`. Measuring thread only.
    fn wait_until_ready(&self) {
        while self.ready.load(Ordering::Acquire) < self.threads {
            thread::park();
        }
    }

    /// Counts this thread ready, then blocks until the gate opens. Returns the end time,
    /// or `None` if the row was called off.
    fn wait(&self) -> Option<Instant> {
        if self.ready.fetch_add(1, Ordering::AcqRel) + 1 == self.threads {
            self.coordinator.unpark();
        }
        *self.gate.read().unwrap_or_else(PoisonError::into_inner)
    }
}

struct ReaderStats {
    latency: Histogram<u64>,
    elapsed: Duration,
    misses: u64,
    bad_listener_counts: u64,
    first_bad_count: usize,
}

/// A reader thread: every iteration draws a name, times one read, checks its result;
/// until the end time.
fn read_loop<C: Contender>(
    contender: &C,
    names: &[String],
    seed: u64,
    start: &StartGate,
) -> ReaderStats {
    let mut handle = contender.handle();
    let mut rng = XorShift::new(seed);
    let mut latencies = Latencies::new();
    let (mut misses, mut bad_listener_counts, mut first_bad_count) = (0, 0, 0);
    let mut elapsed = Duration::ZERO;
    if let Some(end) = start.wait() {
        let started = Instant::now();
        for reads in 0u64.. {
            let name = names[rng.below(names.len())].as_str();

            let t0 = Instant::now();
            // Every 64 reads (microseconds late at most, and a reader that only gets a
            // core after the end still stops before its first read): comparing two
            // `Instant`s on every read cost 1% of the loop.
            if reads % 64 == 0 && t0 >= end {
                break;
            }
            let result: ReadResult = C::read(&mut handle, name);
            let nanos = t0.elapsed().as_nanos() as u64;

            let result = black_box(result);
            latencies.record(nanos);
            misses += u64::from(result.port.is_none());
            if !(MIN_LISTENERS..=MAX_LISTENERS).contains(&result.listeners) {
                if bad_listener_counts == 0 {
                    first_bad_count = result.listeners;
                }
                bad_listener_counts += 1;
            }
        }
        elapsed = started.elapsed();
    }
    ReaderStats {
        latency: latencies.into_histogram(),
        elapsed,
        misses,
        bad_listener_counts,
        first_bad_count,
    }
}

struct WriterStats {
    writes: u64,
    /// How long each round's single-key insert took, in nanoseconds.
    inserts: Histogram<u64>,
    elapsed: Duration,
    reload_errors: u64,
}

/// The writer: every interval, reload the file and publish it, push or pop one listener
/// (4 -> 8 -> 4 -> ...), then set one name's port (`single_key_write`) with the call
/// alone timed. Scheduled on deadlines, so sleep overshoot and a late
/// wake-up (more threads than cores) are made up by the next rounds; after falling more
/// than `MAX_CATCH_UP` intervals behind (a stall) it drops the backlog instead of
/// bursting through it.
fn write_loop<C: Contender>(
    contender: &C,
    workload: &Workload<'_>,
    start: &StartGate,
) -> WriterStats {
    let interval = workload.options.write_interval;
    let mut listeners = MIN_LISTENERS;
    let mut growing = true;
    let mut next_id = MIN_LISTENERS as u64;
    let mut stats = WriterStats {
        writes: 0,
        inserts: latency_histogram(),
        elapsed: Duration::ZERO,
        reload_errors: 0,
    };
    let Some(end) = start.wait() else {
        return stats;
    };
    let started = Instant::now();
    let mut deadline = started + interval;
    loop {
        let now = Instant::now();
        if deadline > now {
            thread::sleep(deadline.min(end).saturating_duration_since(now));
        }
        if Instant::now() >= end {
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
        let (name, port) = single_key_write(workload.names, stats.writes);
        let t0 = Instant::now();
        let previous = contender.insert(name, port);
        let nanos = t0.elapsed().as_nanos() as u64;
        black_box(previous);
        stats.inserts.saturating_record(nanos);
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

/// Round `round`'s single-key write: the next name of the file (in file order, over and
/// over), so the set of names never changes and every lookup still hits; and a port that
/// changes every round.
fn single_key_write(names: &[String], round: u64) -> (String, u16) {
    let name = names[(round % names.len() as u64) as usize].clone();
    (name, round as u16)
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
    fn the_gate_hands_every_thread_the_end_time() {
        let gate = StartGate::new(3);
        let end = Instant::now() + Duration::from_secs(1);
        thread::scope(|s| {
            let mut closed = gate.close();
            let threads: Vec<_> = (0..3).map(|_| s.spawn(|| gate.wait())).collect();
            gate.wait_until_ready();
            *closed = Some(end);
            drop(closed);
            for thread in threads {
                assert_eq!(thread.join().unwrap(), Some(end));
            }
        });
    }

    #[test]
    fn a_called_off_gate_lets_the_threads_go_without_an_end_time() {
        let gate = StartGate::new(2);
        thread::scope(|s| {
            let closed = gate.close();
            let thread = s.spawn(|| gate.wait());
            // Called off before every thread is ready (the second was never started).
            drop(closed);
            assert_eq!(thread.join().unwrap(), None);
        });
    }

    #[test]
    fn a_row_starts_measures_and_ends_on_time() {
        let path = std::env::temp_dir().join(format!("compare-test-{}", std::process::id()));
        std::fs::write(&path, "ssh 22/tcp\nwww 80/tcp http\n").unwrap();
        let names = ["ssh", "www", "http"].map(String::from);
        let options = Options {
            file: Some(path.clone()),
            readers: 3,
            write_interval: Duration::from_millis(1),
            duration: Duration::from_millis(50),
            quick: false,
            csv: false,
        };
        let workload = Workload {
            path: &path,
            names: &names,
            options: &options,
        };
        let started = Instant::now();
        let row = measure::<crate::contenders::Cow>(&workload);
        std::fs::remove_file(&path).unwrap();
        let Ok(row) = row else {
            panic!("the row failed")
        };
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(!row.latency.is_empty() && row.reads_per_sec_per_thread > 0.0);
        assert!(!row.inserts.is_empty() && row.writes_per_sec > 0.0);
        assert_eq!(row.misses, 0, "single-key writes keep every name");
    }

    #[test]
    fn single_key_writes_cycle_through_the_names_with_changing_ports() {
        let names = ["ssh", "www", "http"].map(String::from);
        let writes: Vec<(String, u16)> = (0..5).map(|r| single_key_write(&names, r)).collect();
        let expected = [("ssh", 0), ("www", 1), ("http", 2), ("ssh", 3), ("www", 4)];
        assert_eq!(writes, expected.map(|(n, p)| (n.to_string(), p)));
        assert_eq!(single_key_write(&names, 65_537).1, 1, "ports wrap around");
    }

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
    fn the_exact_array_gives_the_same_histogram_as_recording_directly() {
        assert_eq!(
            latency_histogram().highest_equivalent(EXACT_BELOW as u64 - 1),
            EXACT_BELOW as u64 - 1,
            "hdrhistogram is exact below EXACT_BELOW"
        );
        let (mut latencies, mut direct) = (Latencies::new(), latency_histogram());
        for nanos in [0, 1, 80, 80, 255, 256, 257, 1_000, 5_000_000, u64::MAX] {
            latencies.record(nanos);
            direct.saturating_record(nanos);
        }
        let merged = latencies.into_histogram();
        assert_eq!(merged.len(), direct.len());
        assert_eq!(merged.max(), direct.max());
        for q in [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0] {
            assert_eq!(
                merged.value_at_quantile(q),
                direct.value_at_quantile(q),
                "{q}"
            );
        }
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
