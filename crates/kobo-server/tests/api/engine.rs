//! The engine under test. The whole suite runs on SQLite by default; with
//! `KOBO_TEST_ENGINE=postgres` every test app gets a fresh PostgreSQL database
//! instead. `postgres_half` (below) runs this same binary again in that mode,
//! so the README's `cargo test` covers both engines: without a reachable
//! PostgreSQL it reports itself skipped by name (and fails under `CI=true`).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use kobo_store::Store;
use kobo_store_postgres::testing::{self, TestDatabase};
use kobo_store_postgres::PostgresStore;
use kobo_store_sqlite::SqliteStore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub fn engine() -> Engine {
    match std::env::var("KOBO_TEST_ENGINE").as_deref() {
        Ok("postgres") => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

/// A test app's database; removed when dropped.
pub enum TestDb {
    Sqlite { dir: PathBuf },
    Postgres(TestDatabase),
}

impl TestDb {
    pub async fn create() -> TestDb {
        match engine() {
            Engine::Sqlite => {
                let dir = std::env::temp_dir().join(format!(
                    "kobo-test-{}",
                    kobo_core::ids::random_alphanumeric(12)
                ));
                std::fs::create_dir_all(&dir).unwrap();
                TestDb::Sqlite { dir }
            }
            Engine::Postgres => TestDb::Postgres(TestDatabase::create().await),
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { dir } => format!("sqlite://{}", dir.join("kobo.db").display()),
            TestDb::Postgres(db) => db.url.clone(),
        }
    }

    /// A store on this database (a kobo node), migrated.
    pub async fn store(&self) -> Arc<dyn Store> {
        let store: Arc<dyn Store> = match self {
            TestDb::Sqlite { .. } => {
                Arc::new(SqliteStore::open(&self.url()).await.expect("open sqlite"))
            }
            TestDb::Postgres(db) => Arc::new(
                PostgresStore::connect(&db.url, testing::small_pool())
                    .await
                    .expect("open postgres"),
            ),
        };
        store.migrate().await.expect("migrate");
        store
    }

    /// Plain SQL access, for tests that read or adjust rows directly.
    pub async fn raw(&self) -> RawDb {
        match self {
            TestDb::Sqlite { .. } => RawDb::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(&self.url())
                    .await
                    .expect("raw sqlite pool"),
            ),
            TestDb::Postgres(db) => RawDb::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&db.url)
                    .await
                    .expect("raw postgres pool"),
            ),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Sqlite { dir } = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A plain pool on either engine. Write SQL both accept, with `$1`, `$2`…
/// placeholders (SQLite takes them too); arguments are text or integers.
pub enum RawDb {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// One bound argument.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<i64> for Arg {
    fn from(i: i64) -> Arg {
        Arg::Int(i)
    }
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

impl RawDb {
    /// Runs a statement; returns the rows it changed.
    pub async fn execute(&self, sql: &str, args: &[Arg]) -> u64 {
        match self {
            RawDb::Sqlite(p) => bind_all!(sqlx::query(sql), args)
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
            RawDb::Postgres(p) => bind_all!(sqlx::query(sql), args)
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
        }
    }

    /// One integer (cast to BIGINT in SQL where PostgreSQL needs it).
    pub async fn int(&self, sql: &str, args: &[Arg]) -> i64 {
        match self {
            RawDb::Sqlite(p) => bind_all!(sqlx::query_scalar::<_, i64>(sql), args)
                .fetch_one(p)
                .await
                .unwrap(),
            RawDb::Postgres(p) => bind_all!(sqlx::query_scalar::<_, i64>(sql), args)
                .fetch_one(p)
                .await
                .unwrap(),
        }
    }

    /// One text value.
    pub async fn text(&self, sql: &str, args: &[Arg]) -> String {
        match self {
            RawDb::Sqlite(p) => bind_all!(sqlx::query_scalar::<_, String>(sql), args)
                .fetch_one(p)
                .await
                .unwrap(),
            RawDb::Postgres(p) => bind_all!(sqlx::query_scalar::<_, String>(sql), args)
                .fetch_one(p)
                .await
                .unwrap(),
        }
    }

    /// The names of kobo's tables.
    pub async fn tables(&self) -> Vec<String> {
        match self {
            RawDb::Sqlite(p) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(p)
            .await
            .unwrap(),
            RawDb::Postgres(p) => sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
            )
            .fetch_all(p)
            .await
            .unwrap(),
        }
    }
}

/// Runs this whole test binary again against PostgreSQL.
#[test]
fn postgres_half() {
    if engine() == Engine::Postgres {
        return; // the inner run itself
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    if runtime
        .block_on(testing::skip_unless_reachable(
            "postgres_half (the API suite on PostgreSQL)",
        ))
        .is_none()
    {
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let out = std::process::Command::new(exe)
        .env("KOBO_TEST_ENGINE", "postgres")
        .args(["--skip", "engine::postgres_half", "--test-threads", "6"])
        .output()
        .expect("run the suite on PostgreSQL");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .lines()
        .filter(|l| l.starts_with("test result"))
        .collect::<Vec<_>>()
        .join("\n");
    let _ = writeln!(std::io::stderr(), "postgres half: {summary}");
    if !out.status.success() {
        let failures: Vec<&str> = stdout
            .lines()
            .filter(|l| l.ends_with("FAILED") || l.contains("panicked"))
            .collect();
        panic!(
            "the API suite failed on PostgreSQL:\n{}\n--- stdout tail ---\n{}\n--- stderr tail ---\n{}",
            failures.join("\n"),
            tail(&stdout, 80),
            tail(&String::from_utf8_lossy(&out.stderr), 40)
        );
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
