//! Idempotency keys with Stripe's semantics, scoped to business and mode.
//! A key lives 24 hours; a claim whose request never finished (a crash) is
//! taken over after five minutes.

use chrono::{DateTime, Duration, Utc};
use kobo_store::{IdempotencyBegin, Scope, StoreResult, StoredResponse};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::map;
use crate::time::{parse, to_text};

const KEY_LIFETIME_HOURS: i64 = 24;
const STALE_CLAIM_MINUTES: i64 = 5;

/// A stored key, as `begin` reads it.
struct Existing {
    request_hash: String,
    response_status: Option<i64>,
    response_body: Option<Vec<u8>>,
    created_at: String,
}

/// Claims `key`, or reports why it cannot be claimed. Only the `Claimed`
/// outcome writes anything (it deletes an expired or stale claim first).
pub(crate) fn begin(
    conn: &Connection,
    scope: Scope,
    key: &str,
    request_hash: &str,
) -> StoreResult<IdempotencyBegin> {
    let now = Utc::now();
    if let Some(existing) = find(conn, scope, key)? {
        if let Some(outcome) = still_held(existing, request_hash, now)? {
            return Ok(outcome);
        }
        conn.prepare_cached(
            "DELETE FROM idempotency_key WHERE business_id = ? AND mode = ? AND idem_key = ?",
        )
        .map_err(map)?
        .execute(params![scope.business_id, scope.mode.as_str(), key])
        .map_err(map)?;
    }
    conn.prepare_cached(
        "INSERT INTO idempotency_key (business_id, mode, idem_key, request_hash, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .map_err(map)?
    .execute(params![
        scope.business_id,
        scope.mode.as_str(),
        key,
        request_hash,
        to_text(now)
    ])
    .map_err(map)?;
    Ok(IdempotencyBegin::Claimed)
}

fn find(conn: &Connection, scope: Scope, key: &str) -> StoreResult<Option<Existing>> {
    conn.prepare_cached(
        "SELECT request_hash, response_status, response_body, created_at FROM idempotency_key
         WHERE business_id = ? AND mode = ? AND idem_key = ?",
    )
    .map_err(map)?
    .query_row(params![scope.business_id, scope.mode.as_str(), key], |r| {
        Ok(Existing {
            request_hash: r.get("request_hash")?,
            response_status: r.get("response_status")?,
            response_body: r.get("response_body")?,
            created_at: r.get("created_at")?,
        })
    })
    .optional()
    .map_err(map)
}

/// What an existing key answers, or `None` when it has expired or its claim
/// went stale and may be taken over.
fn still_held(
    existing: Existing,
    request_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<IdempotencyBegin>> {
    let created = parse(&existing.created_at)?;
    let status = existing.response_status;
    let expired = created < now - Duration::hours(KEY_LIFETIME_HOURS);
    let stale = status.is_none() && created < now - Duration::minutes(STALE_CLAIM_MINUTES);
    if expired || stale {
        return Ok(None);
    }
    let outcome = if existing.request_hash != request_hash {
        IdempotencyBegin::Mismatch
    } else if let Some(status) = status {
        IdempotencyBegin::Replay(StoredResponse {
            status: status as u16,
            body: existing.response_body.unwrap_or_default(),
        })
    } else {
        IdempotencyBegin::InFlight
    };
    Ok(Some(outcome))
}

pub(crate) fn finish(
    conn: &Connection,
    scope: Scope,
    key: &str,
    response: &StoredResponse,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE idempotency_key SET response_status = ?, response_body = ?
         WHERE business_id = ? AND mode = ? AND idem_key = ?",
    )
    .map_err(map)?
    .execute(params![
        i64::from(response.status),
        &response.body,
        scope.business_id,
        scope.mode.as_str(),
        key
    ])
    .map_err(map)?;
    Ok(())
}

pub(crate) fn abandon(conn: &Connection, scope: Scope, key: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "DELETE FROM idempotency_key WHERE business_id = ? AND mode = ? AND idem_key = ?
         AND response_status IS NULL",
    )
    .map_err(map)?
    .execute(params![scope.business_id, scope.mode.as_str(), key])
    .map_err(map)?;
    Ok(())
}
