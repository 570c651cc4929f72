//! The database ceiling on PostgreSQL: the same shapes as `ceiling_sqlite`,
//! through a pool as large as kobo's (10), the server's default durability.
//! Balances are locked by their `UPDATE`, settlement first (ascending id).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;

use crate::ceiling::{Wallet, NOW};
use crate::ids::{self, Sessions};
use crate::measure::Op;

/// kobo's default `--db-max-connections`.
const POOL: u32 = 10;

pub struct PgCeiling {
    pool: PgPool,
    business: i64,
    settlement: i64,
    wallets: Arc<Vec<Wallet>>,
    next_spare: Arc<AtomicI64>,
    spare_end: i64,
    sessions: Arc<Sessions>,
}

impl PgCeiling {
    pub async fn prepare(
        url: &str,
        customers: i64,
        spare: i64,
        sessions: Arc<Sessions>,
    ) -> anyhow::Result<PgCeiling> {
        crate::engine::migrate(url).await?;
        let pool = crate::engine::pg_pool(url, POOL).await?;
        // The ceiling is the transaction shape only: kobo's own upkeep
        // (the per-customer entry count) is kobo's cost, not the database's.
        sqlx::query("DROP TRIGGER entry_counts_customers ON entry")
            .execute(&pool)
            .await?;
        let mut tx = pool.begin().await?;
        let business: i64 = sqlx::query_scalar(
            "INSERT INTO business (name, created_at) VALUES ('Ceiling', $1) RETURNING business_id",
        )
        .bind(NOW)
        .fetch_one(&mut *tx)
        .await?;
        let settlement: i64 = sqlx::query_scalar(
            "INSERT INTO ledger_account (business_id, mode, kind, balance, created_at)
             VALUES ($1, 'test', 'settlement', 0, $2) RETURNING ledger_account_id",
        )
        .bind(business)
        .bind(NOW)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ledger_account (ledger_account_id, business_id, mode, kind, balance, created_at)
             SELECT $1 + i, $2, 'test', 'customer_wallet', 0, $3 FROM generate_series(1, $4::bigint) AS i",
        )
        .bind(settlement)
        .bind(business)
        .bind(NOW)
        .bind(customers + spare)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO customer (customer_id, business_id, mode, code, reference, first_name, last_name,
                email, email_lower, customer_type, status, wallet_slug, ledger_account_id, created_at,
                updated_at)
             SELECT i, $2, 'test', 'CUS_CEIL' || i, 'ceil-' || i, 'Ada', 'Bench', 'ceil' || i || '@example.com',
                'ceil' || i || '@example.com', 'wallet', 'ACTIVE', 'ceil-wallet-' || i, $1 + i, $3, $3
             FROM generate_series(1, $4::bigint) AS i",
        )
        .bind(settlement)
        .bind(business)
        .bind(NOW)
        .bind(customers)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO virtual_account (virtual_account_id, business_id, mode, customer_id, code,
                account_number, account_name, bank_name, bank_code, provider, status, created_at)
             SELECT i, $1, 'test', i, 'VA_CEIL' || i, '9' || lpad(i::text, 9, '0'), 'Ceiling / Ada Bench',
                'Bench Bank', '999999', 'kobo', 'ACTIVE', $2 FROM generate_series(1, $3::bigint) AS i",
        )
        .bind(business)
        .bind(NOW)
        .bind(customers)
        .execute(&mut *tx)
        .await?;
        for (table, column) in [
            ("ledger_account", "ledger_account_id"),
            ("customer", "customer_id"),
            ("virtual_account", "virtual_account_id"),
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT MAX({column}) FROM {table}))"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await.context("seeding the ceiling database")?;
        let wallets = (1..=customers)
            .map(|i| Wallet {
                customer_id: i,
                account_id: settlement + i,
                virtual_account_id: i,
                account_number: format!("9{i:09}"),
            })
            .collect();
        Ok(PgCeiling {
            pool,
            business,
            settlement,
            wallets: Arc::new(wallets),
            next_spare: Arc::new(AtomicI64::new(settlement + customers + 1)),
            spare_end: settlement + customers + spare,
            sessions,
        })
    }

    pub fn inflow_ops(&self, n: usize, hot: bool) -> Vec<PgInflow> {
        (0..n)
            .map(|_| PgInflow {
                pool: self.pool.clone(),
                business: self.business,
                settlement: self.settlement,
                wallets: self.wallets.clone(),
                hot,
                sessions: self.sessions.clone(),
                rng: StdRng::from_entropy(),
            })
            .collect()
    }

    pub fn create_ops(&self, n: usize) -> Vec<PgCreate> {
        (0..n)
            .map(|_| PgCreate {
                pool: self.pool.clone(),
                business: self.business,
                next_spare: self.next_spare.clone(),
                spare_end: self.spare_end,
                sessions: self.sessions.clone(),
            })
            .collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub struct PgInflow {
    pool: PgPool,
    business: i64,
    settlement: i64,
    wallets: Arc<Vec<Wallet>>,
    hot: bool,
    sessions: Arc<Sessions>,
    rng: StdRng,
}

impl Op for PgInflow {
    async fn call(&mut self) -> Result<(), String> {
        let wallet = if self.hot {
            self.wallets[0].clone()
        } else {
            self.wallets[self.rng.gen_range(0..self.wallets.len())].clone()
        };
        let amount = ids::amount(&mut self.rng);
        let uuid = ids::uuid(&mut self.rng);
        let session = self.sessions.session_id();
        let now = crate::ceiling::now_text();
        let (pool, business, settlement) = (&self.pool, self.business, self.settlement);
        let result: Result<(), sqlx::Error> = async {
            let mut tx = pool.begin().await?;
            let journal: i64 = sqlx::query_scalar(
                "INSERT INTO journal (business_id, mode, uuid, kind, created_at)
                 VALUES ($1, 'test', $2, 'inflow', $3) RETURNING journal_id",
            )
            .bind(business)
            .bind(&uuid)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let mut after = [0i64; 2];
            for (slot, (account, delta)) in [(settlement, -amount), (wallet.account_id, amount)]
                .into_iter()
                .enumerate()
            {
                after[slot] = sqlx::query_scalar(
                    "UPDATE ledger_account SET balance = balance + $1 WHERE ledger_account_id = $2
                     RETURNING balance",
                )
                .bind(delta)
                .bind(account)
                .fetch_one(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO entry (journal_id, ledger_account_id, amount, balance_after, customer_id, created_at)
                 VALUES ($1, $2, $3, $4, NULL, $5), ($1, $6, $7, $8, $9, $5)",
            )
            .bind(journal)
            .bind(settlement)
            .bind(-amount)
            .bind(after[0])
            .bind(&now)
            .bind(wallet.account_id)
            .bind(amount)
            .bind(after[1])
            .bind(wallet.customer_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO inflow (dedupe_scope, session_id, business_id, mode, account_number,
                    virtual_account_id, customer_id, status, reason, gross_kobo, fee_kobo, vat_kobo,
                    net_kobo, sender_name, sender_account_number, sender_bank_code, narration, paid_at,
                    journal_id, created_at, flag, refund_due)
                 VALUES ($1, $2, $3, 'test', $4, $5, $6, 'credited', NULL, $7, 0, 0, $7, 'Bench Sender',
                    NULL, NULL, NULL, $8, $9, $8, NULL, FALSE)",
            )
            .bind(format!("test:{business}"))
            .bind(&session)
            .bind(business)
            .bind(&wallet.account_number)
            .bind(wallet.virtual_account_id)
            .bind(wallet.customer_id)
            .bind(amount)
            .bind(&now)
            .bind(journal)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await;
        result.map_err(|e| format!("ceiling inflow: {e}"))
    }
}

pub struct PgCreate {
    pool: PgPool,
    business: i64,
    next_spare: Arc<AtomicI64>,
    spare_end: i64,
    sessions: Arc<Sessions>,
}

impl Op for PgCreate {
    async fn call(&mut self) -> Result<(), String> {
        let account = self.next_spare.fetch_add(1, Ordering::Relaxed);
        if account > self.spare_end {
            return Err("the create ceiling ran out of prepared wallet accounts".into());
        }
        let n = self.sessions.serial();
        let email = format!("new{n}@example.com");
        let now = crate::ceiling::now_text();
        let mut tx = self.pool.begin().await.map_err(|e| e.to_string())?;
        sqlx::query(
            "INSERT INTO customer (business_id, mode, code, reference, first_name, last_name, company_name,
                rc_number, email, email_lower, phone, dob, bvn_ciphertext, bvn_hash, bvn_masked,
                nin_ciphertext, nin_hash, nin_masked, customer_type, status, collection_wallet_id,
                wallet_slug, ledger_account_id, created_at, updated_at, search_text)
             VALUES ($1, 'test', $2, $3, 'Ada', 'Bench', NULL, NULL, $4, $4, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, 'wallet', 'ACTIVE', NULL, $5, $6, $7, $7, $8)",
        )
        .bind(self.business)
        .bind(format!("CUS_NEW{n}"))
        .bind(format!("new-{n}"))
        .bind(&email)
        .bind(format!("new-wallet-{n}"))
        .bind(account)
        .bind(&now)
        .bind(format!("ada\u{1f}bench\u{1f}\u{1f}{email}\u{1f}\u{1f}new-{n}"))
        .execute(&mut *tx)
        .await
        .map_err(|e| format!("ceiling create: {e}"))?;
        tx.commit().await.map_err(|e| e.to_string())
    }
}
