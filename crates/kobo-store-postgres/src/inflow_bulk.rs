//! The inflow batch in a handful of statements instead of a dozen per inflow:
//! BEGIN, one lock, two reads (three with one-time accounts), one write, COMMIT.
//!
//! One statement finds and locks every ledger account the batch may touch
//! (ascending id) and reads their balances and the house accounts. Then one
//! query reads the accounts the inflows name with their fee schedules, one
//! the rows already stored under the batch's session ids (and one locks the
//! one-time accounts, if any are named). The inflows are then applied one by
//! one in memory, with the decisions of `inflow_apply::apply` (shared code),
//! the same order of refusals and the same checked arithmetic, keeping running
//! balances, one-time states and the session ids posted so far; an inflow that
//! is refused writes nothing. Last, one statement takes the ids the new rows
//! need and writes them all (journals, entries, balances, inflows, conflict
//! counts, one-time accounts, events), in the order the inflows were applied.
//!
//! Whatever this path does not cover before writing (an account that is not
//! locked, a business whose house accounts were not found) sends the batch to
//! the one-by-one path in the same transaction ([`Fast::Slow`]); a write
//! that fails (a session id another node committed meanwhile, a constraint)
//! sends it there in a new transaction ([`Fast::Restart`]), where every
//! inflow gets its own answer as before.

use std::collections::{BTreeMap, HashMap};

use kobo_core::ledger::{FeeSchedule, FeeSplit, Posting};
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::error::map;
use crate::inflow_apply::{decide, dedupe_scope, suspense_reason, Applied, TARGET};
use crate::inflow_cache::Cache;
use crate::inflow_events::{self, NewEvent, Subject};
use crate::inflow_reads::{from_row, SELECT};
use crate::one_time::{self, OneTimeState};
use crate::time::{now_text, parse, to_text};

/// How the batch went on this path.
pub(crate) enum Fast {
    /// Every inflow's answer; the writes are made (the caller commits).
    Done(Vec<StoreResult<Applied>>),
    /// Nothing was written: apply the batch one by one in this transaction.
    Slow,
    /// A write failed and the transaction is lost: run the batch one by one
    /// in a new one.
    Restart,
}

/// A locked ledger account.
pub(crate) struct Locked {
    business_id: i64,
    mode: String,
    balance: Kobo,
}

/// Kinds of a business's house accounts.
const HOUSE_KINDS: [&str; 4] = ["settlement", "suspense", "fee_revenue", "vat_payable"];

/// Locks every ledger account the batch may post to, in one statement that
/// also finds them: each named account's wallet and collection wallet, and
/// the house accounts of its business in the door's mode (ascending id, as
/// every batch locks). Answers the balances and keeps the house accounts it
/// met in `cache`. Unknown account numbers touch nothing (they are refused
/// later, one by one).
pub(crate) async fn lock_batch(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
) -> StoreResult<HashMap<i64, Locked>> {
    let numbers: Vec<&str> = batch.iter().map(|r| r.account_number.as_str()).collect();
    let modes: Vec<&str> = batch.iter().map(|r| r.door.mode().as_str()).collect();
    let rows = sqlx::query(
        "SELECT a.ledger_account_id, a.business_id, a.mode, a.kind, a.balance
         FROM ledger_account a
         WHERE a.ledger_account_id IN (
            SELECT c.ledger_account_id FROM virtual_account v
            JOIN customer c ON c.customer_id = v.customer_id
            WHERE v.account_number = ANY($1)
            UNION ALL
            SELECT w.ledger_account_id FROM virtual_account v
            JOIN customer c ON c.customer_id = v.customer_id
            JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id
            WHERE v.account_number = ANY($1)
            UNION ALL
            SELECT h.ledger_account_id FROM UNNEST($1::text[], $2::text[]) AS r(number, mode)
            JOIN virtual_account v ON v.account_number = r.number
            JOIN ledger_account h ON h.business_id = v.business_id AND h.mode = r.mode
            WHERE h.kind = ANY($3))
         ORDER BY a.ledger_account_id FOR UPDATE OF a",
    )
    .bind(&numbers)
    .bind(&modes)
    .bind(&HOUSE_KINDS[..])
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    let mut houses = Vec::new();
    let mut locked = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.get("ledger_account_id");
        let business_id: i64 = r.get("business_id");
        let mode: String = r.get("mode");
        let kind: &str = r.get("kind");
        if HOUSE_KINDS.contains(&kind) {
            houses.push((business_id, mode.clone(), kind.to_string(), id));
        }
        let balance = Kobo(r.get("balance"));
        locked.insert(
            id,
            Locked {
                business_id,
                mode,
                balance,
            },
        );
    }
    cache.put_houses(&houses);
    Ok(locked)
}

