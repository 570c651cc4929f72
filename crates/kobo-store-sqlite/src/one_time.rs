//! One-time accounts: issued from the same serial space as permanent ones,
//! with an expected amount and an expiry. Payments into them are applied by
//! the inflow path (`inflows.rs`); this file creates, lists and sweeps them.

use chrono::{DateTime, Utc};
use kobo_core::Kobo;
use kobo_store::*;
use rusqlite::{params, Connection, Row};

use crate::error::map;
use crate::time::{now_text, parse, to_text};
use crate::virtual_accounts::{self, Kind};

const SELECT: &str = "SELECT v.virtual_account_id, v.code, v.customer_id, v.mode, v.account_number,
        v.account_name, v.bank_name, v.bank_code, v.provider, v.status, v.reference, v.created_at,
        o.reference AS ota_reference, o.amount_kobo, o.amount_paid_kobo, o.status AS ota_status,
        o.expires_at
     FROM one_time_account o JOIN virtual_account v ON v.virtual_account_id = o.virtual_account_id";

/// Issues the account and its one-time terms.
/// Runs inside the caller's write transaction.
pub(crate) fn create(
    conn: &Connection,
    scope: Scope,
    customer_id: i64,
    new: NewOneTimeAccount,
    issuer: &AccountIssuer,
) -> StoreResult<OneTimeAccount> {
    let id = virtual_accounts::issue(
        conn,
        scope,
        customer_id,
        Some(new.reference.clone()),
        issuer,
        Kind::OneTime,
    )?;
    conn.prepare_cached(
        "INSERT INTO one_time_account (virtual_account_id, business_id, mode, reference, amount_kobo,
            status, expires_at, created_at) VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)",
    )
    .map_err(map)?
    .execute(params![
        id,
        scope.business_id,
        scope.mode.as_str(),
        new.reference,
        new.amount.0,
        to_text(new.expires_at),
        now_text(),
    ])
    .map_err(map)?;
    let mut stmt = conn
        .prepare_cached(&format!("{SELECT} WHERE o.virtual_account_id = ?"))
        .map_err(map)?;
    let mut rows = stmt.query(params![id]).map_err(map)?;
    match rows.next().map_err(map)? {
        Some(row) => from_row(row),
        None => Err(map(rusqlite::Error::QueryReturnedNoRows)),
    }
}

pub(crate) fn of_customer(
    conn: &Connection,
    scope: Scope,
    customer_id: i64,
) -> StoreResult<Vec<OneTimeAccount>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE v.customer_id = ? AND v.business_id = ? AND v.mode = ?
             ORDER BY v.virtual_account_id DESC"
        ))
        .map_err(map)?;
    let mut rows = stmt
        .query(params![customer_id, scope.business_id, scope.mode.as_str()])
        .map_err(map)?;
    let mut accounts = Vec::new();
    while let Some(row) = rows.next().map_err(map)? {
        accounts.push(from_row(row)?);
    }
    Ok(accounts)
}

/// One account the sweep expired.
struct Expired {
    virtual_account_id: i64,
    business_id: i64,
    mode: String,
    customer_id: Option<i64>,
}

/// Marks pending accounts past their expiry as expired and records an event
/// for each; returns how many. Runs inside the caller's write transaction.
pub(crate) fn expire(conn: &Connection, now: DateTime<Utc>) -> StoreResult<u64> {
    let expired = conn
        .prepare_cached(
            "UPDATE one_time_account SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at <= ?
             RETURNING virtual_account_id, business_id, mode,
                (SELECT customer_id FROM virtual_account v
                 WHERE v.virtual_account_id = one_time_account.virtual_account_id) AS customer_id",
        )
        .map_err(map)?
        .query_map(params![to_text(now)], |r| {
            Ok(Expired {
                virtual_account_id: r.get("virtual_account_id")?,
                business_id: r.get("business_id")?,
                mode: r.get("mode")?,
                customer_id: r.get("customer_id")?,
            })
        })
        .map_err(map)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(map)?;
    for e in &expired {
        let scope = Scope {
            business_id: e.business_id,
            mode: kobo_core::Mode::parse(&e.mode)
                .ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        };
        crate::events::record(
            conn,
            scope,
            "one_time_account.expired",
            e.virtual_account_id,
            e.customer_id,
        )?;
    }
    Ok(expired.len() as u64)
}

pub(crate) fn find(
    conn: &Connection,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<OneTimeAccount>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE o.virtual_account_id = ? AND v.business_id = ? AND v.mode = ?"
        ))
        .map_err(map)?;
    let mut rows = stmt
        .query(params![id, scope.business_id, scope.mode.as_str()])
        .map_err(map)?;
    rows.next().map_err(map)?.map(from_row).transpose()
}

fn from_row(r: &Row<'_>) -> StoreResult<OneTimeAccount> {
    let text = |name: &str| r.get::<_, String>(name).map_err(map);
    Ok(OneTimeAccount {
        account: virtual_accounts::from_row(r)?,
        reference: text("ota_reference")?,
        amount: Kobo(r.get("amount_kobo").map_err(map)?),
        amount_paid: Kobo(r.get("amount_paid_kobo").map_err(map)?),
        status: OneTimeStatus::parse(&text("ota_status")?)
            .ok_or_else(|| StoreError::Internal("bad one-time status".into()))?,
        expires_at: parse(&text("expires_at")?)?,
        created_at: parse(&text("created_at")?)?,
    })
}
