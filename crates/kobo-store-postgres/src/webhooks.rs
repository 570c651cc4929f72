//! Webhook endpoints, the event lease queue and delivery attempts.
//!
//! Several nodes run delivery workers on one database: a claim leases events
//! (`locked_until`) in one statement whose inner `SELECT … FOR UPDATE SKIP
//! LOCKED` passes over rows another node is claiming at that moment, and
//! re-checks a row's lease after waiting for nothing, so an event is never
//! handed to two workers while its lease runs.

use chrono::{DateTime, Utc};
use kobo_core::Mode;
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::error::map;
use crate::time::{now_text, parse, to_text};

pub(crate) async fn endpoint(
    pool: &PgPool,
    scope: Scope,
    new_secret: &str,
) -> StoreResult<WebhookEndpoint> {
    sqlx::query(
        "INSERT INTO webhook_endpoint (business_id, mode, url, secret, updated_at)
         VALUES ($1, $2, NULL, $3, $4) ON CONFLICT (business_id, mode) DO NOTHING",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(new_secret)
    .bind(now_text())
    .execute(pool)
    .await
    .map_err(map)?;
    read_endpoint(pool, scope).await
}

async fn read_endpoint(pool: &PgPool, scope: Scope) -> StoreResult<WebhookEndpoint> {
    let row = sqlx::query(
        "SELECT url, secret FROM webhook_endpoint WHERE business_id = $1 AND mode = $2",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_one(pool)
    .await
    .map_err(map)?;
    Ok(WebhookEndpoint {
        mode: scope.mode,
        url: row.get("url"),
        secret: row.get("secret"),
    })
}

pub(crate) async fn set_url(
    pool: &PgPool,
    scope: Scope,
    url: Option<String>,
    new_secret: &str,
) -> StoreResult<WebhookEndpoint> {
    endpoint(pool, scope, new_secret).await?;
    sqlx::query(
        "UPDATE webhook_endpoint SET url = $1, updated_at = $2 WHERE business_id = $3 AND mode = $4",
    )
    .bind(url)
    .bind(now_text())
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .execute(pool)
    .await
    .map_err(map)?;
    read_endpoint(pool, scope).await
}

pub(crate) async fn rotate(
    pool: &PgPool,
    scope: Scope,
    secret: &str,
) -> StoreResult<WebhookEndpoint> {
    endpoint(pool, scope, secret).await?;
    sqlx::query(
        "UPDATE webhook_endpoint SET secret = $1, updated_at = $2
         WHERE business_id = $3 AND mode = $4",
    )
    .bind(secret)
    .bind(now_text())
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .execute(pool)
    .await
    .map_err(map)?;
    read_endpoint(pool, scope).await
}

const COLUMNS: &str = "webhook_event_id, public_id, business_id, mode, event_type, subject_id,
        payload, status, attempts, next_attempt_at, created_at, delivered_at";

/// Leases up to `limit` due events. Per customer, an event waits until every
/// earlier one of that customer has had its first attempt.
pub(crate) async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<WebhookEvent>> {
    let rows = sqlx::query(&format!(
        "UPDATE webhook_event SET locked_until = $1
         WHERE webhook_event_id IN (
            SELECT e.webhook_event_id FROM webhook_event e
            WHERE e.status = 'pending' AND e.next_attempt_at <= $2
              AND (e.locked_until IS NULL OR e.locked_until <= $2)
              AND NOT EXISTS (
                SELECT 1 FROM webhook_event p
                WHERE e.customer_id IS NOT NULL AND p.customer_id = e.customer_id
                  AND p.status = 'pending' AND p.attempts = 0
                  AND p.webhook_event_id < e.webhook_event_id)
            ORDER BY e.webhook_event_id LIMIT $3
            FOR UPDATE SKIP LOCKED)
         RETURNING {COLUMNS}"
    ))
    .bind(to_text(lease_until))
    .bind(to_text(now))
    .bind(limit as i64)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    let mut events = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    events.sort_by_key(|e| e.id);
    Ok(events)
}

/// Stores the rendered payload once: the first render wins, on any node.
pub(crate) async fn unrendered(pool: &PgPool, limit: u32) -> StoreResult<Vec<WebhookEvent>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM webhook_event WHERE payload IS NULL AND status = 'pending' ORDER BY webhook_event_id LIMIT $1"
    ))
    .bind(limit as i64)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn freeze(pool: &PgPool, event_id: i64, payload: &str) -> StoreResult<String> {
    sqlx::query(
        "UPDATE webhook_event SET payload = $1 WHERE webhook_event_id = $2 AND payload IS NULL",
    )
    .bind(payload)
    .bind(event_id)
    .execute(pool)
    .await
    .map_err(map)?;
    sqlx::query_scalar("SELECT payload FROM webhook_event WHERE webhook_event_id = $1")
        .bind(event_id)
        .fetch_one(pool)
        .await
        .map_err(map)
}

