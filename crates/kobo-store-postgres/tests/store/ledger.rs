//! Ledger invariants: a corrupted balance is reported, and entries and
//! journals refuse edits.

use kobo_store::*;

use crate::support::{account, business, customer, db, request, session, test_scope};

async fn one_inflow(db: &crate::support::Db) {
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let c = customer(&db.store, scope, "C1", None).await;
    let number = account(&db.store, scope, c.id).await;
    let door = Door::Sandbox { business_id: b.id };
    let results = db
        .store
        .post_inflows(vec![request(door, &session(1), &number, 5_000)])
        .await
        .unwrap();
    results[0].as_ref().expect("credited");
}

#[tokio::test]
async fn a_corrupted_balance_is_reported() {
    let db = db!("a_corrupted_balance_is_reported");
    one_inflow(&db).await;
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.journals, report.entries, report.inflows), (1, 2, 1));

    sqlx::query(
        "UPDATE ledger_account SET balance = balance + 1
         WHERE ledger_account_id = (SELECT MIN(ledger_account_id) FROM ledger_account WHERE kind = 'customer_wallet')",
    )
    .execute(db.raw())
    .await
    .unwrap();
    let report = db.store.verify_ledger().await.unwrap();
    assert!(!report.is_ok());
    assert!(
        report.problems.iter().any(|p| p
            .starts_with("balance differs from the sum of its entries: account ")
            && p.ends_with("balance 5001 but entries sum to 5000")),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn entries_and_journals_are_append_only() {
    let db = db!("entries_and_journals_are_append_only");
    one_inflow(&db).await;
    for sql in [
        "UPDATE entry SET amount = amount + 1",
        "DELETE FROM entry",
        "TRUNCATE entry CASCADE",
        "UPDATE journal SET kind = 'edited'",
        "DELETE FROM journal",
    ] {
        let err = sqlx::query(sql).execute(db.raw()).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert!(db.store.verify_ledger().await.unwrap().is_ok());
}

#[tokio::test]
async fn the_kept_entry_count_follows_the_entries_and_is_verified() {
    let db = db!("the_kept_entry_count_follows_the_entries_and_is_verified");
    one_inflow(&db).await;
    let (kept, real): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT SUM(entries) FROM customer_entry_count)::bigint,
                (SELECT COUNT(*) FROM entry WHERE customer_id IS NOT NULL)",
    )
    .fetch_one(db.raw())
    .await
    .unwrap();
    assert!(real > 0);
    assert_eq!(kept, real, "the trigger counted every customer entry");
    sqlx::query("UPDATE customer_entry_count SET entries = entries + 1")
        .execute(db.raw())
        .await
        .unwrap();
    let report = db.store.verify_ledger().await.unwrap();
    let wanted = format!("counts {} entries but has {real}", real + 1);
    assert!(
        report.problems.iter().any(|p| p
            .starts_with("customer's kept entry count is wrong: customer ")
            && p.ends_with(&wanted)),
        "{:?}",
        report.problems
    );
}
