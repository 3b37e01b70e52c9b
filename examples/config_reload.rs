//! A configuration file reloaded while requests read it, and services that react to each
//! new version: `CowCell<Config>` with `Reader` handles, `changed().await`, and a
//! `Watcher`'s change feed that prints what changed; a file rewritten with the same
//! content publishes nothing (`store_if_changed`).
//!
//! * The operator (the main thread) rewrites a config file in the temp directory a few
//!   times, each time atomically (write a temp file, then rename it over the old one).
//!   Once, it writes a file cut in half.
//! * The reloader thread polls the file's modification time and size every 2 ms. When
//!   they change, it reads and parses the file and publishes the new `Config` with
//!   `store_if_changed` (no copy of the old one, one atomic publish), which publishes
//!   nothing, and wakes nobody, when the file was rewritten with the same content (the
//!   operator does that once). A file that does not parse is rejected and the running
//!   config stays.
//! * A tokio task awaits `config.changed(seen)`, and a plain thread blocks in a
//!   `Watcher`'s `wait_changes`, which returns the new version with the one the watcher
//!   saw before; the thread prints what changed between them (the fields, and the
//!   limits through `PersistentBTreeMap::diff`), as a service would rebuild only what
//!   changed. Versions published in between are skipped, not queued: a waiter always
//!   gets the latest, and the diff covers every version it skipped.
//! * Request threads poll the config through their own `Reader` (one version check per
//!   read when nothing changed) and assert, on every read, that versions never go down,
//!   that the config is whole (every field from the same generation of the file: a
//!   half-applied reload would mix two), and that a version number always comes with
//!   the same config.
//!
//! Run: `cargo run --example config_reload` (about half a second; `--reloads N
//! --interval-ms M` to change it).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use clap::Parser;
use cow_collections::{CowCell, PersistentBTreeMap};

/// The parsed configuration. `generation` is written by the operator; every other field
/// is derived from it, so a reader can tell a whole config from a mixed one.
#[derive(Clone, Debug, PartialEq)]
struct Config {
    generation: u64,
    listen: String,
    timeout_ms: u64,
    backends: Vec<String>,
    /// A persistent B+tree, so that two versions can be diffed (`limits.diff`).
    limits: PersistentBTreeMap<String, u64>,
}

impl Config {
    /// The config the operator writes for generation `g`.
    fn for_generation(g: u64) -> Self {
        Config {
            generation: g,
            listen: format!("0.0.0.0:{}", 8000 + g),
            timeout_ms: 100 + g,
            backends: (0..3 + g % 4).map(|i| format!("backend-{g}-{i}")).collect(),
            // Some limits change every generation, some every third, one comes and goes.
            limits: [("rps", 1000 * g), ("burst", 10 * (g / 3)), ("conns", 64)]
                .into_iter()
                .chain((g % 2 == 1).then_some(("canary", g)))
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }

    /// Whether every field agrees with `generation`.
    fn is_whole(&self) -> bool {
        *self == Config::for_generation(self.generation)
    }

    fn to_file_text(&self) -> String {
        let mut text = format!(
            "generation = {}\nlisten = {}\ntimeout_ms = {}\nbackends = {}\n",
            self.generation,
            self.listen,
            self.timeout_ms,
            self.backends.join(",")
        );
        for (name, value) in &self.limits {
            text.push_str(&format!("limit.{name} = {value}\n"));
        }
        text.push_str("end\n");
        text
    }

    /// Parses `key = value` lines; the file must end with `end` (a truncated file is an
    /// error, not a smaller config).
    fn parse(text: &str) -> Result<Self, String> {
        let mut fields = BTreeMap::new();
        let mut limits = PersistentBTreeMap::new();
        let mut ended = false;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if line == "end" {
                ended = true;
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("not `key = value`: {line:?}"))?;
            let (key, value) = (key.trim(), value.trim());
            match key.strip_prefix("limit.") {
                Some(name) => {
                    let n = value.parse().map_err(|e| format!("{key}: {e}"))?;
                    limits.insert(name.to_string(), n);
                }
                None => {
                    fields.insert(key.to_string(), value.to_string());
                }
            }
        }
        if !ended {
            return Err("missing `end` line (truncated file?)".into());
        }
        let field = |name: &str| {
            fields
                .get(name)
                .cloned()
                .ok_or_else(|| format!("missing {name}"))
        };
        let number = |name: &str| -> Result<u64, String> {
            field(name)?.parse().map_err(|e| format!("{name}: {e}"))
        };
        Ok(Config {
            generation: number("generation")?,
            listen: field("listen")?,
            timeout_ms: number("timeout_ms")?,
            backends: field("backends")?.split(',').map(String::from).collect(),
            limits,
        })
    }
}

/// Replaces the file atomically: readers of the file see the old or the new text.
fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, text).expect("write temp config");
    fs::rename(&tmp, path).expect("rename temp config");
}

