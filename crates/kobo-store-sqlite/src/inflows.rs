//! Inflows: many share one commit, and every answer is given only after it.
//!
//! A batch runs without savepoints: every check that can refuse an inflow
//! (unknown account, repeated session, overflow) runs before that inflow
//! writes anything, and balances move in memory until one flush per batch
//! (`ledger::Balances`). If a statement fails anyway, the whole transaction
//! rolls back and each inflow of the batch is run again in a transaction of
//! its own, so one bad inflow never takes its neighbours with it.
//!
//! Exactly once: `(dedupe_scope, session_id)` is unique. A repeat with the same
//! amount and account answers the first result and posts nothing; a repeat
//! with another amount or account is a conflict, counted on the first inflow.

use std::collections::HashMap;

use kobo_core::ledger::{FeeSchedule, FeeSplit, Line, Posting};
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::error::map;
use crate::time::{now_text, parse, to_text};

/// What one inflow did inside the batch; a conflict is not an error of the
/// transaction, because the conflict counter it bumps must be kept.
enum Applied {
    Posted(Inflow),
    Replayed(Inflow),
    Conflict,
}

pub(crate) async fn post_batch(
    pool: &SqlitePool,
    batch: Vec<InflowRequest>,
) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
    match run(pool, &batch).await {
        Ok(results) => Ok(results),
        Err(e) if batch.len() == 1 => Ok(vec![Err(e)]),
        Err(e) => {
            tracing::warn!(error = %e, size = batch.len(), "inflow batch rolled back; posting its inflows one by one");
            let mut results = Vec::with_capacity(batch.len());
            for request in batch {
                results.push(match run(pool, std::slice::from_ref(&request)).await {
                    Ok(mut one) => one
                        .pop()
                        .unwrap_or(Err(StoreError::Internal("no answer".into()))),
                    Err(e) => Err(e),
                });
            }
            Ok(results)
        }
    }
}

/// One transaction for `batch`. A refusal decided before the inflow wrote
/// anything (unknown account, bad amount) is that inflow's answer; an error
/// after it started writing rolls the whole transaction back and is returned.
async fn run(
    pool: &SqlitePool,
    batch: &[InflowRequest],
) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
    let mut tx = crate::write::begin(pool).await?;
    let mut cache = Cache::default();
    let mut results = Vec::with_capacity(batch.len());
    for request in batch {
        cache.wrote = false;
        let outcome = match apply(&mut tx, &mut cache, request).await {
            Ok(Applied::Posted(inflow)) => Ok(InflowOutcome {
                inflow,
                replayed: false,
            }),
            Ok(Applied::Replayed(inflow)) => Ok(InflowOutcome {
                inflow,
                replayed: true,
            }),
            Ok(Applied::Conflict) => Err(StoreError::Conflict {
                field: "session_id",
            }),
            // Refused before it wrote anything: the batch goes on.
            Err(e) if !cache.wrote => Err(e),
            Err(e) => return Err(e),
        };
        results.push(outcome);
    }
    cache.balances.flush(&mut tx).await?;
    tx.commit().await.map_err(map)?;
    Ok(results)
}

/// Per-batch memo of house accounts and fee schedules.
#[derive(Default)]
struct Cache {
    house: HashMap<(i64, Mode), House>,
    fees: HashMap<(i64, Mode), FeeSchedule>,
    balances: crate::ledger::Balances,
    /// Set once the inflow being applied has written something.
    wrote: bool,
}

#[derive(Clone, Copy)]
struct House {
    settlement: i64,
    suspense: i64,
    fee_revenue: i64,
    vat_payable: i64,
}

fn dedupe_scope(door: Door) -> String {
    match door {
        Door::Provider => "live".to_string(),
        Door::Sandbox { business_id } => format!("test:{business_id}"),
    }
}

