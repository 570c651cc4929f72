//! Posting a checked [`Posting`] inside the caller's transaction: one journal,
//! its entries with running balances, and the balances themselves, all in the
//! same database transaction. Balance rows are locked with `SELECT … FOR
//! UPDATE` in ascending account id (the posting's order), so two postings
//! that share accounts always queue in the same order and never deadlock; a
//! caller that locked them earlier (the inflow batch) holds them already.
//! Every new balance is computed with checked arithmetic, so an overflow
//! refuses the posting instead of wrapping.

use kobo_core::ledger::Posting;
use kobo_core::Kobo;
use kobo_store::{Scope, StoreError, StoreResult};
use sqlx::{PgConnection, Row};

use crate::error::map;
use crate::time::now_text;

/// Locks these ledger accounts (ascending id, duplicates ignored) until the
/// transaction ends.
pub(crate) async fn lock_accounts(conn: &mut PgConnection, ids: &[i64]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "SELECT ledger_account_id FROM ledger_account WHERE ledger_account_id = ANY($1)
         ORDER BY ledger_account_id FOR UPDATE",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    Ok(())
}

/// Writes the journal and returns its id.
pub(crate) async fn post(
    conn: &mut PgConnection,
    scope: Scope,
    kind: &str,
    posting: &Posting,
) -> StoreResult<i64> {
    let lines = posting.lines();
    let now = now_text();
    let ids: Vec<i64> = lines.iter().map(|l| l.account_id).collect();
    let rows = sqlx::query(
        "SELECT ledger_account_id, business_id, mode, balance FROM ledger_account
         WHERE ledger_account_id = ANY($1) ORDER BY ledger_account_id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    if rows.len() != lines.len() {
        return Err(StoreError::Internal(
            "a posting names an account that does not exist".into(),
        ));
    }
    let mut new_balances = Vec::with_capacity(lines.len());
    for (line, row) in lines.iter().zip(&rows) {
        let same_scope = row.get::<i64, _>("business_id") == scope.business_id
            && row.get::<&str, _>("mode") == scope.mode.as_str();
        if !same_scope || row.get::<i64, _>("ledger_account_id") != line.account_id {
            return Err(StoreError::Internal(
                "a posting crosses businesses or modes".into(),
            ));
        }
        let balance = Kobo(row.get("balance"));
        let after = balance
            .checked_add(line.amount)
            .ok_or_else(|| StoreError::Internal("balance overflow".into()))?;
        new_balances.push(after);
    }
    let journal_id: i64 = sqlx::query_scalar(
        "INSERT INTO journal (business_id, mode, uuid, kind, created_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING journal_id",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(kobo_core::ids::uuid_v4())
    .bind(kind)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    let balances: Vec<i64> = new_balances.iter().map(|b| b.0).collect();
    sqlx::query(
        "UPDATE ledger_account a SET balance = n.balance
         FROM UNNEST($1::bigint[], $2::bigint[]) AS n(ledger_account_id, balance)
         WHERE a.ledger_account_id = n.ledger_account_id",
    )
    .bind(&ids)
    .bind(&balances)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    // One row per line, in line (account id) order, so entry ids follow it.
    let values = (0..lines.len())
        .map(|i| {
            let b = i * 4;
            format!("($1, ${}, ${}, ${}, ${}, $2)", b + 3, b + 4, b + 5, b + 6)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO entry (journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
         VALUES {values}"
    );
    let mut insert = sqlx::query(&sql).bind(journal_id).bind(&now);
    for (line, after) in lines.iter().zip(&new_balances) {
        insert = insert
            .bind(line.account_id)
            .bind(line.amount.0)
            .bind(after.0)
            .bind(line.customer_id);
    }
    insert.execute(&mut *conn).await.map_err(map)?;
    Ok(journal_id)
}
