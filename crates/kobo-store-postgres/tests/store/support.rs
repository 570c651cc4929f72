//! A fresh PostgreSQL database per test, dropped afterwards (also when the
//! test panics), and small builders for businesses, customers, accounts and
//! inflow requests.
//!
//! The server comes from `KOBO_TEST_POSTGRES_URL` (default: the local one).
//! When it cannot be reached, a test reports itself skipped by name and
//! passes, unless `CI=true`, where it fails.

use chrono::Utc;
use kobo_core::{ids, Kobo, Mode};
use kobo_store::*;
use kobo_store_postgres::testing::{self, TestDatabase};
use kobo_store_postgres::{PgOptions, PostgresStore};
use sqlx::PgPool;

/// Opens the test's database, or returns from the test when PostgreSQL is
/// unreachable outside CI.
macro_rules! db {
    ($name:expr) => {
        match crate::support::Db::new($name, true).await {
            Some(db) => db,
            None => return,
        }
    };
    ($name:expr, unmigrated) => {
        match crate::support::Db::new($name, false).await {
            Some(db) => db,
            None => return,
        }
    };
}
pub(crate) use db;

/// One database of its own, dropped when this value goes.
pub struct Db {
    pub store: PostgresStore,
    pub url: String,
    /// Declared last, so it is dropped after the store's pool.
    _database: TestDatabase,
}

/// Small pools: parallel tests must stay far below the server's 100 connections.
pub fn options() -> PgOptions {
    testing::small_pool()
}

impl Db {
    pub async fn new(test: &str, migrate: bool) -> Option<Db> {
        testing::skip_unless_reachable(test).await?;
        let database = TestDatabase::create().await;
        let store = PostgresStore::connect(&database.url, options())
            .await
            .expect("connect to the test database");
        if migrate {
            store.migrate().await.expect("migrate");
        }
        Some(Db {
            store,
            url: database.url.clone(),
            _database: database,
        })
    }

    /// Another store on the same database: a second kobo node.
    pub async fn node(&self) -> PostgresStore {
        PostgresStore::connect(&self.url, options())
            .await
            .expect("second node")
    }

    /// A plain pool on the database, to read or tamper with rows.
    pub fn raw(&self) -> &PgPool {
        self.store.pool()
    }
}

pub fn test_scope(business_id: i64) -> Scope {
    Scope {
        business_id,
        mode: Mode::Test,
    }
}

pub fn issuer(max_per_customer: u32) -> AccountIssuer {
    AccountIssuer {
        institution_code: "999999".into(),
        bank_name: "Kobo Sandbox Bank".into(),
        provider: "kobo".into(),
        max_per_customer,
    }
}

pub async fn business(store: &PostgresStore, name: &str) -> Business {
    store.create_business(name, &[]).await.expect("business")
}

pub fn new_customer(reference: &str, collection_wallet_id: Option<i64>) -> NewCustomer {
    NewCustomer {
        code: ids::customer_code(),
        reference: reference.to_string(),
        first_name: Some("Ada".into()),
        last_name: Some("Obi".into()),
        company_name: None,
        rc_number: None,
        email: format!("{reference}@example.com"),
        phone: None,
        dob: None,
        bvn: None,
        nin: None,
        customer_type: if collection_wallet_id.is_some() {
            CustomerType::Collection
        } else {
            CustomerType::Wallet
        },
        collection_wallet_id,
        wallet_slug: ids::wallet_slug(),
    }
}

/// A customer; `collection_wallet_id` makes it a collection customer.
pub async fn customer(
    store: &PostgresStore,
    scope: Scope,
    reference: &str,
    collection_wallet_id: Option<i64>,
) -> Customer {
    store
        .create_customer(scope, new_customer(reference, collection_wallet_id))
        .await
        .expect("customer")
}

/// Issues one account (cap 5) and returns its number.
pub async fn account(store: &PostgresStore, scope: Scope, customer_id: i64) -> String {
    store
        .create_virtual_account(scope, customer_id, None, &issuer(5))
        .await
        .expect("account")
        .account_number
}

pub fn session(n: u64) -> String {
    format!("2{n:029}")
}

pub fn request(door: Door, session_id: &str, account_number: &str, amount: i64) -> InflowRequest {
    InflowRequest {
        door,
        session_id: session_id.to_string(),
        account_number: account_number.to_string(),
        amount: Kobo(amount),
        sender_name: Some("Chidi Okeke".into()),
        sender_account_number: Some("0123456785".into()),
        sender_bank_code: Some("058".into()),
        narration: Some("test".into()),
        paid_at: Utc::now(),
    }
}

/// A business's house account balance (`settlement`, `suspense`, `fee_revenue`, `vat_payable`).
pub async fn house(pool: &PgPool, business_id: i64, mode: Mode, kind: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT balance FROM ledger_account WHERE business_id = $1 AND mode = $2 AND kind = $3",
    )
    .bind(business_id)
    .bind(mode.as_str())
    .bind(kind)
    .fetch_one(pool)
    .await
    .expect("house account")
}

/// The fee schedule the inflow tests charge: 1.5% + ₦10, capped at ₦2,000.
pub const FEE: kobo_core::ledger::FeeSchedule = kobo_core::ledger::FeeSchedule {
    basis_points: 150,
    flat: kobo_core::Kobo(1_000),
    cap: Some(kobo_core::Kobo(200_000)),
};
