//! `kobo ledger verify`: every invariant, checked over the whole database in
//! one REPEATABLE READ, READ ONLY transaction, so every check sees the same
//! snapshot while other nodes keep posting.

use kobo_core::{Kobo, Mode};
use kobo_store::{LedgerReport, LedgerTotal, StoreResult};
use sqlx::{PgConnection, PgPool, Row};

use crate::error::map;

pub(crate) async fn run(pool: &PgPool) -> StoreResult<LedgerReport> {
    let mut tx = pool.begin().await.map_err(map)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    // Each check scans whole tables: the pool's statement timeout is meant
    // for requests, not for this offline tool, so it is lifted here.
    sqlx::query("SET LOCAL statement_timeout = 0")
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    let report = checks(&mut tx).await?;
    tx.commit().await.map_err(map)?;
    Ok(report)
}

async fn checks(conn: &mut PgConnection) -> StoreResult<LedgerReport> {
    let mut report = LedgerReport::default();
    for (table, slot) in [
        ("ledger_account", &mut report.accounts),
        ("journal", &mut report.journals),
        ("entry", &mut report.entries),
        ("inflow", &mut report.inflows),
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *conn)
            .await
            .map_err(map)?;
        *slot = n as u64;
    }
    for (what, sql) in kobo_store::LEDGER_CHECKS {
        for row in sqlx::query(sql).fetch_all(&mut *conn).await.map_err(map)? {
            report
                .problems
                .push(format!("{what}: {}", row.get::<String, _>(0)));
        }
    }
    Ok(report)
}

/// Sum of balances per account kind and mode, across businesses (for metrics).
pub(crate) async fn totals(pool: &PgPool) -> StoreResult<Vec<LedgerTotal>> {
    let rows = sqlx::query(
        "SELECT kind, mode, SUM(balance)::bigint AS total FROM ledger_account
         GROUP BY kind, mode ORDER BY kind, mode",
    )
    .fetch_all(pool)
    .await
    .map_err(map)?;
    Ok(rows
        .iter()
        .map(|r| LedgerTotal {
            kind: r.get("kind"),
            mode: Mode::parse(r.get("mode")).unwrap_or(Mode::Test),
            balance: Kobo(r.get("total")),
        })
        .collect())
}