/// A one-time account's row, locked, as the batch moves it on.
struct OneTime {
    amount: i64,
    paid: i64,
    status: String,
    expires_at: String,
    changed: bool,
}

impl OneTime {
    /// What `one_time::lock_state` would read now.
    fn state(&self, now: &str) -> OneTimeState {
        OneTimeState {
            amount: self.amount,
            paid: self.paid,
            expired: self.status == "EXPIRED" || now >= self.expires_at.as_str(),
            status: self.status.clone(),
        }
    }
}

/// A session id the batch has met: stored before it (with the conflicts
/// this batch adds to it) or posted by an earlier inflow of the batch.
enum Seen {
    Stored { row: PgRow, bumps: i64 },
    Posted(usize),
}

/// An inflow's answer, waiting for the ids of the rows it names.
enum Answer {
    Ready(Box<StoreResult<Applied>>),
    Posted(usize),
    Replayed { inflow: usize, conflicts: i64 },
}

struct NewJournal {
    scope: Scope,
    now: String,
}

struct NewEntry {
    journal: usize,
    account_id: i64,
    amount: i64,
    after: i64,
    customer_id: Option<i64>,
    now: String,
}

struct NewInflow {
    scope: Scope,
    scope_key: String,
    virtual_account_id: i64,
    journal: usize,
    split: FeeSplit,
    /// The answer, without its id; `conflicts` counts the batch's conflicting repeats.
    inflow: Inflow,
    paid_at: String,
    now: String,
}

#[derive(Default)]
struct Writes {
    journals: Vec<NewJournal>,
    entries: Vec<NewEntry>,
    inflows: Vec<NewInflow>,
    events: Vec<NewEvent>,
    /// Conflicts to add to inflows stored before the batch, by id.
    bumps: BTreeMap<i64, i64>,
}

/// Applies the batch; `balances` are the accounts the batch locked. An
/// error that is not `Unavailable` (which ends the batch on either path)
/// hands the batch to the one-by-one path, where it is some inflow's answer.
pub(crate) async fn apply_all(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
    balances: HashMap<i64, Locked>,
) -> StoreResult<Fast> {
    match run(conn, cache, batch, balances).await {
        Err(e @ StoreError::Unavailable(_)) => Err(e),
        Err(e) => {
            tracing::debug!(error = %e, "inflow batch left the set-based path");
            Ok(Fast::Restart)
        }
        ok => ok,
    }
}

