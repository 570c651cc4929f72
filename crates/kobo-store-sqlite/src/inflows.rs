//! Inflows: many share one commit, and every answer is given only after it.
//!
//! A batch runs inside the writer's transaction, under one savepoint
//! (`inflow_batch`) and without a savepoint per inflow: every check that can
//! refuse an inflow (unknown account, repeated session, overflow) runs before
//! that inflow writes anything, and balances move in memory until one flush
//! per batch (`ledger::Balances`). If a statement fails anyway, the batch is
//! rolled back to its savepoint and each of its inflows is run again under a
//! savepoint of its own (`inflow_one`), so one bad inflow never takes its
//! neighbours with it.
//!
//! Exactly once: `(dedupe_scope, session_id)` is unique. A repeat with the same
//! amount and account answers the first result and posts nothing; a repeat
//! with another amount or account is a conflict, counted on the first inflow.

use std::collections::HashMap;

use kobo_core::ledger::{FeeSchedule, Posting};
use kobo_core::{Kobo, Mode};
use kobo_store::HouseAccounts as House;
use kobo_store::*;
use rusqlite::types::FromSql;
use rusqlite::{params, Connection, OptionalExtension, Params, Row};

use crate::error::map;
use crate::time::{now_text, parse, to_text};

/// What one inflow did inside the batch; a conflict is not an error of the
/// batch, because the conflict counter it bumps must be kept.
enum Applied {
    Posted(Inflow),
    Replayed(Inflow),
    Conflict,
}

/// Posts `batch` on the writer's connection, inside its transaction. The outer
/// error means a savepoint could not be rolled back to: the transaction is
/// then in an unknown state and the caller must roll it back.
pub(crate) fn post_batch(
    conn: &Connection,
    batch: Vec<InflowRequest>,
) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
    match in_savepoint(conn, "inflow_batch", || run(conn, &batch))? {
        Ok(results) => Ok(results),
        Err(e) if batch.len() == 1 => Ok(vec![Err(e)]),
        Err(e) => {
            tracing::warn!(error = %e, size = batch.len(), "inflow batch rolled back; posting its inflows one by one");
            batch
                .iter()
                .map(|request| post_alone(conn, request))
                .collect()
        }
    }
}

/// One inflow under its own savepoint: an error after it started writing
/// undoes only its writes and is its answer.
fn post_alone(
    conn: &Connection,
    request: &InflowRequest,
) -> StoreResult<StoreResult<InflowOutcome>> {
    let one = in_savepoint(conn, "inflow_one", || {
        run(conn, std::slice::from_ref(request))
    })?;
    Ok(match one {
        Ok(mut one) => one
            .pop()
            .unwrap_or(Err(StoreError::Internal("no answer".into()))),
        Err(e) => Err(e),
    })
}

/// Runs `f` under the savepoint `name`: released when `f` succeeds; rolled
/// back to and released when it fails, its error becoming the inner result.
/// The outer error is a savepoint statement that failed.
fn in_savepoint<T>(
    conn: &Connection,
    name: &str,
    f: impl FnOnce() -> StoreResult<T>,
) -> StoreResult<StoreResult<T>> {
    crate::db::exec(conn, &format!("SAVEPOINT {name}"))?;
    match f() {
        Ok(value) => {
            crate::db::exec(conn, &format!("RELEASE {name}"))?;
            Ok(Ok(value))
        }
        Err(e) => match crate::db::exec(conn, &format!("ROLLBACK TO {name}"))
            .and_then(|()| crate::db::exec(conn, &format!("RELEASE {name}")))
        {
            Ok(()) => Ok(Err(e)),
            Err(undo) => {
                // SQLite may already have rolled the whole transaction back
                // (disk full, I/O error): the first error is the cause.
                tracing::error!(error = %e, rollback = %undo, "could not roll back to savepoint {name}");
                Err(e)
            }
        },
    }
}

