//! A fresh SQLite store per test, removed afterwards, and small builders for
//! businesses, customers, accounts and inflow requests.

use std::path::PathBuf;

use chrono::Utc;
use kobo_core::{ids, Kobo, Mode};
use kobo_store::*;
use kobo_store_sqlite::SqliteStore;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// A store on its own file; the directory goes when the value is dropped.
pub struct Db {
    pub store: SqliteStore,
    pub url: String,
    dir: PathBuf,
}

impl Db {
    pub async fn new() -> Db {
        let dir =
            std::env::temp_dir().join(format!("kobo-store-test-{}", ids::random_alphanumeric(12)));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("kobo.db").display());
        let store = open(&url).await;
        Db { store, url, dir }
    }

    /// A second, plain connection pool on the same file (to read or tamper).
    pub async fn raw(&self) -> SqlitePool {
        let options: SqliteConnectOptions = self.url.parse().unwrap();
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap()
    }

    /// Closes the store and opens it again on the same file (a restart).
    pub async fn reopen(&mut self) {
        self.store.close().await;
        self.store = open(&self.url).await;
    }

    /// Closes the pools; call before the value goes.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn open(url: &str) -> SqliteStore {
    let store = SqliteStore::open(url).await.expect("open");
    store.migrate().await.expect("migrate");
    store
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

/// A customer; `collection_wallet_id` makes it a collection customer.
pub async fn customer(
    store: &SqliteStore,
    scope: Scope,
    reference: &str,
    collection_wallet_id: Option<i64>,
) -> Customer {
    let new = NewCustomer {
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
    };
    store.create_customer(scope, new).await.expect("customer")
}

/// Issues one account (cap 5) and returns its number.
pub async fn account(store: &SqliteStore, scope: Scope, customer_id: i64) -> String {
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
pub async fn house(pool: &SqlitePool, business_id: i64, mode: Mode, kind: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT balance FROM ledger_account WHERE business_id = ? AND mode = ? AND kind = ?",
    )
    .bind(business_id)
    .bind(mode.as_str())
    .bind(kind)
    .fetch_one(pool)
    .await
    .expect("house account")
}

/// A customer's wallet balance as the store reports it.
pub async fn wallet(store: &SqliteStore, scope: Scope, customer_id: i64) -> i64 {
    store
        .find_customer(scope, &CustomerLookup::Id(customer_id))
        .await
        .unwrap()
        .expect("customer")
        .wallet_balance
        .0
}

/// A valid NUBAN kobo never issues (serials start at 100,000,000).
pub fn never_issued() -> String {
    kobo_core::nuban::account_number("999999", 42).unwrap()
}
