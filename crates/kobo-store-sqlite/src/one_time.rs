//! One-time accounts: issued from the same serial space as permanent ones,
//! with an expected amount and an expiry. Payments into them are applied by
//! the inflow path (`inflows.rs`); this file creates, lists and sweeps them.

use chrono::{DateTime, Utc};
use kobo_core::Kobo;
use kobo_store::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::error::map;
use crate::time::{now_text, parse, to_text};
use crate::virtual_accounts::{self, Kind};

const SELECT: &str = "SELECT v.virtual_account_id, v.code, v.customer_id, v.mode, v.account_number,
        v.account_name, v.bank_name, v.bank_code, v.provider, v.status, v.reference, v.created_at,
        o.reference AS ota_reference, o.amount_kobo, o.amount_paid_kobo, o.status AS ota_status,
        o.expires_at
     FROM one_time_account o JOIN virtual_account v ON v.virtual_account_id = o.virtual_account_id";

pub(crate) async fn create(
    pool: &SqlitePool,
    scope: Scope,
    customer_id: i64,
    new: NewOneTimeAccount,
    issuer: &AccountIssuer,
) -> StoreResult<OneTimeAccount> {
    let mut tx = crate::write::begin(pool).await?;
    let id = virtual_accounts::issue(
        &mut tx,
        scope,
        customer_id,
        Some(new.reference.clone()),
        issuer,
        Kind::OneTime,
    )
    .await?;
    sqlx::query(
        "INSERT INTO one_time_account (virtual_account_id, business_id, mode, reference, amount_kobo,
            status, expires_at, created_at) VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)",
    )
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(&new.reference)
    .bind(new.amount.0)
    .bind(to_text(new.expires_at))
    .bind(now_text())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    let row = sqlx::query(&format!("{SELECT} WHERE o.virtual_account_id = ?"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    from_row(&row)
}

pub(crate) async fn of_customer(
    pool: &SqlitePool,
    scope: Scope,
    customer_id: i64,
) -> StoreResult<Vec<OneTimeAccount>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE v.customer_id = ? AND v.business_id = ? AND v.mode = ?
         ORDER BY v.virtual_account_id DESC"
    ))
    .bind(customer_id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn expire(pool: &SqlitePool, now: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = crate::write::begin(pool).await?;
    let rows = sqlx::query(
        "UPDATE one_time_account SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at <= ?
         RETURNING virtual_account_id, business_id, mode,
            (SELECT customer_id FROM virtual_account v
             WHERE v.virtual_account_id = one_time_account.virtual_account_id) AS customer_id",
    )
    .bind(to_text(now))
    .fetch_all(&mut *tx)
    .await
    .map_err(map)?;
    for r in &rows {
        let scope = Scope {
            business_id: r.get("business_id"),
            mode: kobo_core::Mode::parse(r.get("mode"))
                .ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        };
        crate::events::record(
            &mut tx,
            scope,
            "one_time_account.expired",
            r.get("virtual_account_id"),
            r.get("customer_id"),
        )
        .await?;
    }
    tx.commit().await.map_err(map)?;
    Ok(rows.len() as u64)
}

pub(crate) async fn find(
    pool: &SqlitePool,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<OneTimeAccount>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE o.virtual_account_id = ? AND v.business_id = ? AND v.mode = ?"
    ))
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &SqliteRow) -> StoreResult<OneTimeAccount> {
    Ok(OneTimeAccount {
        account: virtual_accounts::from_row(r)?,
        reference: r.get("ota_reference"),
        amount: Kobo(r.get("amount_kobo")),
        amount_paid: Kobo(r.get("amount_paid_kobo")),
        status: OneTimeStatus::parse(r.get("ota_status"))
            .ok_or_else(|| StoreError::Internal("bad one-time status".into()))?,
        expires_at: parse(r.get("expires_at"))?,
        created_at: parse(r.get("created_at"))?,
    })
}
