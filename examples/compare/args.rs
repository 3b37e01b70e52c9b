//! Command-line options, parsed by hand with std.

use std::path::PathBuf;
use std::time::Duration;

pub(crate) const DEFAULT_FILE: &str = "/etc/services";
const DEFAULT_READERS: usize = 2;
const DEFAULT_WRITE_INTERVAL: Duration = Duration::from_millis(1);
const DEFAULT_DURATION: Duration = Duration::from_secs(3);
const QUICK_DURATION: Duration = Duration::from_millis(200);

pub(crate) const USAGE: &str = "\
Usage: cargo run --release --example compare -- [OPTIONS]

Compares CowMap + CowVec against std::sync::RwLock, parking_lot::RwLock and
std::sync::Mutex on a read-mostly workload: R reader threads look service names up
in a map loaded from a services(5) file and call every listener of a listener list;
one writer reloads the file and adds or removes a listener at a fixed interval.

Options:
  --file PATH             services file to load [default: /etc/services]
  --readers N             reader threads [default: 2]
  --write-interval TIME   pause between writes; plain number = ms [default: 1ms]
  --duration TIME         run time per implementation; plain number = s [default: 3s]
  --quick                 200ms per implementation (for CI); --duration overrides it
  --csv                   print the results as CSV (header + one row per
                          implementation) on stdout; the run description goes to stderr
  -h, --help              print this help

TIME is a number with an optional unit: ns, us (or µs), ms, s. Examples: 500us, 2ms, 1.5s.";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    Run(Options),
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    /// `None`: the default file, whose absence gets its own error message.
    pub(crate) file: Option<PathBuf>,
    pub(crate) readers: usize,
    pub(crate) write_interval: Duration,
    pub(crate) duration: Duration,
    pub(crate) csv: bool,
}

#[derive(Clone, Copy)]
enum Unit {
    Millis,
    Secs,
}

/// Parses the arguments after the program name. The error is a one-line message.
pub(crate) fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options {
        file: None,
        readers: DEFAULT_READERS,
        write_interval: DEFAULT_WRITE_INTERVAL,
        duration: DEFAULT_DURATION,
        csv: false,
    };
    let mut quick = false;
    let mut duration_given = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // `--flag=value` and `--flag value` are both accepted.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("`{flag}` needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--csv" | "--quick" if inline.is_some() => {
                return Err(format!("`{flag}` takes no value"));
            }
            "--csv" => options.csv = true,
            "--quick" => quick = true,
            "--file" => options.file = Some(PathBuf::from(value()?)),
            "--readers" => {
                let text = value()?;
                options.readers = match text.parse() {
                    Ok(n) if n > 0 => n,
                    _ => {
                        return Err(format!(
                            "`--readers` must be a positive integer, got `{text}`"
                        ))
                    }
                };
            }
            "--write-interval" => {
                options.write_interval = parse_duration(&value()?, Unit::Millis)
                    .map_err(|e| format!("`--write-interval`: {e}"))?;
            }
            "--duration" => {
                options.duration = parse_duration(&value()?, Unit::Secs)
                    .map_err(|e| format!("`--duration`: {e}"))?;
                duration_given = true;
            }
            _ if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`")),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    if quick && !duration_given {
        options.duration = QUICK_DURATION;
    }
    Ok(Command::Run(options))
}

/// `500us`, `2ms`, `1.5s`, or a plain number in `unit`. Must be positive.
fn parse_duration(text: &str, unit: Unit) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let nanos_per_unit = match (suffix.trim(), unit) {
        ("", Unit::Millis) | ("ms", _) => 1e6,
        ("", Unit::Secs) | ("s", _) => 1e9,
        ("us" | "µs", _) => 1e3,
        ("ns", _) => 1.0,
        _ => return Err(format!("unknown unit in `{text}` (use ns, us, ms or s)")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 500us, 2ms, 1.5s)"))?;
    let nanos = (value * nanos_per_unit).round();
    // Positive, and at most ~584 years (what fits in u64 nanoseconds).
    if !(1.0..=u64::MAX as f64).contains(&nanos) {
        return Err(format!("`{text}` must be positive (and under 584 years)"));
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
    use super::*;

    fn run(args: &[&str]) -> Result<Options, String> {
        match parse_args(args.iter().map(|s| s.to_string()))? {
            Command::Run(options) => Ok(options),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[]).unwrap();
        assert_eq!(o.file, None);
        assert_eq!(o.readers, 2);
        assert_eq!(o.write_interval, Duration::from_millis(1));
        assert_eq!(o.duration, Duration::from_secs(3));
        assert!(!o.csv);
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
    }

    #[test]
    fn help() {
        assert_eq!(
            parse_args(["--readers=2".into(), "-h".into()]),
            Ok(Command::Help)
        );
    }

    #[test]
    fn errors() {
        assert!(run(&["--frobnicate"])
            .unwrap_err()
            .contains("unknown flag `--frobnicate`"));
        assert!(run(&["stray"]).unwrap_err().contains("unexpected argument"));
        assert!(run(&["--file"]).unwrap_err().contains("needs a value"));
        assert!(run(&["--readers", "0"]).unwrap_err().contains("positive"));
        assert!(run(&["--readers", "two"]).is_err());
        assert!(run(&["--csv=yes"]).unwrap_err().contains("takes no value"));
        assert!(run(&["--write-interval", "0"])
            .unwrap_err()
            .contains("positive"));
        assert!(run(&["--write-interval", "5 parsecs"])
            .unwrap_err()
            .contains("unit"));
        assert!(run(&["--duration", "ms"])
            .unwrap_err()
            .contains("not a duration"));
    }

    #[test]
    fn durations() {
        let ms = |t| parse_duration(t, Unit::Millis);
        assert_eq!(ms("1ms"), Ok(Duration::from_millis(1)));
        assert_eq!(ms("2"), Ok(Duration::from_millis(2)));
        assert_eq!(ms("500us"), Ok(Duration::from_micros(500)));
        assert_eq!(ms("500µs"), Ok(Duration::from_micros(500)));
        assert_eq!(ms("250ns"), Ok(Duration::from_nanos(250)));
        assert_eq!(ms("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("3", Unit::Secs), Ok(Duration::from_secs(3)));
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
