//! A statement that fails after an inflow started writing rolls its batch
//! back; every inflow of the batch is then posted in a transaction of its own,
//! so only the bad one is refused and the books stay whole.

use kobo_core::Kobo;
use kobo_store::*;

use crate::support::{account, customer, request, session, test_scope, wallet, Db};

#[tokio::test]
async fn a_failure_mid_write_costs_only_its_own_inflow() {
    let db = Db::new().await;
    let business = db.store.create_business("Poison", &[]).await.unwrap();
    let scope = test_scope(business.id);
    let c = customer(&db.store, scope, "poison-1", None).await;
    let number = account(&db.store, scope, c.id).await;
    // A trigger that fails the inflow row of one session: its journal and
    // entries are written first, then the insert fails.
    let raw = db.raw().await;
    let poisoned = session(2);
    sqlx::query(&format!(
        "CREATE TRIGGER poison BEFORE INSERT ON inflow WHEN NEW.session_id = '{poisoned}'
         BEGIN SELECT RAISE(ABORT, 'poisoned inflow'); END"
    ))
    .execute(&raw)
    .await
    .unwrap();
    let door = Door::Sandbox {
        business_id: business.id,
    };
    let batch = vec![
        request(door, &session(1), &number, 1_000),
        request(door, &poisoned, &number, 5_000),
        request(door, &session(3), &number, 2_000),
    ];
    let results = db.store.post_inflows(batch).await.expect("answers");
    assert!(matches!(&results[0], Ok(o) if o.inflow.gross == Kobo(1_000)));
    assert!(results[1].is_err(), "{:?}", results[1]);
    assert!(matches!(&results[2], Ok(o) if o.inflow.gross == Kobo(2_000)));
    assert_eq!(wallet(&db.store, scope, c.id).await, 3_000);
    let report = db.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(
        (report.inflows, report.journals),
        (2, 2),
        "nothing of the poisoned inflow stays"
    );
    raw.close().await;
    db.close().await;
}
