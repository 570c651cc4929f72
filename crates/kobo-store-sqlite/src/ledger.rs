//! Posting a checked [`Posting`] inside the caller's transaction: one journal,
//! its entries with running balances, and the balances themselves, all in the
//! same database transaction.
//!
//! A batch of inflows shares one [`Balances`]: each account's balance is read
//! once per batch (in account-id order within a posting), kept in memory while
//! the batch's postings run, and written back once by [`Balances::flush`]
//! before the commit. Every new balance is computed with checked arithmetic,
//! so an overflow refuses the posting instead of wrapping. The batch holds
//! SQLite's write lock from its first statement (`BEGIN IMMEDIATE`), so no
//! other writer can change a balance in between; `kobo ledger verify` checks
//! that each stored balance equals the sum of its entries.

use std::collections::HashMap;

use kobo_core::ledger::Posting;
use kobo_core::Kobo;
use kobo_store::{Scope, StoreError, StoreResult};
use sqlx::{Row, SqliteConnection};

use crate::error::map;
use crate::time::now_text;

struct Known {
    business_id: i64,
    mode: String,
    balance: Kobo,
    dirty: bool,
}

/// Balances read and changed by one transaction.
#[derive(Default)]
pub(crate) struct Balances {
    known: HashMap<i64, Known>,
}

impl Balances {
    /// Writes the journal and its entries, moves the balances in memory, and
    /// returns the journal id. Nothing is written when the posting is refused.
    pub(crate) async fn post(
        &mut self,
        conn: &mut SqliteConnection,
        scope: Scope,
        kind: &str,
        posting: &Posting,
    ) -> StoreResult<i64> {
        let lines = posting.lines();
        self.load(conn, lines.iter().map(|l| l.account_id)).await?;
        let mut after = Vec::with_capacity(lines.len());
        for line in lines {
            let k = &self.known[&line.account_id];
            if k.business_id != scope.business_id || k.mode != scope.mode.as_str() {
                return Err(StoreError::Internal(
                    "a posting crosses businesses or modes".into(),
                ));
            }
            let balance = k
                .balance
                .checked_add(line.amount)
                .ok_or_else(|| StoreError::Internal("balance overflow".into()))?;
            after.push(balance);
        }
        let now = now_text();
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
        let values = vec!["(?, ?, ?, ?, ?, ?)"; lines.len()].join(", ");
        let sql = format!(
            "INSERT INTO entry (journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
             VALUES {values}"
        );
        let mut insert = sqlx::query(&sql);
        for (line, balance) in lines.iter().zip(&after) {
            insert = insert
                .bind(journal_id)
                .bind(line.account_id)
                .bind(line.amount.0)
                .bind(balance.0)
                .bind(line.customer_id)
                .bind(&now);
        }
        insert.execute(&mut *conn).await.map_err(map)?;
        for (line, balance) in lines.iter().zip(after) {
            let k = self.known.get_mut(&line.account_id).expect("loaded above");
            k.balance = balance;
            k.dirty = true;
        }
        Ok(journal_id)
    }

    /// Reads the balances not seen yet in this transaction (one statement).
    async fn load(
        &mut self,
        conn: &mut SqliteConnection,
        ids: impl Iterator<Item = i64>,
    ) -> StoreResult<()> {
        let mut missing: Vec<i64> = ids.filter(|id| !self.known.contains_key(id)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        let placeholders = vec!["?"; missing.len()].join(", ");
        let sql = format!(
            "SELECT ledger_account_id, business_id, mode, balance FROM ledger_account
             WHERE ledger_account_id IN ({placeholders}) ORDER BY ledger_account_id"
        );
        let mut query = sqlx::query(&sql);
        for id in &missing {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&mut *conn).await.map_err(map)?;
        if rows.len() != missing.len() {
            return Err(StoreError::Internal(
                "a posting names an account that does not exist".into(),
            ));
        }
        for row in rows {
            self.known.insert(
                row.get("ledger_account_id"),
                Known {
                    business_id: row.get("business_id"),
                    mode: row.get("mode"),
                    balance: Kobo(row.get("balance")),
                    dirty: false,
                },
            );
        }
        Ok(())
    }

    /// Writes every changed balance, in account-id order, once.
    pub(crate) async fn flush(&mut self, conn: &mut SqliteConnection) -> StoreResult<()> {
        let mut dirty: Vec<(i64, Kobo)> = self
            .known
            .iter()
            .filter(|(_, k)| k.dirty)
            .map(|(id, k)| (*id, k.balance))
            .collect();
        dirty.sort_unstable_by_key(|(id, _)| *id);
        for (id, balance) in dirty {
            sqlx::query("UPDATE ledger_account SET balance = ? WHERE ledger_account_id = ?")
                .bind(balance.0)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map)?;
        }
        for k in self.known.values_mut() {
            k.dirty = false;
        }
        Ok(())
    }
}