/// Reads and parses the file, then publishes it if it differs from the running config;
/// returns the new version number, or `None` if the content was the same.
fn reload(config: &CowCell<Config>, path: &Path) -> Result<Option<u64>, String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let parsed = Config::parse(&text)?;
    // `store_if_changed` publishes the new value whole and hands back the old version
    // (dropped here, or later by the last reader still holding it); an equal value is
    // dropped, and nothing is published.
    Ok(config
        .store_if_changed(parsed)
        .map(|previous| previous.version() + 1))
}

/// What changed from `older` to `newer`: one `+`/`-`/`~` line per field or limit.
fn describe_changes(older: &Config, newer: &Config) -> Vec<String> {
    let mut lines = Vec::new();
    if older.listen != newer.listen {
        lines.push(format!("~ listen: {} -> {}", older.listen, newer.listen));
    }
    if older.timeout_ms != newer.timeout_ms {
        lines.push(format!(
            "~ timeout_ms: {} -> {}",
            older.timeout_ms, newer.timeout_ms
        ));
    }
    if older.backends != newer.backends {
        lines.push(format!("~ backends: {}", newer.backends.join(",")));
    }
    // The limits are a B+tree: `diff` yields `DiffItem`s, which print as `+ k: v`,
    // `- k: v` or `~ k: old -> new`.
    lines.extend(
        older
            .limits
            .diff(&newer.limits)
            .map(|item| format!("limit {item}")),
    );
    lines
}

/// What the reloader compares to notice a new file: modification time and length.
fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The reloader: polls the file and publishes every new file that parses and differs
/// from the running config, until `stop`; counts the files with the same content in
/// `unchanged`. Returns how many files it rejected.
fn run_reloader(
    config: &CowCell<Config>,
    path: &Path,
    stop: &AtomicBool,
    unchanged: &AtomicU64,
) -> u64 {
    let mut stamp = file_stamp(path);
    let mut rejected = 0;
    while !stop.load(Ordering::Acquire) {
        thread::sleep(Duration::from_millis(2));
        let now = file_stamp(path);
        if now == stamp {
            continue;
        }
        stamp = now;
        match reload(config, path) {
            Ok(Some(version)) => println!("config_reload: reloader published version {version}"),
            Ok(None) => {
                println!(
                    "config_reload: reloader read a file with the same content; nothing \
                     published, version {} stays",
                    config.version()
                );
                unchanged.fetch_add(1, Ordering::Release);
            }
            Err(error) => {
                rejected += 1;
                println!(
                    "config_reload: reloader rejected the file ({error}); version {} stays",
                    config.version()
                );
            }
        }
    }
    rejected
}

/// Command line.
#[derive(Parser)]
#[command(about = "A config file reloaded while readers use it and waiters react to it")]
struct Args {
    /// How many times the operator rewrites the file (one of them cut in half, one with
    /// the same content as before).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(3..))]
    reloads: u64,
    /// Milliseconds between two rewrites.
    #[arg(long, default_value_t = 20)]
    interval_ms: u64,
}

/// Sets the flag when dropped, on return or on unwind.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// A temp file removed on drop, even if an assertion fails.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
        let _ = fs::remove_file(self.0.with_extension("tmp"));
    }
}

