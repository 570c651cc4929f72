//! BENCHMARKS.md: the latest figures, the machine, the commands, the
//! targets and the chart. Everything below [`NOTES_MARKER`] in the existing
//! file (hand-written analysis) is kept when the figures are rewritten.

use std::fmt::Write;

use crate::report::{load_text, verdict, Report};
use crate::results::Row;

pub const NOTES_MARKER: &str = "<!-- kobo-bench keeps everything below this line -->";

fn rows_table(s: &mut String, rows: &[Row]) {
    s.push_str("| scenario | what | conns | req/s | p50 ms | p99 ms | max ms | errors | ratio to ceiling | p99 / health p99 | RSS MiB | CPU µs/req | other cores | drain s | sustained req/s |\n");
    s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for r in rows {
        let ratio = match (r.ratio, &r.ceiling) {
            (Some(x), Some(c)) => format!("{x:.2}× {c}"),
            _ => "–".into(),
        };
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.what,
            load_text(r),
            r.throughput,
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.errors,
            ratio,
            r.p99_vs_health
                .map(|x| format!("{x:.1}×"))
                .unwrap_or_else(|| "–".into()),
            r.rss_mib
                .map(|x| format!("{x:.1}"))
                .unwrap_or_else(|| "–".into()),
            r.cpu_us_per_request
                .map(|x| format!("{x:.0}"))
                .unwrap_or_else(|| "–".into()),
            r.cpu
                .map(|c| format!("{:.2}", c.other_cores))
                .unwrap_or_else(|| "–".into()),
            r.drain_seconds
                .map(|x| format!("{x:.1}"))
                .unwrap_or_else(|| "–".into()),
            r.sustained
                .map(|x| format!("{x:.0}"))
                .unwrap_or_else(|| "–".into()),
        );
    }
}

/// The new file: generated figures, then `notes` (the kept tail, if any).
pub fn render(report: &Report, chart: &str, notes: Option<&str>) -> String {
    let mut s = String::new();
    let m = &report.machine;
    let _ = write!(
        s,
        "# Benchmarks\n\n\
         Written by `kobo-bench` (issue 7) on {}: {} run, {} {}, {:.0} s in all. \
         Figures are from one run on one machine; read them as ratios to the ceilings measured in the same run.\n\n\
         **Result: {}** (every request answered as expected and `kobo ledger verify` passed; targets are judged below).\n\n\
         ## Machine\n\n\
         | | |\n|---|---|\n\
         | cores (`nproc`) | {} |\n| CPU | {} |\n| memory | {:.1} GiB |\n| OS, kernel | {}, Linux {} |\n\
         | engine | {} {} |\n| kobo log level | `{}` |\n| kobo source | `{}` |\n\n\
         ## Commands\n\n```sh\n{}\n```\n\n",
        report.started_at,
        if report.quick { "a quick" } else { "a default" },
        report.engine,
        report.engine_version,
        report.total_seconds,
        if report.ok { "OK" } else { "FAILED" },
        m.nproc,
        m.cpu,
        m.memory_mib as f64 / 1024.0,
        m.os,
        m.kernel,
        report.engine,
        report.engine_version,
        report.kobo_log,
        report.kobo_source,
        report.commands.join("\n"),
    );
    s.push_str(
        "## Targets (issue 7)\n\n| target | wanted | measured | verdict |\n|---|---|---|---|\n",
    );
    for t in &report.targets {
        let _ = writeln!(
            s,
            "| {} | {} | {} | **{}** |",
            t.target,
            t.wanted,
            t.measured,
            verdict(t.pass)
        );
    }
    let p = &report.plan;
    let _ = write!(
        s,
        "\n## Scenarios\n\n\
         Each closed-loop scenario: {} keep-alive connections ({} for the transactions pages), {:.0} s measured after {:.0} s of warm-up. \
         Fixed-rate rows send at half the closed loop's throughput and measure from the intended send time. \
         Data: {} customers with a virtual account each (made through the API), one hot customer, \
         and one customer with {} ledger entries (bulk SQL).\n\n",
        p.connections, p.tx_connections, p.scenario_seconds, p.warmup_seconds, p.spread_customers, p.deep_entries
    );
    rows_table(&mut s, &report.scenarios);
    s.push_str("\n*CPU µs/req*: kobo's CPU time per request (for a database ceiling, the bench's per operation). *other cores*: CPU busy with neither kobo nor the bench during the load; well above 0 means the machine was shared and the row is less trustworthy (on PostgreSQL it also holds the database server's own CPU). *drain s*: how long kobo kept working after the load stopped (work it deferred, such as webhook deliveries of the events the load wrote); the next load starts only after it. *sustained req/s*: requests ÷ (measured seconds + drain), the rate kobo could hold if that deferred work had to keep pace.\n");
    s.push_str("\n## Ceilings\n\nThe database ceilings run the same transaction shapes straight through sqlx on a fresh database made by kobo's migrations, with kobo's settings (SQLite: WAL, `synchronous=FULL`, one writer connection; PostgreSQL: server defaults, a pool of 10), one transaction per operation. The HTTP ceiling is `GET /healthz` at the same load.\n\n");
    rows_table(&mut s, &report.ceilings);
    s.push_str("\n## Concurrency sweep\n\n![throughput and p99 against concurrency](docs/");
    s.push_str(chart);
    s.push_str(
        ")\n\n| series | connections | req/s | p99 ms | errors |\n|---|---:|---:|---:|---:|\n",
    );
    for pt in &report.sweep {
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.2} | {} |",
            pt.series, pt.concurrency, pt.throughput, pt.p99_ms, pt.errors
        );
    }
    let r = &report.rss;
    let _ = write!(
        s,
        "\n## Memory\n\nPeak RSS of kobo: **{:.1} MiB** (VmRSS sampled every 100 ms: {:.1} MiB; VmHWM of the measured process: {:.1} MiB; of the process that served the seeding: {:.1} MiB).\n\n\
         ## Ledger\n\n`kobo ledger verify` after the run: **{}**\n\n```json\n{}\n```\n\n",
        r.peak(),
        r.peak_sampled_mib,
        r.vmhwm_mib,
        r.seeding_vmhwm_mib,
        if report.verify_passed { "passed" } else { "FAILED" },
        serde_json::to_string(&report.verify).unwrap_or_default()
    );
    s.push_str(NOTES_MARKER);
    s.push('\n');
    if let Some(notes) = notes {
        s.push_str(notes.trim_start_matches('\n'));
    }
    s
}

/// The hand-written tail of an existing BENCHMARKS.md.
pub fn kept_notes(existing: &str) -> Option<&str> {
    existing
        .split_once(NOTES_MARKER)
        .map(|(_, tail)| tail)
        .filter(|t| !t.trim().is_empty())
}