async fn apply(
    conn: &mut SqliteConnection,
    cache: &mut Cache,
    req: &InflowRequest,
) -> StoreResult<Applied> {
    if !req.amount.is_positive() {
        return Err(StoreError::Internal(
            "an inflow amount must be positive".into(),
        ));
    }
    let scope_key = dedupe_scope(req.door);
    let existing = sqlx::query(&format!(
        "{SELECT} WHERE i.dedupe_scope = ? AND i.session_id = ?"
    ))
    .bind(&scope_key)
    .bind(&req.session_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map)?;
    if let Some(row) = existing {
        let first = from_row(&row)?;
        if first.gross == req.amount && first.account_number == req.account_number {
            return Ok(Applied::Replayed(first));
        }
        cache.wrote = true;
        sqlx::query("UPDATE inflow SET conflicts = conflicts + 1 WHERE inflow_id = ?")
            .bind(first.id)
            .execute(&mut *conn)
            .await
            .map_err(map)?;
        tracing::warn!(session_id = %req.session_id, "session id repeated with another amount or account; flagged");
        return Ok(Applied::Conflict);
    }
    let target = sqlx::query(
        "SELECT v.virtual_account_id, v.business_id, v.mode, v.status, c.customer_id, c.code, c.reference,
                c.status AS customer_status, c.customer_type, c.ledger_account_id AS wallet_account,
                w.ledger_account_id AS collection_account, v.kind, o.amount_kobo AS ota_amount,
                o.amount_paid_kobo AS ota_paid, o.status AS ota_status, o.expires_at AS ota_expires_at
         FROM virtual_account v
         JOIN customer c ON c.customer_id = v.customer_id
         LEFT JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id
         LEFT JOIN one_time_account o ON o.virtual_account_id = v.virtual_account_id
         WHERE v.account_number = ?",
    )
    .bind(&req.account_number)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map)?
    .ok_or(StoreError::NotFound)?;
    let business_id: i64 = target.get("business_id");
    if matches!(req.door, Door::Sandbox { business_id: b } if b != business_id) {
        return Err(StoreError::NotFound);
    }
    let mode = req.door.mode();
    let scope = Scope { business_id, mode };
    let house = house_accounts(conn, cache, scope).await?;
    let customer_id: i64 = target.get("customer_id");
    let now = now_text();
    let one_time = one_time_state(&target, &now);
    let reason = if target.get::<&str, _>("mode") != mode.as_str() {
        Some("wrong_mode")
    } else if target.get::<&str, _>("status") != "ACTIVE" {
        Some("account_inactive")
    } else if one_time.as_ref().is_some_and(|o| o.expired) {
        // Past its window a one-time account takes no money (even once
        // approved): it is held for refund to the payer.
        Some("expired")
    } else if target.get::<&str, _>("customer_status") != "ACTIVE" {
        Some("customer_inactive")
    } else if target.get::<&str, _>("customer_type") == "collection"
        && target.get::<Option<i64>, _>("collection_account").is_none()
    {
        Some("no_collection_wallet")
    } else {
        None
    };
    let (status, split, lines) = match reason {
        Some(_) => {
            let split = FeeSplit {
                gross: req.amount,
                fee: Kobo::ZERO,
                vat: Kobo::ZERO,
                net: req.amount,
            };
            let lines = vec![
                line(house.settlement, neg(req.amount)?, None),
                line(house.suspense, req.amount, None),
            ];
            (InflowStatus::Suspense, split, lines)
        }
        None => {
            let split = fee_schedule(conn, cache, scope)
                .await?
                .split(req.amount)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            let credited = if target.get::<&str, _>("customer_type") == "collection" {
                target.get::<i64, _>("collection_account")
            } else {
                target.get::<i64, _>("wallet_account")
            };
            let lines = vec![
                line(house.settlement, neg(req.amount)?, None),
                line(credited, split.net, Some(customer_id)),
                line(house.fee_revenue, split.fee, None),
                line(house.vat_payable, split.vat, None),
            ];
            (InflowStatus::Credited, split, lines)
        }
    };
    // Money for a test account that arrived through the live door (or the
    // reverse) is held in the door's mode; the customer belongs to the other
    // world, so it is not named on the inflow.
    let owner = (reason != Some("wrong_mode")).then_some(customer_id);
    let posting = Posting::new(lines).map_err(|e| StoreError::Internal(e.to_string()))?;
    cache.wrote = true;
    let journal_id = cache.balances.post(conn, scope, "inflow", &posting).await?;
    let account_id: i64 = target.get("virtual_account_id");
    let (flag, one_time_event) = match &one_time {
        Some(o) => apply_one_time(conn, account_id, o, status, req.amount).await?,
        None => (None, None),
    };
    let refund_due = reason == Some("expired");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO inflow (dedupe_scope, session_id, business_id, mode, account_number, virtual_account_id,
            customer_id, status, reason, gross_kobo, fee_kobo, vat_kobo, net_kobo, sender_name,
            sender_account_number, sender_bank_code, narration, paid_at, journal_id, created_at, flag,
            refund_due)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING inflow_id",
    )
    .bind(&scope_key)
    .bind(&req.session_id)
    .bind(business_id)
    .bind(mode.as_str())
    .bind(&req.account_number)
    .bind(target.get::<i64, _>("virtual_account_id"))
    .bind(owner)
    .bind(status.as_str())
    .bind(reason)
    .bind(split.gross.0)
    .bind(split.fee.0)
    .bind(split.vat.0)
    .bind(split.net.0)
    .bind(&req.sender_name)
    .bind(&req.sender_account_number)
    .bind(&req.sender_bank_code)
    .bind(&req.narration)
    .bind(to_text(req.paid_at))
    .bind(journal_id)
    .bind(&now)
    .bind(flag)
    .bind(refund_due)
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    let inflow_event = match status {
        InflowStatus::Credited => "inflow.received",
        InflowStatus::Suspense => "inflow.suspended",
    };
    crate::events::record(conn, scope, inflow_event, id, owner).await?;
    if let Some(event) = one_time_event {
        crate::events::record(conn, scope, event, account_id, owner).await?;
    }
    Ok(Applied::Posted(Inflow {
        id,
        session_id: req.session_id.clone(),
        mode,
        account_number: req.account_number.clone(),
        customer_id: owner,
        customer_code: owner.map(|_| target.get("code")),
        customer_reference: owner.map(|_| target.get("reference")),
        status,
        reason: reason.map(str::to_string),
        gross: split.gross,
        fee: split.fee,
        vat: split.vat,
        net: split.net,
        sender_name: req.sender_name.clone(),
        sender_account_number: req.sender_account_number.clone(),
        sender_bank_code: req.sender_bank_code.clone(),
        narration: req.narration.clone(),
        paid_at: parse(&to_text(req.paid_at))?,
        created_at: parse(&now)?,
        conflicts: 0,
        flag: flag.map(str::to_string),
        refund_due,
    }))
}