async fn run(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
    mut balances: HashMap<i64, Locked>,
) -> StoreResult<Fast> {
    let targets = read_targets(conn, cache, batch).await?;
    let mut seen = read_sessions(conn, batch).await?;
    let mut one_times = lock_one_times(conn, &targets).await?;

    let mut writes = Writes::default();
    let mut answers = Vec::with_capacity(batch.len());
    for req in batch {
        let scope_key = dedupe_scope(req.door);
        let key = (scope_key, req.session_id.clone());
        if let Some(first) = seen.get_mut(&key) {
            let answer = match first {
                Seen::Stored { row, bumps } => match from_row(row) {
                    Err(e) => Answer::Ready(Box::new(Err(e))),
                    Ok(mut first) => {
                        let Some(conflicts) = first.conflicts.checked_add(*bumps) else {
                            return Ok(Fast::Slow);
                        };
                        first.conflicts = conflicts;
                        if first.gross == req.amount && first.account_number == req.account_number {
                            Answer::Ready(Box::new(Ok(Applied::Replayed(first))))
                        } else {
                            *bumps += 1;
                            *writes.bumps.entry(first.id).or_default() += 1;
                            conflict_warning(req);
                            Answer::Ready(Box::new(Ok(Applied::Conflict)))
                        }
                    }
                },
                Seen::Posted(i) => {
                    let posted = &mut writes.inflows[*i].inflow;
                    if posted.gross == req.amount && posted.account_number == req.account_number {
                        Answer::Replayed {
                            inflow: *i,
                            conflicts: posted.conflicts,
                        }
                    } else {
                        posted.conflicts += 1;
                        conflict_warning(req);
                        Answer::Ready(Box::new(Ok(Applied::Conflict)))
                    }
                }
            };
            answers.push(answer);
            continue;
        }
        let Some(target) = targets.get(req.account_number.as_str()) else {
            answers.push(Answer::Ready(Box::new(Err(StoreError::NotFound))));
            continue;
        };
        let step = plan_one(
            req,
            key.0.clone(),
            target,
            cache,
            &mut balances,
            &mut one_times,
            &mut writes,
        )?;
        match step {
            Step::Refused(e) => answers.push(Answer::Ready(Box::new(Err(e)))),
            Step::Posted(i) => {
                seen.insert(key, Seen::Posted(i));
                answers.push(Answer::Posted(i));
            }
            Step::Slow => return Ok(Fast::Slow),
        }
    }

    if !writes.inflows.is_empty() || !writes.bumps.is_empty() {
        let ids = write(conn, &writes, &balances, &one_times).await?;
        return Ok(Fast::Done(finish(answers, writes, &ids)));
    }
    Ok(Fast::Done(finish(answers, writes, &[])))
}

fn conflict_warning(req: &InflowRequest) {
    tracing::warn!(session_id = %req.session_id, "session id repeated with another amount or account; flagged");
}

enum Step {
    Refused(StoreError),
    Posted(usize),
    Slow,
}

