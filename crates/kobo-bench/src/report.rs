//! The run's report: one struct that becomes the terminal table, the JSON
//! file and (through `markdown`) BENCHMARKS.md, plus the sweep chart.

use std::fmt::Write;

use serde::Serialize;

use crate::machine::Machine;
use crate::results::{Row, SweepPoint, Target};
use crate::svg::{self, Panel, Series};

#[derive(Serialize)]
pub struct Report {
    pub ok: bool,
    pub started_at: String,
    pub total_seconds: f64,
    pub engine: String,
    pub engine_version: String,
    pub quick: bool,
    pub commands: Vec<String>,
    pub machine: Machine,
    pub kobo_binary: String,
    /// `git describe --always --dirty` of the repository the binary was built from.
    pub kobo_source: String,
    pub kobo_log: String,
    pub plan: PlanOut,
    pub seeding_seconds: f64,
    pub ceilings: Vec<Row>,
    pub scenarios: Vec<Row>,
    pub sweep: Vec<SweepPoint>,
    pub rss: RssOut,
    pub verify_passed: bool,
    pub verify: serde_json::Value,
    pub targets: Vec<Target>,
}

#[derive(Serialize)]
pub struct PlanOut {
    pub scenario_seconds: f64,
    pub sweep_point_seconds: f64,
    pub warmup_seconds: f64,
    pub connections: usize,
    pub tx_connections: usize,
    pub sweep: Vec<usize>,
    pub spread_customers: usize,
    pub deep_entries: u64,
}

#[derive(Serialize)]
pub struct RssOut {
    /// Highest VmRSS sampled (every 100 ms) while kobo was measured.
    pub peak_sampled_mib: f64,
    /// The kernel's high-water mark for the measured kobo process.
    pub vmhwm_mib: f64,
    /// The same for the kobo that served the API seeding.
    pub seeding_vmhwm_mib: f64,
}

impl RssOut {
    pub fn peak(&self) -> f64 {
        self.peak_sampled_mib
            .max(self.vmhwm_mib)
            .max(self.seeding_vmhwm_mib)
    }
}

fn opt(v: Option<f64>, digits: usize, suffix: &str) -> String {
    v.map(|v| format!("{v:.digits$}{suffix}"))
        .unwrap_or_else(|| "–".into())
}

/// Load column: `64` or `64 @ 1200/s`.
pub fn load_text(row: &Row) -> String {
    match row.rate {
        Some(rate) => format!("{} @ {rate:.0}/s", row.connections),
        None => row.connections.to_string(),
    }
}

/// The figures as a fixed-width table for the terminal.
pub fn table(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<32} {:>12} {:>9} {:>9} {:>9} {:>9} {:>6} {:>7} {:>8} {:>7} {:>8} {:>6} {:>7} {:>9}",
        "scenario",
        "conns",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "ratio",
        "p99/hlth",
        "RSS MiB",
        "µs CPU",
        "other",
        "drain s",
        "sustained"
    );
    for row in report.ceilings.iter().chain(&report.scenarios) {
        let _ = writeln!(
            s,
            "{:<32} {:>12} {:>9.0} {:>9.2} {:>9.2} {:>9.1} {:>6} {:>7} {:>8} {:>7} {:>8} {:>6} {:>7} {:>9}",
            row.name,
            load_text(row),
            row.throughput,
            row.p50_ms,
            row.p99_ms,
            row.max_ms,
            row.errors,
            opt(row.ratio, 2, "×"),
            opt(row.p99_vs_health, 1, "×"),
            opt(row.rss_mib, 1, ""),
            opt(row.cpu_us_per_request, 0, ""),
            opt(row.cpu.map(|c| c.other_cores), 2, ""),
            opt(row.drain_seconds, 1, ""),
            opt(row.sustained, 0, "/s")
        );
    }
    let _ = writeln!(
        s,
        "µs CPU: kobo's CPU time per request (the bench's, for a database ceiling); \
         other: cores busy with neither kobo nor the bench (should be near 0); \
         drain s: how long kobo kept working after the load (deferred work), waited out before the next load; \
         sustained: requests / (seconds + drain)"
    );
    let _ = writeln!(s, "\nconcurrency sweep (req/s, p99 ms):");
    let mut series: Vec<&str> = Vec::new();
    for p in &report.sweep {
        if !series.contains(&p.series.as_str()) {
            series.push(&p.series);
        }
    }
    for name in series {
        let _ = write!(s, "  {name:<30}");
        for p in report.sweep.iter().filter(|p| p.series == name) {
            let _ = write!(
                s,
                "  {:>4}: {:>8.0}/s {:>8.2} ms",
                p.concurrency, p.throughput, p.p99_ms
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "\npeak RSS {:.1} MiB (sampled {:.1}, VmHWM {:.1}, seeding VmHWM {:.1})",
        report.rss.peak(),
        report.rss.peak_sampled_mib,
        report.rss.vmhwm_mib,
        report.rss.seeding_vmhwm_mib
    );
    let _ = writeln!(
        s,
        "kobo ledger verify: {}",
        if report.verify_passed {
            "passed"
        } else {
            "FAILED"
        }
    );
    let _ = writeln!(s, "\ntargets:");
    for t in &report.targets {
        let _ = writeln!(
            s,
            "  {:<6} {:<40} wanted {:<34} measured {}",
            verdict(t.pass),
            t.target,
            t.wanted,
            t.measured
        );
    }
    s
}

pub fn verdict(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "report",
    }
}

/// Throughput and p99 against concurrency, one line per series.
pub fn sweep_svg(report: &Report) -> String {
    let styles: [(&str, &str, bool); 4] = [
        ("health (HTTP ceiling)", "#7f7f7f", true),
        ("balance", "#1f77b4", false),
        ("db ceiling: inflow (hot)", "#2ca02c", true),
        ("inflows hot customer", "#d62728", false),
    ];
    let panel = |title: &str, unit: &str, value: fn(&SweepPoint) -> f64| Panel {
        title: title.into(),
        unit: unit.into(),
        series: styles
            .iter()
            .map(|&(name, color, dashed)| Series {
                name: name.into(),
                color,
                dashed,
                points: report
                    .sweep
                    .iter()
                    .filter(|p| p.series == name)
                    .map(|p| (p.concurrency as f64, value(p)))
                    .collect(),
            })
            .collect(),
    };
    let subtitle = format!(
        "kobo on {} ({} cores, {}), {} — {}",
        report.engine,
        report.machine.nproc,
        report.machine.cpu,
        report.started_at,
        if report.quick {
            "quick run"
        } else {
            "default run"
        }
    );
    svg::chart(
        "kobo-bench: throughput and p99 against concurrency",
        &subtitle,
        &report.plan.sweep,
        &[
            panel("throughput", "requests per second", |p| p.throughput),
            panel("p99 latency", "milliseconds", |p| p.p99_ms),
        ],
    )
}
