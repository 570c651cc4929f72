//! A small migration runner: numbered SQL files compiled into the binary,
//! applied in order inside the writer's transaction, recorded in `schema_migration`.

use kobo_store::StoreResult;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::map;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_customers.sql")),
    (2, include_str!("../migrations/0002_ledger.sql")),
    (3, include_str!("../migrations/0003_one_time_accounts.sql")),
    (4, include_str!("../migrations/0004_customer_search.sql")),
    (5, include_str!("../migrations/0005_webhooks.sql")),
    (6, include_str!("../migrations/0006_webhook_queues.sql")),
    (
        7,
        include_str!("../migrations/0007_customer_entry_count.sql"),
    ),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

/// Applies every migration not yet recorded (a write: runs on the writer).
pub(crate) fn run(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(CREATE_TABLE).map_err(map)?;
    let applied: Vec<i64> = conn
        .prepare("SELECT version FROM schema_migration")
        .map_err(map)?
        .query_map([], |r| r.get(0))
        .map_err(map)?
        .collect::<Result<_, _>>()
        .map_err(map)?;
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        conn.execute_batch(sql).map_err(map)?;
        conn.execute(
            "INSERT INTO schema_migration (version, applied_at) VALUES (?, ?)",
            params![version, crate::time::now_text()],
        )
        .map_err(map)?;
        tracing::info!(version, "applied migration");
    }
    Ok(())
}

/// Whether the newest migration has been applied (false on an empty file).
pub(crate) fn is_current(conn: &Connection) -> StoreResult<bool> {
    let latest = MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0);
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(map)?;
    if exists.is_none() {
        return Ok(false);
    }
    let applied: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_migration", [], |r| {
            r.get(0)
        })
        .map_err(map)?;
    Ok(applied == Some(latest))
}
