//! A customer's movements: entries attributed to the customer (its own wallet,
//! or its collection wallet), newest first, with the inflow behind each.

use chrono::{Duration, NaiveDate, NaiveTime};
use kobo_core::Kobo;
use kobo_store::*;
use sqlx::{PgPool, Row};

use crate::error::map;
use crate::time::{parse, to_text};

/// The UTC instant a Lagos (UTC+1) day starts.
fn lagos_day_start(d: NaiveDate) -> String {
    to_text(d.and_time(NaiveTime::MIN).and_utc() - Duration::hours(1))
}

/// `$2`/`$3` bound the time (text compares as time, see `time.rs`); `$4` is
/// the direction: 1 deposits, -1 withdrawals, NULL both. The customer was
/// found within the caller's scope and ids are unique, so the entry table
/// alone answers (its (customer_id, entry_id) index walks any page).
const FILTER: &str = "e.customer_id = $1
    AND ($2::text IS NULL OR e.created_at >= $2) AND ($3::text IS NULL OR e.created_at < $3)
    AND ($4::bigint IS NULL OR ($4 = 1 AND e.amount > 0) OR ($4 = -1 AND e.amount < 0))";

pub(crate) async fn list(
    pool: &PgPool,
    _scope: Scope,
    customer: &Customer,
    q: &MovementQuery,
) -> StoreResult<(Vec<Movement>, u64)> {
    let from = q.from.map(lagos_day_start);
    let until = q.to.and_then(|d| d.succ_opt()).map(lagos_day_start);
    let direction: Option<i64> = q.deposits.map(|d| if d { 1 } else { -1 });
    let unfiltered = from.is_none() && until.is_none() && direction.is_none();
    // Unfiltered, the customer's (customer_id, entry_id) index alone finds the
    // page, skipped rows included (an OFFSET page walks only the index); the
    // journal and inflow are joined for the page's rows only.
    let filter = if unfiltered {
        "e.customer_id = $1 AND $2::text IS NULL AND $3::text IS NULL AND $4::bigint IS NULL"
    } else {
        FILTER
    };
    let sql = format!(
        "SELECT e.entry_id, j.uuid, e.amount, e.balance_after, e.created_at, i.inflow_id
         FROM entry e JOIN journal j ON j.journal_id = e.journal_id
         LEFT JOIN inflow i ON i.journal_id = e.journal_id
         WHERE e.entry_id IN (
             SELECT e.entry_id FROM entry e
             WHERE {filter} AND e.entry_id {cmp} COALESCE($5::bigint, {edge})
             ORDER BY e.entry_id {order} LIMIT $6 OFFSET $7)
         ORDER BY e.entry_id {order}",
        cmp = if q.ascending { ">" } else { "<" },
        // A plain range (not `$5 IS NULL OR …`), so the index walks straight
        // to the cursor at any depth.
        edge = if q.ascending {
            "-1"
        } else {
            "9223372036854775807"
        },
        order = if q.ascending { "ASC" } else { "DESC" },
    );
    let rows = sqlx::query(&sql)
        .bind(customer.id)
        .bind(&from)
        .bind(&until)
        .bind(direction)
        .bind(q.starting_after)
        .bind(q.limit as i64)
        .bind(q.offset as i64)
        .fetch_all(pool)
        .await
        .map_err(map)?;
    let inflow_ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.get::<Option<i64>, _>("inflow_id"))
        .collect();
    let inflows = crate::inflow_reads::by_ids(pool, &inflow_ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let inflow_id: Option<i64> = r.get("inflow_id");
        items.push(Movement {
            entry_id: r.get("entry_id"),
            journal_uuid: r.get("uuid"),
            amount: Kobo(r.get("amount")),
            balance_after: Kobo(r.get("balance_after")),
            created_at: parse(r.get("created_at"))?,
            inflow: inflow_id.and_then(|id| inflows.iter().find(|i| i.id == id).cloned()),
        });
    }
    if !q.with_total {
        return Ok((items, 0));
    }
    // Unfiltered, the kept count answers (migration 0008); a filtered total
    // still counts the matching entries.
    let total: i64 = if unfiltered {
        sqlx::query_scalar(
            "SELECT COALESCE((SELECT entries FROM customer_entry_count WHERE customer_id = $1), 0)",
        )
        .bind(customer.id)
        .fetch_one(pool)
        .await
        .map_err(map)?
    } else {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM entry e WHERE {FILTER}"))
            .bind(customer.id)
            .bind(&from)
            .bind(&until)
            .bind(direction)
            .fetch_one(pool)
            .await
            .map_err(map)?
    };
    Ok((items, total.max(0) as u64))
}

pub(crate) async fn collected_through(
    pool: &PgPool,
    scope: Scope,
    customer_id: i64,
) -> StoreResult<Kobo> {
    // SUM of BIGINT is NUMERIC in PostgreSQL; the cast brings it back (and
    // fails loudly rather than wrapping if it ever exceeded BIGINT).
    let sum: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(e.amount), 0)::bigint FROM entry e
         JOIN ledger_account a ON a.ledger_account_id = e.ledger_account_id
         WHERE e.customer_id = $1 AND a.kind = 'collection_wallet' AND a.business_id = $2
           AND a.mode = $3",
    )
    .bind(customer_id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_one(pool)
    .await
    .map_err(map)?;
    Ok(Kobo(sum))
}

/// Sum of a customer's movements before a Lagos day (a statement's opening balance).
pub(crate) async fn before(
    pool: &PgPool,
    scope: Scope,
    customer_id: i64,
    day: NaiveDate,
) -> StoreResult<Kobo> {
    let sum: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(e.amount), 0)::bigint FROM entry e
         JOIN journal j ON j.journal_id = e.journal_id
         WHERE e.customer_id = $1 AND j.business_id = $2 AND j.mode = $3 AND e.created_at < $4",
    )
    .bind(customer_id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(lagos_day_start(day))
    .fetch_one(pool)
    .await
    .map_err(map)?;
    Ok(Kobo(sum))
}
