//! The deep customer's history as bulk SQL, written while kobo is stopped:
//! `n` journals, each moving a fixed amount from the business's settlement
//! account to the customer's wallet (two entries that sum to zero), with the
//! running `balance_after` of each account and the balances updated to match,
//! so `kobo ledger verify` holds. Rows are generated inside the database
//! (a recursive CTE on SQLite, `generate_series` on PostgreSQL) in chunks of
//! 100,000 journals, one transaction each.

use anyhow::Context;
use sqlx::Row;

/// Kobo per seeded journal (₦1,500.00).
const AMOUNT: i64 = 150_000;
const CHUNK: i64 = 100_000;

/// Where the history landed.
#[derive(Clone, Copy, Debug)]
pub struct Deep {
    /// Entry id of the wallet line of journal `i` is `entry_base + 2·i`.
    pub entry_base: i64,
    pub journals: i64,
}

impl Deep {
    /// The cursor (`starting_after`) that leaves `older` entries before it.
    pub fn cursor_leaving(&self, older: i64) -> i64 {
        self.entry_base + 2 * (older + 1).clamp(1, self.journals)
    }
}

/// The accounts involved and where ids continue.
struct Start {
    business: i64,
    wallet: i64,
    wallet_balance: i64,
    settlement: i64,
    settlement_balance: i64,
    journal_base: i64,
    entry_base: i64,
}

const START_SQLITE: [&str; 3] = [
    "SELECT c.business_id, c.ledger_account_id, a.balance FROM customer c
     JOIN ledger_account a ON a.ledger_account_id = c.ledger_account_id WHERE c.customer_id = ?",
    "SELECT ledger_account_id, balance FROM ledger_account
     WHERE business_id = ? AND mode = 'test' AND kind = 'settlement'",
    "SELECT (SELECT COALESCE(MAX(journal_id), 0) FROM journal), (SELECT COALESCE(MAX(entry_id), 0) FROM entry)",
];

const JOURNALS_SQLITE: &str =
    "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
     INSERT INTO journal (journal_id, business_id, mode, uuid, kind, created_at)
     SELECT ?3 + i, ?4, 'test', printf('00000000-0000-4000-8000-%012d', ?3 + i), 'bench_seed',
        strftime('%Y-%m-%dT%H:%M:%S.000000Z', ?5 + i, 'unixepoch') FROM n";

