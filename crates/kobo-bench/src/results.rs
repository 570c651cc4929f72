//! The figures one run produced, as they go into the table, the JSON file
//! and BENCHMARKS.md.

use serde::Serialize;

use crate::cpu::CpuUse;
use crate::measure::Outcome;

/// One measured load: a scenario or a ceiling.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Short name, e.g. `balance` or `db ceiling: inflow (hot)`.
    pub name: String,
    /// What was sent or executed.
    pub what: String,
    /// `closed` (N workers) or `open` (fixed rate).
    pub load: &'static str,
    pub connections: usize,
    /// Requests per second asked for (open loop).
    pub rate: Option<f64>,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// Name of the ceiling this is judged against, its throughput, and the ratio.
    pub ceiling: Option<String>,
    pub ceiling_throughput: Option<f64>,
    pub ratio: Option<f64>,
    /// Reads: this p99 over the health endpoint's p99 at the same load.
    pub p99_vs_health: Option<f64>,
    /// kobo's highest sampled VmRSS during this load.
    pub rss_mib: Option<f64>,
    /// Cores used by kobo, by the bench, and by everything else meanwhile.
    pub cpu: Option<CpuUse>,
    /// kobo's CPU time per request (the bench's, for a database ceiling).
    pub cpu_us_per_request: Option<f64>,
    /// Seconds kobo kept working after the load stopped (deferred work such
    /// as webhook deliveries); the next load starts after it.
    pub drain_seconds: Option<f64>,
    /// Requests over measured time plus drain: the rate kobo could keep up
    /// if the deferred work had to keep pace (`None` when nothing drained).
    pub sustained: Option<f64>,
    pub error_samples: Vec<String>,
}

impl Row {
    pub fn new(name: &str, what: &str, connections: usize, rate: Option<f64>, o: &Outcome) -> Row {
        Row {
            name: name.into(),
            what: what.into(),
            load: if rate.is_some() { "open" } else { "closed" },
            connections,
            rate,
            requests: o.ok + o.errors,
            errors: o.errors,
            seconds: o.elapsed.as_secs_f64(),
            throughput: o.throughput(),
            p50_ms: o.ms(0.50),
            p90_ms: o.ms(0.90),
            p99_ms: o.ms(0.99),
            p999_ms: o.ms(0.999),
            max_ms: o.max_ms(),
            ceiling: None,
            ceiling_throughput: None,
            ratio: None,
            p99_vs_health: None,
            rss_mib: None,
            cpu: None,
            cpu_us_per_request: None,
            drain_seconds: None,
            sustained: None,
            error_samples: o.samples.clone(),
        }
    }

    /// Records where the CPU went; `server` picks kobo's share (else the bench's).
    pub fn with_cpu(mut self, cpu: CpuUse, server: bool) -> Row {
        let cores = if server {
            cpu.kobo_cores
        } else {
            cpu.bench_cores
        };
        if self.throughput > 0.0 {
            self.cpu_us_per_request = Some(cores / self.throughput * 1e6);
        }
        self.cpu = Some(cpu);
        self
    }

    /// Records how long kobo kept working after the load.
    pub fn drained(mut self, seconds: f64) -> Row {
        self.drain_seconds = Some(seconds);
        // Under a second is the idle check itself, not deferred work.
        if seconds > 1.0 && self.seconds > 0.0 {
            self.sustained = Some(self.requests as f64 / (self.seconds + seconds));
        }
        self
    }

    /// Judges this row against `ceiling`'s throughput.
    pub fn against(mut self, ceiling: &Row) -> Row {
        self.ceiling = Some(ceiling.name.clone());
        self.ceiling_throughput = Some(ceiling.throughput);
        if ceiling.throughput > 0.0 {
            self.ratio = Some(self.throughput / ceiling.throughput);
        }
        self
    }

    pub fn p99_against(mut self, health: &Row) -> Row {
        if health.p99_ms > 0.0 {
            self.p99_vs_health = Some(self.p99_ms / health.p99_ms);
        }
        self
    }
}

/// One point of the concurrency sweep.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    pub series: String,
    pub concurrency: usize,
    pub throughput: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

impl SweepPoint {
    pub fn of(series: &str, row: &Row) -> SweepPoint {
        SweepPoint {
            series: series.into(),
            concurrency: row.connections,
            throughput: row.throughput,
            p99_ms: row.p99_ms,
            errors: row.errors,
        }
    }
}

/// A target from issue 7, judged.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub target: String,
    pub wanted: String,
    pub measured: String,
    /// `None`: reported, not judged (PostgreSQL reads).
    pub pass: Option<bool>,
}
