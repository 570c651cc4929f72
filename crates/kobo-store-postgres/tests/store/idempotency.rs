//! Idempotency keys across nodes: one claim wins, the rest see it in flight,
//! and the stored response is replayed.

use kobo_store::*;

use crate::support::{business, db, test_scope};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_begins_claim_exactly_once() {
    let db = db!("parallel_begins_claim_exactly_once");
    let other = db.node().await;
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.begin_idempotent(scope, "key-1", "hash-a").await
        }));
    }
    let (mut claimed, mut in_flight) = (0, 0);
    for task in tasks {
        match task.await.unwrap().unwrap() {
            IdempotencyBegin::Claimed => claimed += 1,
            IdempotencyBegin::InFlight => in_flight += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((claimed, in_flight), (1, 19));

    let response = StoredResponse {
        status: 201,
        body: b"{\"ok\":true}".to_vec(),
    };
    other
        .finish_idempotent(scope, "key-1", &response)
        .await
        .unwrap();
    match db
        .store
        .begin_idempotent(scope, "key-1", "hash-a")
        .await
        .unwrap()
    {
        IdempotencyBegin::Replay(r) => assert_eq!((r.status, r.body), (201, response.body)),
        other => panic!("expected a replay, got {other:?}"),
    }
    let mismatch = db
        .store
        .begin_idempotent(scope, "key-1", "hash-b")
        .await
        .unwrap();
    assert!(matches!(mismatch, IdempotencyBegin::Mismatch));
    other.close().await;
}

#[tokio::test]
async fn abandoned_and_stale_claims_can_be_taken_again() {
    let db = db!("abandoned_and_stale_claims_can_be_taken_again");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let begin = |key: &'static str| db.store.begin_idempotent(scope, key, "h");
    assert!(matches!(
        begin("k").await.unwrap(),
        IdempotencyBegin::Claimed
    ));
    db.store.abandon_idempotent(scope, "k").await.unwrap();
    assert!(matches!(
        begin("k").await.unwrap(),
        IdempotencyBegin::Claimed
    ));

    // A claim whose request died (ten minutes old, no response) is taken over.
    sqlx::query("UPDATE idempotency_key SET created_at = '2000-01-01T00:00:00.000000Z'")
        .execute(db.raw())
        .await
        .unwrap();
    assert!(matches!(
        begin("k").await.unwrap(),
        IdempotencyBegin::Claimed
    ));
    assert!(matches!(
        begin("k").await.unwrap(),
        IdempotencyBegin::InFlight
    ));

    // Keys are scoped to the business.
    let other = business(&db.store, "Other").await;
    let theirs = db
        .store
        .begin_idempotent(test_scope(other.id), "k", "h")
        .await;
    assert!(matches!(theirs.unwrap(), IdempotencyBegin::Claimed));
}