/// A one-time account's state when a payment reaches it.
struct OneTimeState {
    amount: i64,
    paid: i64,
    status: String,
    /// Past its expiry at posting time (kobo's clock, not the bank's `paid_at`),
    /// whatever its status, or already marked expired.
    expired: bool,
}

fn one_time_state(target: &SqliteRow, now: &str) -> Option<OneTimeState> {
    if target.get::<&str, _>("kind") != "one_time" {
        return None;
    }
    let status: String = target.get("ota_status");
    let expires_at: String = target.get("ota_expires_at");
    Some(OneTimeState {
        amount: target.get("ota_amount"),
        paid: target.get("ota_paid"),
        expired: status == "EXPIRED" || now >= expires_at.as_str(),
        status,
    })
}

/// Moves a one-time account on after a payment: credited payments add to
/// `amount_paid` and approve it once the amount is reached (flagging any
/// excess); a payment after expiry marks it EXPIRED. Returns the inflow's
/// flag and the one-time account event the payment caused, if any.
async fn apply_one_time(
    conn: &mut SqliteConnection,
    account_id: i64,
    state: &OneTimeState,
    status: InflowStatus,
    gross: Kobo,
) -> StoreResult<(Option<&'static str>, Option<&'static str>)> {
    if state.expired {
        let changed = sqlx::query(
            "UPDATE one_time_account SET status = 'EXPIRED' WHERE virtual_account_id = ? AND status = 'PENDING'",
        )
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
        let event = (changed.rows_affected() > 0).then_some("one_time_account.expired");
        return Ok((None, event));
    }
    if status != InflowStatus::Credited {
        return Ok((None, None));
    }
    let paid = state
        .paid
        .checked_add(gross.0)
        .ok_or_else(|| StoreError::Internal("amount_paid overflow".into()))?;
    let (new_status, flag, event) = if state.status == "APPROVED" {
        ("APPROVED", Some("paid_after_approval"), None)
    } else if paid > state.amount {
        ("APPROVED", Some("overpaid"), Some("one_time_account.paid"))
    } else if paid == state.amount {
        ("APPROVED", None, Some("one_time_account.paid"))
    } else {
        ("PENDING", None, Some("one_time_account.partially_paid"))
    };
    sqlx::query(
        "UPDATE one_time_account SET amount_paid_kobo = ?, status = ? WHERE virtual_account_id = ?",
    )
    .bind(paid)
    .bind(new_status)
    .bind(account_id)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    Ok((flag, event))
}