/// One new inflow, as `inflow_apply::apply` posts it from its target on:
/// a refusal changes nothing; a posting moves the running balances and
/// one-time states and queues its rows.
fn plan_one(
    req: &InflowRequest,
    scope_key: String,
    target: &PgRow,
    cache: &Cache,
    balances: &mut HashMap<i64, Locked>,
    one_times: &mut HashMap<i64, OneTime>,
    writes: &mut Writes,
) -> StoreResult<Step> {
    let business_id: i64 = target.get("business_id");
    if matches!(req.door, Door::Sandbox { business_id: b } if b != business_id) {
        return Ok(Step::Refused(StoreError::NotFound));
    }
    let mode = req.door.mode();
    let scope = Scope { business_id, mode };
    let house = match cache.house(scope) {
        Ok(h) => h,
        // Refused one by one (or found there, if the account is newer than the lock).
        Err(_) => return Ok(Step::Slow),
    };
    let customer_id: i64 = target.get("customer_id");
    let virtual_account_id: i64 = target.get("virtual_account_id");
    let now = now_text();
    let one_time = if target.get::<&str, _>("kind") == "one_time" {
        match one_times.get(&virtual_account_id) {
            Some(o) => Some(o.state(&now)),
            None => {
                return Ok(Step::Refused(StoreError::Internal(
                    "one-time account without its details".into(),
                )))
            }
        }
    } else {
        None
    };
    let reason = suspense_reason(target, mode, one_time.as_ref().is_some_and(|o| o.expired));
    let fee = match reason {
        Some(_) => None,
        None => match cache.fee_loaded(scope) {
            Some(fee) => Some(fee),
            None => return Ok(Step::Slow),
        },
    };
    let (status, split, lines) = match decide(req, target, house, fee) {
        Ok(d) => d,
        Err(e) => return Ok(Step::Refused(e)),
    };
    let owner = (reason != Some("wrong_mode")).then_some(customer_id);
    let posting = match Posting::new(lines) {
        Ok(p) => p,
        Err(e) => return Ok(Step::Refused(StoreError::Internal(e.to_string()))),
    };
    // `ledger::post`'s checks, against the running balances.
    let lines = posting.lines();
    if lines.iter().any(|l| !balances.contains_key(&l.account_id)) {
        return Ok(Step::Slow);
    }
    let mut afters = Vec::with_capacity(lines.len());
    for line in lines {
        let account = &balances[&line.account_id];
        if account.business_id != scope.business_id || account.mode != scope.mode.as_str() {
            return Ok(Step::Refused(StoreError::Internal(
                "a posting crosses businesses or modes".into(),
            )));
        }
        match account.balance.checked_add(line.amount) {
            Some(after) => afters.push(after),
            None => {
                return Ok(Step::Refused(StoreError::Internal(
                    "balance overflow".into(),
                )))
            }
        }
    }
    // `one_time::apply_payment`, against the running state.
    let mut flag = None;
    let mut account_event = None;
    let mut one_time_change = None;
    if let Some(state) = &one_time {
        if state.expired {
            if state.status == "PENDING" {
                account_event = Some("one_time_account.expired");
                one_time_change = Some((state.paid, "EXPIRED"));
            }
        } else if status == InflowStatus::Credited {
            match one_time::credit(state, req.amount) {
                Ok(c) => {
                    flag = c.flag;
                    account_event = c.event;
                    one_time_change = Some((c.paid, c.status));
                }
                Err(e) => return Ok(Step::Refused(e)),
            }
        }
    }
    let paid_at = to_text(req.paid_at);
    let (paid_at_time, created_at) = match (parse(&paid_at), parse(&now)) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return Ok(Step::Refused(e)),
    };

    // Accepted: nothing below can refuse it.
    let journal = writes.journals.len();
    writes.journals.push(NewJournal {
        scope,
        now: now.clone(),
    });
    for (line, after) in lines.iter().zip(afters) {
        balances
            .get_mut(&line.account_id)
            .expect("checked above")
            .balance = after;
        writes.entries.push(NewEntry {
            journal,
            account_id: line.account_id,
            amount: line.amount.0,
            after: after.0,
            customer_id: line.customer_id,
            now: now.clone(),
        });
    }
    if let Some((paid, status)) = one_time_change {
        let row = one_times.get_mut(&virtual_account_id).expect("read above");
        row.paid = paid;
        row.status = status.to_string();
        row.changed = true;
    }
    let refund_due = reason == Some("expired");
    let index = writes.inflows.len();
    let inflow_event = match status {
        InflowStatus::Credited => "inflow.received",
        InflowStatus::Suspense => "inflow.suspended",
    };
    writes.events.push(NewEvent {
        scope,
        event_type: inflow_event,
        subject: Subject::NewInflow(index),
        customer_id: owner,
        now: now.clone(),
    });
    if let Some(event) = account_event {
        writes.events.push(NewEvent {
            scope,
            event_type: event,
            subject: Subject::Id(virtual_account_id),
            customer_id: owner,
            now: now.clone(),
        });
    }
    writes.inflows.push(NewInflow {
        scope,
        scope_key,
        virtual_account_id,
        journal,
        split,
        inflow: Inflow {
            id: 0,
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
            paid_at: paid_at_time,
            created_at,
            conflicts: 0,
            flag: flag.map(str::to_string),
            refund_due,
        },
        paid_at,
        now,
    });
    Ok(Step::Posted(index))
}

