//! Posting a checked [`Posting`] on the caller's connection: one journal, its
//! entries with running balances, and the balances themselves, all inside the
//! writer's transaction.
//!
//! A batch of inflows shares one [`Balances`]: each account's balance is read
//! once per batch (in account-id order within a posting), kept in memory while
//! the batch's postings run, and written back once by [`Balances::flush`]
//! before the batch's savepoint is released. Every new balance is computed with
//! checked arithmetic, so an overflow refuses the posting instead of wrapping.
//! The writer holds SQLite's write lock from its transaction's first statement
//! (`BEGIN IMMEDIATE`), so no other writer can change a balance in between;
//! `kobo ledger verify` checks that each stored balance equals the sum of its
//! entries.

use std::collections::HashMap;

use kobo_core::ledger::Posting;
use kobo_core::Kobo;
use kobo_store::{Scope, StoreError, StoreResult};
use rusqlite::{params, params_from_iter, Connection, ToSql};

use crate::error::map;
use crate::time::now_text;

struct Known {
    business_id: i64,
    mode: String,
    balance: Kobo,
    dirty: bool,
}

/// Balances read and changed by one batch (one savepoint).
#[derive(Default)]
pub(crate) struct Balances {
    known: HashMap<i64, Known>,
}

impl Balances {
    /// Writes the journal and its entries, moves the balances in memory, and
    /// returns the journal id. Nothing is written when the posting is refused.
    pub(crate) fn post(
        &mut self,
        conn: &Connection,
        scope: Scope,
        kind: &str,
        posting: &Posting,
    ) -> StoreResult<i64> {
        let lines = posting.lines();
        self.load(conn, lines.iter().map(|l| l.account_id))?;
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
        let journal_id: i64 = conn
            .prepare_cached(
                "INSERT INTO journal (business_id, mode, uuid, kind, created_at) VALUES (?, ?, ?, ?, ?)
                 RETURNING journal_id",
            )
            .map_err(map)?
            .query_row(
                params![
                    scope.business_id,
                    scope.mode.as_str(),
                    kobo_core::ids::uuid_v4(),
                    kind,
                    &now,
                ],
                |r| r.get(0),
            )
            .map_err(map)?;
        // One statement per line count (a handful of shapes): cached.
        let values = vec!["(?, ?, ?, ?, ?, ?)"; lines.len()].join(", ");
        let sql = format!(
            "INSERT INTO entry (journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
             VALUES {values}"
        );
        let mut binds: Vec<&dyn ToSql> = Vec::with_capacity(lines.len() * 6);
        for (line, balance) in lines.iter().zip(&after) {
            binds.extend([
                &journal_id as &dyn ToSql,
                &line.account_id,
                &line.amount.0,
                &balance.0,
                &line.customer_id,
                &now,
            ]);
        }
        conn.prepare_cached(&sql)
            .map_err(map)?
            .execute(binds.as_slice())
            .map_err(map)?;
        for (line, balance) in lines.iter().zip(after) {
            let k = self.known.get_mut(&line.account_id).expect("loaded above");
            k.balance = balance;
            k.dirty = true;
        }
        Ok(journal_id)
    }

    /// Reads the balances not seen yet in this batch (one statement).
    fn load(&mut self, conn: &Connection, ids: impl Iterator<Item = i64>) -> StoreResult<()> {
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
        let mut stmt = conn.prepare_cached(&sql).map_err(map)?;
        let rows = stmt
            .query_map(params_from_iter(&missing), |r| {
                Ok((
                    r.get::<_, i64>("ledger_account_id")?,
                    Known {
                        business_id: r.get("business_id")?,
                        mode: r.get("mode")?,
                        balance: Kobo(r.get("balance")?),
                        dirty: false,
                    },
                ))
            })
            .map_err(map)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map)?;
        if rows.len() != missing.len() {
            return Err(StoreError::Internal(
                "a posting names an account that does not exist".into(),
            ));
        }
        self.known.extend(rows);
        Ok(())
    }

    /// Writes every changed balance, in account-id order, once.
    pub(crate) fn flush(&mut self, conn: &Connection) -> StoreResult<()> {
        let mut dirty: Vec<(i64, Kobo)> = self
            .known
            .iter()
            .filter(|(_, k)| k.dirty)
            .map(|(id, k)| (*id, k.balance))
            .collect();
        dirty.sort_unstable_by_key(|(id, _)| *id);
        let mut update = conn
            .prepare_cached("UPDATE ledger_account SET balance = ? WHERE ledger_account_id = ?")
            .map_err(map)?;
        for (id, balance) in dirty {
            update.execute(params![balance.0, id]).map_err(map)?;
        }
        for k in self.known.values_mut() {
            k.dirty = false;
        }
        Ok(())
    }
}
