//! Several nodes posting inflow batches at once: every session id applies
//! exactly once, batches that lock two businesses' accounts in opposite
//! orders never fail, and the ledger verifies with exact balances.

use std::collections::HashMap;

use kobo_core::Mode;
use kobo_store::*;
use kobo_store_postgres::PostgresStore;

use crate::support::{account, business, customer, db, house, request, session, test_scope};

const TASKS: u64 = 8;
const BATCHES: u64 = 5;
const PER_BATCH: u64 = 10;

/// Posts `batches` from `tasks` at once, alternating between the two nodes;
/// every batch must commit (no outer error).
async fn post_all(
    nodes: [&PostgresStore; 2],
    batches: Vec<Vec<InflowRequest>>,
) -> Vec<InflowOutcome> {
    let mut tasks = Vec::new();
    for (i, batch) in batches.into_iter().enumerate() {
        let store = nodes[i % 2].clone();
        tasks.push(tokio::spawn(async move { store.post_inflows(batch).await }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        let results = task.await.unwrap().expect("every batch commits");
        for r in results {
            outcomes.push(r.expect("every inflow is credited or replayed"));
        }
    }
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_session_ids_from_many_tasks_apply_once() {
    let db = db!("the_same_session_ids_from_many_tasks_apply_once");
    let other = db.node().await;
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let mut numbers = Vec::new();
    let mut customers = Vec::new();
    for i in 0..4 {
        let c = customer(&db.store, scope, &format!("C{i}"), None).await;
        numbers.push(account(&db.store, scope, c.id).await);
        customers.push(c);
    }
    let door = Door::Sandbox { business_id: b.id };
    // Session n always goes to the same account with the same amount; each
    // task sends an overlapping window, so most sessions arrive from two or
    // three tasks at once (and from both nodes).
    let inflow = |n: u64| {
        request(
            door,
            &session(n),
            &numbers[(n % 4) as usize],
            100 + n as i64,
        )
    };
    let mut batches = Vec::new();
    for task in 0..TASKS {
        for batch in 0..BATCHES {
            let start = task * 13 + batch * PER_BATCH;
            batches.push((start..start + PER_BATCH).map(inflow).collect());
        }
    }
    let outcomes = post_all([&db.store, &other], batches).await;
    let mut first_posts: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, i64> = HashMap::new();
    for o in &outcomes {
        if !o.replayed {
            *first_posts.entry(o.inflow.session_id.clone()).or_default() += 1;
        }
        let id = *ids
            .entry(o.inflow.session_id.clone())
            .or_insert(o.inflow.id);
        assert_eq!(id, o.inflow.id, "every answer names the one inflow");
    }
    assert!(
        first_posts.values().all(|n| *n == 1),
        "no session applied twice"
    );
    assert_eq!(first_posts.len(), ids.len(), "every session applied once");

    let mut expected = [0i64; 4];
    for n in ids.keys().map(|s| s[1..].parse::<u64>().unwrap()) {
        expected[(n % 4) as usize] += 100 + n as i64;
    }
    for (c, want) in customers.iter().zip(expected) {
        let now = db
            .store
            .find_customer(scope, &CustomerLookup::Id(c.id))
            .await
            .unwrap();
        assert_eq!(now.unwrap().wallet_balance.0, want, "balance is exact");
    }
    let settlement = house(db.raw(), b.id, Mode::Test, "settlement").await;
    assert_eq!(settlement, -expected.iter().sum::<i64>());
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, ids.len() as u64);
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_locking_two_businesses_in_opposite_orders_never_fail() {
    let db = db!("batches_locking_two_businesses_in_opposite_orders_never_fail");
    let other = db.node().await;
    let mut targets = Vec::new();
    for name in ["Acme", "Bolt"] {
        let b = business(&db.store, name).await;
        let scope = test_scope(b.id);
        let c = customer(&db.store, scope, "C1", None).await;
        targets.push((b.id, account(&db.store, scope, c.id).await, c));
    }
    let mut batches = Vec::new();
    let mut n = 0;
    for task in 0..TASKS * BATCHES {
        // Even batches post Acme then Bolt; odd ones Bolt then Acme.
        let order = if task % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut batch = Vec::new();
        for side in order {
            let (business_id, number, _) = &targets[side];
            for _ in 0..PER_BATCH / 2 {
                n += 1;
                let door = Door::Sandbox {
                    business_id: *business_id,
                };
                batch.push(request(door, &session(n), number, 1_000));
            }
        }
        batches.push(batch);
    }
    let total = n as i64;
    let outcomes = post_all([&db.store, &other], batches).await;
    assert_eq!(outcomes.len() as i64, total);
    assert!(outcomes.iter().all(|o| !o.replayed));
    for (business_id, _, c) in &targets {
        let scope = test_scope(*business_id);
        let now = db
            .store
            .find_customer(scope, &CustomerLookup::Id(c.id))
            .await
            .unwrap();
        assert_eq!(now.unwrap().wallet_balance.0, total / 2 * 1_000);
    }
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_live_session_id_sent_to_two_businesses_at_once_applies_once() {
    let db = db!("one_live_session_id_sent_to_two_businesses_at_once_applies_once");
    let other = db.node().await;
    let mut numbers = Vec::new();
    for name in ["Acme", "Bolt"] {
        let b = business(&db.store, name).await;
        let scope = Scope {
            business_id: b.id,
            mode: Mode::Live,
        };
        let c = customer(&db.store, scope, "C1", None).await;
        numbers.push(account(&db.store, scope, c.id).await);
    }
    // The bank's session ids are unique network-wide: the same id reaching
    // two businesses' accounts at once is one payment, applied once; the
    // other answer is a conflict.
    let mut batches = Vec::new();
    for round in 0..10 {
        for number in &numbers {
            batches.push(vec![request(Door::Provider, &session(round), number, 500)]);
        }
    }
    let mut tasks = Vec::new();
    for (i, batch) in batches.into_iter().enumerate() {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move { store.post_inflows(batch).await }));
    }
    let (mut posted, mut conflicts) = (0, 0);
    for task in tasks {
        for r in task.await.unwrap().expect("batch commits") {
            match r {
                Ok(o) => {
                    assert!(!o.replayed);
                    posted += 1;
                }
                Err(StoreError::Conflict {
                    field: "session_id",
                }) => conflicts += 1,
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
    }
    assert_eq!((posted, conflicts), (10, 10));
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, 10);
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_loses_a_deadlock_is_run_again() {
    let db = db!("a_batch_that_loses_a_deadlock_is_run_again");
    let mut targets = Vec::new();
    for name in ["Acme", "Bolt"] {
        let b = business(&db.store, name).await;
        let scope = test_scope(b.id);
        let c = customer(&db.store, scope, "C1", None).await;
        targets.push((b.id, account(&db.store, scope, c.id).await));
    }
    let pool = db.raw().clone();
    let settlement = |business_id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT ledger_account_id FROM ledger_account
             WHERE business_id = $1 AND mode = 'test' AND kind = 'settlement'",
            )
            .bind(business_id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (acme, bolt) = (
        settlement(targets[0].0).await,
        settlement(targets[1].0).await,
    );
    let lock =
        "SELECT ledger_account_id FROM ledger_account WHERE ledger_account_id = $1 FOR UPDATE";
    // Another transaction holds Bolt's settlement row...
    let mut other = db.raw().begin().await.unwrap();
    sqlx::query(lock)
        .bind(bolt)
        .execute(&mut *other)
        .await
        .unwrap();
    // ...while the batch locks Acme's accounts and waits for Bolt's...
    let batch = targets
        .iter()
        .enumerate()
        .map(|(n, (business_id, number))| {
            let door = Door::Sandbox {
                business_id: *business_id,
            };
            request(door, &session(n as u64), number, 700)
        })
        .collect();
    let store = db.store.clone();
    let posting = tokio::spawn(async move { store.post_inflows(batch).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // ...and then wants Acme's: a deadlock. The batch waited first, so the
    // server picks it as the victim; it must be run again, not reported.
    sqlx::query(lock)
        .bind(acme)
        .execute(&mut *other)
        .await
        .unwrap();
    other.commit().await.unwrap();
    let results = posting
        .await
        .unwrap()
        .expect("the batch is retried and commits");
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, 2);
}
