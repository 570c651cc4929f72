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
use crate::events::{self, NewEvent, Subject};
use crate::inflow_apply::{decide, dedupe_scope, suspense_reason, Applied, TARGET};
use crate::inflow_cache::Cache;
use crate::inflow_reads::{from_row, SELECT};
use crate::one_time::{self, OneTimeState};
use crate::time::{now_text, parse, to_text};

mod reads;
mod write;

pub(crate) use reads::lock_batch;
use reads::{lock_one_times, read_sessions, read_targets};
use write::write;

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
        subject: Subject::New(index),
        customer_id: owner,
        customer_is_subject: false,
        now: now.clone(),
    });
    if let Some(event) = account_event {
        writes.events.push(NewEvent {
            scope,
            event_type: event,
            subject: Subject::Id(virtual_account_id),
            customer_id: owner,
            customer_is_subject: false,
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
