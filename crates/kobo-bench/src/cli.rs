//! Command line, and the counts and durations each mode implies.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "kobo-bench",
    about = "Loads kobo over real HTTP and judges it against the ceilings of this machine"
)]
pub struct Cli {
    /// A PostgreSQL URL the bench may create databases with (for example
    /// postgres://postgres@127.0.0.1:5432/postgres). Without it: SQLite.
    #[arg(long)]
    pub database: Option<String>,
    /// Small counts and short durations: a smoke test of the instrument
    /// (under two minutes). Writes bench-results/*-quick.* only, never
    /// BENCHMARKS.md or bench-results/latest.json.
    #[arg(long)]
    pub quick: bool,
    /// The kobo binary (default: next to this executable, else target/release/kobo).
    #[arg(long)]
    pub kobo: Option<PathBuf>,
    /// The repository root, where BENCHMARKS.md, docs/ and bench-results/ live.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))]
    pub repo: PathBuf,
    /// Seconds per scenario (default 10, or 2 with --quick).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// kobo's log filter while measured (KOBO_LOG); `info` is what ships.
    #[arg(long, default_value = "info")]
    pub kobo_log: String,
    /// Before each load, wait up to this many seconds for other processes
    /// to leave the CPU (default 30, or 0 with --quick).
    #[arg(long)]
    pub wait_quiet: Option<f64>,
    /// Keep the temporary data folder (and PostgreSQL databases) afterwards.
    #[arg(long)]
    pub keep: bool,
}

/// Counts and durations for one run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub quick: bool,
    /// Closed-loop scenarios and ceilings.
    pub scenario: Duration,
    /// Each point of the concurrency sweep.
    pub sweep_point: Duration,
    /// Traffic before measuring starts (connections warm, caches filled).
    pub warmup: Duration,
    /// Connections for the scenarios (the "64 connections").
    pub connections: usize,
    /// Connections for the transactions scenarios (64 since the page total
    /// is a kept count; it was 8 while every page counted the deep
    /// customer's whole history and 64 pages queued past the 30 s timeout).
    pub tx_connections: usize,
    pub sweep: Vec<usize>,
    /// Customers with a virtual account that spread inflows land on.
    pub spread_customers: usize,
    /// Entries on the deep customer's wallet.
    pub deep_entries: u64,
    /// Ledger accounts made ready for the create ceiling's one-row inserts.
    pub spare_accounts: u64,
    /// Longest wait for a quiet machine before each load.
    pub wait_quiet: Duration,
    /// Longest wait, after a load on kobo, for kobo to finish deferred work.
    pub drain: Duration,
}

impl Plan {
    pub fn from_cli(cli: &Cli) -> Plan {
        let quick = cli.quick;
        let secs = cli.seconds.unwrap_or(if quick { 2.0 } else { 10.0 });
        let scenario = Duration::from_secs_f64(secs.max(0.5));
        Plan {
            quick,
            scenario,
            sweep_point: scenario / 2,
            warmup: if quick {
                Duration::from_millis(200)
            } else {
                Duration::from_secs(1)
            },
            connections: 64,
            tx_connections: 64,
            sweep: vec![1, 8, 64, 256],
            spread_customers: if quick { 1_000 } else { 10_000 },
            deep_entries: if quick { 50_000 } else { 1_000_000 },
            spare_accounts: if quick { 50_000 } else { 400_000 },
            drain: Duration::from_secs(if quick { 5 } else { 90 }),
            wait_quiet: Duration::from_secs_f64(
                cli.wait_quiet
                    .unwrap_or(if quick { 0.0 } else { 30.0 })
                    .max(0.0),
            ),
        }
    }
}
