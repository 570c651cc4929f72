//! The sequence of measured loads: the database ceilings (kobo stopped),
//! then, against the running kobo, the HTTP ceiling, every scenario at the
//! issue's 64 connections, two fixed-rate runs, and the concurrency sweep.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::ceiling::Ceiling;
use crate::cli::Plan;
use crate::cpu::CpuMeter;
use crate::ids::Sessions;
use crate::load::{self, Target, Workload};
use crate::results::{Row, SweepPoint};
use crate::rss::RssMonitor;
use crate::say;
use crate::seed::Seeds;
use crate::seed_sql::Deep;
use crate::workloads::*;

/// The database ceilings, at 64 workers and (hot inflows) across the sweep.
pub struct DbCeilings {
    pub inflow_hot: Row,
    pub inflow_spread: Row,
    pub create: Row,
    pub hot_sweep: Vec<Row>,
}

/// Seconds left for waiting on a busy machine in this run (the run must stay within minutes).
static WAIT_BUDGET_MS: AtomicU64 = AtomicU64::new(240_000);

/// Waits for other processes to leave the CPU, and says so if they did not.
async fn quiet(kobo: Option<u32>, plan: &Plan) {
    let left = Duration::from_millis(WAIT_BUDGET_MS.load(Ordering::Relaxed));
    let most = plan.wait_quiet.min(left);
    if most.is_zero() {
        return;
    }
    let started = std::time::Instant::now();
    let other = crate::cpu::wait_quiet(kobo, most).await;
    let waited = started.elapsed().as_millis() as u64;
    let _ = WAIT_BUDGET_MS.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
        Some(b.saturating_sub(waited))
    });
    if other >= 0.25 {
        say!("  (the machine is busy: {other:.2} cores used by other processes; measuring anyway)");
    }
}

fn log_row(row: &Row) {
    let cpu = row.cpu.unwrap_or_default();
    say!(
        "  {:<34} {:>4} conns {:>9.0}/s  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}  cpu kobo {:.2} bench {:.2} other {:.2}  drain {:.1} s",
        row.name,
        row.connections,
        row.throughput,
        row.p50_ms,
        row.p99_ms,
        row.errors,
        cpu.kobo_cores,
        cpu.bench_cores,
        cpu.other_cores,
        row.drain_seconds.unwrap_or(0.0)
    );
    for e in &row.error_samples {
        say!("    error: {e}");
    }
}

/// Measures `load` with the CPU meter running; the bench's CPU is the ceiling's.
async fn metered(
    plan: &Plan,
    name: &str,
    what: &str,
    n: usize,
    load: impl std::future::Future<Output = crate::measure::Outcome>,
) -> Row {
    quiet(None, plan).await;
    let meter = CpuMeter::start(None);
    let outcome = load.await;
    let row = Row::new(name, what, n, None, &outcome).with_cpu(meter.finish(), false);
    log_row(&row);
    row
}

pub async fn db_ceilings(ceiling: &Ceiling, plan: &Plan) -> DbCeilings {
    let (w, d, n) = (plan.warmup, plan.scenario, plan.connections);
    let what = "journal + 2 balance updates + 2 entries + inflow row, one transaction";
    let inflow_hot = metered(
        plan,
        "db ceiling: inflow (hot)",
        what,
        n,
        ceiling.inflows(n, true, w, d),
    )
    .await;
    let inflow_spread = metered(
        plan,
        "db ceiling: inflow (spread)",
        what,
        n,
        ceiling.inflows(n, false, w, d),
    )
    .await;
    let create = metered(
        plan,
        "db ceiling: create (one row)",
        "insert one customer row, one transaction",
        n,
        ceiling.creates(n, w, d),
    )
    .await;
    let mut hot_sweep = Vec::new();
    for &c in &plan.sweep {
        if c == n {
            hot_sweep.push(inflow_hot.clone());
            continue;
        }
        let load = ceiling.inflows(c, true, w, plan.sweep_point);
        hot_sweep.push(metered(plan, "db ceiling: inflow (hot)", what, c, load).await);
    }
    DbCeilings {
        inflow_hot,
        inflow_spread,
        create,
        hot_sweep,
    }
}