pub(crate) async fn record_attempt(
    pool: &PgPool,
    event_id: i64,
    a: &WebhookAttempt,
    outcome: AttemptOutcome,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map)?;
    sqlx::query(
        "INSERT INTO webhook_attempt (webhook_event_id, attempted_at, url, http_status, latency_ms,
            response_excerpt, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event_id)
    .bind(to_text(a.attempted_at))
    .bind(&a.url)
    .bind(a.http_status.map(i64::from))
    .bind(a.latency_ms)
    .bind(&a.response_excerpt)
    .bind(&a.error)
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    let (status, next, delivered) = match outcome {
        AttemptOutcome::Delivered => ("delivered", None, Some(now_text())),
        AttemptOutcome::RetryAt(at) => ("pending", Some(to_text(at)), None),
        AttemptOutcome::Failed => ("failed", None, None),
    };
    sqlx::query(
        "UPDATE webhook_event SET status = $1, attempts = attempts + 1, locked_until = NULL,
            next_attempt_at = COALESCE($2, next_attempt_at),
            delivered_at = COALESCE($3, delivered_at)
         WHERE webhook_event_id = $4",
    )
    .bind(status)
    .bind(next)
    .bind(delivered)
    .bind(event_id)
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)
}

pub(crate) async fn list(
    pool: &PgPool,
    scope: Scope,
    q: &EventQuery,
) -> StoreResult<(Vec<WebhookEvent>, u64)> {
    let filter = "business_id = $1 AND mode = $2 AND ($3::text IS NULL OR status = $3)";
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM webhook_event
         WHERE {filter} AND webhook_event_id < COALESCE($4::bigint, 9223372036854775807)
         ORDER BY webhook_event_id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(q.status.map(|s| s.as_str()))
    .bind(q.starting_after)
    .bind(q.limit as i64)
    .bind(q.offset as i64)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM webhook_event WHERE {filter}"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(q.status.map(|s| s.as_str()))
    .fetch_one(pool)
    .await
    .map_err(map)?;
    let events = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok((events, total.max(0) as u64))
}

pub(crate) async fn attempts(
    pool: &PgPool,
    scope: Scope,
    public_id: &str,
) -> StoreResult<Option<Vec<WebhookAttempt>>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT webhook_event_id FROM webhook_event
         WHERE public_id = $1 AND business_id = $2 AND mode = $3",
    )
    .bind(public_id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    let Some(id) = id else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT attempted_at, url, http_status, latency_ms, response_excerpt, error
         FROM webhook_attempt WHERE webhook_event_id = $1 ORDER BY webhook_attempt_id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(WebhookAttempt {
                attempted_at: parse(r.get("attempted_at"))?,
                url: r.get("url"),
                http_status: r.get::<Option<i64>, _>("http_status").map(|s| s as u16),
                latency_ms: r.get("latency_ms"),
                response_excerpt: r.get("response_excerpt"),
                error: r.get("error"),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(list))
}

pub(crate) async fn retry(pool: &PgPool, scope: Scope, public_id: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE webhook_event SET status = 'pending', next_attempt_at = $1
         WHERE public_id = $2 AND business_id = $3 AND mode = $4",
    )
    .bind(now_text())
    .bind(public_id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .execute(pool)
    .await
    .map_err(map)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn backlog(pool: &PgPool) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_event WHERE status = 'pending'")
        .fetch_one(pool)
        .await
        .map_err(map)?;
    Ok(n.max(0) as u64)
}

fn from_row(r: &PgRow) -> StoreResult<WebhookEvent> {
    Ok(WebhookEvent {
        id: r.get("webhook_event_id"),
        public_id: r.get("public_id"),
        business_id: r.get("business_id"),
        mode: Mode::parse(r.get("mode")).ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        event_type: r.get("event_type"),
        subject_id: r.get("subject_id"),
        payload: r.get("payload"),
        status: EventStatus::parse(r.get("status"))
            .ok_or_else(|| StoreError::Internal("bad event status".into()))?,
        attempts: r.get("attempts"),
        next_attempt_at: parse(r.get("next_attempt_at"))?,
        created_at: parse(r.get("created_at"))?,
        delivered_at: r
            .get::<Option<&str>, _>("delivered_at")
            .map(parse)
            .transpose()?,
    })
}
