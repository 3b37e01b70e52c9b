//! Command-line options: clap's derive parser, plus the TIME format (`500us`, `2ms`,
//! `1.5s`, or a plain number in the flag's own unit).

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::Parser;

pub(crate) const DEFAULT_FILE: &str = "/etc/services";
/// The most `--readers` accepted. Past a few thousand threads on a small machine a row
/// measures the scheduler, not the collections. And each thread takes four memory
/// mappings (its stack and std's signal stack, each with a guard page): Linux's default
/// `vm.max_map_count` (65,530) runs out near 16,000 threads, and there the mapping that
/// fails can be the signal stack, inside std in the new thread, which aborts the process
/// instead of returning an error to `thread::Builder::spawn_scoped`.
const MAX_READERS: u64 = 10_000;

/// Compares CowMap and CowBTreeMap + CowVec against std::sync::RwLock,
/// parking_lot::RwLock and std::sync::Mutex on a read-mostly workload: N reader threads
/// look service names up in a map loaded from a services(5) file and call every listener
/// of a listener list; one writer, at a fixed interval, reloads the file, adds or removes
/// a listener, and sets one name's port (the single-key write, timed alone: the "insert"
/// columns).
#[derive(Debug, Clone, PartialEq, Parser)]
#[command(
    name = "compare",
    // Keep the line breaks above: clap wraps nothing without its `wrap_help` feature.
    verbatim_doc_comment,
    override_usage = "cargo run --release --example compare -- [OPTIONS]",
    // A flag given twice takes its last value, as before clap.
    args_override_self = true,
    after_help = "TIME is a number with an optional unit: ns, us (or µs), ms, s. \
                  Examples: 500us, 2ms, 1.5s."
)]
pub(crate) struct Options {
    /// Services file to load [default: /etc/services]
    // `None`: the default file, whose absence gets its own error message.
    #[arg(long, value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,

    /// Reader threads, 1 to 10000
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2,
        value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_READERS),
    )]
    pub(crate) readers: usize,

    /// Pause between writes; plain number = ms
    #[arg(long, value_name = "TIME", default_value = "1ms", value_parser = millis)]
    pub(crate) write_interval: Duration,

    /// Run time per implementation; plain number = s
    #[arg(
        long,
        value_name = "TIME",
        default_value = "3s",
        default_value_if("quick", "true", "200ms"),
        value_parser = secs,
    )]
    pub(crate) duration: Duration,

    /// 200ms per implementation (for CI); --duration overrides it
    #[arg(long)]
    pub(crate) quick: bool,

    /// Print the results as CSV on stdout, the description on stderr
    #[arg(long)]
    pub(crate) csv: bool,
}

/// `--write-interval`: a plain number is milliseconds.
fn millis(text: &str) -> Result<Duration, String> {
    parse_duration(text, 1e6)
}

/// `--duration`: a plain number is seconds.
fn secs(text: &str) -> Result<Duration, String> {
    parse_duration(text, 1e9)
}

/// `500us`, `2ms`, `1.5s`, or a plain number of units of `plain_nanos` nanoseconds.
/// Must be positive.
fn parse_duration(text: &str, plain_nanos: f64) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let nanos_per_unit = match suffix.trim() {
        "" => plain_nanos,
        "s" => 1e9,
        "ms" => 1e6,
        "us" | "µs" => 1e3,
        "ns" => 1.0,
        _ => return Err("unknown unit (use ns, us, ms or s)".into()),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| "not a duration (e.g. 500us, 2ms, 1.5s)".to_owned())?;
    let nanos = (value * nanos_per_unit).round();
    // Positive, and at most ~584 years (what fits in u64 nanoseconds).
    if !(1.0..=u64::MAX as f64).contains(&nanos) {
        return Err("must be positive (and under 584 years)".into());
    }
    Ok(Duration::from_nanos(nanos as u64))
}

