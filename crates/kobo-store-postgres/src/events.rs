//! Writing outbox rows inside the caller's transaction, so an event exists if
//! and only if the change that caused it committed.
//!
//! When the mode has no webhook URL, the event is written already failed,
//! with one attempt that says so: nothing is left for the worker and the
//! payload renderer until someone sets a URL and retries it.

use kobo_store::{Scope, StoreResult, NO_URL_ERROR};
use sqlx::PgConnection;

use crate::error::map;
use crate::time::now_text;

/// Records `event_type` about `subject_id` (ordered per `customer_id`).
pub(crate) async fn record(
    conn: &mut PgConnection,
    scope: Scope,
    event_type: &str,
    subject_id: i64,
    customer_id: Option<i64>,
) -> StoreResult<()> {
    let now = now_text();
    // One round trip: the event, and its no-URL attempt when the mode has no URL.
    sqlx::query(
        "WITH target AS (
            SELECT EXISTS (SELECT 1 FROM webhook_endpoint
                WHERE business_id = $2 AND mode = $3 AND url IS NOT NULL) AS has_url
         ), event AS (
            INSERT INTO webhook_event (public_id, business_id, mode, event_type, subject_id,
                customer_id, status, attempts, next_attempt_at, created_at)
            SELECT $1, $2, $3, $4, $5, $6,
                CASE WHEN has_url THEN 'pending' ELSE 'failed' END,
                CASE WHEN has_url THEN 0 ELSE 1 END, $7, $7
            FROM target
            RETURNING webhook_event_id, status
         )
         INSERT INTO webhook_attempt (webhook_event_id, attempted_at, latency_ms, error)
         SELECT webhook_event_id, $7, 0, $8 FROM event WHERE status = 'failed'",
    )
    .bind(format!("evt_{}", kobo_core::ids::random_alphanumeric(24)))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(event_type)
    .bind(subject_id)
    .bind(customer_id)
    .bind(&now)
    .bind(NO_URL_ERROR)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    Ok(())
}
