//! A small migration runner: numbered SQL files compiled into the binary,
//! applied in order inside one transaction, recorded in `schema_migration`.
//! The transaction first takes a transaction-scoped advisory lock, so two
//! nodes migrating at once run one after the other: the second finds every
//! version applied and does nothing.

use kobo_store::StoreResult;
use sqlx::{Executor, PgPool};

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
        include_str!("../migrations/0007_customer_count_shards.sql"),
    ),
    (
        8,
        include_str!("../migrations/0008_customer_entry_count.sql"),
    ),
];

/// Advisory lock key for migrations ("kobo" in ASCII, then "mig").
const LOCK_KEY: i64 = 0x6b6f_626f_006d_6967;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)";

pub(crate) async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
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
        // A plain string runs as a simple query, which allows several statements.
        tx.execute(*sql).await.map_err(map)?;
        sqlx::query("INSERT INTO schema_migration (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(crate::time::now_text())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tracing::info!(version, "applied migration");
    }
    tx.commit().await.map_err(map)
}

pub(crate) async fn is_current(pool: &PgPool) -> StoreResult<bool> {
    let latest = MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0);
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migration")
        .fetch_one(pool)
        .await
        .map_err(map)?;
    Ok(applied == Some(latest))
}
