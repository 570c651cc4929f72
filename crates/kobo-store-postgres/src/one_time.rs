//! One-time accounts: issued from the same serial space as permanent ones,
//! with an expected amount and an expiry. This file creates, lists and sweeps
//! them, and moves one on when a payment reaches it (called by the inflow
//! path with the account's row locked).

use chrono::{DateTime, Utc};
use kobo_core::Kobo;
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

use crate::error::map;
use crate::time::{now_text, parse, to_text};
use crate::virtual_accounts::{self, Kind};

const SELECT: &str = "SELECT v.virtual_account_id, v.code, v.customer_id, v.mode, v.account_number,
        v.account_name, v.bank_name, v.bank_code, v.provider, v.status, v.reference, v.created_at,
        o.reference AS ota_reference, o.amount_kobo, o.amount_paid_kobo, o.status AS ota_status,
        o.expires_at
     FROM one_time_account o JOIN virtual_account v ON v.virtual_account_id = o.virtual_account_id";

pub(crate) async fn create(
    pool: &PgPool,
    scope: Scope,
    customer_id: i64,
    new: NewOneTimeAccount,
    issuer: &AccountIssuer,
) -> StoreResult<OneTimeAccount> {
    let mut tx = pool.begin().await.map_err(map)?;
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
            status, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7)",
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
    let row = sqlx::query(&format!("{SELECT} WHERE o.virtual_account_id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    from_row(&row)
}

pub(crate) async fn of_customer(
    pool: &PgPool,
    scope: Scope,
    customer_id: i64,
) -> StoreResult<Vec<OneTimeAccount>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE v.customer_id = $1 AND v.business_id = $2 AND v.mode = $3
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

/// Marks due accounts EXPIRED and records an event for each, in one
/// transaction. Rows that an inflow holds locked are skipped (`SKIP
/// LOCKED`): that inflow settles the account itself, and the next sweep (on
/// any node) takes whatever is left, so sweeps never wait or deadlock on
/// posting, and two nodes sweeping at once never expire one account twice.
pub(crate) async fn expire(pool: &PgPool, now: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(map)?;
    let rows = sqlx::query(
        "UPDATE one_time_account o SET status = 'EXPIRED'
         FROM virtual_account v
         WHERE v.virtual_account_id = o.virtual_account_id
           AND o.virtual_account_id IN (
            SELECT virtual_account_id FROM one_time_account
            WHERE status = 'PENDING' AND expires_at <= $1
            FOR UPDATE SKIP LOCKED)
         RETURNING o.virtual_account_id, o.business_id, o.mode, v.customer_id",
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
        let event = "one_time_account.expired";
        let account: i64 = r.get("virtual_account_id");
        crate::events::record(&mut tx, scope, event, account, r.get("customer_id")).await?;
    }
    tx.commit().await.map_err(map)?;
    Ok(rows.len() as u64)
}

/// A one-time account by its virtual account id.
pub(crate) async fn find(
    pool: &PgPool,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<OneTimeAccount>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE o.virtual_account_id = $1 AND v.business_id = $2 AND v.mode = $3"
    ))
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &PgRow) -> StoreResult<OneTimeAccount> {
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

/// A one-time account's state when a payment reaches it.
pub(crate) struct OneTimeState {
    pub amount: i64,
    pub paid: i64,
    pub status: String,
    /// Past its expiry at posting time (kobo's clock, not the bank's `paid_at`),
    /// whatever its status, or already marked expired.
    pub expired: bool,
}

/// Reads the account's state and locks its row until the batch commits, so
/// a sweep or another payment cannot change it underneath this one.
pub(crate) async fn lock_state(
    conn: &mut PgConnection,
    account_id: i64,
    now: &str,
) -> StoreResult<OneTimeState> {
    let row = sqlx::query(
        "SELECT amount_kobo, amount_paid_kobo, status, expires_at FROM one_time_account
         WHERE virtual_account_id = $1 FOR UPDATE",
    )
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map)?
    .ok_or_else(|| StoreError::Internal("one-time account without its details".into()))?;
    let status: String = row.get("status");
    let expires_at: &str = row.get("expires_at");
    Ok(OneTimeState {
        amount: row.get("amount_kobo"),
        paid: row.get("amount_paid_kobo"),
        expired: status == "EXPIRED" || now >= expires_at,
        status,
    })
}

/// What a payment did to a one-time account: the inflow's flag and the
/// event to record about the account.
pub(crate) struct Payment {
    pub flag: Option<&'static str>,
    pub event: Option<&'static str>,
}

/// Moves a one-time account on after a payment: credited payments add to
/// `amount_paid` and approve it once the amount is reached (flagging any
/// excess); a payment after expiry marks it EXPIRED.
pub(crate) async fn apply_payment(
    conn: &mut PgConnection,
    account_id: i64,
    state: &OneTimeState,
    status: InflowStatus,
    gross: Kobo,
) -> StoreResult<Payment> {
    if state.expired {
        let changed = sqlx::query(
            "UPDATE one_time_account SET status = 'EXPIRED'
             WHERE virtual_account_id = $1 AND status = 'PENDING'",
        )
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
        let event = (changed.rows_affected() > 0).then_some("one_time_account.expired");
        return Ok(Payment { flag: None, event });
    }
    if status != InflowStatus::Credited {
        return Ok(Payment {
            flag: None,
            event: None,
        });
    }
    let Credit {
        paid,
        status: new_status,
        flag,
        event,
    } = credit(state, gross)?;
    sqlx::query(
        "UPDATE one_time_account SET amount_paid_kobo = $1, status = $2
         WHERE virtual_account_id = $3",
    )
    .bind(paid)
    .bind(new_status)
    .bind(account_id)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    Ok(Payment { flag, event })
}

/// A credited payment's effect on a one-time account that has not expired.
pub(crate) struct Credit {
    pub paid: i64,
    pub status: &'static str,
    pub flag: Option<&'static str>,
    pub event: Option<&'static str>,
}

/// Adds `gross` to what was paid (checked) and decides the new status, the
/// inflow's flag and the account's event.
pub(crate) fn credit(state: &OneTimeState, gross: Kobo) -> StoreResult<Credit> {
    let paid = state
        .paid
        .checked_add(gross.0)
        .ok_or_else(|| StoreError::Internal("amount_paid overflow".into()))?;
    let (status, flag, event) = if state.status == "APPROVED" {
        ("APPROVED", Some("paid_after_approval"), None)
    } else if paid > state.amount {
        ("APPROVED", Some("overpaid"), Some("one_time_account.paid"))
    } else if paid == state.amount {
        ("APPROVED", None, Some("one_time_account.paid"))
    } else {
        ("PENDING", None, Some("one_time_account.partially_paid"))
    };
    Ok(Credit {
        paid,
        status,
        flag,
        event,
    })
}