/// Entry `k` (from 1): odd k is journal (k+1)/2's settlement line, even k its wallet line.
const ENTRIES_SQLITE: &str =
    "WITH RECURSIVE n(k) AS (SELECT ?1 UNION ALL SELECT k + 1 FROM n WHERE k < ?2)
     INSERT INTO entry (entry_id, journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
     SELECT ?3 + k, ?4 + (k + 1) / 2,
        CASE k % 2 WHEN 1 THEN ?5 ELSE ?6 END,
        CASE k % 2 WHEN 1 THEN -?7 ELSE ?7 END,
        CASE k % 2 WHEN 1 THEN ?8 - ((k + 1) / 2) * ?7 ELSE ?9 + ((k + 1) / 2) * ?7 END,
        CASE k % 2 WHEN 1 THEN NULL ELSE ?10 END,
        strftime('%Y-%m-%dT%H:%M:%S.000000Z', ?11 + (k + 1) / 2, 'unixepoch')
     FROM n";

const JOURNALS_PG: &str = "INSERT INTO journal (journal_id, business_id, mode, uuid, kind, created_at)
     SELECT $3 + i, $4, 'test', '00000000-0000-4000-8000-' || lpad(($3 + i)::text, 12, '0'), 'bench_seed',
        to_char(to_timestamp($5 + i) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\".000000Z\"')
     FROM generate_series($1::bigint, $2::bigint) AS i";

const ENTRIES_PG: &str = "INSERT INTO entry (entry_id, journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
     SELECT $3 + k, $4 + (k + 1) / 2,
        CASE k % 2 WHEN 1 THEN $5::bigint ELSE $6::bigint END,
        CASE k % 2 WHEN 1 THEN -$7::bigint ELSE $7::bigint END,
        CASE k % 2 WHEN 1 THEN $8 - ((k + 1) / 2) * $7 ELSE $9 + ((k + 1) / 2) * $7 END,
        CASE k % 2 WHEN 1 THEN NULL ELSE $10::bigint END,
        to_char(to_timestamp($11 + (k + 1) / 2) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\".000000Z\"')
     FROM generate_series($1::bigint, $2::bigint) AS k";

const BALANCE_SQLITE: &str =
    "UPDATE ledger_account SET balance = balance + ? WHERE ledger_account_id = ?";
const BALANCE_PG: &str =
    "UPDATE ledger_account SET balance = balance + $1 WHERE ledger_account_id = $2";

/// Writes `n` journals onto customer `customer_id`'s wallet in the database at `url`.
pub async fn deep_history(url: &str, customer_id: i64, n: i64) -> anyhow::Result<Deep> {
    // The history ends a little before now, one journal a second.
    let t0 = chrono::Utc::now().timestamp() - n - 3600;
    if url.starts_with("sqlite://") {
        sqlite(url, customer_id, n, t0).await
    } else {
        postgres(url, customer_id, n, t0).await
    }
}

async fn sqlite(url: &str, customer_id: i64, n: i64, t0: i64) -> anyhow::Result<Deep> {
    let pool = crate::engine::sqlite_pool(url, 1).await?;
    let row = sqlx::query(START_SQLITE[0])
        .bind(customer_id)
        .fetch_one(&pool)
        .await
        .context("the deep customer is not in the database")?;
    let (business, wallet, wallet_balance): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    let row = sqlx::query(START_SQLITE[1])
        .bind(business)
        .fetch_one(&pool)
        .await?;
    let (settlement, settlement_balance): (i64, i64) = (row.get(0), row.get(1));
    let row = sqlx::query(START_SQLITE[2]).fetch_one(&pool).await?;
    let s = Start {
        business,
        wallet,
        wallet_balance,
        settlement,
        settlement_balance,
        journal_base: row.get(0),
        entry_base: row.get(1),
    };
    let mut lo = 1;
    while lo <= n {
        let hi = (lo + CHUNK - 1).min(n);
        let mut tx = pool.begin().await?;
        sqlx::query(JOURNALS_SQLITE)
            .bind(lo)
            .bind(hi)
            .bind(s.journal_base)
            .bind(s.business)
            .bind(t0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(ENTRIES_SQLITE)
            .bind(2 * lo - 1)
            .bind(2 * hi)
            .bind(s.entry_base)
            .bind(s.journal_base)
            .bind(s.settlement)
            .bind(s.wallet)
            .bind(AMOUNT)
            .bind(s.settlement_balance)
            .bind(s.wallet_balance)
            .bind(customer_id)
            .bind(t0)
            .execute(&mut *tx)
            .await?;
        let moved = (hi - lo + 1) * AMOUNT;
        for (account, delta) in [(s.settlement, -moved), (s.wallet, moved)] {
            sqlx::query(BALANCE_SQLITE)
                .bind(delta)
                .bind(account)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        lo = hi + 1;
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(Deep {
        entry_base: s.entry_base,
        journals: n,
    })
}

async fn postgres(url: &str, customer_id: i64, n: i64, t0: i64) -> anyhow::Result<Deep> {
    let pool = crate::engine::pg_pool(url, 1).await?;
    let pg = |sql: &str| sql.replace('?', "$1");
    let row = sqlx::query(&pg(START_SQLITE[0]))
        .bind(customer_id)
        .fetch_one(&pool)
        .await
        .context("the deep customer is not in the database")?;
    let (business, wallet, wallet_balance): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    let row = sqlx::query(&pg(START_SQLITE[1]))
        .bind(business)
        .fetch_one(&pool)
        .await?;
    let (settlement, settlement_balance): (i64, i64) = (row.get(0), row.get(1));
    let row = sqlx::query(START_SQLITE[2]).fetch_one(&pool).await?;
    let s = Start {
        business,
        wallet,
        wallet_balance,
        settlement,
        settlement_balance,
        journal_base: row.get(0),
        entry_base: row.get(1),
    };
    let mut lo = 1;
    while lo <= n {
        let hi = (lo + CHUNK - 1).min(n);
        let mut tx = pool.begin().await?;
        sqlx::query(JOURNALS_PG)
            .bind(lo)
            .bind(hi)
            .bind(s.journal_base)
            .bind(s.business)
            .bind(t0 as f64)
            .execute(&mut *tx)
            .await?;
        sqlx::query(ENTRIES_PG)
            .bind(2 * lo - 1)
            .bind(2 * hi)
            .bind(s.entry_base)
            .bind(s.journal_base)
            .bind(s.settlement)
            .bind(s.wallet)
            .bind(AMOUNT)
            .bind(s.settlement_balance)
            .bind(s.wallet_balance)
            .bind(customer_id)
            .bind(t0 as f64)
            .execute(&mut *tx)
            .await?;
        let moved = (hi - lo + 1) * AMOUNT;
        for (account, delta) in [(s.settlement, -moved), (s.wallet, moved)] {
            sqlx::query(BALANCE_PG)
                .bind(delta)
                .bind(account)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        lo = hi + 1;
    }
    for (table, column) in [("journal", "journal_id"), ("entry", "entry_id")] {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT MAX({column}) FROM {table}))"
        ))
        .execute(&pool)
        .await?;
    }
    // What autovacuum would do soon after a bulk load.
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok(Deep {
        entry_base: s.entry_base,
        journals: n,
    })
}
