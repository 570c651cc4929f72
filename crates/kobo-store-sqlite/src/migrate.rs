//! A small migration runner: numbered SQL files compiled into the binary,
//! applied in order inside one transaction each, recorded in `schema_migration`.

use kobo_store::StoreResult;
use sqlx::{Executor, SqlitePool};

use crate::error::map;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_customers.sql")),
    (2, include_str!("../migrations/0002_ledger.sql")),
    (3, include_str!("../migrations/0003_one_time_accounts.sql")),
    (4, include_str!("../migrations/0004_customer_search.sql")),
    (5, include_str!("../migrations/0005_webhooks.sql")),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

pub(crate) async fn run(pool: &SqlitePool) -> StoreResult<()> {
    let mut tx = crate::write::begin(pool).await?;
    sqlx::query(CREATE_TABLE)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migration")
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.execute(*sql).await.map_err(map)?;
        sqlx::query("INSERT INTO schema_migration (version, applied_at) VALUES (?, ?)")
            .bind(version)
            .bind(crate::time::now_text())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tracing::info!(version, "applied migration");
    }
    tx.commit().await.map_err(map)
}

pub(crate) async fn is_current(pool: &SqlitePool) -> StoreResult<bool> {
    let latest = MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0);
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migration")
        .fetch_one(pool)
        .await
        .map_err(map)?;
    Ok(applied == Some(latest))
}
