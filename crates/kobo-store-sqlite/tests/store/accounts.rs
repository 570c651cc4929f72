//! Virtual accounts at the store: serials never reused across a restart, the
//! per-customer cap, inactive customers, and what name enquiry sees.

use std::collections::HashSet;

use kobo_core::Mode;
use kobo_store::*;

use crate::support::*;

#[tokio::test]
async fn serials_survive_a_restart_and_are_never_reused() {
    let mut db = Db::new().await;
    let business = db.store.create_business("Serials", &[]).await.unwrap();
    let scope = test_scope(business.id);
    let live = Scope {
        business_id: business.id,
        mode: Mode::Live,
    };
    let mut numbers = Vec::new();
    let c = customer(&db.store, scope, "serial-a", None).await;
    for _ in 0..3 {
        numbers.push(account(&db.store, scope, c.id).await);
    }
    db.reopen().await;
    let d = customer(&db.store, scope, "serial-b", None).await;
    let e = customer(&db.store, live, "serial-c", None).await;
    for _ in 0..3 {
        numbers.push(account(&db.store, scope, d.id).await);
        numbers.push(account(&db.store, live, e.id).await);
    }
    assert_eq!(
        numbers.iter().collect::<HashSet<_>>().len(),
        9,
        "{numbers:?}"
    );
    for n in &numbers {
        assert!(kobo_core::nuban::is_valid("999999", n), "{n}");
    }
    // Serials (the first nine digits) only ever grow.
    let serials: Vec<u64> = numbers.iter().map(|n| n[..9].parse().unwrap()).collect();
    let mut sorted = serials.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(serials, sorted);
    db.close().await;
}

#[tokio::test]
async fn the_cap_and_inactive_customers_are_refused() {
    let db = Db::new().await;
    let business = db.store.create_business("Caps", &[]).await.unwrap();
    let scope = test_scope(business.id);
    let c = customer(&db.store, scope, "cap", None).await;
    let two = issuer(2);
    for _ in 0..2 {
        db.store
            .create_virtual_account(scope, c.id, None, &two)
            .await
            .unwrap();
    }
    let over = db
        .store
        .create_virtual_account(scope, c.id, None, &two)
        .await;
    assert!(
        matches!(
            over,
            Err(StoreError::Refused(Refusal::VirtualAccountLimit { max: 2 }))
        ),
        "{over:?}"
    );
    let patch = CustomerPatch {
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    db.store.update_customer(scope, c.id, patch).await.unwrap();
    let inactive = db
        .store
        .create_virtual_account(scope, c.id, None, &issuer(5))
        .await;
    assert!(
        matches!(
            inactive,
            Err(StoreError::Refused(Refusal::CustomerInactive))
        ),
        "{inactive:?}"
    );
    // Another business's scope does not reach the customer.
    let other = db.store.create_business("Other", &[]).await.unwrap();
    let foreign = db
        .store
        .create_virtual_account(test_scope(other.id), c.id, None, &issuer(5))
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert_eq!(
        db.store
            .virtual_accounts_of(scope, &[c.id])
            .await
            .unwrap()
            .len(),
        2
    );
    db.close().await;
}

#[tokio::test]
async fn name_enquiry_reports_mode_and_activity() {
    let db = Db::new().await;
    let business = db.store.create_business("Names Ltd", &[]).await.unwrap();
    let live = Scope {
        business_id: business.id,
        mode: Mode::Live,
    };
    let c = customer(&db.store, live, "names", None).await;
    let number = account(&db.store, live, c.id).await;
    let found = db
        .store
        .name_enquiry(&number)
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.account_name, "Names Ltd / Ada Obi");
    assert_eq!((found.mode, found.active), (Mode::Live, true));
    let patch = CustomerPatch {
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    db.store.update_customer(live, c.id, patch).await.unwrap();
    let found = db
        .store
        .name_enquiry(&number)
        .await
        .unwrap()
        .expect("found");
    assert!(!found.active);
    assert!(db
        .store
        .name_enquiry(&never_issued())
        .await
        .unwrap()
        .is_none());
    db.close().await;
}
