//! `compare`: `CowMap` and `CowBTreeMap` + `CowVec` against `RwLock`, `parking_lot::RwLock`
//! and `Mutex` on a real read-mostly workload.
//!
//! ```text
//! cargo run --release --example compare                  # /etc/services, 3 s per row
//! cargo run --release --example compare -- --quick       # 200 ms per row (CI)
//! cargo run --release --example compare -- --file my-services --readers 4 --csv
//! cargo run --release --example compare -- --help
//! ```
//!
//! # What it measures
//!
//! The input is a services database (`/etc/services`, or `--file`; lines
//! `name port/proto aliases... # comment`). Every service name and every alias becomes a
//! key of a `name -> port` map; a list of 4 to 8 listeners (`Arc<dyn Fn(&Event)>`) is
//! called on every lookup. Each implementation holds that same pair:
//!
//! | row                   | map                                 | listener list                  |
//! |-----------------------|-------------------------------------|--------------------------------|
//! | `CowMap`              | `CowMap<String, u16>`, `read()`     | `CowVec<Listener>`, `read()`   |
//! | `CowMap (Reader)`     | the same, through per-thread `reader()` handles (the hot-loop API) | |
//! | `CowBTreeMap`         | `CowBTreeMap<String, u16>`, `read()` | `CowVec<Listener>`, `read()`  |
//! | `std::sync::RwLock`   | `RwLock<HashMap<String, u16>>`      | `RwLock<Vec<Listener>>`        |
//! | `parking_lot::RwLock` | `parking_lot::RwLock<HashMap<..>>`  | `parking_lot::RwLock<Vec<..>>` |
//! | `std::sync::Mutex`    | `Mutex<HashMap<..>>`                | `Mutex<Vec<..>>`               |
//!
//! For each row, `--readers` threads (default 2) loop: draw a name from the file, then
//! **one read** = look the name up, then call every listener with the lookup's event.
//! One writer thread, every `--write-interval` (default 1 ms): re-reads and re-parses the
//! file, publishes the new map whole, pushes or pops one listener (the list grows from 4
//! to 8, then shrinks back to 4, and so on), and then does **one single-key write**: sets
//! one name's port with `insert`, timed on its own. The names come in file order, one a
//! round, and are all names already in the map, so the set of names never changes and
//! every lookup still hits; the port changes every round (the readers do not check
//! ports). Each row runs `--duration` (default 3 s, so the default run takes about 18 s).
//!
//! # How to read the table
//!
//! * `reads/s/thread`: completed reads per second, averaged over the reader threads.
//!   Higher is better. Includes the timer and loop overhead, equal for every row. A
//!   reader that got no core before the row's end counts as 0; a note says how many.
//! * `p50` .. `p99.9`, `max`: latency of one read in nanoseconds, every read timed with
//!   `Instant` and recorded in a per-thread HDR histogram (`hdrhistogram`, two
//!   significant digits), merged across threads. Values are bucket tops: exact below
//!   256 ns, at most 0.8% above the true value from there on (one hour and more shows
//!   as one hour). Each value includes one `Instant::now()` pair; the header prints that
//!   overhead so you can subtract it. The tail (p99.9, max) is where a writer holding a
//!   lock shows: a reader waits for the whole write, or is descheduled.
//! * `writes/s`: completed writer rounds (reload + publish + one listener change + one
//!   single-key write) per second. The target is `1 / write-interval`; a row far below it means the writer
//!   was starved: it waited for readers to let go of the lock, or for a CPU (after 10
//!   missed rounds the writer drops its backlog rather than bursting).
//! * `insert p50 ns`, `insert p99 ns`: what one single-key write costs while the readers
//!   keep reading, the cost a service would see. `Instant` around just the `insert` call,
//!   one per writer round, recorded in an HDR histogram of the same precision as the
//!   reads' (and with the same timer overhead included). What the call does differs by
//!   row, and that is the point of the column:
//!   - the lock rows take the write lock (waiting for readers inside it to leave) and
//!     change the port in place: O(1);
//!   - `CowMap` copies the whole map (every entry, each key `String` cloned: O(n), about
//!     340 entries for `/etc/services`), publishes the copy and frees the retired
//!     version;
//!   - `CowBTreeMap` clones the tree in O(1), copies the O(log n) nodes on the key's path
//!     (for `/etc/services` a leaf of at most 16 entries and the root), publishes, and
//!     frees the retired path;
//!   - in the `CowMap (Reader)` row the copy is the same as `CowMap`'s, but the retired
//!     version is nearly always still held by the readers' `Reader` handles (each keeps
//!     its last version until its next `read()`), so a reader frees it, not the writer:
//!     that row's insert leaves the free out.
//!
//!   There is one sample per round (3,000 at the default settings, 200 with `--quick`),
//!   so the p99 is rough; it is where a descheduled writer shows. `-` (an empty CSV
//!   field): the writer did no round.
//!
//! With more threads than cores (readers + writer > cores), or other load on the
//! machine, every row also measures the scheduler (that is most of `max`); compare rows
//! of one run on a quiet machine, not runs on different machines. Far more readers than
//! cores (hundreds on 2 cores) mostly measures how the scheduler shares the cores out:
//! many readers get none within `--quick`'s 200 ms. With thousands of readers the
//! `CowMap (Reader)` row is also slow to start (30 s at 10,000 on 2 cores): a thread's
//! first arc-swap access searches arc-swap's list of per-thread debt nodes, which is as
//! long as the most threads that have used arc-swap at once. `--readers` takes 1 to
//! 10,000; a reader thread the system cannot start ends the run with that error
//! (status 2).
//!
//! # Fairness rules
//!
//! * The timed region is the same call for every row (`Contender::read`): map lookup
//!   with the map's read access released before the listener list's read access is
//!   taken, then the listener loop. Drawing the name, counting and recording happen
//!   outside it.
//! * The lock-based writers do what a careful lock user does: the new map is built
//!   outside the lock and swapped in under the write lock; listeners are allocated
//!   outside and pushed or popped under the write lock; the old map and the popped
//!   listener are dropped after the lock is released. `CowMap::store` and
//!   `CowBTreeMap::store` publish a map prebuilt the same way (an `IndexMap`; a
//!   `PersistentBTreeMap` built bottom-up from the sorted names); `CowVec::push`/`pop`
//!   copy the list (the copy-on-write cost is part of what is measured).
//! * Every hash map hashes with std's `RandomState` (SipHash); `CowMap` is backed by an
//!   `IndexMap`, the lock rows by a `HashMap`; `CowBTreeMap` compares keys instead
//!   (`str`'s `Ord`, O(log n) comparisons per lookup). The first occurrence of a name
//!   wins in all of them.
//! * The single-key write is the same call for every row (`Contender::insert`), with its
//!   name `String` made before the timer starts. The lock rows take the write lock and
//!   change the port through `get_mut` (the name is not moved into the map, so it is
//!   dropped after the lock is released, as a careful lock user would); the
//!   copy-on-write rows call their collection's `insert`, and the whole call is timed:
//!   the copy and the publish under the writer mutex, the drop of the retired version
//!   after it.
//! * Listeners touch no shared memory, so they add no contention of their own.
//! * Every thread gets ready first (its read handle, its histogram), then all start
//!   through one gate that wakes them together, and each stops by itself at the row's
//!   end time (`workload::StartGate`); results are kept alive with `std::hint::black_box`.
//!
//! The run also checks itself: every read must see between 4 and 8 listeners (never a
//! half-done write); a read seeing anything else ends the program with status 1. The
//! single-key write changes only a port, never the listener list or the set of names, so
//! it leaves that check, and the lookups' hit rate, as they were.

