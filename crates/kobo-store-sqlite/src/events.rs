//! Writing outbox rows on the caller's connection, inside its transaction, so
//! an event exists if and only if the change that caused it committed.

use kobo_store::{Scope, StoreResult};
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
    conn.prepare_cached(
        "INSERT INTO webhook_event (public_id, business_id, mode, event_type, subject_id, customer_id,
            next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .map_err(map)?
    .execute(params![
        format!("evt_{}", kobo_core::ids::random_alphanumeric(24)),
        scope.business_id,
        scope.mode.as_str(),
        event_type,
        subject_id,
        customer_id,
        &now,
        &now,
    ])
    .map_err(map)?;
    Ok(())
}
