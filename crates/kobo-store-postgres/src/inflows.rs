//! Inflows: many share one commit. Each runs in its own savepoint, so one
//! refused inflow never undoes its neighbours, and every answer is given only
//! after the batch's commit.
//!
//! Several nodes post batches at once, so the batch avoids deadlocks by
//! locking in one global order: it first resolves, read-only, every ledger
//! account its inflows will touch (each target's wallet or collection wallet
//! and its business's house accounts), then locks them all with one
//! `SELECT … ORDER BY ledger_account_id FOR UPDATE`, and only then applies the
//! inflows. Two batches that share an account queue behind each other
//! instead of each holding half of what the other needs. Whatever still
//! collides (a customer changed between the resolution and the lock, the same
//! live session id posted by two businesses' batches at once) is either
//! handled in place (`Applied::Raced`) or ends in a deadlock or serialization
//! failure, after which the whole batch is run again, a few times at most.

use std::time::Duration;

use kobo_store::*;
use rand::Rng;
use sqlx::{PgConnection, PgPool, Row};

use crate::error::{is_contention, map};
use crate::inflow_apply::{apply, Applied};
use crate::inflow_bulk::{self, Fast};
use crate::inflow_cache::Cache;

/// Runs of one batch before a deadlock or serialization failure is reported.
const ATTEMPTS: u32 = 5;

pub(crate) async fn post_batch(
    pool: &PgPool,
    batch: Vec<InflowRequest>,
) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
    post_batch_from(pool, batch, true).await
}

/// `post_batch`, starting set-based (`fast`) or one by one (tests compare the two).
pub(crate) async fn post_batch_from(
    pool: &PgPool,
    batch: Vec<InflowRequest>,
    mut fast: bool,
) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
    let mut attempt = 1;
    loop {
        match post_once(pool, &batch, fast).await {
            Ok(Run::Restart) => {
                // The set-based writes failed (a session id committed by
                // another node meanwhile, a constraint): one by one, each
                // inflow gets its own answer.
                fast = false;
            }
            Ok(Run::Done(results)) => return Ok(results),
            Err(e) if is_contention(&e) && attempt < ATTEMPTS => {
                tracing::warn!(attempt, error = %e, "inflow batch met contention; running it again");
                let jitter = rand::thread_rng().gen_range(0..10u64);
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt) + jitter)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

enum Run {
    Done(Vec<StoreResult<InflowOutcome>>),
    /// Run the batch again, one inflow at a time.
    Restart,
}

/// One run of the batch: set-based (`inflow_bulk`) when `fast`, else (or
/// when the set-based path hands it over before writing) one inflow at a
/// time, each in its own savepoint.
async fn post_once(pool: &PgPool, batch: &[InflowRequest], fast: bool) -> StoreResult<Run> {
    let mut tx = pool.begin().await.map_err(map)?;
    let mut cache = Cache::default();
    let mut applied_all = None;
    if fast {
        let balances = inflow_bulk::lock_batch(&mut tx, &mut cache, batch).await?;
        match inflow_bulk::apply_all(&mut tx, &mut cache, batch, balances).await? {
            Fast::Done(applied) => applied_all = Some(applied),
            Fast::Slow => {}
            Fast::Restart => return Ok(Run::Restart),
        }
    } else {
        let accounts = accounts_touched(&mut tx, &mut cache, batch).await?;
        crate::ledger::lock_accounts(&mut tx, &accounts).await?;
    }
    let applied_all = match applied_all {
        Some(a) => a,
        None => {
            let mut applied_all = Vec::with_capacity(batch.len());
            for request in batch {
                applied_all.push(apply_in_savepoint(&mut tx, &mut cache, request).await?);
            }
            applied_all
        }
    };
    let mut results = Vec::with_capacity(batch.len());
    for applied in applied_all {
        results.push(applied.and_then(|a| match a {
            Applied::Posted(inflow) => Ok(InflowOutcome {
                inflow,
                replayed: false,
            }),
            Applied::Replayed(inflow) => Ok(InflowOutcome {
                inflow,
                replayed: true,
            }),
            Applied::Conflict | Applied::Raced => Err(StoreError::Conflict {
                field: "session_id",
            }),
        }));
    }
    tx.commit().await.map_err(map)?;
    Ok(Run::Done(results))
}

/// Every ledger account the batch may post to, read without locks. Unknown
/// account numbers touch nothing (they are refused later, one by one).
async fn accounts_touched(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
) -> StoreResult<Vec<i64>> {
    let numbers: Vec<&str> = batch.iter().map(|r| r.account_number.as_str()).collect();
    let rows = sqlx::query(
        "SELECT v.account_number, v.business_id, c.ledger_account_id AS wallet_account,
                w.ledger_account_id AS collection_account
         FROM virtual_account v
         JOIN customer c ON c.customer_id = v.customer_id
         LEFT JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id
         WHERE v.account_number = ANY($1)",
    )
    .bind(&numbers)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    let businesses: Vec<i64> = rows.iter().map(|r| r.get("business_id")).collect();
    cache.load_houses(conn, &businesses).await?;
    let mut ids = Vec::new();
    for req in batch {
        let Some(row) = rows
            .iter()
            .find(|r| r.get::<&str, _>("account_number") == req.account_number)
        else {
            continue;
        };
        let scope = Scope {
            business_id: row.get("business_id"),
            mode: req.door.mode(),
        };
        if let Ok(house) = cache.house(scope) {
            ids.extend(house.ids());
        }
        ids.push(row.get("wallet_account"));
        ids.extend(row.get::<Option<i64>, _>("collection_account"));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Applies one inflow in a savepoint. The inner result is the inflow's own
/// answer; the outer error aborts the batch: an `Unavailable` inside one
/// inflow (a lost connection, a timeout, a deadlock) is never a per-inflow
/// answer, since the batch may then be run again as a whole.
async fn apply_in_savepoint(
    conn: &mut PgConnection,
    cache: &mut Cache,
    req: &InflowRequest,
) -> StoreResult<StoreResult<Applied>> {
    // A race is met at most once: the second run sees the committed row.
    for _ in 0..2 {
        savepoint(conn, "SAVEPOINT inflow").await?;
        let applied = apply(conn, cache, req).await;
        let keep = matches!(
            applied,
            Ok(Applied::Posted(_) | Applied::Replayed(_) | Applied::Conflict)
        );
        if !keep {
            savepoint(conn, "ROLLBACK TO SAVEPOINT inflow").await?;
        }
        savepoint(conn, "RELEASE SAVEPOINT inflow").await?;
        match applied {
            Ok(Applied::Raced) => continue,
            Err(e @ StoreError::Unavailable(_)) => return Err(e),
            other => return Ok(other),
        }
    }
    Ok(Ok(Applied::Raced))
}

async fn savepoint(conn: &mut PgConnection, sql: &str) -> StoreResult<()> {
    sqlx::query(sql).execute(&mut *conn).await.map_err(map)?;
    Ok(())
}