mod args;
mod contenders;
mod report;
mod services;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;

use args::{format_duration, Options, DEFAULT_FILE};
use clap::Parser;
use contenders::{Cow, CowBTree, CowReader, ParkingLotRwLock, StdMutex, StdRwLock};
use report::{csv, malformed_summary, table};
use services::Services;
use workload::{measure, timer_overhead, Workload};

fn main() -> ExitCode {
    // Bad flags: clap prints the error and the usage and exits with status 2; `--help`
    // prints the help and exits with 0.
    let options = Options::parse();
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Inconsistent(message)) => {
            eprintln!("error: inconsistent read: {message}");
            ExitCode::from(1)
        }
    }
}

enum Failure {
    /// Bad input, or a `--readers` this system cannot start: exit status 2.
    Input(String),
    /// A read saw a state no write published: exit status 1.
    Inconsistent(String),
}

fn run(options: &Options) -> Result<(), Failure> {
    let path = options
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    let services = services::load(&path).map_err(|e| {
        Failure::Input(if options.file.is_some() {
            format!("cannot read --file {}: {e}", path.display())
        } else {
            format!(
                "cannot read {DEFAULT_FILE}: {e}\n\
                 this system has no services database; pass a file in the same format \
                 (`name port/proto aliases... # comment`) with --file PATH"
            )
        })
    })?;
    let names = unique_names(&services);
    if names.is_empty() {
        return Err(Failure::Input(format!(
            "{} has no valid service entries ({} lines, {} malformed); nothing to look up",
            path.display(),
            services.lines,
            services.malformed.len()
        )));
    }

    // In CSV mode stdout carries only the CSV; the description goes to stderr.
    let describe = |line: String| {
        if options.csv {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let cores =
        thread::available_parallelism().map_or_else(|_| "unknown".into(), |n| n.to_string());
    describe(format!(
        "machine: {cores} cores (available_parallelism); {} reader threads + 1 writer every {}; {} per implementation",
        options.readers,
        format_duration(options.write_interval),
        format_duration(options.duration),
    ));
    if cfg!(debug_assertions) {
        describe("note:    this is a debug build; measure with `--release`".into());
    }
    describe(format!(
        "input:   {}: {} lines, {} records, {} names with aliases ({} distinct), {}",
        path.display(),
        services.lines,
        services.records,
        services.entries.len(),
        names.len(),
        malformed_summary(&services.malformed),
    ));
    describe(format!(
        "timer:   an empty timed region (Instant::now + elapsed) takes {} ns at p50; every latency below includes it",
        timer_overhead()
    ));

    let workload = Workload {
        path: &path,
        names: &names,
        options,
    };
    let rows = vec![
        measure::<Cow>(&workload)?,
        measure::<CowReader>(&workload)?,
        measure::<CowBTree>(&workload)?,
        measure::<StdRwLock>(&workload)?,
        measure::<ParkingLotRwLock>(&workload)?,
        measure::<StdMutex>(&workload)?,
    ];
    if options.csv {
        print!("{}", csv(&rows));
    } else {
        println!();
        print!("{}", table(&rows));
    }
    for row in &rows {
        if row.misses > 0 {
            describe(format!(
                "note: {}: {} lookups missed (the file changed during the run?)",
                row.name, row.misses
            ));
        }
        if row.idle_readers > 0 {
            describe(format!(
                "note: {}: {} of {} readers got no core before the end (more threads than \
                 cores); reads/s/thread counts them as 0",
                row.name, row.idle_readers, options.readers
            ));
        }
        if row.reload_errors > 0 {
            describe(format!(
                "note: {}: {} reloads failed to read {} and were skipped",
                row.name,
                row.reload_errors,
                path.display()
            ));
        }
    }
    Ok(())
}

/// Every distinct name, in file order: what the readers look up.
fn unique_names(services: &Services) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    services
        .entries
        .iter()
        .filter(|(name, _)| seen.insert(name.as_str()))
        .map(|(name, _)| name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_in_file_order() {
        let services = services::parse_services("ssh 22/tcp\nssh 22/udp\nwww 80/tcp http\n");
        assert_eq!(unique_names(&services), ["ssh", "www", "http"]);
    }
}