fn line(account_id: i64, amount: Kobo, customer_id: Option<i64>) -> Line {
    Line {
        account_id,
        amount,
        customer_id,
    }
}

fn neg(k: Kobo) -> StoreResult<Kobo> {
    k.checked_neg()
        .ok_or_else(|| StoreError::Internal("amount overflow".into()))
}

async fn house_accounts(
    conn: &mut SqliteConnection,
    cache: &mut Cache,
    scope: Scope,
) -> StoreResult<House> {
    if let Some(h) = cache.house.get(&(scope.business_id, scope.mode)) {
        return Ok(*h);
    }
    let rows = sqlx::query(
        "SELECT ledger_account_id, kind FROM ledger_account
         WHERE business_id = ? AND mode = ? AND kind IN ('settlement', 'suspense', 'fee_revenue', 'vat_payable')",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    let find = |kind: &str| {
        rows.iter()
            .find(|r| r.get::<&str, _>("kind") == kind)
            .map(|r| r.get::<i64, _>("ledger_account_id"))
            .ok_or_else(|| StoreError::Internal(format!("business has no {kind} account")))
    };
    let house = House {
        settlement: find("settlement")?,
        suspense: find("suspense")?,
        fee_revenue: find("fee_revenue")?,
        vat_payable: find("vat_payable")?,
    };
    cache.house.insert((scope.business_id, scope.mode), house);
    Ok(house)
}

async fn fee_schedule(
    conn: &mut SqliteConnection,
    cache: &mut Cache,
    scope: Scope,
) -> StoreResult<FeeSchedule> {
    if let Some(f) = cache.fees.get(&(scope.business_id, scope.mode)) {
        return Ok(*f);
    }
    let row = sqlx::query("SELECT basis_points, flat_kobo, cap_kobo FROM fee_schedule WHERE business_id = ? AND mode = ?")
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map)?;
    let fee = row
        .map(|r| FeeSchedule {
            basis_points: r.get::<i64, _>("basis_points") as u32,
            flat: Kobo(r.get("flat_kobo")),
            cap: r.get::<Option<i64>, _>("cap_kobo").map(Kobo),
        })
        .unwrap_or_default();
    cache.fees.insert((scope.business_id, scope.mode), fee);
    Ok(fee)
}

pub(crate) const SELECT: &str = "SELECT i.inflow_id, i.session_id, i.mode, i.account_number, i.customer_id,
        c.code AS customer_code, c.reference AS customer_reference, i.status, i.reason, i.gross_kobo,
        i.fee_kobo, i.vat_kobo, i.net_kobo, i.sender_name, i.sender_account_number, i.sender_bank_code,
        i.narration, i.paid_at, i.created_at, i.conflicts, i.flag, i.refund_due
     FROM inflow i LEFT JOIN customer c ON c.customer_id = i.customer_id";

pub(crate) fn from_row(r: &SqliteRow) -> StoreResult<Inflow> {
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
    pool: &SqlitePool,
    scope: Scope,
    session_id: &str,
) -> StoreResult<Option<Inflow>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE i.business_id = ? AND i.mode = ? AND i.session_id = ?"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(session_id)
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn list(
    pool: &SqlitePool,
    scope: Scope,
    q: &InflowQuery,
) -> StoreResult<(Vec<Inflow>, u64)> {
    let filter = "i.business_id = ?1 AND i.mode = ?2 AND (?3 IS NULL OR i.status = ?3)";
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE {filter} AND i.inflow_id < COALESCE(?4, 9223372036854775807) ORDER BY i.inflow_id DESC LIMIT ?5 OFFSET ?6"
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

pub(crate) async fn find_by_id(
    pool: &SqlitePool,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<Inflow>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE i.inflow_id = ? AND i.business_id = ? AND i.mode = ?"
    ))
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}
