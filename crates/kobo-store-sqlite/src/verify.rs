//! `kobo ledger verify`: every invariant, checked over the whole database.

use kobo_store::{LedgerReport, StoreResult};
use rusqlite::Connection;

use crate::error::map;

/// Runs every check inside one read transaction on `conn` (a reader
/// connection), so every check sees the same snapshot. Rarely run, so its
/// statements are prepared uncached and do not evict hot ones.
pub(crate) fn run(conn: &Connection) -> StoreResult<LedgerReport> {
    let tx = conn.unchecked_transaction().map_err(map)?;
    let report = checks(&tx)?;
    tx.commit().map_err(map)?;
    Ok(report)
}

fn checks(conn: &Connection) -> StoreResult<LedgerReport> {
    let mut report = LedgerReport::default();
    for (table, slot) in [
        ("ledger_account", &mut report.accounts),
        ("journal", &mut report.journals),
        ("entry", &mut report.entries),
        ("inflow", &mut report.inflows),
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .map_err(map)?;
        *slot = n as u64;
    }
    for (what, sql) in kobo_store::LEDGER_CHECKS {
        let mut stmt = conn.prepare(sql).map_err(map)?;
        let mut rows = stmt.query([]).map_err(map)?;
        while let Some(row) = rows.next().map_err(map)? {
            let problem: String = row.get(0).map_err(map)?;
            report.problems.push(format!("{what}: {problem}"));
        }
    }
    Ok(report)
}

pub(crate) fn totals(conn: &Connection) -> StoreResult<Vec<kobo_store::LedgerTotal>> {
    let mut stmt = conn
        .prepare_cached("SELECT kind, mode, SUM(balance) AS total FROM ledger_account GROUP BY kind, mode ORDER BY kind, mode")
        .map_err(map)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(kobo_store::LedgerTotal {
                kind: r.get("kind")?,
                mode: kobo_core::Mode::parse(&r.get::<_, String>("mode")?)
                    .unwrap_or(kobo_core::Mode::Test),
                balance: kobo_core::Kobo(r.get("total")?),
            })
        })
        .map_err(map)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map)
}
