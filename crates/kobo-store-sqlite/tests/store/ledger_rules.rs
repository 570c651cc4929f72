//! The ledger's hard rules: verify catches a corrupted balance, entries and
//! journals are append-only, an unbalanced journal cannot be built, one bad
//! inflow never undoes its batch neighbours, and overflow is refused.

use kobo_core::ledger::{LedgerError, Line, Posting};
use kobo_core::{Kobo, Mode};
use kobo_store::*;

use crate::support::*;

/// A business with one active wallet customer holding one account.
async fn one_customer(db: &Db, reference: &str) -> (i64, Customer, String) {
    let business = db.store.create_business("Rules", &[]).await.unwrap();
    let scope = test_scope(business.id);
    let c = customer(&db.store, scope, reference, None).await;
    let number = account(&db.store, scope, c.id).await;
    (business.id, c, number)
}

async fn post_one(db: &Db, req: InflowRequest) -> StoreResult<InflowOutcome> {
    db.store.post_inflows(vec![req]).await.unwrap().remove(0)
}

#[tokio::test]
async fn a_corrupted_balance_fails_verification() {
    let db = Db::new().await;
    let (b, _, number) = one_customer(&db, "corrupt").await;
    let door = Door::Sandbox { business_id: b };
    post_one(&db, request(door, &session(1), &number, 5_000))
        .await
        .unwrap();
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.inflows, report.journals, report.entries), (1, 1, 2));
    let raw = db.raw().await;
    sqlx::query(
        "UPDATE ledger_account SET balance = balance + 1
         WHERE ledger_account_id = (SELECT MIN(ledger_account_id) FROM ledger_account)",
    )
    .execute(&raw)
    .await
    .unwrap();
    raw.close().await;
    let report = db.store.verify_ledger().await.unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with("balance differs from the sum of its entries"),
        "{:?}",
        report.problems
    );
    db.close().await;
}

#[tokio::test]
async fn the_kept_entry_count_follows_the_entries_and_is_verified() {
    let db = Db::new().await;
    let (b, _, number) = one_customer(&db, "counted").await;
    let door = Door::Sandbox { business_id: b };
    for n in 1..=3 {
        post_one(&db, request(door, &session(n), &number, 5_000))
            .await
            .unwrap();
    }
    let raw = db.raw().await;
    let (kept, real): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT SUM(entries) FROM customer_entry_count),
                (SELECT COUNT(*) FROM entry WHERE customer_id IS NOT NULL)",
    )
    .fetch_one(&raw)
    .await
    .unwrap();
    assert!(real >= 3);
    assert_eq!(kept, real, "the trigger counted every customer entry");
    sqlx::query("UPDATE customer_entry_count SET entries = entries + 1")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let report = db.store.verify_ledger().await.unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with("customer's kept entry count is wrong: customer ")
            && report.problems[0].ends_with(&format!("counts {} entries but has {real}", real + 1)),
        "{:?}",
        report.problems
    );
    db.close().await;
}

#[tokio::test]
async fn entries_and_journals_are_append_only() {
    let db = Db::new().await;
    let (b, c, number) = one_customer(&db, "append").await;
    let scope = test_scope(b);
    let door = Door::Sandbox { business_id: b };
    post_one(&db, request(door, &session(1), &number, 700))
        .await
        .unwrap();
    let raw = db.raw().await;
    for sql in [
        "UPDATE entry SET amount = amount + 1",
        "UPDATE entry SET balance_after = 0",
        "DELETE FROM entry",
        "UPDATE journal SET kind = 'other'",
        "DELETE FROM journal",
    ] {
        let err = sqlx::query(sql).execute(&raw).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    raw.close().await;
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.journals, report.entries), (1, 2));
    assert_eq!(wallet(&db.store, scope, c.id).await, 700);
    db.close().await;
}