/// Everything measured against the running kobo.
pub struct KoboRows {
    pub health: Row,
    pub rows: Vec<Row>,
    pub sweep: Vec<SweepPoint>,
}

pub struct Run<'a> {
    pub target: &'a Arc<Target>,
    pub plan: &'a Plan,
    pub rss: &'a RssMonitor,
    pub pid: u32,
    pub sessions: Arc<Sessions>,
}

impl Run<'_> {
    async fn closed(
        &self,
        name: &str,
        what: &str,
        work: Arc<dyn Workload>,
        connections: usize,
        duration: Duration,
    ) -> anyhow::Result<Row> {
        quiet(Some(self.pid), self.plan).await;
        self.rss.take_window();
        let meter = CpuMeter::start(Some(self.pid));
        let o = load::closed(self.target, work, connections, self.plan.warmup, duration).await?;
        let mut row = Row::new(name, what, connections, None, &o).with_cpu(meter.finish(), true);
        row.rss_mib = Some(self.rss.take_window() as f64 / 1024.0);
        let row = row.drained(crate::cpu::wait_drained(self.pid, self.plan.drain).await);
        log_row(&row);
        Ok(row)
    }

    async fn open(
        &self,
        name: &str,
        what: &str,
        work: Arc<dyn Workload>,
        rate: f64,
    ) -> anyhow::Result<Row> {
        quiet(Some(self.pid), self.plan).await;
        self.rss.take_window();
        let meter = CpuMeter::start(Some(self.pid));
        let n = self.plan.connections;
        let o = load::open(
            self.target,
            work,
            n,
            rate,
            self.plan.warmup,
            self.plan.scenario,
        )
        .await?;
        let mut row = Row::new(name, what, n, Some(rate), &o).with_cpu(meter.finish(), true);
        row.rss_mib = Some(self.rss.take_window() as f64 / 1024.0);
        let row = row.drained(crate::cpu::wait_drained(self.pid, self.plan.drain).await);
        log_row(&row);
        Ok(row)
    }

    pub async fn all(
        &self,
        seeds: &Seeds,
        deep: Deep,
        db: &DbCeilings,
    ) -> anyhow::Result<KoboRows> {
        let (n, d) = (self.plan.connections, self.plan.scenario);
        let codes: Arc<Vec<String>> =
            Arc::new(seeds.spread.iter().map(|c| c.code.clone()).collect());
        let spread: Vec<String> = seeds
            .spread
            .iter()
            .map(|c| c.account_number.clone())
            .collect();
        let hot = vec![seeds.hot.account_number.clone()];
        let s = self.sessions.clone();

        let health = self
            .closed(
                "health (HTTP ceiling)",
                "GET /healthz",
                Arc::new(Health),
                n,
                d,
            )
            .await?;
        let read = |suffix| {
            Arc::new(CustomerRead {
                codes: codes.clone(),
                suffix,
            })
        };
        let fetch = self
            .closed(
                "fetch customer",
                "GET /api/v1/customers/{code}",
                read(""),
                n,
                d,
            )
            .await?
            .against(&health)
            .p99_against(&health);
        let balance = self
            .closed(
                "balance",
                "GET /api/v1/customers/{code}/balance",
                read("/balance"),
                n,
                d,
            )
            .await?
            .against(&health)
            .p99_against(&health);
        let pages = |page| {
            Arc::new(Transactions {
                code: seeds.deep.code.clone(),
                page,
            })
        };
        let tx_path = "GET /api/v1/customers/{deep}/transactions";
        let t = self.plan.tx_connections;
        let page1 = self
            .closed("transactions page 1", tx_path, pages(Page::First), t, d)
            .await?;
        let deep_row = self
            .closed(
                "transactions deep (cursor)",
                &format!(
                    "{tx_path}?starting_after=… (oldest 1% of {} entries)",
                    deep.journals
                ),
                pages(Page::DeepCursor(deep)),
                t,
                d,
            )
            .await?;
        let offset = self
            .closed(
                "transactions page 666 (offset)",
                &format!("{tx_path}?page=666&per_page=15"),
                pages(Page::DeepOffset),
                t,
                d,
            )
            .await?;
        let create = self
            .closed(
                "create customer",
                "POST /api/v1/customers",
                Arc::new(CreateCustomer(s.clone())),
                n,
                d,
            )
            .await?
            .against(&db.create);
        let one_time = self
            .closed(
                "one-time account create",
                "POST /api/v1/customers/{code}/one-time-accounts",
                Arc::new(OneTimeAccount(codes.clone())),
                n,
                d,
            )
            .await?
            .against(&db.create);
        let inflow_path = "POST /api/v1/sandbox/inflows";
        let spread_row = self
            .closed(
                "inflows spread",
                &format!("{inflow_path} over {} customers", spread.len()),
                Arc::new(Inflows::new(spread.clone(), s.clone(), false)),
                n,
                d,
            )
            .await?
            .against(&db.inflow_spread);
        let hot_work = || Arc::new(Inflows::new(hot.clone(), s.clone(), false));
        let hot_row = self
            .closed(
                "inflows hot customer",
                &format!("{inflow_path}, one customer"),
                hot_work(),
                n,
                d,
            )
            .await?
            .against(&db.inflow_hot);
        let dup_row = self
            .closed(
                "inflows with 10% duplicates",
                &format!("{inflow_path}, 10% resent (expect 200 replay)"),
                Arc::new(Inflows::new(spread.clone(), s.clone(), true)),
                n,
                d,
            )
            .await?
            .against(&db.inflow_spread);
        // Open loop at half of what the closed loop reached: latency from the intended send time.
        let balance_open = self
            .open(
                "balance (fixed rate)",
                "GET /api/v1/customers/{code}/balance",
                read("/balance"),
                (balance.throughput * 0.5).max(1.0),
            )
            .await?
            .p99_against(&health);
        let hot_open = self
            .open(
                "inflows hot (fixed rate)",
                &format!("{inflow_path}, one customer"),
                hot_work(),
                (hot_row.throughput * 0.5).max(1.0),
            )
            .await?;

        say!("concurrency sweep");
        let mut sweep = Vec::new();
        for (i, &c) in self.plan.sweep.iter().enumerate() {
            let point = |row: &Row, series| SweepPoint::of(series, row);
            if c == n {
                sweep.push(point(&health, "health (HTTP ceiling)"));
                sweep.push(point(&balance, "balance"));
                sweep.push(point(&hot_row, "inflows hot customer"));
            } else {
                let p = self.plan.sweep_point;
                let h = self
                    .closed(
                        "health (HTTP ceiling)",
                        "GET /healthz",
                        Arc::new(Health),
                        c,
                        p,
                    )
                    .await?;
                let b = self
                    .closed("balance", "GET …/balance", read("/balance"), c, p)
                    .await?;
                let i = self
                    .closed("inflows hot customer", inflow_path, hot_work(), c, p)
                    .await?;
                sweep.push(point(&h, "health (HTTP ceiling)"));
                sweep.push(point(&b, "balance"));
                sweep.push(point(&i, "inflows hot customer"));
            }
            sweep.push(point(&db.hot_sweep[i], "db ceiling: inflow (hot)"));
        }
        Ok(KoboRows {
            rows: vec![
                health.clone(),
                fetch,
                balance,
                page1,
                deep_row,
                offset,
                create,
                one_time,
                spread_row,
                hot_row,
                dup_row,
                balance_open,
                hot_open,
            ],
            health,
            sweep,
        })
    }
}
