//! Inflows one batch at a time: credit with fees, replay, conflict, suspense,
//! refusal, the reads behind them, and one-time accounts.

use chrono::{Duration, Utc};
use kobo_core::{Kobo, Mode};
use kobo_store::*;

use crate::support::{
    account, business, customer, db, house, issuer, request, session, test_scope,
};

#[tokio::test]
async fn credit_replay_conflict_and_suspense() {
    let db = db!("credit_replay_conflict_and_suspense");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let fee = crate::support::FEE;
    db.store
        .set_fee_schedule(b.id, Mode::Test, fee)
        .await
        .unwrap();
    let ada = customer(&db.store, scope, "ADA", None).await;
    let number = account(&db.store, scope, ada.id).await;
    let sleepy = customer(&db.store, scope, "SLEEPY", None).await;
    let sleepy_number = account(&db.store, scope, sleepy.id).await;
    let patch = CustomerPatch {
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    db.store
        .update_customer(scope, sleepy.id, patch)
        .await
        .unwrap();

    let door = Door::Sandbox { business_id: b.id };
    let batch = vec![
        request(door, &session(1), &number, 1_000_000),
        request(door, &session(1), &number, 1_000_000),
        request(door, &session(1), &number, 999),
        request(door, &session(2), &sleepy_number, 5_000),
        request(door, &session(3), "0000000000", 5_000),
        request(
            Door::Sandbox { business_id: 999 },
            &session(4),
            &number,
            5_000,
        ),
    ];
    let results = db.store.post_inflows(batch).await.expect("batch commits");
    let first = results[0].as_ref().expect("credited");
    assert!(!first.replayed);
    let credited = &first.inflow;
    assert_eq!(credited.status, InflowStatus::Credited);
    assert_eq!(
        (credited.fee.0, credited.vat.0, credited.net.0),
        (16_000, 1_200, 982_800)
    );
    assert_eq!(credited.customer_code.as_deref(), Some(ada.code.as_str()));
    let again = results[1].as_ref().expect("replayed");
    assert!(again.replayed);
    assert_eq!(again.inflow.id, credited.id);
    assert_eq!(again.inflow.created_at, credited.created_at);
    assert!(matches!(
        results[2],
        Err(StoreError::Conflict {
            field: "session_id"
        })
    ));
    let held = &results[3].as_ref().expect("suspense").inflow;
    assert_eq!(held.status, InflowStatus::Suspense);
    assert_eq!(held.reason.as_deref(), Some("customer_inactive"));
    assert!(matches!(results[4], Err(StoreError::NotFound)));
    assert!(matches!(results[5], Err(StoreError::NotFound)));

    let found = db
        .store
        .find_inflow(scope, &session(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.conflicts, 1, "the conflicting repeat is counted");
    assert_eq!(found.paid_at, credited.paid_at);
    let ada = db
        .store
        .find_customer(scope, &CustomerLookup::Id(ada.id))
        .await
        .unwrap();
    assert_eq!(ada.unwrap().wallet_balance.0, 982_800);
    let pool = db.raw();
    assert_eq!(
        house(pool, b.id, Mode::Test, "settlement").await,
        -1_005_000
    );
    assert_eq!(house(pool, b.id, Mode::Test, "suspense").await, 5_000);
    assert_eq!(house(pool, b.id, Mode::Test, "fee_revenue").await, 16_000);
    assert_eq!(house(pool, b.id, Mode::Test, "vat_payable").await, 1_200);

    let suspense = InflowQuery {
        status: Some(InflowStatus::Suspense),
        limit: 10,
        ..Default::default()
    };
    let (items, total) = db.store.list_inflows(scope, &suspense).await.unwrap();
    assert_eq!((items.len(), total), (1, 1));
    let all = InflowQuery {
        limit: 10,
        ..Default::default()
    };
    let (items, total) = db.store.list_inflows(scope, &all).await.unwrap();
    assert_eq!(total, 2);
    assert!(items[0].id > items[1].id, "newest first");
    assert!(db.store.verify_ledger().await.unwrap().is_ok());
}

#[tokio::test]
async fn movements_and_collection_wallets() {
    let db = db!("movements_and_collection_wallets");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let wallet = db.store.list_collection_wallets(scope).await.unwrap()[0].clone();
    let payer = customer(&db.store, scope, "PAYER", Some(wallet.id)).await;
    let number = account(&db.store, scope, payer.id).await;
    let door = Door::Sandbox { business_id: b.id };
    let batch = (1..=3)
        .map(|n| request(door, &session(n), &number, 1_000 * n as i64))
        .collect();
    for r in db.store.post_inflows(batch).await.unwrap() {
        r.expect("credited");
    }
    assert_eq!(
        db.store.collected_through(scope, payer.id).await.unwrap().0,
        6_000
    );
    let wallet = db
        .store
        .find_collection_wallet(scope, &wallet.code)
        .await
        .unwrap();
    assert_eq!(wallet.unwrap().balance.0, 6_000);

    let newest_first = MovementQuery {
        limit: 2,
        with_total: true,
        ..Default::default()
    };
    let (items, total) = db
        .store
        .movements(scope, &payer, &newest_first)
        .await
        .unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        items.iter().map(|m| m.amount.0).collect::<Vec<_>>(),
        vec![3_000, 2_000]
    );
    assert_eq!(items[0].balance_after.0, 6_000);
    let inflow = items[0].inflow.as_ref().expect("the inflow behind it");
    assert_eq!(inflow.session_id, session(3));
    let oldest_first = MovementQuery {
        limit: 10,
        ascending: true,
        starting_after: Some(items[1].entry_id),
        deposits: Some(true),
        from: Some(Utc::now().date_naive() - Duration::days(1)),
        to: Some(Utc::now().date_naive() + Duration::days(1)),
        ..Default::default()
    };
    let (later, total) = db
        .store
        .movements(scope, &payer, &oldest_first)
        .await
        .unwrap();
    assert_eq!((later.len(), total), (1, 0), "no count unless asked");
    assert_eq!(later[0].entry_id, items[0].entry_id);
    let withdrawals = MovementQuery {
        limit: 10,
        deposits: Some(false),
        with_total: true,
        ..Default::default()
    };
    assert_eq!(
        db.store
            .movements(scope, &payer, &withdrawals)
            .await
            .unwrap()
            .1,
        0
    );
    let tomorrow = Utc::now().date_naive() + Duration::days(2);
    let opening = db
        .store
        .movements_before(scope, payer.id, tomorrow)
        .await
        .unwrap();
    assert_eq!(opening.0, 6_000);
    let long_ago = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let opening = db
        .store
        .movements_before(scope, payer.id, long_ago)
        .await
        .unwrap();
    assert_eq!(opening.0, 0);

    let totals = db.store.ledger_totals().await.unwrap();
    let settlement = totals
        .iter()
        .find(|t| t.kind == "settlement" && t.mode == Mode::Test)
        .expect("settlement total");
    assert_eq!(settlement.balance.0, -6_000);
}

#[tokio::test]
async fn one_time_accounts_approve_flag_and_expire() {
    let db = db!("one_time_accounts_approve_flag_and_expire");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let c = customer(&db.store, scope, "C1", None).await;
    let make = |reference: &str, expires_in: Duration| NewOneTimeAccount {
        reference: reference.into(),
        amount: Kobo(10_000),
        expires_at: Utc::now() + expires_in,
    };
    let ota = db
        .store
        .create_one_time_account(scope, c.id, make("ORDER-1", Duration::hours(1)), &issuer(1))
        .await
        .expect("one-time accounts are not capped");
    let again = db
        .store
        .create_one_time_account(scope, c.id, make("ORDER-1", Duration::hours(1)), &issuer(1))
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict { field: "reference" })
    ));
    let number = ota.account.account_number.clone();
    let door = Door::Sandbox { business_id: b.id };
    let batch = vec![
        request(door, &session(1), &number, 6_000),
        request(door, &session(2), &number, 6_000),
        request(door, &session(3), &number, 1_000),
    ];
    let results = db.store.post_inflows(batch).await.unwrap();
    let flags: Vec<Option<String>> = results
        .into_iter()
        .map(|r| r.expect("credited").inflow.flag)
        .collect();
    assert_eq!(
        flags,
        vec![
            None,
            Some("overpaid".into()),
            Some("paid_after_approval".into())
        ]
    );
    let listed = db.store.one_time_accounts_of(scope, c.id).await.unwrap();
    assert_eq!(listed[0].status, OneTimeStatus::Approved);
    assert_eq!(listed[0].amount_paid.0, 13_000);
    assert!(db
        .store
        .virtual_accounts_of(scope, &[c.id])
        .await
        .unwrap()
        .is_empty());

    let late = db
        .store
        .create_one_time_account(
            scope,
            c.id,
            make("ORDER-2", Duration::seconds(-1)),
            &issuer(1),
        )
        .await
        .unwrap();
    let late_number = late.account.account_number.clone();
    let results = db
        .store
        .post_inflows(vec![request(door, &session(9), &late_number, 10_000)])
        .await
        .unwrap();
    let held = &results[0].as_ref().unwrap().inflow;
    assert_eq!(held.status, InflowStatus::Suspense);
    assert_eq!(held.reason.as_deref(), Some("expired"));
    assert!(held.refund_due);

    let due = db
        .store
        .create_one_time_account(
            scope,
            c.id,
            make("ORDER-3", Duration::seconds(-1)),
            &issuer(1),
        )
        .await
        .unwrap();
    assert_eq!(
        db.store.expire_one_time_accounts(Utc::now()).await.unwrap(),
        1
    );
    let listed = db.store.one_time_accounts_of(scope, c.id).await.unwrap();
    let swept = listed
        .iter()
        .find(|o| o.account.id == due.account.id)
        .unwrap();
    assert_eq!(swept.status, OneTimeStatus::Expired);
    assert!(db.store.verify_ledger().await.unwrap().is_ok());
}
