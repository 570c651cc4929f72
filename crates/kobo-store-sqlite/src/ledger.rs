//! Posting a checked [`Posting`] inside the caller's transaction: one journal,
//! its entries with running balances, and the balances themselves, all in the
//! same database transaction. Balances are read and written in account-id
//! order (the posting's order), and every new balance is computed with checked
//! arithmetic, so an overflow refuses the posting instead of wrapping.

use kobo_core::ledger::Posting;
use kobo_core::Kobo;
use kobo_store::{Scope, StoreError, StoreResult};
use sqlx::{Row, SqliteConnection};

use crate::error::map;
use crate::time::now_text;

/// Writes the journal and returns its id.
pub(crate) async fn post(
    conn: &mut SqliteConnection,
    scope: Scope,
    kind: &str,
    posting: &Posting,
) -> StoreResult<i64> {
    let lines = posting.lines();
    let now = now_text();
    let placeholders = vec!["?"; lines.len()].join(", ");
    let sql = format!(
        "SELECT ledger_account_id, business_id, mode, balance FROM ledger_account
         WHERE ledger_account_id IN ({placeholders}) ORDER BY ledger_account_id"
    );
    let mut query = sqlx::query(&sql);
    for line in lines {
        query = query.bind(line.account_id);
    }
    let rows = query.fetch_all(&mut *conn).await.map_err(map)?;
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
        "INSERT INTO journal (business_id, mode, uuid, kind, created_at) VALUES (?, ?, ?, ?, ?)
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
    for (line, after) in lines.iter().zip(&new_balances) {
        sqlx::query("UPDATE ledger_account SET balance = ? WHERE ledger_account_id = ?")
            .bind(after.0)
            .bind(line.account_id)
            .execute(&mut *conn)
            .await
            .map_err(map)?;
    }
    let values = vec!["(?, ?, ?, ?, ?, ?)"; lines.len()].join(", ");
    let sql = format!(
        "INSERT INTO entry (journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
         VALUES {values}"
    );
    let mut insert = sqlx::query(&sql);
    for (line, after) in lines.iter().zip(&new_balances) {
        insert = insert
            .bind(journal_id)
            .bind(line.account_id)
            .bind(line.amount.0)
            .bind(after.0)
            .bind(line.customer_id)
            .bind(&now);
    }
    insert.execute(&mut *conn).await.map_err(map)?;
    Ok(journal_id)
}
