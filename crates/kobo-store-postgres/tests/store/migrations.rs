//! Migrations: idempotent, safe when two nodes run them at once, and a
//! server that cannot be reached is one clear `Unavailable` line.

use std::time::Duration;

use kobo_store::{Store, StoreError};
use kobo_store_postgres::{PgOptions, PostgresStore};

use crate::support::db;

async fn versions(pool: &sqlx::PgPool) -> Vec<i64> {
    sqlx::query_scalar("SELECT version FROM schema_migration ORDER BY version")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let db = db!("migrations_are_idempotent");
    let before = versions(db.raw()).await;
    assert_eq!(before, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    db.store.migrate().await.expect("second run");
    db.store.migrate().await.expect("third run");
    assert_eq!(versions(db.raw()).await, before);
    assert!(db.store.migrations_current().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_migrating_at_once_both_succeed() {
    let db = db!("two_nodes_migrating_at_once_both_succeed", unmigrated);
    let other = db.node().await;
    let (a, b) = tokio::join!(db.store.migrate(), other.migrate());
    a.expect("first node");
    b.expect("second node");
    assert_eq!(versions(db.raw()).await, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(other.migrations_current().await.unwrap());
    other.close().await;
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable_in_one_line() {
    let options = PgOptions {
        max_connections: 2,
        statement_timeout: Duration::from_secs(1),
        acquire_timeout: Duration::from_secs(3),
    };
    let started = std::time::Instant::now();
    let err = PostgresStore::connect("postgres://kobo:secret@127.0.0.1:1/kobo", options)
        .await
        .err()
        .expect("nothing listens on port 1");
    let StoreError::Unavailable(msg) = err else {
        panic!("expected Unavailable, got {err:?}");
    };
    assert!(
        msg.starts_with("cannot reach PostgreSQL at 127.0.0.1:1/kobo: "),
        "{msg}"
    );
    assert!(!msg.contains('\n') && !msg.contains("secret"), "{msg}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "fails at once, not after retries"
    );
    let bad = PostgresStore::connect("mysql://x", PgOptions::default()).await;
    assert!(matches!(bad, Err(StoreError::Unavailable(_))));
}

#[tokio::test]
async fn the_statement_timeout_applies_to_every_connection() {
    let db = db!("the_statement_timeout_applies_to_every_connection");
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(db.raw())
        .await
        .unwrap();
    assert_eq!(shown, "30s");
}
