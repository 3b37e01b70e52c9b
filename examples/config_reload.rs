//! A configuration reloaded from a file while request threads read it: `CowCell<Config>`
//! with `Reader` handles.
//!
//! The operator (the main thread) rewrites a config file in the temp directory a few
//! times, each time atomically (write a temp file, then rename it over the old one), and
//! asks for a reload, as a `SIGHUP` handler would. A reload parses the whole file and
//! `store`s the new `Config`: no copy of the old one, one atomic publish. A file that
//! does not parse is rejected and the running config stays. Each reload logs the version
//! it published.
//!
//! Reader threads poll the config through their own `Reader` (one pointer check per read
//! when nothing changed) and assert, on every read, that:
//!
//! * versions never go down;
//! * the config is whole: every field belongs to the same generation of the file (a
//!   half-applied reload would mix two);
//! * a version number always comes with the same config.
//!
//! Run: `cargo run --example config_reload` (about half a second; `--reloads N
//! --interval-ms M` to change it).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use cow_collections::CowCell;

/// The parsed configuration. `generation` is written by the operator; every other field
/// is derived from it, so a reader can tell a whole config from a mixed one.
#[derive(Clone, Debug, PartialEq)]
struct Config {
    generation: u64,
    listen: String,
    timeout_ms: u64,
    backends: Vec<String>,
    limits: BTreeMap<String, u64>,
}

impl Config {
    /// The config the operator writes for generation `g`.
    fn for_generation(g: u64) -> Self {
        Config {
            generation: g,
            listen: format!("0.0.0.0:{}", 8000 + g),
            timeout_ms: 100 + g,
            backends: (0..3 + g % 4).map(|i| format!("backend-{g}-{i}")).collect(),
            limits: [("rps", 1000 * g), ("burst", 10 * g), ("conns", g)]
                .into_iter()
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
        let mut limits = BTreeMap::new();
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

/// Reads and parses the file, then publishes it; returns the new version number.
fn reload(config: &CowCell<Config>, path: &Path) -> Result<u64, String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let parsed = Config::parse(&text)?;
    // `store` publishes the new value whole and hands back the old version (dropped here,
    // or later by the last reader still holding it).
    let previous = config.store(parsed);
    Ok(previous.version() + 1)
}

fn parse_args() -> (u64, u64) {
    let (mut reloads, mut interval_ms) = (20, 20);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: u64 = it
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{flag} needs a number"));
        match flag.as_str() {
            "--reloads" => reloads = value,
            "--interval-ms" => interval_ms = value,
            other => panic!("unknown argument {other}; use --reloads N --interval-ms M"),
        }
    }
    (reloads, interval_ms)
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
    let (reloads, interval_ms) = parse_args();
    let start = Instant::now();
    let file = TempFile(std::env::temp_dir().join(format!(
        "cow-collections-config-reload-{}.conf",
        std::process::id()
    )));
    let path = file.0.as_path();

    write_atomically(path, &Config::for_generation(0).to_file_text());
    let initial = Config::parse(&fs::read_to_string(path).unwrap()).expect("initial config");
    let config = CowCell::new(initial);
    println!("config_reload: loaded {} as version 0", path.display());

    // version -> generation, as published by the operator.
    let published = Mutex::new(vec![0u64]);
    let stop = AtomicBool::new(false);
    let reads = thread::scope(|s| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let (config, stop) = (&config, &stop);
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

        let mut generation = 0;
        for round in 1..=reloads {
            thread::sleep(Duration::from_millis(interval_ms));
            if round == reloads / 2 {
                // A broken write (cut short): the reload is rejected, nothing is published.
                let text = Config::for_generation(generation + 1).to_file_text();
                write_atomically(path, &text[..text.len() / 2]);
                let before = config.version();
                let error = reload(&config, path).expect_err("a truncated file must not load");
                assert_eq!(config.version(), before);
                println!(
                    "config_reload: rejected a truncated file ({error}); kept version {before}"
                );
                continue;
            }
            generation += 1;
            write_atomically(path, &Config::for_generation(generation).to_file_text());
            let version = reload(&config, path).expect("valid config");
            published.lock().unwrap().push(generation);
            assert_eq!(published.lock().unwrap().len() as u64, version + 1);
            println!("config_reload: reloaded generation {generation} as version {version}");
        }
        stop.store(true, Ordering::Release);
        readers
            .into_iter()
            .map(|r| r.join().unwrap())
            .collect::<Vec<_>>()
    });

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
    println!(
        "config_reload: {final_version} reloads published ({} rejected), {} readers did \
         {total_reads} reads and saw {distinct} (version, config) pairs, all whole and in \
         order, in {:?}",
        reloads - final_version,
        reads.len(),
        start.elapsed()
    );
}
