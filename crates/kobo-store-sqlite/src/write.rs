//! Write transactions start with `BEGIN IMMEDIATE`: the write lock is taken
//! first, so a transaction that reads and then writes cannot find its read
//! snapshot outdated by another writer (another process, or `kobo` commands
//! run beside the server) — it waits for the lock within the busy timeout
//! instead of failing with "database is locked".

use kobo_store::StoreResult;
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::map;

pub(crate) async fn begin(pool: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(map)
}
