//! Idempotency keys with Stripe's semantics, scoped to business and mode.
//! A key lives 24 hours; a claim whose request never finished (a crash) is
//! taken over after five minutes.

use chrono::{Duration, Utc};
use kobo_store::{IdempotencyBegin, Scope, StoreResult, StoredResponse};
use sqlx::{Row, SqlitePool};

use crate::error::map;
use crate::time::{parse, to_text};

const KEY_LIFETIME_HOURS: i64 = 24;
const STALE_CLAIM_MINUTES: i64 = 5;

pub(crate) async fn begin(
    pool: &SqlitePool,
    scope: Scope,
    key: &str,
    request_hash: &str,
) -> StoreResult<IdempotencyBegin> {
    let mut tx = crate::write::begin(pool).await?;
    let row = sqlx::query(
        "SELECT request_hash, response_status, response_body, created_at FROM idempotency_key
         WHERE business_id = ? AND mode = ? AND idem_key = ?",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(key)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map)?;
    let now = Utc::now();
    if let Some(row) = row {
        let created = parse(row.get::<&str, _>("created_at"))?;
        let status: Option<i64> = row.get("response_status");
        let expired = created < now - Duration::hours(KEY_LIFETIME_HOURS);
        let stale = status.is_none() && created < now - Duration::minutes(STALE_CLAIM_MINUTES);
        if !expired && !stale {
            let outcome = if row.get::<&str, _>("request_hash") != request_hash {
                IdempotencyBegin::Mismatch
            } else if let Some(status) = status {
                IdempotencyBegin::Replay(StoredResponse {
                    status: status as u16,
                    body: row.get("response_body"),
                })
            } else {
                IdempotencyBegin::InFlight
            };
            return Ok(outcome);
        }
        sqlx::query(
            "DELETE FROM idempotency_key WHERE business_id = ? AND mode = ? AND idem_key = ?",
        )
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .bind(key)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    }
    sqlx::query(
        "INSERT INTO idempotency_key (business_id, mode, idem_key, request_hash, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(key)
    .bind(request_hash)
    .bind(to_text(now))
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(IdempotencyBegin::Claimed)
}

pub(crate) async fn finish(
    pool: &SqlitePool,
    scope: Scope,
    key: &str,
    response: &StoredResponse,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_key SET response_status = ?, response_body = ?
         WHERE business_id = ? AND mode = ? AND idem_key = ?",
    )
    .bind(response.status as i64)
    .bind(&response.body)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(key)
    .execute(pool)
    .await
    .map_err(map)?;
    Ok(())
}

pub(crate) async fn abandon(pool: &SqlitePool, scope: Scope, key: &str) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM idempotency_key WHERE business_id = ? AND mode = ? AND idem_key = ?
         AND response_status IS NULL",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(key)
    .execute(pool)
    .await
    .map_err(map)?;
    Ok(())
}