/// The accounts the batch names, by account number (read after the lock),
/// with their businesses' fee schedules in both modes, kept in `cache`.
async fn read_targets(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
) -> StoreResult<HashMap<String, PgRow>> {
    let numbers: Vec<&str> = batch.iter().map(|r| r.account_number.as_str()).collect();
    let select = TARGET.replacen(
        "SELECT ",
        "SELECT ft.basis_points AS test_basis_points, ft.flat_kobo AS test_flat_kobo,
            ft.cap_kobo AS test_cap_kobo, fl.basis_points AS live_basis_points,
            fl.flat_kobo AS live_flat_kobo, fl.cap_kobo AS live_cap_kobo, ",
        1,
    );
    let rows = sqlx::query(&format!(
        "{select}
         LEFT JOIN fee_schedule ft ON ft.business_id = v.business_id AND ft.mode = 'test'
         LEFT JOIN fee_schedule fl ON fl.business_id = v.business_id AND fl.mode = 'live'
         WHERE v.account_number = ANY($1)"
    ))
    .bind(&numbers)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    for r in &rows {
        let business_id: i64 = r.get("business_id");
        for mode in [Mode::Test, Mode::Live] {
            let column = |name: &str| format!("{}_{name}", mode.as_str());
            let fee = r
                .get::<Option<i64>, _>(column("basis_points").as_str())
                .map(|basis_points| FeeSchedule {
                    basis_points: basis_points as u32,
                    flat: Kobo(r.get(column("flat_kobo").as_str())),
                    cap: r
                        .get::<Option<i64>, _>(column("cap_kobo").as_str())
                        .map(Kobo),
                })
                .unwrap_or_default();
            cache.put_fee(Scope { business_id, mode }, fee);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| (r.get::<String, _>("account_number"), r))
        .collect())
}

/// The inflows already stored under the batch's session ids.
async fn read_sessions(
    conn: &mut PgConnection,
    batch: &[InflowRequest],
) -> StoreResult<HashMap<(String, String), Seen>> {
    let scopes: Vec<String> = batch.iter().map(|r| dedupe_scope(r.door)).collect();
    let sessions: Vec<&str> = batch.iter().map(|r| r.session_id.as_str()).collect();
    // One unique-index probe per key (a lateral subquery with LIMIT is never
    // turned into a hash join over the whole, ever-growing, inflow table).
    let select = SELECT.replacen("SELECT ", "SELECT i.dedupe_scope, ", 1);
    let rows = sqlx::query(&format!(
        "SELECT s.* FROM UNNEST($1::text[], $2::text[]) AS k(scope, session)
         CROSS JOIN LATERAL ({select} WHERE i.dedupe_scope = k.scope AND i.session_id = k.session
            LIMIT 1) AS s"
    ))
    .bind(&scopes)
    .bind(&sessions)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = (r.get("dedupe_scope"), r.get("session_id"));
            (key, Seen::Stored { row: r, bumps: 0 })
        })
        .collect())
}