/// Short human form: `1ms`, `500us`, `3s`, `1.5s`.
pub(crate) fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let (value, unit) = if nanos % 1_000_000_000 == 0 {
        (nanos / 1_000_000_000, "s")
    } else if nanos % 1_000_000 == 0 {
        (nanos / 1_000_000, "ms")
    } else if nanos % 1_000 == 0 {
        (nanos / 1_000, "us")
    } else {
        (nanos, "ns")
    };
    if unit == "ms" && value >= 1000 {
        return format!("{}s", value as f64 / 1000.0);
    }
    format!("{value}{unit}")
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::CommandFactory;

    use super::*;

    fn run(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(["compare"].iter().chain(args))
    }

    /// The error clap prints, without the usage lines after it.
    fn error(args: &[&str]) -> String {
        run(args).unwrap_err().to_string()
    }

    #[test]
    fn command_is_well_formed() {
        Options::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let o = run(&[]).unwrap();
        assert_eq!(o.file, None);
        assert_eq!(o.readers, 2);
        assert_eq!(o.write_interval, Duration::from_millis(1));
        assert_eq!(o.duration, Duration::from_secs(3));
        assert!(!o.csv && !o.quick);
    }

    #[test]
    fn every_flag_in_both_forms() {
        let o = run(&[
            "--file",
            "/tmp/x",
            "--readers=4",
            "--write-interval",
            "500us",
            "--duration=2",
            "--csv",
        ])
        .unwrap();
        assert_eq!(o.file, Some(PathBuf::from("/tmp/x")));
        assert_eq!(o.readers, 4);
        assert_eq!(o.write_interval, Duration::from_micros(500));
        assert_eq!(o.duration, Duration::from_secs(2));
        assert!(o.csv);
    }

    #[test]
    fn quick_unless_duration_given() {
        assert_eq!(
            run(&["--quick"]).unwrap().duration,
            Duration::from_millis(200)
        );
        assert_eq!(
            run(&["--duration", "1s", "--quick"]).unwrap().duration,
            Duration::from_secs(1)
        );
        assert_eq!(
            run(&["--quick", "--duration", "1s"]).unwrap().duration,
            Duration::from_secs(1)
        );
    }

    #[test]
    fn help_wins_over_other_flags_and_lists_every_flag() {
        let help = run(&["--readers=2", "-h"]).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        let text = help.to_string();
        for flag in [
            "--file <PATH>",
            "--readers <N>",
            "--write-interval <TIME>",
            "--duration <TIME>",
            "--quick",
            "--csv",
            "-h, --help",
            "[default: 3s]",
            "[default: 1ms]",
            "[default: 2]",
            "TIME is a number",
            "CowBTreeMap",
            "the single-key write",
        ] {
            assert!(text.contains(flag), "{flag} missing from:\n{text}");
        }
        assert!(text.contains("Usage: cargo run --release --example compare -- [OPTIONS]"));
    }

    #[test]
    fn errors() {
        assert!(error(&["--frobnicate"]).contains("unexpected argument '--frobnicate'"));
        assert!(error(&["stray"]).contains("unexpected argument 'stray'"));
        assert!(error(&["--file"]).contains("a value is required for '--file <PATH>'"));
        for bad in ["0", "-1", "two", "10001", "99999999999999999999999"] {
            let message = error(&[&format!("--readers={bad}")]);
            assert!(message.contains("'--readers <N>'"), "{bad}: {message}");
        }
        assert!(error(&["--readers", "0"]).contains("0 is not in 1..=10000"));
        assert!(error(&["--csv=yes"]).contains("unexpected value 'yes' for '--csv'"));
        assert!(error(&["--write-interval", "0"]).contains("must be positive"));
        assert!(error(&["--write-interval", "5 parsecs"]).contains("unknown unit"));
        assert!(error(&["--duration", "ms"]).contains("not a duration"));
    }

    #[test]
    fn a_repeated_flag_takes_its_last_value() {
        let o = run(&["--readers", "3", "--readers=5", "--csv", "--csv"]).unwrap();
        assert_eq!((o.readers, o.csv), (5, true));
    }

    #[test]
    fn durations() {
        let ms = |t| millis(t);
        assert_eq!(ms("1ms"), Ok(Duration::from_millis(1)));
        assert_eq!(ms("2"), Ok(Duration::from_millis(2)));
        assert_eq!(ms("500us"), Ok(Duration::from_micros(500)));
        assert_eq!(ms("500µs"), Ok(Duration::from_micros(500)));
        assert_eq!(ms("250ns"), Ok(Duration::from_nanos(250)));
        assert_eq!(ms("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(secs("3"), Ok(Duration::from_secs(3)));
        assert_eq!(ms("1.1ms"), Ok(Duration::from_micros(1100)));
        assert!(ms("-1ms").is_err());
        assert!(ms("99999999999999999999999s")
            .unwrap_err()
            .contains("positive"));
        assert!(ms("0.1ns").unwrap_err().contains("positive"));
        assert!(ms("").is_err());
    }

    #[test]
    fn duration_formatting() {
        assert_eq!(format_duration(Duration::from_millis(1)), "1ms");
        assert_eq!(format_duration(Duration::from_micros(500)), "500us");
        assert_eq!(format_duration(Duration::from_secs(3)), "3s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_nanos(1_234)), "1234ns");
    }
}
