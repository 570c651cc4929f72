//! One benchmark run, phase by phase:
//! 1. start kobo on a fresh database; make customers and accounts through the API; stop it;
//! 2. write the deep customer's history as bulk SQL;
//! 3. measure the database ceilings on a second fresh database;
//! 4. start kobo again and measure the HTTP ceiling, the scenarios and the sweep;
//! 5. stop kobo, run `kobo ledger verify`, write the table, JSON, chart and BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use sqlx::Connection;

use crate::ceiling::Ceiling;
use crate::cli::{Cli, Plan};
use crate::engine::Engine;
use crate::ids::Sessions;
use crate::launch::{self, Launch};
use crate::load::Target;
use crate::report::{PlanOut, Report, RssOut};
use crate::rss::RssMonitor;
use crate::scenarios::{self, Run};
use crate::{markdown, say, seed, seed_sql, targets};

/// Runs the benchmark; answers whether the run is good (no errors, ledger verified).
pub async fn run(cli: Cli) -> anyhow::Result<bool> {
    let plan = Plan::from_cli(&cli);
    let repo = cli
        .repo
        .canonicalize()
        .with_context(|| format!("no repository at {}", cli.repo.display()))?;
    let binary = launch::find_kobo(cli.kobo.as_deref(), &repo)?;
    let started = chrono::Utc::now();
    let nonce = started.timestamp_micros().unsigned_abs();
    let tmp = std::env::temp_dir().join(format!("kobo-bench-{nonce}"));
    std::fs::create_dir_all(tmp.join("data"))?;
    let engine = Engine::new(cli.database.as_deref(), tmp.clone(), nonce)?;
    say!(
        "kobo-bench: {} mode, {}, kobo {}, data in {}",
        if plan.quick { "quick" } else { "default" },
        engine.name(),
        binary.display(),
        tmp.display()
    );
    let result = measure(&cli, &plan, &engine, &binary, &tmp, &repo, started).await;
    let keep = cli.keep || !matches!(result, Ok(true));
    if keep {
        say!(
            "kept {} (and any PostgreSQL databases) for inspection",
            tmp.display()
        );
    } else {
        engine.drop_all().await;
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

async fn measure(
    cli: &Cli,
    plan: &Plan,
    engine: &Engine,
    binary: &Path,
    tmp: &Path,
    repo: &Path,
    started: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<bool> {
    let clock = Instant::now();
    let sessions = Arc::new(Sessions::new(started.timestamp() as u64));
    let kobo_url = engine.fresh("kobo").await?;
    let launch = Launch {
        binary: binary.to_path_buf(),
        data_dir: tmp.join("data"),
        database: kobo_url.clone(),
        log: cli.kobo_log.clone(),
    };

    say!(
        "seeding {} customers with a virtual account each through the API",
        plan.spread_customers + 2
    );
    let kobo = launch.start().await?;
    let target = Target::new(kobo.addr, &launch.test_key().await?)?;
    let monitor = RssMonitor::start(kobo.pid);
    let seeds = seed::via_api(&target, plan.spread_customers, &sessions).await?;
    let (_, seeding_hwm) = monitor.finish();
    kobo.stop().await?;
    say!(
        "writing {} journals onto the deep customer with bulk SQL",
        plan.deep_entries
    );
    let deep = seed_sql::deep_history(&kobo_url, seeds.deep.id, plan.deep_entries as i64).await?;
    let seeding_seconds = clock.elapsed().as_secs_f64();

    say!("database ceilings (kobo stopped)");
    let ceiling_url = engine.fresh("ceiling").await?;
    let ceiling = Ceiling::prepare(
        &ceiling_url,
        plan.spread_customers as i64,
        plan.spare_accounts as i64,
        sessions.clone(),
    )
    .await?;
    let db = scenarios::db_ceilings(&ceiling, plan).await;
    ceiling.close().await;
    let engine_version = engine_version(engine, cli).await;

    say!("kobo under load");
    let kobo = launch.start().await?;
    let target = Target::new(kobo.addr, &launch.test_key().await?)?;
    let monitor = RssMonitor::start(kobo.pid);
    // Events the seeding wrote are delivered (webhooks) by the new process first.
    let drained = crate::cpu::wait_drained(kobo.pid, plan.drain).await;
    say!("kobo idle after {drained:.1} s (deferred work from the seeding done)");
    let measured = Run {
        target: &target,
        plan,
        rss: &monitor,
        pid: kobo.pid,
        sessions: sessions.clone(),
    }
    .all(&seeds, deep, &db)
    .await;
    let (peak_sampled, hwm) = monitor.finish();
    kobo.stop().await?;
    let measured = measured?;

    say!("kobo ledger verify");
    let (verified, verify) = launch.verify().await?;
    let rss = RssOut {
        peak_sampled_mib: peak_sampled as f64 / 1024.0,
        vmhwm_mib: hwm as f64 / 1024.0,
        seeding_vmhwm_mib: seeding_hwm as f64 / 1024.0,
    };
    let errors: u64 = measured.rows.iter().map(|r| r.errors).sum::<u64>()
        + measured.sweep.iter().map(|p| p.errors).sum::<u64>()
        + [&db.inflow_hot, &db.inflow_spread, &db.create]
            .iter()
            .map(|r| r.errors)
            .sum::<u64>();
    let targets = targets::judge(
        &measured.rows,
        engine.is_sqlite(),
        rss.peak(),
        errors,
        verified,
    );
    let mut ceilings = vec![
        measured.health.clone(),
        db.inflow_hot,
        db.inflow_spread,
        db.create,
    ];
    ceilings[0].name = "http ceiling: GET /healthz".into();
    let report = Report {
        ok: verified && errors == 0,
        started_at: started.format("%Y-%m-%d %H:%M UTC").to_string(),
        total_seconds: clock.elapsed().as_secs_f64(),
        engine: engine.name().into(),
        engine_version,
        quick: plan.quick,
        commands: commands(cli),
        machine: crate::machine::describe(),
        kobo_binary: binary.display().to_string(),
        kobo_source: source_version(repo, binary),
        kobo_log: cli.kobo_log.clone(),
        plan: PlanOut {
            scenario_seconds: plan.scenario.as_secs_f64(),
            sweep_point_seconds: plan.sweep_point.as_secs_f64(),
            warmup_seconds: plan.warmup.as_secs_f64(),
            connections: plan.connections,
            tx_connections: plan.tx_connections,
            sweep: plan.sweep.clone(),
            spread_customers: plan.spread_customers,
            deep_entries: plan.deep_entries,
        },
        seeding_seconds,
        ceilings,
        scenarios: measured.rows,
        sweep: measured.sweep,
        rss,
        verify_passed: verified,
        verify,
        targets,
    };
    println!("\n{}", crate::report::table(&report));
    write_outputs(&report, repo, engine)?;
    Ok(report.ok)
}

/// `bench-results/latest*.json` always; the chart and the markdown into the
/// repository for a default run, into bench-results/ for a quick one.
fn write_outputs(report: &Report, repo: &Path, engine: &Engine) -> anyhow::Result<()> {
    let suffix = if engine.is_sqlite() { "" } else { "-postgres" };
    let results = repo.join("bench-results");
    std::fs::create_dir_all(&results)?;
    // A quick run never replaces the figures of a default one.
    let quick = if report.quick { "-quick" } else { "" };
    let json = results.join(format!("latest{suffix}{quick}.json"));
    std::fs::write(&json, serde_json::to_string_pretty(report)?)?;
    let chart_name = format!("bench-concurrency{suffix}.svg");
    let (chart, doc): (PathBuf, PathBuf) = if report.quick {
        (
            results.join(&chart_name),
            results.join(format!("BENCHMARKS{suffix}-quick.md")),
        )
    } else {
        std::fs::create_dir_all(repo.join("docs"))?;
        (
            repo.join("docs").join(&chart_name),
            repo.join(format!("BENCHMARKS{suffix}.md")),
        )
    };
    std::fs::write(&chart, crate::report::sweep_svg(report))?;
    let existing = std::fs::read_to_string(&doc).unwrap_or_default();
    let chart_link = if report.quick {
        format!("../bench-results/{chart_name}")
    } else {
        chart_name
    };
    std::fs::write(
        &doc,
        markdown::render(report, &chart_link, markdown::kept_notes(&existing)),
    )?;
    say!(
        "wrote {}, {} and {}",
        json.display(),
        chart.display(),
        doc.display()
    );
    Ok(())
}

fn git(repo: &Path, args: &[&str]) -> Option<String> {
    std::process::Command::new("git")
        .args(args)
        .current_dir(repo)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// Which source the figures belong to (other work may be in progress in the
/// tree), marked stale when the binary is older than the last commit.
fn source_version(repo: &Path, binary: &Path) -> String {
    let described =
        git(repo, &["describe", "--always", "--dirty"]).unwrap_or_else(|| "unknown".into());
    // The last commit that changed what the kobo binary is built from.
    let committed: Option<u64> = git(
        repo,
        &[
            "log",
            "-1",
            "--format=%ct",
            "--",
            "crates",
            ":(exclude)crates/kobo-bench",
        ],
    )
    .and_then(|t| t.parse().ok());
    let built = std::fs::metadata(binary)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    match (committed, built) {
        (Some(c), Some(b)) if b < c => {
            say!(
                "WARNING: {} is older than the last commit to kobo's sources; run cargo build --release -p kobo",
                binary.display()
            );
            format!("{described} (binary built before this commit: stale)")
        }
        _ => described,
    }
}

/// The commands that reproduce this run (a password in the URL is hidden).
fn commands(cli: &Cli) -> Vec<String> {
    let mut args = String::new();
    if let Some(url) = &cli.database {
        args.push_str(&format!(" --database {}", hide_password(url)));
    }
    if cli.quick {
        args.push_str(" --quick");
    }
    if let Some(s) = cli.seconds {
        args.push_str(&format!(" --seconds {s}"));
    }
    if cli.kobo_log != "info" {
        args.push_str(&format!(" --kobo-log {}", cli.kobo_log));
    }
    vec![
        "cargo build --release -p kobo -p kobo-bench".into(),
        format!("cargo run --release -p kobo-bench --{args}"),
    ]
}

fn hide_password(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn engine_version(engine: &Engine, cli: &Cli) -> String {
    let version = async {
        match (engine, &cli.database) {
            (Engine::Sqlite { .. }, _) => {
                let mut c = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
                let v: String = sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(&mut c)
                    .await?;
                Ok::<_, anyhow::Error>(format!("{v} (WAL, synchronous=FULL)"))
            }
            (_, Some(url)) => {
                let mut c = sqlx::PgConnection::connect(url).await?;
                let v: String = sqlx::query_scalar("SHOW server_version")
                    .fetch_one(&mut c)
                    .await?;
                let sync: String = sqlx::query_scalar("SHOW synchronous_commit")
                    .fetch_one(&mut c)
                    .await?;
                Ok(format!("{v} (synchronous_commit={sync})"))
            }
            _ => Ok(String::new()),
        }
    };
    version.await.unwrap_or_else(|e| format!("unknown ({e})"))
}
