//! Throwaway databases for tests (this crate's and the HTTP suite's): each
//! test gets `kobo_t_<random>` on the server named by `KOBO_TEST_POSTGRES_URL`
//! (default: the local one), dropped `WITH (FORCE)` when the guard goes, also
//! while a failed test unwinds. Pools stay small so parallel tests never reach
//! the server's connection limit.

use std::io::Write;
use std::time::Duration;

use sqlx::{Connection, PgConnection};

use crate::PgOptions;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server tests use.
pub fn admin_url() -> String {
    std::env::var("KOBO_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

/// Pool settings for one test node: at most 3 connections.
pub fn small_pool() -> PgOptions {
    PgOptions {
        max_connections: 3,
        statement_timeout: Duration::from_secs(30),
        acquire_timeout: Duration::from_secs(60),
    }
}

/// The same server URL with another database name (the query is kept).
pub fn with_database(url: &str, database: &str) -> String {
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

/// Whether the test server answers (within 5 s); the error says why not.
pub async fn reachable() -> Result<(), String> {
    let url = admin_url();
    match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(&url)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(format!("PostgreSQL unreachable at {url}: {e}")),
        Err(_) => Err(format!("PostgreSQL at {url} gave no answer within 5s")),
    }
}

/// `None` (after writing "SKIPPED <test>: …" past libtest's capture) when the
/// server is unreachable outside CI; with `CI=true` an unreachable server panics.
pub async fn skip_unless_reachable(test: &str) -> Option<()> {
    match reachable().await {
        Ok(()) => Some(()),
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => panic!("{why} (CI=true)"),
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
            None
        }
    }
}

/// A database of its own; dropped with this value.
pub struct TestDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates an empty database (the server must be reachable).
    pub async fn create() -> TestDatabase {
        let admin_url = admin_url();
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("connect to the PostgreSQL test server");
        let name = format!(
            "kobo_t_{}",
            kobo_core::ids::random_alphanumeric(12).to_lowercase()
        );
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        TestDatabase {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        }
    }
}

impl Drop for TestDatabase {
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

/// Posts an inflow batch on the one-by-one path (a savepoint per inflow),
/// which the set-based path must match row for row.
pub async fn post_inflows_one_by_one(
    store: &crate::PostgresStore,
    batch: Vec<kobo_store::InflowRequest>,
) -> kobo_store::StoreResult<Vec<kobo_store::StoreResult<kobo_store::InflowOutcome>>> {
    crate::inflows::post_batch_from(store.pool(), batch, false).await
}
