//! The services-database parser: `name port/proto [aliases...] [# comment]`, as in
//! `/etc/services` (services(5)).

use std::io;
use std::path::Path;

/// One file, parsed: every name (service and alias) with its port, in file order, and
/// what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Services {
    /// `(name, port)` for each record's service name and each of its aliases. A name may
    /// repeat (`ssh 22/tcp`, `ssh 22/udp`); the first occurrence wins when building maps.
    pub(crate) entries: Vec<(String, u16)>,
    /// Lines in the file.
    pub(crate) lines: usize,
    /// Lines that held a valid record.
    pub(crate) records: usize,
    /// Alias names among `entries`.
    pub(crate) aliases: usize,
    /// 1-based numbers of the lines skipped as malformed.
    pub(crate) malformed: Vec<usize>,
}

/// A record: the service name, its port and its aliases (the protocol is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    pub(crate) name: &'a str,
    pub(crate) port: u16,
    pub(crate) aliases: Vec<&'a str>,
}

/// Why a line is not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// A name with nothing after it.
    MissingPort,
    /// The second field is not `port/proto`.
    NoProtocol,
    /// The port is not a decimal number in `0..=65535`.
    BadPort,
}

/// Parses one line. `Ok(None)` for a blank or comment-only line.
pub(crate) fn parse_line(line: &str) -> Result<Option<Record<'_>>, Malformed> {
    let data = line.split_once('#').map_or(line, |(data, _comment)| data);
    let mut fields = data.split_whitespace();
    let Some(name) = fields.next() else {
        return Ok(None);
    };
    let port_proto = fields.next().ok_or(Malformed::MissingPort)?;
    let (port, proto) = port_proto.split_once('/').ok_or(Malformed::NoProtocol)?;
    if proto.is_empty() || proto.contains('/') {
        return Err(Malformed::NoProtocol);
    }
    // `u16::from_str` accepts a leading `+`; a port is plain digits.
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed::BadPort);
    }
    let port = port.parse().map_err(|_| Malformed::BadPort)?;
    Ok(Some(Record {
        name,
        port,
        aliases: fields.collect(),
    }))
}

/// Parses a whole file; malformed lines are skipped and counted, never fatal.
pub(crate) fn parse_services(text: &str) -> Services {
    let mut services = Services::default();
    for (number, line) in text.lines().enumerate() {
        services.lines += 1;
        match parse_line(line) {
            Ok(None) => {}
            Ok(Some(record)) => {
                services.records += 1;
                services.aliases += record.aliases.len();
                services.entries.push((record.name.to_owned(), record.port));
                services.entries.extend(
                    record
                        .aliases
                        .iter()
                        .map(|a| ((*a).to_owned(), record.port)),
                );
            }
            Err(_) => services.malformed.push(number + 1),
        }
    }
    services
}

/// Reads and parses `path`. Invalid UTF-8 is replaced, so such lines end up malformed
/// (or harmless) rather than failing the whole file.
pub(crate) fn load(path: &Path) -> io::Result<Services> {
    let bytes = std::fs::read(path)?;
    Ok(parse_services(&String::from_utf8_lossy(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_line() {
        assert_eq!(
            parse_line("ssh\t\t22/tcp"),
            Ok(Some(Record {
                name: "ssh",
                port: 22,
                aliases: vec![]
            }))
        );
    }

    #[test]
    fn aliases_and_trailing_comment() {
        let record = parse_line("chargen 19/udp ttytst source  # char generator")
            .unwrap()
            .unwrap();
        assert_eq!(record.name, "chargen");
        assert_eq!(record.port, 19);
        assert_eq!(record.aliases, ["ttytst", "source"]);
    }

    #[test]
    fn comment_glued_to_a_field_ends_the_line() {
        let record = parse_line("smtp 25/tcp mail#comment").unwrap().unwrap();
        assert_eq!(record.aliases, ["mail"]);
    }

    #[test]
    fn blank_and_comment_lines_are_not_records() {
        assert_eq!(parse_line(""), Ok(None));
        assert_eq!(parse_line("   \t "), Ok(None));
        assert_eq!(parse_line("# Network services, Internet style"), Ok(None));
        assert_eq!(parse_line("   # indented comment 80/tcp"), Ok(None));
    }

    #[test]
    fn malformed_lines() {
        assert_eq!(parse_line("http"), Err(Malformed::MissingPort));
        assert_eq!(parse_line("http # 80/tcp"), Err(Malformed::MissingPort));
        assert_eq!(parse_line("http 80"), Err(Malformed::NoProtocol));
        assert_eq!(parse_line("http 80/"), Err(Malformed::NoProtocol));
        assert_eq!(parse_line("http 80/tcp/x"), Err(Malformed::NoProtocol));
        assert_eq!(parse_line("http /tcp"), Err(Malformed::BadPort));
        assert_eq!(parse_line("http www/tcp"), Err(Malformed::BadPort));
        assert_eq!(parse_line("http -80/tcp"), Err(Malformed::BadPort));
        assert_eq!(parse_line("http +80/tcp"), Err(Malformed::BadPort));
    }

    #[test]
    fn port_range() {
        assert_eq!(parse_line("zero 0/tcp").unwrap().unwrap().port, 0);
        assert_eq!(parse_line("top 65535/tcp").unwrap().unwrap().port, 65535);
        assert_eq!(parse_line("over 65536/tcp"), Err(Malformed::BadPort));
        assert_eq!(
            parse_line("huge 99999999999999999999/udp"),
            Err(Malformed::BadPort)
        );
    }

    #[test]
    fn file_counts_entries_and_skips_malformed_lines() {
        let text = "\
# header comment

tcpmux 1/tcp # TCP port service multiplexer
discard 9/tcp sink null
broken
ssh 22/tcp
too-big 70000/tcp
ssh 22/udp
";
        let services = parse_services(text);
        assert_eq!(services.lines, 8);
        assert_eq!(services.records, 4);
        assert_eq!(services.aliases, 2);
        assert_eq!(services.malformed, [5, 7]);
        let names: Vec<_> = services
            .entries
            .iter()
            .map(|(n, p)| (n.as_str(), *p))
            .collect();
        assert_eq!(
            names,
            [
                ("tcpmux", 1),
                ("discard", 9),
                ("sink", 9),
                ("null", 9),
                ("ssh", 22),
                ("ssh", 22)
            ]
        );
    }

    #[test]
    fn crlf_line_endings() {
        let services = parse_services("echo 7/tcp\r\necho 7/udp\r\n");
        assert_eq!(services.records, 2);
        assert!(services.malformed.is_empty());
    }

    #[test]
    fn empty_file() {
        assert_eq!(parse_services(""), Services::default());
    }
}