/// One savepoint's worth of `batch`. A refusal decided before the inflow
/// wrote anything (unknown account, bad amount) is that inflow's answer; an
/// error after it started writing is returned, and the caller rolls the
/// whole batch back. The balances are flushed last, before the savepoint is
/// released.
fn run(conn: &Connection, batch: &[InflowRequest]) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
    let mut cache = Cache::default();
    let mut results = Vec::with_capacity(batch.len());
    for request in batch {
        cache.wrote = false;
        let outcome = match apply(conn, &mut cache, request) {
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
    cache.balances.flush(conn)?;
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

fn dedupe_scope(door: Door) -> String {
    match door {
        Door::Provider => "live".to_string(),
        Door::Sandbox { business_id } => format!("test:{business_id}"),
    }
}

/// The virtual account an inflow names, with its customer, the customer's
/// collection wallet and, for a one-time account, its state.
struct Target {
    virtual_account_id: i64,
    business_id: i64,
    mode: String,
    status: String,
    customer_id: i64,
    code: String,
    reference: String,
    customer_status: String,
    customer_type: String,
    wallet_account: i64,
    collection_account: Option<i64>,
    kind: String,
    ota_amount: Option<i64>,
    ota_paid: Option<i64>,
    ota_status: Option<String>,
    ota_expires_at: Option<String>,
}

impl Target {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Target> {
        Ok(Target {
            virtual_account_id: r.get("virtual_account_id")?,
            business_id: r.get("business_id")?,
            mode: r.get("mode")?,
            status: r.get("status")?,
            customer_id: r.get("customer_id")?,
            code: r.get("code")?,
            reference: r.get("reference")?,
            customer_status: r.get("customer_status")?,
            customer_type: r.get("customer_type")?,
            wallet_account: r.get("wallet_account")?,
            collection_account: r.get("collection_account")?,
            kind: r.get("kind")?,
            ota_amount: r.get("ota_amount")?,
            ota_paid: r.get("ota_paid")?,
            ota_status: r.get("ota_status")?,
            ota_expires_at: r.get("ota_expires_at")?,
        })
    }
}

/// The account `account_number` names, or `NotFound`.
fn target(conn: &Connection, account_number: &str) -> StoreResult<Target> {
    conn.prepare_cached(
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
    .map_err(map)?
    .query_row(params![account_number], Target::from_row)
    .optional()
    .map_err(map)?
    .ok_or(StoreError::NotFound)
}

/// An earlier inflow with the same session id: a replay when it matches,
/// otherwise a conflict counted on it (a write).
fn repeat(
    conn: &Connection,
    cache: &mut Cache,
    req: &InflowRequest,
    first: Inflow,
) -> StoreResult<Applied> {
    if first.gross == req.amount && first.account_number == req.account_number {
        return Ok(Applied::Replayed(first));
    }
    cache.wrote = true;
    conn.prepare_cached("UPDATE inflow SET conflicts = conflicts + 1 WHERE inflow_id = ?")
        .map_err(map)?
        .execute(params![first.id])
        .map_err(map)?;
    tracing::warn!(session_id = %req.session_id, "session id repeated with another amount or account; flagged");
    Ok(Applied::Conflict)
}

fn apply(conn: &Connection, cache: &mut Cache, req: &InflowRequest) -> StoreResult<Applied> {
    if !req.amount.is_positive() {
        return Err(StoreError::Internal(
            "an inflow amount must be positive".into(),
        ));
    }
    let scope_key = dedupe_scope(req.door);
    let existing = query_one(
        conn,
        &format!("{SELECT} WHERE i.dedupe_scope = ? AND i.session_id = ?"),
        params![&scope_key, &req.session_id],
    )?;
    if let Some(first) = existing {
        return repeat(conn, cache, req, first);
    }
    let target = target(conn, &req.account_number)?;
    let business_id = target.business_id;
    if matches!(req.door, Door::Sandbox { business_id: b } if b != business_id) {
        return Err(StoreError::NotFound);
    }
    let mode = req.door.mode();
    let scope = Scope { business_id, mode };
    let house = house_accounts(conn, cache, scope)?;
    let customer_id = target.customer_id;
    let now = now_text();
    let one_time = one_time_state(&target, &now)?;
    let reason = suspense_reason(&Landing {
        account_mode: &target.mode,
        door_mode: mode,
        account_active: target.status == "ACTIVE",
        one_time_expired: one_time.as_ref().is_some_and(|o| o.expired),
        customer_active: target.customer_status == "ACTIVE",
        collection_without_wallet: target.customer_type == "collection"
            && target.collection_account.is_none(),
    });
    let credit = match reason {
        Some(_) => None,
        None => Some(Credit {
            account_id: if target.customer_type == "collection" {
                target
                    .collection_account
                    .ok_or_else(|| StoreError::Internal("no collection wallet".into()))?
            } else {
                target.wallet_account
            },
            customer_id,
            fee: fee_schedule(conn, cache, scope)?,
        }),
    };
    let (status, split, lines) = inflow_lines(req.amount, house, credit)?;
    // Money for a test account that arrived through the live door (or the
    // reverse) is held in the door's mode; the customer belongs to the other
    // world, so it is not named on the inflow.
    let owner = (reason != Some("wrong_mode")).then_some(customer_id);
    let posting = Posting::new(lines).map_err(|e| StoreError::Internal(e.to_string()))?;
    cache.wrote = true;
    let journal_id = cache.balances.post(conn, scope, "inflow", &posting)?;
    let account_id = target.virtual_account_id;
    let (flag, one_time_event) = match &one_time {
        Some(o) => apply_one_time(conn, account_id, o, status, req.amount)?,
        None => (None, None),
    };
    let refund_due = reason == Some("expired");
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO inflow (dedupe_scope, session_id, business_id, mode, account_number, virtual_account_id,
                customer_id, status, reason, gross_kobo, fee_kobo, vat_kobo, net_kobo, sender_name,
                sender_account_number, sender_bank_code, narration, paid_at, journal_id, created_at, flag,
                refund_due)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING inflow_id",
        )
        .map_err(map)?
        .query_row(
            params![
                &scope_key,
                &req.session_id,
                business_id,
                mode.as_str(),
                &req.account_number,
                target.virtual_account_id,
                owner,
                status.as_str(),
                reason,
                split.gross.0,
                split.fee.0,
                split.vat.0,
                split.net.0,
                &req.sender_name,
                &req.sender_account_number,
                &req.sender_bank_code,
                &req.narration,
                to_text(req.paid_at),
                journal_id,
                &now,
                flag,
                refund_due,
            ],
            |r| r.get(0),
        )
        .map_err(map)?;
    let inflow_event = match status {
        InflowStatus::Credited => "inflow.received",
        InflowStatus::Suspense => "inflow.suspended",
    };
    crate::events::record(conn, scope, inflow_event, id, owner)?;
    if let Some(event) = one_time_event {
        crate::events::record(conn, scope, event, account_id, owner)?;
    }
    Ok(Applied::Posted(Inflow {
        id,
        session_id: req.session_id.clone(),
        mode,
        account_number: req.account_number.clone(),
        customer_id: owner,
        customer_code: owner.map(|_| target.code.clone()),
        customer_reference: owner.map(|_| target.reference.clone()),
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

fn one_time_state(target: &Target, now: &str) -> StoreResult<Option<OneTimeState>> {
    if target.kind != "one_time" {
        return Ok(None);
    }
    let missing = || StoreError::Internal("one-time account without its state".into());
    let status = target.ota_status.clone().ok_or_else(missing)?;
    let expires_at = target.ota_expires_at.as_deref().ok_or_else(missing)?;
    Ok(Some(OneTimeState {
        amount: target.ota_amount.ok_or_else(missing)?,
        paid: target.ota_paid.ok_or_else(missing)?,
        expired: status == "EXPIRED" || now >= expires_at,
        status,
    }))
}

/// Moves a one-time account on after a payment: credited payments add to
/// `amount_paid` and approve it once the amount is reached (flagging any
/// excess); a payment after expiry marks it EXPIRED. Returns the inflow's
/// flag and the one-time account event the payment caused, if any.
fn apply_one_time(
    conn: &Connection,
    account_id: i64,
    state: &OneTimeState,
    status: InflowStatus,
    gross: Kobo,
) -> StoreResult<(Option<&'static str>, Option<&'static str>)> {
    if state.expired {
        let changed = conn
            .prepare_cached(
                "UPDATE one_time_account SET status = 'EXPIRED' WHERE virtual_account_id = ? AND status = 'PENDING'",
            )
            .map_err(map)?
            .execute(params![account_id])
            .map_err(map)?;
        let event = (changed > 0).then_some("one_time_account.expired");
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
    conn.prepare_cached(
        "UPDATE one_time_account SET amount_paid_kobo = ?, status = ? WHERE virtual_account_id = ?",
    )
    .map_err(map)?
    .execute(params![paid, new_status, account_id])
    .map_err(map)?;
    Ok((flag, event))
}

fn house_accounts(conn: &Connection, cache: &mut Cache, scope: Scope) -> StoreResult<House> {
    if let Some(h) = cache.house.get(&(scope.business_id, scope.mode)) {
        return Ok(*h);
    }
    let rows = conn
        .prepare_cached(
            "SELECT ledger_account_id, kind FROM ledger_account
             WHERE business_id = ? AND mode = ? AND kind IN ('settlement', 'suspense', 'fee_revenue', 'vat_payable')",
        )
        .map_err(map)?
        .query_map(params![scope.business_id, scope.mode.as_str()], |r| {
            Ok((
                r.get::<_, i64>("ledger_account_id")?,
                r.get::<_, String>("kind")?,
            ))
        })
        .map_err(map)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(map)?;
    let find = |kind: &str| {
        rows.iter()
            .find(|(_, k)| k == kind)
            .map(|(id, _)| *id)
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

fn fee_schedule(conn: &Connection, cache: &mut Cache, scope: Scope) -> StoreResult<FeeSchedule> {
    if let Some(f) = cache.fees.get(&(scope.business_id, scope.mode)) {
        return Ok(*f);
    }
    let fee = conn
        .prepare_cached(
            "SELECT basis_points, flat_kobo, cap_kobo FROM fee_schedule WHERE business_id = ? AND mode = ?",
        )
        .map_err(map)?
        .query_row(params![scope.business_id, scope.mode.as_str()], |r| {
            Ok(FeeSchedule {
                basis_points: r.get::<_, i64>("basis_points")? as u32,
                flat: Kobo(r.get("flat_kobo")?),
                cap: r.get::<_, Option<i64>>("cap_kobo")?.map(Kobo),
            })
        })
        .optional()
        .map_err(map)?
        .unwrap_or_default();
    cache.fees.insert((scope.business_id, scope.mode), fee);
    Ok(fee)
}

pub(crate) const SELECT: &str = "SELECT i.inflow_id, i.session_id, i.mode, i.account_number, i.customer_id,
        c.code AS customer_code, c.reference AS customer_reference, i.status, i.reason, i.gross_kobo,
        i.fee_kobo, i.vat_kobo, i.net_kobo, i.sender_name, i.sender_account_number, i.sender_bank_code,
        i.narration, i.paid_at, i.created_at, i.conflicts, i.flag, i.refund_due
     FROM inflow i LEFT JOIN customer c ON c.customer_id = i.customer_id";

/// One column of `r`, its error mapped.
fn col<T: FromSql>(r: &Row<'_>, name: &str) -> StoreResult<T> {
    r.get(name).map_err(map)
}

pub(crate) fn from_row(r: &Row<'_>) -> StoreResult<Inflow> {
    Ok(Inflow {
        id: col(r, "inflow_id")?,
        session_id: col(r, "session_id")?,
        mode: Mode::parse(&col::<String>(r, "mode")?)
            .ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        account_number: col(r, "account_number")?,
        customer_id: col(r, "customer_id")?,
        customer_code: col(r, "customer_code")?,
        customer_reference: col(r, "customer_reference")?,
        status: InflowStatus::parse(&col::<String>(r, "status")?)
            .ok_or_else(|| StoreError::Internal("bad status".into()))?,
        reason: col(r, "reason")?,
        gross: Kobo(col(r, "gross_kobo")?),
        fee: Kobo(col(r, "fee_kobo")?),
        vat: Kobo(col(r, "vat_kobo")?),
        net: Kobo(col(r, "net_kobo")?),
        sender_name: col(r, "sender_name")?,
        sender_account_number: col(r, "sender_account_number")?,
        sender_bank_code: col(r, "sender_bank_code")?,
        narration: col(r, "narration")?,
        paid_at: parse(&col::<String>(r, "paid_at")?)?,
        created_at: parse(&col::<String>(r, "created_at")?)?,
        conflicts: col(r, "conflicts")?,
        flag: col(r, "flag")?,
        refund_due: col(r, "refund_due")?,
    })
}

/// The first inflow `sql` (a [`SELECT`] with its filter) finds, if any.
fn query_one(conn: &Connection, sql: &str, params: impl Params) -> StoreResult<Option<Inflow>> {
    let mut stmt = conn.prepare_cached(sql).map_err(map)?;
    let mut rows = stmt.query(params).map_err(map)?;
    rows.next().map_err(map)?.map(from_row).transpose()
}

pub(crate) fn find(
    conn: &Connection,
    scope: Scope,
    session_id: &str,
) -> StoreResult<Option<Inflow>> {
    query_one(
        conn,
        &format!("{SELECT} WHERE i.business_id = ? AND i.mode = ? AND i.session_id = ?"),
        params![scope.business_id, scope.mode.as_str(), session_id],
    )
}

pub(crate) fn list(
    conn: &Connection,
    scope: Scope,
    q: &InflowQuery,
) -> StoreResult<(Vec<Inflow>, u64)> {
    let filter = "i.business_id = ?1 AND i.mode = ?2 AND (?3 IS NULL OR i.status = ?3)";
    let status = q.status.map(|s| s.as_str());
    let mut stmt = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE {filter} AND i.inflow_id < COALESCE(?4, 9223372036854775807) ORDER BY i.inflow_id DESC LIMIT ?5 OFFSET ?6"
        ))
        .map_err(map)?;
    let mut rows = stmt
        .query(params![
            scope.business_id,
            scope.mode.as_str(),
            status,
            q.starting_after,
            q.limit as i64,
            q.offset as i64,
        ])
        .map_err(map)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(map)? {
        items.push(from_row(row)?);
    }
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM inflow i WHERE {filter}"))
        .map_err(map)?
        .query_row(
            params![scope.business_id, scope.mode.as_str(), status],
            |r| r.get(0),
        )
        .map_err(map)?;
    Ok((items, total.max(0) as u64))
}

pub(crate) fn find_by_id(conn: &Connection, scope: Scope, id: i64) -> StoreResult<Option<Inflow>> {
    query_one(
        conn,
        &format!("{SELECT} WHERE i.inflow_id = ? AND i.business_id = ? AND i.mode = ?"),
        params![id, scope.business_id, scope.mode.as_str()],
    )
}
