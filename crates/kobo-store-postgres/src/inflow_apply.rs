//! One inflow, inside its savepoint: answer a repeat, or resolve the account,
//! decide credit or suspense, post the journal and record the inflow.
//!
//! Exactly once: `(dedupe_scope, session_id)` is unique. A repeat with the same
//! amount and account answers the first result and posts nothing; a repeat
//! with another amount or account is a conflict, counted on the first inflow.

use kobo_core::ledger::{FeeSchedule, FeeSplit, Line, Posting};
use kobo_core::Mode;
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::error::{db_code, map, UNIQUE_VIOLATION};
use crate::inflow_cache::{Cache, House};
use crate::inflow_reads::{from_row, SELECT};
use crate::one_time;
use crate::time::{now_text, parse, to_text};

/// What one inflow did inside the batch; conflicts are not errors at the
/// savepoint level, because the conflict counter they bump must be kept.
pub(crate) enum Applied {
    Posted(Inflow),
    Replayed(Inflow),
    Conflict,
    /// Another node committed the same session id while this one was posting
    /// it: the savepoint is rolled back and the inflow applied again, which
    /// then finds the other node's row.
    Raced,
}

/// The account an inflow names, with its customer (a row for
/// [`suspense_reason`] and [`decide`]).
pub(crate) const TARGET: &str =
    "SELECT v.account_number, v.virtual_account_id, v.business_id, v.mode, v.status, v.kind,
            c.customer_id, c.code, c.reference, c.status AS customer_status, c.customer_type,
            c.ledger_account_id AS wallet_account, w.ledger_account_id AS collection_account
     FROM virtual_account v
     JOIN customer c ON c.customer_id = v.customer_id
     LEFT JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id";

pub(crate) fn dedupe_scope(door: Door) -> String {
    match door {
        Door::Provider => "live".to_string(),
        Door::Sandbox { business_id } => format!("test:{business_id}"),
    }
}

pub(crate) async fn apply(
    conn: &mut PgConnection,
    cache: &mut Cache,
    req: &InflowRequest,
) -> StoreResult<Applied> {
    let scope_key = dedupe_scope(req.door);
    let existing = sqlx::query(&format!(
        "{SELECT} WHERE i.dedupe_scope = $1 AND i.session_id = $2"
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
        sqlx::query("UPDATE inflow SET conflicts = conflicts + 1 WHERE inflow_id = $1")
            .bind(first.id)
            .execute(&mut *conn)
            .await
            .map_err(map)?;
        tracing::warn!(session_id = %req.session_id, "session id repeated with another amount or account; flagged");
        return Ok(Applied::Conflict);
    }
    let target = sqlx::query(&format!("{TARGET} WHERE v.account_number = $1"))
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
    cache.load_houses(conn, &[business_id]).await?;
    let house = cache.house(scope)?;
    let customer_id: i64 = target.get("customer_id");
    let virtual_account_id: i64 = target.get("virtual_account_id");
    let now = now_text();
    let one_time = if target.get::<&str, _>("kind") == "one_time" {
        Some(one_time::lock_state(conn, virtual_account_id, &now).await?)
    } else {
        None
    };
    let reason = suspense_reason(&target, mode, one_time.as_ref().is_some_and(|o| o.expired));
    let fee = match reason {
        Some(_) => None,
        None => Some(cache.fee_schedule(conn, scope).await?),
    };
    let (status, split, lines) = decide(req, &target, house, fee)?;
    // Money for a test account that arrived through the live door (or the
    // reverse) is held in the door's mode; the customer belongs to the other
    // world, so it is not named on the inflow.
    let owner = (reason != Some("wrong_mode")).then_some(customer_id);
    let posting = Posting::new(lines).map_err(|e| StoreError::Internal(e.to_string()))?;
    let journal_id = crate::ledger::post(conn, scope, "inflow", &posting).await?;
    let payment = match &one_time {
        Some(o) => {
            Some(one_time::apply_payment(conn, virtual_account_id, o, status, req.amount).await?)
        }
        None => None,
    };
    let flag = payment.as_ref().and_then(|p| p.flag);
    let refund_due = reason == Some("expired");
    let inserted = sqlx::query_scalar(
        "INSERT INTO inflow (dedupe_scope, session_id, business_id, mode, account_number, virtual_account_id,
            customer_id, status, reason, gross_kobo, fee_kobo, vat_kobo, net_kobo, sender_name,
            sender_account_number, sender_bank_code, narration, paid_at, journal_id, created_at, flag,
            refund_due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, $21, $22)
         RETURNING inflow_id",
    )
    .bind(&scope_key)
    .bind(&req.session_id)
    .bind(business_id)
    .bind(mode.as_str())
    .bind(&req.account_number)
    .bind(virtual_account_id)
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
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(e) if is_session_race(&e) => return Ok(Applied::Raced),
        Err(e) => return Err(map(e)),
    };
    let inflow_event = match status {
        InflowStatus::Credited => "inflow.received",
        InflowStatus::Suspense => "inflow.suspended",
    };
    crate::events::record(conn, scope, inflow_event, id, owner).await?;
    if let Some(event) = payment.and_then(|p| p.event) {
        crate::events::record(conn, scope, event, virtual_account_id, owner).await?;
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

/// Why an inflow to this target (a row of the target query) is held in
/// suspense, if it is (`kobo_store::suspense_reason`); `one_time_expired`
/// says a one-time target is past its window.
pub(crate) fn suspense_reason(
    target: &PgRow,
    mode: Mode,
    one_time_expired: bool,
) -> Option<&'static str> {
    kobo_store::suspense_reason(&Landing {
        account_mode: target.get("mode"),
        door_mode: mode,
        account_active: target.get::<&str, _>("status") == "ACTIVE",
        one_time_expired,
        customer_active: target.get::<&str, _>("customer_status") == "ACTIVE",
        collection_without_wallet: target.get::<&str, _>("customer_type") == "collection"
            && target.get::<Option<i64>, _>("collection_account").is_none(),
    })
}

/// The inflow's status, split and posting lines (`kobo_store::inflow_lines`):
/// `fee` is the scope's fee schedule for a credit, `None` for suspense.
pub(crate) fn decide(
    req: &InflowRequest,
    target: &PgRow,
    house: House,
    fee: Option<FeeSchedule>,
) -> StoreResult<(InflowStatus, FeeSplit, Vec<Line>)> {
    let credit = fee.map(|fee| Credit {
        account_id: if target.get::<&str, _>("customer_type") == "collection" {
            target.get("collection_account")
        } else {
            target.get("wallet_account")
        },
        customer_id: target.get("customer_id"),
        fee,
    });
    inflow_lines(req.amount, house, credit)
}

/// The session id was committed by another transaction after our check.
pub(crate) fn is_session_race(e: &sqlx::Error) -> bool {
    matches!(db_code(e), Some((code, Some(constraint)))
        if code == UNIQUE_VIOLATION && constraint == "inflow_session_once")
}
