//! Writing outbox rows inside the caller's transaction, so an event exists if
//! and only if the change that caused it committed.
//!
//! One statement shape writes every event, one at a time ([`record`]), a
//! whole inflow batch at once (`inflow_bulk`), or inside the statement that
//! creates its subject (a new customer); the last two through [`cte`] and [`bind`]:
//! a fresh public id, due at once; or, when the mode has no webhook URL,
//! failed at once with one attempt that says so, so nothing is left for the
//! worker and the payload renderer until someone sets a URL and retries it.
//! Batch ids are taken from the table's sequence in one go and given out in
//! the order the events were queued, so the delivery order per customer is
//! the order in which the inflows were applied.

use kobo_store::{Scope, StoreResult, NO_URL_ERROR};
use sqlx::postgres::{PgArguments, Postgres};
use sqlx::query::Query;
use sqlx::PgConnection;

use crate::error::map;
use crate::time::now_text;

/// What an event is about.
pub(crate) enum Subject {
    /// The k-th row (0-based) the same statement creates, whose id the
    /// statement assigns: an inflow of a batch, or a new customer.
    New(usize),
    /// A row that already has its id (a one-time account).
    Id(i64),
}

/// One event to record: `event_type` about `subject`, at `now`.
pub(crate) struct NewEvent {
    pub scope: Scope,
    pub event_type: &'static str,
    pub subject: Subject,
    pub customer_id: Option<i64>,
    /// The event is about a customer: its customer is its subject (and
    /// `customer_id` is ignored), so a new customer's id need not be known.
    pub customer_is_subject: bool,
    pub now: String,
}

/// Records `event_type` about `subject_id` (ordered per `customer_id`).
pub(crate) async fn record(
    conn: &mut PgConnection,
    scope: Scope,
    event_type: &'static str,
    subject_id: i64,
    customer_id: Option<i64>,
) -> StoreResult<()> {
    let event = NewEvent {
        scope,
        event_type,
        subject: Subject::Id(subject_id),
        customer_id,
        customer_is_subject: false,
        now: now_text(),
    };
    let sql = format!("WITH {} SELECT 1", cte(1, "ARRAY[]::bigint[]"));
    bind(sqlx::query(&sql), std::slice::from_ref(&event))
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    Ok(())
}

/// The `WITH` items that insert the events, numbering their eleven parameters
/// from `$first`; `new_ids` is an SQL expression for the array of the ids of
/// the rows the statement creates, in the order they were queued (empty for
/// events whose subjects all have ids).
pub(crate) fn cte(first: usize, new_ids: &str) -> String {
    let p = |k: usize| format!("${}", first + k);
    format!(
        "event_ids AS MATERIALIZED (
            SELECT ARRAY(SELECT nextval('webhook_event_webhook_event_id_seq')
                         FROM generate_series(1, {count}::int) ORDER BY 1) AS ids
         ), events AS (
            INSERT INTO webhook_event (webhook_event_id, public_id, business_id, mode, event_type,
                subject_id, customer_id, status, attempts, next_attempt_at, created_at)
            SELECT (SELECT ids FROM event_ids)[x.ord], x.p, x.b, x.m, x.t,
                COALESCE(({new_ids})[x.k], x.s),
                CASE WHEN x.cs THEN COALESCE(({new_ids})[x.k], x.s) ELSE x.c END,
                CASE WHEN h.has_url THEN 'pending' ELSE 'failed' END,
                CASE WHEN h.has_url THEN 0 ELSE 1 END, x.n, x.n
            FROM UNNEST({}::text[], {}::bigint[], {}::text[], {}::text[], {}::int[], {}::bigint[],
                {}::bigint[], {}::boolean[], {}::text[])
                WITH ORDINALITY AS x(p, b, m, t, k, s, c, cs, n, ord)
            CROSS JOIN LATERAL (
                SELECT EXISTS (SELECT 1 FROM webhook_endpoint
                    WHERE business_id = x.b AND mode = x.m AND url IS NOT NULL) AS has_url) AS h
            RETURNING webhook_event_id, status, created_at
         ), event_attempts AS (
            INSERT INTO webhook_attempt (webhook_event_id, attempted_at, latency_ms, error)
            SELECT webhook_event_id, created_at, 0, {no_url} FROM events WHERE status = 'failed'
         )",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8),
        p(9),
        count = p(0),
        no_url = p(10),
    )
}

/// Binds [`cte`]'s parameters, in order.
pub(crate) fn bind<'q>(
    query: Query<'q, Postgres, PgArguments>,
    events: &[NewEvent],
) -> Query<'q, Postgres, PgArguments> {
    let public_ids: Vec<String> = events
        .iter()
        .map(|_| format!("evt_{}", kobo_core::ids::random_alphanumeric(24)))
        .collect();
    let k: Vec<Option<i32>> = events
        .iter()
        .map(|e| match e.subject {
            // 1-based, as SQL arrays are.
            Subject::New(k) => Some(k as i32 + 1),
            Subject::Id(_) => None,
        })
        .collect();
    let s: Vec<Option<i64>> = events
        .iter()
        .map(|e| match e.subject {
            Subject::New(_) => None,
            Subject::Id(id) => Some(id),
        })
        .collect();
    query
        .bind(events.len() as i32)
        .bind(public_ids)
        .bind(
            events
                .iter()
                .map(|e| e.scope.business_id)
                .collect::<Vec<_>>(),
        )
        .bind(
            events
                .iter()
                .map(|e| e.scope.mode.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(events.iter().map(|e| e.event_type).collect::<Vec<_>>())
        .bind(k)
        .bind(s)
        .bind(events.iter().map(|e| e.customer_id).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.customer_is_subject)
                .collect::<Vec<_>>(),
        )
        .bind(events.iter().map(|e| e.now.clone()).collect::<Vec<_>>())
        .bind(NO_URL_ERROR)
}
