//! Idempotency keys with Stripe's semantics, scoped to business and mode.
//! A key lives 24 hours; a claim whose request never finished (a crash) is
//! taken over after five minutes.
//!
//! Race-free across nodes: the claim is an `INSERT … ON CONFLICT DO NOTHING`
//! (the primary key admits one row per key; a second inserter waits for the
//! first to commit). A key that already exists is read `FOR UPDATE`, so only
//! one of several requests can take over an expired or stale claim.

use chrono::{Duration, Utc};
use kobo_store::{IdempotencyBegin, Scope, StoreError, StoreResult, StoredResponse};
use sqlx::{PgPool, Row};

use crate::error::map;
use crate::time::{parse, to_text};

const KEY_LIFETIME_HOURS: i64 = 24;
const STALE_CLAIM_MINUTES: i64 = 5;
/// A key released between our insert and our read is claimed again; this
/// bounds how often.
const ATTEMPTS: usize = 5;

pub(crate) async fn begin(
    pool: &PgPool,
    scope: Scope,
    key: &str,
    request_hash: &str,
) -> StoreResult<IdempotencyBegin> {
    for _ in 0..ATTEMPTS {
        if let Some(outcome) = try_begin(pool, scope, key, request_hash).await? {
            return Ok(outcome);
        }
    }
    Err(StoreError::Unavailable(
        "idempotency key keeps changing under concurrent requests".into(),
    ))
}

/// One claim attempt; `None` when the row vanished between insert and read.
async fn try_begin(
    pool: &PgPool,
    scope: Scope,
    key: &str,
    request_hash: &str,
) -> StoreResult<Option<IdempotencyBegin>> {
    let now = Utc::now();
    let mut tx = pool.begin().await.map_err(map)?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_key (business_id, mode, idem_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(key)
    .bind(request_hash)
    .bind(to_text(now))
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    if inserted.rows_affected() == 1 {
        tx.commit().await.map_err(map)?;
        return Ok(Some(IdempotencyBegin::Claimed));
    }
    let Some(row) = sqlx::query(
        "SELECT request_hash, response_status, response_body, created_at FROM idempotency_key
         WHERE business_id = $1 AND mode = $2 AND idem_key = $3 FOR UPDATE",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(key)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map)?
    else {
        return Ok(None);
    };
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
                body: row
                    .get::<Option<Vec<u8>>, _>("response_body")
                    .unwrap_or_default(),
            })
        } else {
            IdempotencyBegin::InFlight
        };
        return Ok(Some(outcome));
    }
    // Expired or stale: this request takes the key over, as a fresh claim.
    sqlx::query(
        "UPDATE idempotency_key SET request_hash = $4, response_status = NULL,
            response_body = NULL, created_at = $5
         WHERE business_id = $1 AND mode = $2 AND idem_key = $3",
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
    Ok(Some(IdempotencyBegin::Claimed))
}

pub(crate) async fn finish(
    pool: &PgPool,
    scope: Scope,
    key: &str,
    response: &StoredResponse,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_key SET response_status = $1, response_body = $2
         WHERE business_id = $3 AND mode = $4 AND idem_key = $5",
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

pub(crate) async fn abandon(pool: &PgPool, scope: Scope, key: &str) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM idempotency_key WHERE business_id = $1 AND mode = $2 AND idem_key = $3
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