#[test]
fn an_unbalanced_journal_cannot_be_built() {
    let line = |account_id, amount| Line {
        account_id,
        amount: Kobo(amount),
        customer_id: None,
    };
    assert_eq!(
        Posting::new(vec![line(1, -100), line(2, 99)]),
        Err(LedgerError::Unbalanced)
    );
    assert_eq!(
        Posting::new(vec![line(1, -100), line(2, 90), line(3, 9)]),
        Err(LedgerError::Unbalanced)
    );
    assert_eq!(
        Posting::new(vec![line(1, 0), line(2, 0)]),
        Err(LedgerError::TooFewLines)
    );
    assert_eq!(
        Posting::new(vec![line(1, i64::MAX), line(2, i64::MAX), line(3, 2)]),
        Err(LedgerError::Overflow)
    );
    let ok = Posting::new(vec![line(3, 60), line(1, -100), line(2, 40)]).unwrap();
    let ids: Vec<i64> = ok.lines().iter().map(|l| l.account_id).collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[tokio::test]
async fn one_failing_inflow_does_not_undo_its_batch() {
    let db = Db::new().await;
    let (b, first, number) = one_customer(&db, "batch-a").await;
    let scope = test_scope(b);
    let second = customer(&db.store, scope, "batch-b", None).await;
    let second_number = account(&db.store, scope, second.id).await;
    let other = db.store.create_business("Other", &[]).await.unwrap();
    let door = Door::Sandbox { business_id: b };
    let foreign = Door::Sandbox {
        business_id: other.id,
    };
    let batch = vec![
        request(door, &session(1), &number, 1_000),
        request(door, &session(2), &never_issued(), 5_000),
        request(door, &session(3), &second_number, 2_000),
        request(foreign, &session(4), &number, 3_000),
        request(door, &session(5), &number, 0),
        request(door, &session(6), &number, -50),
        request(door, &session(1), &number, 1_001),
        request(door, &session(7), &number, 400),
    ];
    let results = db
        .store
        .post_inflows(batch)
        .await
        .expect("the batch commits");
    assert_eq!(results.len(), 8);
    assert!(matches!(&results[0], Ok(o) if !o.replayed && o.inflow.gross == Kobo(1_000)));
    assert!(
        matches!(results[1], Err(StoreError::NotFound)),
        "{:?}",
        results[1]
    );
    assert!(matches!(&results[2], Ok(o) if o.inflow.customer_id == Some(second.id)));
    assert!(
        matches!(results[3], Err(StoreError::NotFound)),
        "{:?}",
        results[3]
    );
    assert!(
        results[4].is_err(),
        "a zero amount is refused: {:?}",
        results[4]
    );
    assert!(
        results[5].is_err(),
        "a negative amount is refused: {:?}",
        results[5]
    );
    assert!(matches!(
        results[6],
        Err(StoreError::Conflict {
            field: "session_id"
        })
    ));
    assert!(matches!(&results[7], Ok(o) if !o.replayed));
    assert_eq!(wallet(&db.store, scope, first.id).await, 1_400);
    assert_eq!(wallet(&db.store, scope, second.id).await, 2_000);
    // The conflict counter bumped inside the batch was kept.
    let flagged = db
        .store
        .find_inflow(scope, &session(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(flagged.conflicts, 1);
    for refused in [2, 4, 5, 6] {
        assert!(db
            .store
            .find_inflow(scope, &session(refused))
            .await
            .unwrap()
            .is_none());
    }
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.inflows, report.journals), (3, 3));
    let raw = db.raw().await;
    assert_eq!(house(&raw, b, Mode::Test, "settlement").await, -3_400);
    assert_eq!(house(&raw, other.id, Mode::Test, "settlement").await, 0);
    raw.close().await;
    db.close().await;
}

#[tokio::test]
async fn overflow_is_refused_never_wrapped() {
    let db = Db::new().await;
    let (b, c, number) = one_customer(&db, "overflow").await;
    let scope = test_scope(b);
    let door = Door::Sandbox { business_id: b };
    post_one(&db, request(door, &session(1), &number, i64::MAX))
        .await
        .unwrap();
    let refused = post_one(&db, request(door, &session(2), &number, 1)).await;
    assert!(
        matches!(refused, Err(StoreError::Internal(_))),
        "{refused:?}"
    );
    assert_eq!(wallet(&db.store, scope, c.id).await, i64::MAX);
    assert!(db
        .store
        .find_inflow(scope, &session(2))
        .await
        .unwrap()
        .is_none());
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, 1);
    db.close().await;
}
