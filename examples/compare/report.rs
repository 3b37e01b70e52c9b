//! The output: one table (or CSV) row per implementation.

use hdrhistogram::Histogram;

/// One row of the table.
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) reads_per_sec_per_thread: f64,
    pub(crate) latency: Histogram<u64>,
    pub(crate) writes_per_sec: f64,
    /// The writer's single-key inserts, one per round, in nanoseconds.
    pub(crate) inserts: Histogram<u64>,
    pub(crate) misses: u64,
    /// Reader threads that did no read: they got a core only after the end.
    pub(crate) idle_readers: usize,
    pub(crate) reload_errors: u64,
}

/// `N malformed lines skipped (line a, b, ...)`, for the input description.
pub(crate) fn malformed_summary(lines: &[usize]) -> String {
    const SHOWN: usize = 5;
    match lines {
        [] => "0 malformed lines skipped".into(),
        _ => {
            let shown: Vec<String> = lines.iter().take(SHOWN).map(|n| n.to_string()).collect();
            let more = if lines.len() > SHOWN { ", ..." } else { "" };
            format!(
                "{} malformed line{} skipped (line {}{more})",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                shown.join(", ")
            )
        }
    }
}

/// The columns: the table's header, and the CSV's.
const COLUMNS: [(&str, &str); 9] = [
    ("implementation", "implementation"),
    ("reads/s/thread", "reads_per_sec_per_thread"),
    ("p50 ns", "p50_ns"),
    ("p99 ns", "p99_ns"),
    ("p99.9 ns", "p999_ns"),
    ("max ns", "max_ns"),
    ("writes/s", "writes_per_sec"),
    ("insert p50 ns", "insert_p50_ns"),
    ("insert p99 ns", "insert_p99_ns"),
];

/// A row's numbers, in column order after the name. `None`: nothing was measured (the
/// writer did no round, so there is no insert time).
fn numbers(row: &Row) -> [Option<u64>; 8] {
    let h = &row.latency;
    let inserts = |q| (!row.inserts.is_empty()).then(|| row.inserts.value_at_quantile(q));
    [
        Some(row.reads_per_sec_per_thread.round() as u64),
        Some(h.value_at_quantile(0.50)),
        Some(h.value_at_quantile(0.99)),
        Some(h.value_at_quantile(0.999)),
        Some(h.max()),
        Some(row.writes_per_sec.round() as u64),
        inserts(0.50),
        inserts(0.99),
    ]
}

/// A row's fields: the name, then each number through `number` (`-`/empty for `None`).
fn fields(row: &Row, number: fn(u64) -> String, missing: &str) -> Vec<String> {
    let numbers = numbers(row).map(|n| n.map_or_else(|| missing.to_owned(), number));
    [row.name.to_string()].into_iter().chain(numbers).collect()
}

/// The table: names left-aligned, numbers right-aligned, thousands separated.
pub(crate) fn table(rows: &[Row]) -> String {
    let cells: Vec<Vec<String>> = rows.iter().map(|r| fields(r, grouped, "-")).collect();
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain([COLUMNS[c].0.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |fields: &[String]| {
        let mut out = format!("{:<w$}", fields[0], w = widths[0]);
        for (field, width) in fields.iter().zip(&widths).skip(1) {
            out += &format!("  {field:>width$}");
        }
        out + "\n"
    };
    let header: Vec<String> = COLUMNS.iter().map(|c| c.0.to_string()).collect();
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let mut out = line(&header);
    out += &line(&rule);
    for row in &cells {
        out += &line(row);
    }
    out
}

/// The same rows as CSV, plain numbers (an empty field where nothing was measured), with
/// a header.
pub(crate) fn csv(rows: &[Row]) -> String {
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.1).collect();
    let mut out = header.join(",") + "\n";
    for row in rows {
        out += &(fields(row, |n| n.to_string(), "").join(",") + "\n");
    }
    out
}

/// `1234567` -> `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::latency_histogram;

    fn histogram(values: &[u64]) -> Histogram<u64> {
        let mut histogram = latency_histogram();
        for &v in values {
            histogram.saturating_record(v);
        }
        histogram
    }

    fn row(name: &'static str, latencies: &[u64], inserts: &[u64]) -> Row {
        Row {
            name,
            reads_per_sec_per_thread: 12_345_678.4,
            latency: histogram(latencies),
            writes_per_sec: 999.6,
            inserts: histogram(inserts),
            misses: 0,
            idle_readers: 0,
            reload_errors: 0,
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn table_and_csv_show_the_same_rows() {
        let inserts: Vec<u64> = (1..=100).map(|i| i * 100).collect();
        let rows = [
            row("CowMap", &[10, 20, 30], &inserts),
            row("std::sync::Mutex", &[1_500], &[]),
        ];
        let table = table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("implementation"));
        assert!(
            lines[0].ends_with("writes/s  insert p50 ns  insert p99 ns"),
            "{}",
            lines[0]
        );
        assert!(lines[2].starts_with("CowMap ") && lines[2].contains("12,345,678"));
        // 5,000 and 9,900 ns lie in buckets of 32 ns, reported by their tops.
        assert!(
            lines[2].ends_with("  1,000          5,023          9,919"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].ends_with("  1,000              -              -"),
            "no writer round, no insert time: {}",
            lines[3]
        );
        assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{table}");

        let csv = csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "implementation,reads_per_sec_per_thread,p50_ns,p99_ns,p999_ns,max_ns,\
             writes_per_sec,insert_p50_ns,insert_p99_ns"
        );
        assert_eq!(lines[1], "CowMap,12345678,20,30,30,30,1000,5023,9919");
        // 1,500 ns lies in the bucket 1,496..=1,503, reported by its top.
        assert_eq!(
            lines[2],
            "std::sync::Mutex,12345678,1503,1503,1503,1503,1000,,"
        );
    }

    #[test]
    fn malformed_summary_lists_the_first_lines() {
        assert_eq!(malformed_summary(&[]), "0 malformed lines skipped");
        assert_eq!(malformed_summary(&[3]), "1 malformed line skipped (line 3)");
        assert_eq!(
            malformed_summary(&[1, 2, 3, 4, 5, 6]),
            "6 malformed lines skipped (line 1, 2, 3, 4, 5, ...)"
        );
    }
}
