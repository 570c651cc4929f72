//! A fresh PostgreSQL database per test, dropped afterwards (also when the
//! test panics), and small builders for businesses, customers, accounts and
//! inflow requests.
//!
//! The server comes from `KOBO_TEST_POSTGRES_URL` (default: the local one).
//! When it cannot be reached, a test reports itself skipped by name and
//! passes, unless `CI=true`, where it fails.

use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use kobo_core::{ids, Kobo, Mode};
use kobo_store::*;
use kobo_store_postgres::{PgOptions, PostgresStore};
use sqlx::{Connection, PgConnection, PgPool};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

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
    _guard: DropDatabase,
}

/// Drops the database `WITH (FORCE)` when dropped, also while a failed test
/// unwinds.
struct DropDatabase {
    admin_url: String,
    name: String,
}

fn admin_url() -> String {
    std::env::var("KOBO_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

/// The same server URL with another database name (the query is kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{database}{query}", &base[..host_end])
}

/// Small pools: parallel tests must stay far below the server's 100 connections.
pub fn options() -> PgOptions {
    PgOptions {
        max_connections: 3,
        statement_timeout: Duration::from_secs(30),
        acquire_timeout: Duration::from_secs(60),
    }
}

impl Db {
    pub async fn new(test: &str, migrate: bool) -> Option<Db> {
        let admin_url = admin_url();
        let mut admin =
            match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(&admin_url))
                .await
            {
                Ok(Ok(conn)) => conn,
                failed => {
                    let why = match failed {
                        Ok(Err(e)) => e.to_string(),
                        _ => "no answer within 5s".to_string(),
                    };
                    if std::env::var("CI").as_deref() == Ok("true") {
                        panic!("PostgreSQL unreachable at {admin_url} (CI=true): {why}");
                    }
                    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: PostgreSQL unreachable");
                    return None;
                }
            };
        let name = format!("kobo_t_{}", ids::random_alphanumeric(12).to_lowercase());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        // From here on the guard drops the database, whatever happens.
        let guard = DropDatabase { admin_url, name };
        let store = PostgresStore::connect(&url, options())
            .await
            .expect("connect to the test database");
        if migrate {
            store.migrate().await.expect("migrate");
        }
        Some(Db {
            store,
            url,
            _guard: guard,
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

impl Drop for DropDatabase {
    fn drop(&mut self) {
        // Blocking cleanup on a thread of its own: this may run inside the
        // test's runtime (or while it unwinds), where nothing can be awaited.
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(done, Ok(Ok(()))) {
            let _ = writeln!(
                std::io::stderr(),
                "could not drop test database {}",
                self.name
            );
        }
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