fn main() {
    let Args {
        reloads,
        interval_ms,
    } = Args::parse();
    let start = Instant::now();
    let file = TempFile(std::env::temp_dir().join(format!(
        "cow-collections-config-reload-{}.conf",
        std::process::id()
    )));
    let path = file.0.as_path();

    write_atomically(path, &Config::for_generation(0).to_file_text());
    let initial = Config::parse(&fs::read_to_string(path).unwrap()).expect("initial config");
    let config = Arc::new(CowCell::new(initial));
    println!("config_reload: loaded {} as version 0", path.display());
    // Every rewrite but the truncated one and the identical one is published: the
    // waiters stop at this one.
    let last_version = reloads - 2;

    // A tokio task that reacts to every new version it gets to see.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .expect("tokio runtime");
    let task = {
        let config = Arc::clone(&config);
        runtime.spawn(async move {
            let mut seen = Vec::new();
            let mut since = config.version();
            while since < last_version {
                let newer = config.changed(since).await;
                since = newer.version();
                println!(
                    "config_reload: tokio task saw version {since} (generation {})",
                    newer.generation
                );
                assert!(newer.is_whole());
                seen.push(since);
            }
            seen
        })
    };

    // version -> generation, as published by the reloader.
    let published = Mutex::new(vec![0u64]);
    let stop = AtomicBool::new(false);
    let unchanged = AtomicU64::new(0);
    let (reads, rejected, thread_seen) = thread::scope(|s| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let (config, stop) = (&*config, &stop);
                s.spawn(move || {
                    let mut reader = config.reader();
                    let mut seen: Vec<(u64, u64)> = Vec::new(); // (version, generation)
                    let mut reads = 0u64;
                    loop {
                        // Read the flag first: the last round then sees the final version.
                        let stopping = stop.load(Ordering::Acquire);
                        let (current, version) = reader.read_with_version();
                        assert!(current.is_whole(), "torn config at v{version}: {current:?}");
                        match seen.last() {
                            Some(&(v, g)) if v == version => assert_eq!(g, current.generation),
                            Some(&(v, _)) => {
                                assert!(version > v, "version went down: {v} -> {version}");
                                seen.push((version, current.generation));
                            }
                            None => seen.push((version, current.generation)),
                        }
                        reads += 1;
                        if stopping {
                            return (seen, reads);
                        }
                        thread::yield_now();
                    }
                })
            })
            .collect();
        let reloader = s.spawn(|| run_reloader(&config, path, &stop, &unchanged));
        // A plain thread that blocks until the next version (no runtime involved) and
        // prints what changed since the version it saw before.
        let mut watcher = config.watch();
        let waiter = s.spawn(move || {
            let mut seen = Vec::new();
            while watcher.seen() < last_version {
                let changes = watcher
                    .wait_changes(Duration::from_secs(30))
                    .expect("the reloader publishes within 30 s");
                let (older, newer) = (changes.older(), changes.newer());
                let changed = describe_changes(older, newer);
                println!(
                    "config_reload: waiting thread saw version {} (generation {}); since \
                     version {}: {}",
                    newer.version(),
                    newer.generation,
                    older.version(),
                    changed.join(", ")
                );
                assert!(newer.is_whole());
                // store_if_changed publishes only configs that differ.
                assert!(!changed.is_empty());
                seen.push(newer.version());
            }
            seen
        });

        // Stops the readers and the reloader when the operator is done, and also if it
        // panics: the scope would otherwise wait for them forever.
        let stopping = StopOnDrop(&stop);
        let mut generation = 0;
        for round in 1..=reloads {
            thread::sleep(Duration::from_millis(interval_ms));
            let before = config.version();
            if round == reloads / 2 {
                // A broken write (cut short): the reloader rejects it, nothing is published.
                let text = Config::for_generation(generation + 1).to_file_text();
                write_atomically(path, &text[..text.len() / 2]);
                continue;
            }
            if round == reloads / 2 + 1 {
                // The same content again (a touched file, a config management run that
                // changed nothing): read, found equal, not published.
                write_atomically(path, &Config::for_generation(generation).to_file_text());
                let deadline = Instant::now() + Duration::from_secs(10);
                while unchanged.load(Ordering::Acquire) == 0 {
                    assert!(
                        Instant::now() < deadline,
                        "the reloader did not read the file"
                    );
                    thread::sleep(Duration::from_millis(1));
                }
                assert_eq!(config.version(), before, "an identical file was published");
                continue;
            }
            generation += 1;
            write_atomically(path, &Config::for_generation(generation).to_file_text());
            // Wait for the reloader to pick it up (at most a few of its 2 ms polls).
            let version = config
                .wait_newer(before, Duration::from_secs(10))
                .expect("the reloader publishes a valid file within 10 s")
                .version();
            assert_eq!(version, before + 1, "the reloader published twice");
            published.lock().unwrap().push(generation);
        }
        let thread_seen = waiter.join().unwrap();
        drop(stopping);
        let rejected = reloader.join().unwrap();
        let reads = readers
            .into_iter()
            .map(|r| r.join().unwrap())
            .collect::<Vec<_>>();
        (reads, rejected, thread_seen)
    });
    let task_seen = runtime.block_on(task).expect("the tokio task");

    let published = published.into_inner().unwrap();
    let final_version = config.version();
    assert_eq!(final_version as usize, published.len() - 1);
    let mut total_reads = 0;
    let mut distinct = 0;
    for (seen, count) in &reads {
        for &(version, generation) in seen {
            assert_eq!(
                published[version as usize], generation,
                "v{version} mismatch"
            );
        }
        assert_eq!(seen.last().map(|&(v, _)| v), Some(final_version));
        total_reads += count;
        distinct += seen.len();
    }
    for (who, seen) in [("tokio task", &task_seen), ("waiting thread", &thread_seen)] {
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{who}: {seen:?}");
        assert_eq!(seen.last(), Some(&final_version), "{who}");
    }
    println!(
        "config_reload: {final_version} versions published ({rejected} file rejected, {} with \
         the same content skipped); the \
         tokio task saw {} of them and the waiting thread {} (versions in between are \
         skipped, not queued); {} readers did {total_reads} reads and saw {distinct} \
         (version, config) pairs, all whole and in order, in {:?}",
        unchanged.load(Ordering::Acquire),
        task_seen.len(),
        thread_seen.len(),
        reads.len(),
        start.elapsed()
    );
}
