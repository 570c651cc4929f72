//! `kobo-bench`: starts the release `kobo` on a fresh database, loads it
//! over real HTTP with its own generator, measures the HTTP and database
//! ceilings of this machine in the same run, and writes the figures
//! (terminal table, bench-results/latest.json, BENCHMARKS.md and
//! docs/bench-concurrency.svg). Build first: `cargo build --release -p kobo -p kobo-bench`.
//! Exits non-zero when a request got an unexpected answer or
//! `kobo ledger verify` fails after the run. Never run in CI.

use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

use clap::Parser;

mod ceiling;
mod ceiling_postgres;
mod ceiling_sqlite;
mod cli;
mod cpu;
mod engine;
mod ids;
mod launch;
mod load;
mod machine;
mod markdown;
mod measure;
mod report;
mod results;
mod rss;
mod run;
mod scenarios;
mod seed;
mod seed_sql;
mod svg;
mod targets;
mod workloads;

static START: OnceLock<Instant> = OnceLock::new();

/// A progress line on stderr, stamped with the seconds since start.
pub fn progress(line: String) {
    let t = START.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("[{t:>6.1}s] {line}");
}

#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::progress(format!($($arg)*)) };
}

fn main() -> ExitCode {
    START.get_or_init(Instant::now);
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kobo-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run::run(cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("kobo-bench: the run FAILED (unexpected answers or a broken ledger)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("kobo-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
