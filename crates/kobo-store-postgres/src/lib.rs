//! kobo's PostgreSQL engine, for several stateless kobo nodes on one
//! database. It behaves exactly as the SQLite engine does (same rows, same
//! errors, same times, as RFC 3339 text) and makes the rules that SQLite gets
//! from its single writer hold across nodes:
//! - balance rows are locked `FOR UPDATE` in ascending account id
//!   (`ledger.rs`), and an inflow batch locks every account it will touch
//!   up front, then retries on deadlock (`inflows.rs`);
//! - unique constraints back every exactly-once rule (`migrations/`), and
//!   idempotency claims are `INSERT … ON CONFLICT DO NOTHING` (`idempotency.rs`);
//! - NUBAN serials come from a locked counter row, the per-customer cap from
//!   a locked customer row (`virtual_accounts.rs`);
//! - background work is claimed without waiting: the one-time expiry sweep
//!   and webhook leases use `FOR UPDATE SKIP LOCKED` (`one_time.rs`,
//!   `webhooks.rs`), so two nodes never take the same job.

mod businesses;
mod connect;
mod customer_create;
mod customer_list;
mod customers;
mod error;
mod events;
mod idempotency;
mod inflow_apply;
mod inflow_bulk;
mod inflow_cache;
mod inflow_reads;
mod inflows;
mod ledger;
mod migrate;
mod movements;
mod one_time;
mod store;
pub mod testing;
mod time;
mod verify;
mod virtual_accounts;
mod webhooks;

pub use connect::PgOptions;
use sqlx::PgPool;

use kobo_store::StoreResult;

/// A kobo store on one PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    creates: customer_create::CreateQueue,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:pass@host:port/db?sslmode=…`) and
    /// opens one connection to prove the server is there: an unreachable
    /// server is [`kobo_store::StoreError::Unavailable`] with one clear line.
    pub async fn connect(url: &str, options: PgOptions) -> StoreResult<PostgresStore> {
        let pool = connect::pool(url, &options).await?;
        let creates = customer_create::CreateQueue::start(pool.clone());
        Ok(PostgresStore { pool, creates })
    }

    /// The pool, for tools and tests that need plain SQL.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
