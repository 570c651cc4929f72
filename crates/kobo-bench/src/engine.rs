//! The database engine under test: fresh databases for kobo and for the
//! database ceiling, and raw sqlx pools on them with kobo's own settings.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use kobo_store::Store;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Executor};

pub enum Engine {
    /// Files in the run's temporary folder.
    Sqlite { dir: PathBuf },
    /// Databases made with `admin` (a URL allowed to CREATE DATABASE).
    Postgres {
        admin: String,
        prefix: String,
        made: Mutex<Vec<String>>,
    },
}

impl Engine {
    pub fn new(database: Option<&str>, dir: PathBuf, nonce: u64) -> anyhow::Result<Engine> {
        match database {
            None => Ok(Engine::Sqlite { dir }),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Engine::Postgres {
                    admin: url.to_string(),
                    prefix: format!("kobo_bench_{nonce}"),
                    made: Mutex::new(Vec::new()),
                })
            }
            Some(other) => anyhow::bail!("--database takes a postgres:// URL, not {other}"),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite { .. } => "sqlite",
            Engine::Postgres { .. } => "postgres",
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Engine::Sqlite { .. })
    }

    /// A new, empty database called `name`; answers its URL.
    pub async fn fresh(&self, name: &str) -> anyhow::Result<String> {
        match self {
            Engine::Sqlite { dir } => Ok(format!(
                "sqlite://{}",
                dir.join(format!("{name}.db")).display()
            )),
            Engine::Postgres {
                admin,
                prefix,
                made,
            } => {
                let db = format!("{prefix}_{name}");
                let mut conn = PgConnectOptions::from_str(admin)?
                    .connect()
                    .await
                    .context("cannot connect with --database")?;
                conn.execute(format!("CREATE DATABASE {db}").as_str())
                    .await
                    .with_context(|| format!("cannot create database {db}"))?;
                let _ = conn.close().await;
                made.lock().expect("lock").push(db.clone());
                Ok(with_database(admin, &db))
            }
        }
    }

    /// Drops the PostgreSQL databases this run made.
    pub async fn drop_all(&self) {
        if let Engine::Postgres { admin, made, .. } = self {
            let names: Vec<String> = made.lock().expect("lock").drain(..).collect();
            let Ok(options) = PgConnectOptions::from_str(admin) else {
                return;
            };
            if let Ok(mut conn) = options.connect().await {
                for db in names {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str())
                        .await;
                }
                let _ = conn.close().await;
            }
        }
    }
}

/// `url` with its database name replaced by `db` (query string kept).
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    format!("{root}/{db}{query}")
}

/// Applies kobo's migrations to a fresh database through kobo's own store.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    if url.starts_with("sqlite://") {
        let store = kobo_store_sqlite::SqliteStore::open(url).await?;
        store.migrate().await?;
        store.close().await;
    } else {
        let store = kobo_store_postgres::PostgresStore::connect(url, Default::default()).await?;
        store.migrate().await?;
        store.close().await;
    }
    Ok(())
}

/// A pool on kobo's SQLite file with kobo's settings (WAL, synchronous=FULL,
/// foreign keys, the same cache): `max` 1 is kobo's single writer.
pub async fn sqlite_pool(url: &str, max: u32) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-16000");
    Ok(SqlitePoolOptions::new()
        .max_connections(max)
        .min_connections(max)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(options)
        .await?)
}

/// A pool on a PostgreSQL database with the server's default durability.
pub async fn pg_pool(url: &str, max: u32) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(PgConnectOptions::from_str(url)?)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
