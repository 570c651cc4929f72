//! Reading inflows back: by session id, listed newest first, and the row shape.

use kobo_core::{Kobo, Mode};
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::error::map;
use crate::time::parse;

pub(crate) const SELECT: &str = "SELECT i.inflow_id, i.session_id, i.mode, i.account_number, i.customer_id,
        c.code AS customer_code, c.reference AS customer_reference, i.status, i.reason, i.gross_kobo,
        i.fee_kobo, i.vat_kobo, i.net_kobo, i.sender_name, i.sender_account_number, i.sender_bank_code,
        i.narration, i.paid_at, i.created_at, i.conflicts, i.flag, i.refund_due
     FROM inflow i LEFT JOIN customer c ON c.customer_id = i.customer_id";

pub(crate) fn from_row(r: &PgRow) -> StoreResult<Inflow> {
    Ok(Inflow {
        id: r.get("inflow_id"),
        session_id: r.get("session_id"),
        mode: Mode::parse(r.get("mode")).ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        account_number: r.get("account_number"),
        customer_id: r.get("customer_id"),
        customer_code: r.get("customer_code"),
        customer_reference: r.get("customer_reference"),
        status: InflowStatus::parse(r.get("status"))
            .ok_or_else(|| StoreError::Internal("bad status".into()))?,
        reason: r.get("reason"),
        gross: Kobo(r.get("gross_kobo")),
        fee: Kobo(r.get("fee_kobo")),
        vat: Kobo(r.get("vat_kobo")),
        net: Kobo(r.get("net_kobo")),
        sender_name: r.get("sender_name"),
        sender_account_number: r.get("sender_account_number"),
        sender_bank_code: r.get("sender_bank_code"),
        narration: r.get("narration"),
        paid_at: parse(r.get("paid_at"))?,
        created_at: parse(r.get("created_at"))?,
        conflicts: r.get("conflicts"),
        flag: r.get("flag"),
        refund_due: r.get("refund_due"),
    })
}

pub(crate) async fn find(
    pool: &PgPool,
    scope: Scope,
    session_id: &str,
) -> StoreResult<Option<Inflow>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE i.business_id = $1 AND i.mode = $2 AND i.session_id = $3"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(session_id)
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn find_by_id(
    pool: &PgPool,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<Inflow>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE i.inflow_id = $1 AND i.business_id = $2 AND i.mode = $3"
    ))
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

/// The inflows with these ids, in no particular order.
pub(crate) async fn by_ids(pool: &PgPool, ids: &[i64]) -> StoreResult<Vec<Inflow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!("{SELECT} WHERE i.inflow_id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await
        .map_err(map)?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn list(
    pool: &PgPool,
    scope: Scope,
    q: &InflowQuery,
) -> StoreResult<(Vec<Inflow>, u64)> {
    let filter = "i.business_id = $1 AND i.mode = $2 AND ($3::text IS NULL OR i.status = $3)";
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE {filter} AND i.inflow_id < COALESCE($4::bigint, 9223372036854775807)
         ORDER BY i.inflow_id DESC LIMIT $5 OFFSET $6"
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
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM inflow i WHERE {filter}"))
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .bind(q.status.map(|s| s.as_str()))
        .fetch_one(pool)
        .await
        .map_err(map)?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total.max(0) as u64))
}
