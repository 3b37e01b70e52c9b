//! Shared helpers for the benches: the criterion configuration, background threads
//! started outside the timed region, and the clock the self-timed cases read.

#![allow(dead_code, unreachable_pub)]

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use crossbeam_utils::CachePadded;

/// Short runs: the whole suite must finish in under 15 minutes on 2 shared cores.
/// Command-line flags (`--warm-up-time`, `--measurement-time`, `--sample-size`) still
/// override these, because `criterion_group!` applies them after this config.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_millis(1800))
        .sample_size(30)
        .nresamples(10_000)
        .without_plots()
}

/// State shared by the measured thread and its background threads; every field on its
/// own cache line so that the bookkeeping does not contend with what is measured.
struct Shared {
    started: CachePadded<AtomicUsize>,
    stop: CachePadded<AtomicBool>,
}

/// What the background threads did while one `iter_custom` call ran.
#[derive(Clone, Copy, Debug, Default)]
pub struct BackgroundOps {
    /// Operations completed by all background threads together.
    pub ops: u64,
}

/// Runs `measured` (which returns the time it measured itself) while `threads`
/// background threads run `background` in a loop. The threads are spawned and confirmed
/// running before `measured` starts, and stopped and joined after it returns, so thread
/// start-up and shutdown are outside the timed region. Background counters are
/// cache-padded and published once per thread, at the end.
///
/// `background` is a factory: each thread calls it once (outside the timed region) to get
/// its own loop body, so per-thread state such as a `Reader` handle or a write counter
/// lives in the closure it returns.
pub fn with_background<B, F>(
    threads: usize,
    background: B,
    measured: impl FnOnce() -> Duration,
) -> (Duration, BackgroundOps)
where
    B: Fn() -> F + Sync,
    F: FnMut(),
{
    let shared = Shared {
        started: CachePadded::new(AtomicUsize::new(0)),
        stop: CachePadded::new(AtomicBool::new(false)),
    };
    let counts: Vec<CachePadded<AtomicU64>> = (0..threads)
        .map(|_| CachePadded::new(AtomicU64::new(0)))
        .collect();
    let elapsed = std::thread::scope(|scope| {
        for count in &counts {
            let shared = &shared;
            let background = &background;
            scope.spawn(move || {
                let mut body = background();
                shared.started.fetch_add(1, Ordering::SeqCst);
                let mut ops = 0u64;
                while !shared.stop.load(Ordering::Relaxed) {
                    body();
                    ops += 1;
                }
                count.store(ops, Ordering::Relaxed);
            });
        }
        while shared.started.load(Ordering::SeqCst) < threads {
            std::thread::yield_now();
        }
        let elapsed = measured();
        shared.stop.store(true, Ordering::Relaxed);
        elapsed
    });
    let ops = counts.iter().map(|c| c.load(Ordering::Relaxed)).sum();
    (elapsed, BackgroundOps { ops })
}

/// The clock the benches that time themselves (`iter_custom`) read.
///
/// Wall time by default, like criterion. With `COW_BENCH_CLOCK=thread-cpu` (Unix), the
/// measured thread's CPU time instead, for single-threaded cases only: on a machine
/// shared with other work, time spent descheduled no longer counts, which keeps
/// same-group ratios stable. Cases with background threads always use wall time: a
/// reader asleep on a lock held by the writer is exactly the cost they measure, and CPU
/// time would not see it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clock {
    Wall,
    ThreadCpu,
}

impl Clock {
    pub fn get() -> Clock {
        static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();
        *CLOCK.get_or_init(|| match std::env::var("COW_BENCH_CLOCK").as_deref() {
            Ok("thread-cpu") if cfg!(unix) => Clock::ThreadCpu,
            Ok("thread-cpu") => panic!("COW_BENCH_CLOCK=thread-cpu needs a Unix system"),
            Ok("wall") | Err(_) => Clock::Wall,
            Ok(other) => panic!("COW_BENCH_CLOCK={other}: expected `wall` or `thread-cpu`"),
        })
    }

    /// Times `f` with this clock.
    #[inline]
    pub fn time(self, f: impl FnOnce()) -> Duration {
        match self {
            Clock::Wall => {
                let start = Instant::now();
                f();
                start.elapsed()
            }
            Clock::ThreadCpu => {
                let start = thread_cpu_now();
                f();
                thread_cpu_now().saturating_sub(start)
            }
        }
    }
}

#[cfg(unix)]
fn thread_cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable `timespec`; the call only writes to it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(unix))]
fn thread_cpu_now() -> Duration {
    unreachable!("Clock::get() only selects ThreadCpu on Unix")
}

/// Times `iters` calls of the operation made by `op` on this thread while `threads`
/// background threads run theirs; the shape every contended bench uses in
/// `iter_custom`. The operation is built before the clock starts.
pub fn timed<B, F, O, P, R>(threads: usize, iters: u64, background: B, op: O) -> Duration
where
    B: Fn() -> F + Sync,
    F: FnMut(),
    O: FnOnce() -> P,
    P: FnMut() -> R,
{
    let clock = if threads == 0 {
        Clock::get()
    } else {
        Clock::Wall
    };
    with_background(threads, background, || {
        let mut op = op();
        clock.time(|| {
            for _ in 0..iters {
                black_box(op());
            }
        })
    })
    .0
}

/// `b.iter(op)` through [`timed`], so that it follows [`Clock`].
pub fn iter<R>(b: &mut criterion::Bencher<'_>, mut op: impl FnMut() -> R) {
    b.iter_custom(|iters| timed(0, iters, idle, || &mut op));
}

/// `b.iter_batched(setup, routine, ..)` that follows [`Clock`]: inputs are built in
/// batches of `batch` outside the timing, the routine runs over a batch inside it, and
/// its outputs are dropped outside it.
pub fn iter_batched<I, O>(
    b: &mut criterion::Bencher<'_>,
    batch: usize,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        let mut left = iters as usize;
        while left > 0 {
            let n = left.min(batch.max(1));
            left -= n;
            let inputs: Vec<I> = (0..n).map(|_| setup()).collect();
            let mut outputs = Vec::with_capacity(n);
            total += Clock::get().time(|| {
                for input in inputs {
                    outputs.push(routine(input));
                }
            });
            drop(black_box(outputs));
        }
        total
    });
}

/// A background factory for "no background thread" (used with `threads == 0`).
pub fn idle() -> impl FnMut() {
    || {}
}

/// A vector `0..n` as `u64`s: the element type every collection bench uses.
pub fn data(n: usize) -> Vec<u64> {
    (0..n as u64).collect()
}

/// The directory criterion writes to (`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`,
/// else `<target dir of this bench binary>/criterion`), for the JSON of the benches that
/// criterion cannot express (latency percentiles).
pub fn criterion_dir() -> std::path::PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return std::path::PathBuf::from(target).join("criterion");
    }
    // The bench binary lives in <target>/<profile>/deps/.
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| "target/criterion".into())
}
