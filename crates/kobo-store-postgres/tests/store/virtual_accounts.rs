//! Virtual accounts across nodes: distinct NUBANs from the database's serial
//! counter, and the per-customer cap and inactive rule under parallel creates.

use std::collections::HashSet;

use kobo_store::*;

use crate::support::{business, customer, db, issuer, test_scope};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_creates_on_two_nodes_get_distinct_numbers() {
    let db = db!("parallel_creates_on_two_nodes_get_distinct_numbers");
    let other = db.node().await;
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let mut customers = Vec::new();
    for i in 0..5 {
        customers.push(customer(&db.store, scope, &format!("C{i}"), None).await.id);
    }
    let mut tasks = Vec::new();
    for (i, customer_id) in customers.iter().cycle().take(20).enumerate() {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let customer_id = *customer_id;
        tasks.push(tokio::spawn(async move {
            store
                .create_virtual_account(scope, customer_id, None, &issuer(5))
                .await
        }));
    }
    let mut numbers = HashSet::new();
    for task in tasks {
        let account = task.await.unwrap().expect("created");
        assert!(kobo_core::nuban::is_valid(
            "999999",
            &account.account_number
        ));
        assert!(
            numbers.insert(account.account_number),
            "numbers never repeat"
        );
    }
    assert_eq!(numbers.len(), 20);
    let listed = db
        .store
        .virtual_accounts_of(scope, &customers)
        .await
        .unwrap();
    assert_eq!(listed.len(), 20);
    assert!(listed.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    let enquiry = db
        .store
        .name_enquiry(&listed[0].account_number)
        .await
        .unwrap();
    let enquiry = enquiry.expect("issued numbers are known");
    assert_eq!(enquiry.account_name, "Acme / Ada Obi");
    assert!(enquiry.active);
    assert!(db.store.name_enquiry("0000000000").await.unwrap().is_none());
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cap_holds_under_twenty_parallel_creates() {
    let db = db!("the_cap_holds_under_twenty_parallel_creates");
    let other = db.node().await;
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let owner = customer(&db.store, scope, "C1", None).await.id;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store
                .create_virtual_account(scope, owner, None, &issuer(5))
                .await
        }));
    }
    let (mut created, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(StoreError::Refused(Refusal::VirtualAccountLimit { max: 5 })) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((created, refused), (5, 15));
    let held = db.store.virtual_accounts_of(scope, &[owner]).await.unwrap();
    assert_eq!(held.len(), 5);
    other.close().await;
}

#[tokio::test]
async fn inactive_customers_get_no_accounts() {
    let db = db!("inactive_customers_get_no_accounts");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let c = customer(&db.store, scope, "C1", None).await;
    let patch = CustomerPatch {
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    db.store.update_customer(scope, c.id, patch).await.unwrap();
    let r = db
        .store
        .create_virtual_account(scope, c.id, None, &issuer(5))
        .await;
    assert!(matches!(
        r,
        Err(StoreError::Refused(Refusal::CustomerInactive))
    ));
    let r = db
        .store
        .create_virtual_account(scope, 424_242, None, &issuer(5))
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)));
}
