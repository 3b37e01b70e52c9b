//! The output: one table (or CSV) row per implementation.

use hdrhistogram::Histogram;

/// One row of the table.
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) reads_per_sec_per_thread: f64,
    pub(crate) latency: Histogram<u64>,
    pub(crate) writes_per_sec: f64,
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

const COLUMNS: [&str; 7] = [
    "implementation",
    "reads/s/thread",
    "p50 ns",
    "p99 ns",
    "p99.9 ns",
    "max ns",
    "writes/s",
];

fn cells(row: &Row) -> [String; 7] {
    let h = &row.latency;
    [
        row.name.to_string(),
        grouped(row.reads_per_sec_per_thread.round() as u64),
        grouped(h.value_at_quantile(0.50)),
        grouped(h.value_at_quantile(0.99)),
        grouped(h.value_at_quantile(0.999)),
        grouped(h.max()),
        grouped(row.writes_per_sec.round() as u64),
    ]
}

/// The table: names left-aligned, numbers right-aligned.
pub(crate) fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 7]> = rows.iter().map(cells).collect();
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain([COLUMNS[c].len()])
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
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let mut out = line(&header);
    out += &line(&rule);
    for row in &cells {
        out += &line(row);
    }
    out
}

/// The same rows as CSV, plain numbers, with a header.
pub(crate) fn csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "implementation,reads_per_sec_per_thread,p50_ns,p99_ns,p999_ns,max_ns,writes_per_sec\n",
    );
    for row in rows {
        let h = &row.latency;
        out += &format!(
            "{},{:.0},{},{},{},{},{:.0}\n",
            row.name,
            row.reads_per_sec_per_thread,
            h.value_at_quantile(0.50),
            h.value_at_quantile(0.99),
            h.value_at_quantile(0.999),
            h.max(),
            row.writes_per_sec
        );
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

    fn row(name: &'static str, latencies: &[u64]) -> Row {
        let mut latency = latency_histogram();
        for &l in latencies {
            latency.saturating_record(l);
        }
        Row {
            name,
            reads_per_sec_per_thread: 12_345_678.4,
            latency,
            writes_per_sec: 999.6,
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
        let rows = [
            row("CowMap", &[10, 20, 30]),
            row("std::sync::Mutex", &[1_500]),
        ];
        let table = table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("implementation"));
        assert!(lines[2].starts_with("CowMap ") && lines[2].contains("12,345,678"));
        assert!(lines[2].ends_with("  1,000"), "{}", lines[2]);
        assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{table}");

        let csv = csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "CowMap,12345678,20,30,30,30,1000");
        // 1,500 ns lies in the bucket 1,496..=1,503, reported by its top.
        assert_eq!(
            lines[2],
            "std::sync::Mutex,12345678,1503,1503,1503,1503,1000"
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
