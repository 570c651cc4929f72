//! Writing outbox rows on the caller's connection, inside its transaction, so
//! an event exists if and only if the change that caused it committed.
//!
//! When the mode has no webhook URL, the event is written already failed,
//! with one attempt that says so: nothing is left for the worker and the
//! payload renderer until someone sets a URL and retries it.

use kobo_store::{Scope, StoreResult, NO_URL_ERROR};
use rusqlite::{params, Connection};

use crate::error::map;
use crate::time::now_text;

/// Records `event_type` about `subject_id` (ordered per `customer_id`).
pub(crate) fn record(
    conn: &Connection,
    scope: Scope,
    event_type: &str,
    subject_id: i64,
    customer_id: Option<i64>,
) -> StoreResult<()> {
    let now = now_text();
    let has_url: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM webhook_endpoint
             WHERE business_id = ? AND mode = ? AND url IS NOT NULL)",
        )
        .map_err(map)?
        .query_row(params![scope.business_id, scope.mode.as_str()], |r| {
            r.get(0)
        })
        .map_err(map)?;
    let (status, attempts) = if has_url {
        ("pending", 0)
    } else {
        ("failed", 1)
    };
    conn.prepare_cached(
        "INSERT INTO webhook_event (public_id, business_id, mode, event_type, subject_id, customer_id,
            status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .map_err(map)?
    .execute(params![
        format!("evt_{}", kobo_core::ids::random_alphanumeric(24)),
        scope.business_id,
        scope.mode.as_str(),
        event_type,
        subject_id,
        customer_id,
        status,
        attempts,
        &now,
        &now,
    ])
    .map_err(map)?;
    if !has_url {
        conn.prepare_cached(
            "INSERT INTO webhook_attempt (webhook_event_id, attempted_at, latency_ms, error)
             VALUES (?, ?, 0, ?)",
        )
        .map_err(map)?
        .execute(params![conn.last_insert_rowid(), &now, NO_URL_ERROR])
        .map_err(map)?;
    }
    Ok(())
}
