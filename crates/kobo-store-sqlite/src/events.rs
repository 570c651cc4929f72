//! Writing outbox rows inside the caller's transaction, so an event exists if
//! and only if the change that caused it committed.

use kobo_store::{Scope, StoreResult};
use sqlx::SqliteConnection;

use crate::error::map;
use crate::time::now_text;

/// Records `event_type` about `subject_id` (ordered per `customer_id`).
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    scope: Scope,
    event_type: &str,
    subject_id: i64,
    customer_id: Option<i64>,
) -> StoreResult<()> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO webhook_event (public_id, business_id, mode, event_type, subject_id, customer_id,
            next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(format!("evt_{}", kobo_core::ids::random_alphanumeric(24)))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(event_type)
    .bind(subject_id)
    .bind(customer_id)
    .bind(&now)
    .bind(&now)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    Ok(())
}