/// Locks the one-time accounts among the targets (ascending id) and reads them.
async fn lock_one_times(
    conn: &mut PgConnection,
    targets: &HashMap<String, PgRow>,
) -> StoreResult<HashMap<i64, OneTime>> {
    let mut ids: Vec<i64> = targets
        .values()
        .filter(|t| t.get::<&str, _>("kind") == "one_time")
        .map(|t| t.get("virtual_account_id"))
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_unstable();
    let rows = sqlx::query(
        "SELECT virtual_account_id, amount_kobo, amount_paid_kobo, status, expires_at
         FROM one_time_account WHERE virtual_account_id = ANY($1)
         ORDER BY virtual_account_id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    Ok(rows
        .iter()
        .map(|r| {
            let row = OneTime {
                amount: r.get("amount_kobo"),
                paid: r.get("amount_paid_kobo"),
                status: r.get("status"),
                expires_at: r.get("expires_at"),
                changed: false,
            };
            (r.get("virtual_account_id"), row)
        })
        .collect())
}

/// Writes the batch in one statement and answers the new inflows' ids.
///
/// The statement first takes the ids of the new journals, entries and
/// inflows from their sequences and sorts each list, so the k-th row queued
/// gets the k-th smallest id: entry ids order each account's running
/// balances, as one-by-one posting does. Every other row names the rows it
/// refers to by their place in those lists.
async fn write(
    conn: &mut PgConnection,
    w: &Writes,
    balances: &HashMap<i64, Locked>,
    one_times: &HashMap<i64, OneTime>,
) -> StoreResult<Vec<i64>> {
    let mut balance_ids: Vec<i64> = w.entries.iter().map(|e| e.account_id).collect();
    balance_ids.sort_unstable();
    balance_ids.dedup();
    let balance_values: Vec<i64> = balance_ids
        .iter()
        .map(|id| balances[id].balance.0)
        .collect();
    let mut changed: Vec<(i64, &OneTime)> = one_times
        .iter()
        .filter(|(_, o)| o.changed)
        .map(|(id, o)| (*id, o))
        .collect();
    changed.sort_unstable_by_key(|(id, _)| *id);
    let bump_ids: Vec<i64> = w.bumps.keys().copied().collect();
    let bump_counts: Vec<i64> = w.bumps.values().copied().collect();
    // 1-based places in the id lists, as SQL arrays count.
    let place = |k: usize| k as i32 + 1;

    let (j, e, i) = (&w.journals, &w.entries, &w.inflows);
    let sql = format!(
        "WITH ids AS MATERIALIZED (
            SELECT ARRAY(SELECT nextval('journal_journal_id_seq')
                         FROM generate_series(1, $1::int) ORDER BY 1) AS j,
                   ARRAY(SELECT nextval('entry_entry_id_seq')
                         FROM generate_series(1, $2::int) ORDER BY 1) AS e,
                   ARRAY(SELECT nextval('inflow_inflow_id_seq')
                         FROM generate_series(1, $3::int) ORDER BY 1) AS i
         ), journals AS (
            INSERT INTO journal (journal_id, business_id, mode, uuid, kind, created_at)
            SELECT (SELECT j FROM ids)[x.ord], x.b, x.m, x.u, 'inflow', x.n
            FROM UNNEST($4::bigint[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
                AS x(b, m, u, n, ord)
         ), entries AS (
            INSERT INTO entry (entry_id, journal_id, ledger_account_id, amount, balance_after,
                customer_id, created_at)
            SELECT (SELECT e FROM ids)[x.ord], (SELECT j FROM ids)[x.jk], x.a, x.amount, x.after,
                x.c, x.n
            FROM UNNEST($8::int[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[],
                $13::text[]) WITH ORDINALITY AS x(jk, a, amount, after, c, n, ord)
         ), balances AS (
            UPDATE ledger_account a SET balance = x.balance
            FROM UNNEST($14::bigint[], $15::bigint[]) AS x(id, balance)
            WHERE a.ledger_account_id = x.id
         ), inflows AS (
            INSERT INTO inflow (inflow_id, dedupe_scope, session_id, business_id, mode,
                account_number, virtual_account_id, customer_id, status, reason, gross_kobo,
                fee_kobo, vat_kobo, net_kobo, sender_name, sender_account_number, sender_bank_code,
                narration, paid_at, journal_id, created_at, flag, refund_due, conflicts)
            SELECT (SELECT i FROM ids)[x.ord], x.scope, x.session, x.b, x.m, x.number, x.va, x.c,
                x.status, x.reason, x.gross, x.fee, x.vat, x.net, x.sender, x.sender_account,
                x.sender_bank, x.narration, x.paid_at, (SELECT j FROM ids)[x.jk], x.n, x.flag,
                x.refund_due, x.conflicts
            FROM UNNEST($16::text[], $17::text[], $18::bigint[], $19::text[], $20::text[],
                $21::bigint[], $22::bigint[], $23::text[], $24::text[], $25::bigint[], $26::bigint[],
                $27::bigint[], $28::bigint[], $29::text[], $30::text[], $31::text[], $32::text[],
                $33::text[], $34::int[], $35::text[], $36::text[], $37::boolean[], $38::bigint[])
                WITH ORDINALITY AS x(scope, session, b, m, number, va, c, status, reason, gross,
                fee, vat, net, sender, sender_account, sender_bank, narration, paid_at, jk, n, flag,
                refund_due, conflicts, ord)
         ), conflicts AS (
            UPDATE inflow SET conflicts = inflow.conflicts + x.k
            FROM UNNEST($39::bigint[], $40::bigint[]) AS x(id, k)
            WHERE inflow.inflow_id = x.id
         ), one_times AS (
            UPDATE one_time_account SET amount_paid_kobo = x.paid, status = x.status
            FROM UNNEST($41::bigint[], $42::bigint[], $43::text[]) AS x(id, paid, status)
            WHERE one_time_account.virtual_account_id = x.id
         ), {events}
         SELECT i FROM ids",
        events = inflow_events::cte(44, "SELECT i FROM ids"),
    );
    let query = sqlx::query(&sql)
        .bind(j.len() as i32)
        .bind(e.len() as i32)
        .bind(i.len() as i32)
        // journals
        .bind(j.iter().map(|x| x.scope.business_id).collect::<Vec<_>>())
        .bind(j.iter().map(|x| x.scope.mode.as_str()).collect::<Vec<_>>())
        .bind(
            j.iter()
                .map(|_| kobo_core::ids::uuid_v4())
                .collect::<Vec<_>>(),
        )
        .bind(j.iter().map(|x| x.now.as_str()).collect::<Vec<_>>())
        // entries
        .bind(e.iter().map(|x| place(x.journal)).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.account_id).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.amount).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.after).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.customer_id).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.now.as_str()).collect::<Vec<_>>())
        // balances
        .bind(&balance_ids)
        .bind(&balance_values)
        // inflows
        .bind(i.iter().map(|x| x.scope_key.as_str()).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.session_id.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.scope.business_id).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.inflow.mode.as_str()).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.account_number.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.virtual_account_id).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.inflow.customer_id).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.status.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.reason.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.split.gross.0).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.split.fee.0).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.split.vat.0).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.split.net.0).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.sender_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.sender_account_number.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.sender_bank_code.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.narration.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.paid_at.as_str()).collect::<Vec<_>>())
        .bind(i.iter().map(|x| place(x.journal)).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.now.as_str()).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.flag.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.inflow.refund_due).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.inflow.conflicts).collect::<Vec<_>>())
        // conflicts on inflows stored before the batch
        .bind(&bump_ids)
        .bind(&bump_counts)
        // one-time accounts
        .bind(changed.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(changed.iter().map(|(_, o)| o.paid).collect::<Vec<_>>())
        .bind(
            changed
                .iter()
                .map(|(_, o)| o.status.as_str())
                .collect::<Vec<_>>(),
        );
    let ids: Vec<i64> = inflow_events::bind(query, &w.events)
        .fetch_one(&mut *conn)
        .await
        .map_err(map)?
        .get(0);
    if ids.len() != i.len() {
        return Err(StoreError::Internal(
            "the batch's inflow ids came back short".into(),
        ));
    }
    Ok(ids)
}

/// Every inflow's answer, with the ids of the rows it wrote.
fn finish(answers: Vec<Answer>, writes: Writes, inflow_ids: &[i64]) -> Vec<StoreResult<Applied>> {
    let with_id = |k: usize| {
        let mut inflow = writes.inflows[k].inflow.clone();
        inflow.id = inflow_ids[k];
        inflow
    };
    answers
        .into_iter()
        .map(|a| match a {
            Answer::Ready(r) => *r,
            Answer::Posted(k) => {
                let mut inflow = with_id(k);
                // The answer is the row as its own inflow wrote it.
                inflow.conflicts = 0;
                Ok(Applied::Posted(inflow))
            }
            Answer::Replayed { inflow, conflicts } => {
                let mut inflow = with_id(inflow);
                inflow.conflicts = conflicts;
                Ok(Applied::Replayed(inflow))
            }
        })
        .collect()
}
