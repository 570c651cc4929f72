//! The set-based inflow path against the one-by-one path it replaced: the
//! same batches on two fresh databases give the same answers and leave the
//! same rows (credits with fees, replays and conflicts inside a batch and
//! across batches, every suspense reason reachable here, refusals, one-time
//! accounts paid, overpaid, paid after approval and expired, collection
//! wallets, events with and without a webhook URL).

use chrono::{DateTime, Duration, Utc};
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use kobo_store_postgres::testing::post_inflows_one_by_one;
use sqlx::PgPool;

use crate::support::{account, business, customer, db, issuer, request, session, test_scope, Db};

/// Accounts of one world, made in the same order on each database.
struct World {
    acme: i64,
    bolt: i64,
    ada: String,
    sleepy: String,
    payer: String,
    bob: String,
    one_time: String,
    late: String,
}

async fn world(db: &Db) -> World {
    let acme = business(&db.store, "Acme").await;
    let bolt = business(&db.store, "Bolt").await;
    let scope = test_scope(acme.id);
    let fee = crate::support::FEE;
    db.store
        .set_fee_schedule(acme.id, Mode::Test, fee)
        .await
        .unwrap();
    db.store.webhook_endpoint(scope, "whsec_a").await.unwrap();
    db.store
        .set_webhook_url(scope, Some("https://example.com/hook".into()), "x")
        .await
        .unwrap();
    let c = customer(&db.store, scope, "ADA", None).await;
    let ada = account(&db.store, scope, c.id).await;
    let s = customer(&db.store, scope, "SLEEPY", None).await;
    let sleepy = account(&db.store, scope, s.id).await;
    let patch = CustomerPatch {
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    db.store.update_customer(scope, s.id, patch).await.unwrap();
    let wallet = db.store.list_collection_wallets(scope).await.unwrap()[0].clone();
    let p = customer(&db.store, scope, "PAYER", Some(wallet.id)).await;
    let payer = account(&db.store, scope, p.id).await;
    let bolt_scope = test_scope(bolt.id);
    let b = customer(&db.store, bolt_scope, "BOB", None).await;
    let bob = account(&db.store, bolt_scope, b.id).await;
    let make = |reference: &str, expires_in: Duration| NewOneTimeAccount {
        reference: reference.into(),
        amount: Kobo(10_000),
        expires_at: Utc::now() + expires_in,
    };
    let one_time = db
        .store
        .create_one_time_account(scope, c.id, make("ORDER-1", Duration::hours(1)), &issuer(1))
        .await
        .unwrap()
        .account
        .account_number;
    let late = db
        .store
        .create_one_time_account(
            scope,
            c.id,
            make("ORDER-2", Duration::seconds(-1)),
            &issuer(1),
        )
        .await
        .unwrap()
        .account
        .account_number;
    World {
        acme: acme.id,
        bolt: bolt.id,
        ada,
        sleepy,
        payer,
        bob,
        one_time,
        late,
    }
}

fn batches(w: &World, paid_at: DateTime<Utc>) -> Vec<Vec<InflowRequest>> {
    let acme = Door::Sandbox {
        business_id: w.acme,
    };
    let bolt = Door::Sandbox {
        business_id: w.bolt,
    };
    let r = |door, n, number: &str, amount| {
        let mut req = request(door, &session(n), number, amount);
        req.paid_at = paid_at;
        req
    };
    vec![
        vec![
            r(acme, 1, &w.ada, 1_000_000),
            r(acme, 1, &w.ada, 1_000_000),
            r(acme, 1, &w.ada, 999),
            r(acme, 2, &w.sleepy, 5_000),
            r(acme, 3, "0000000000", 5_000),
            r(Door::Sandbox { business_id: 999 }, 4, &w.ada, 5_000),
            r(acme, 5, &w.one_time, 6_000),
            r(acme, 6, &w.one_time, 6_000),
            r(acme, 7, &w.one_time, 1_000),
            r(acme, 8, &w.late, 10_000),
            r(acme, 9, &w.late, 500),
            r(acme, 10, &w.payer, 2_000),
            r(bolt, 11, &w.bob, 3_000),
            r(bolt, 12, &w.ada, 3_000),
            r(bolt, 1, &w.bob, 7),
            r(acme, 1, &w.ada, 1_000_000),
            r(acme, 13, &w.ada, 1),
        ],
        vec![
            r(acme, 1, &w.ada, 1_000_000),
            r(acme, 1, &w.payer, 1_000_000),
            r(acme, 1, &w.ada, 1_000_000),
            r(acme, 5, &w.one_time, 6_000),
            r(acme, 20, &w.ada, 250_000),
            r(acme, 20, &w.ada, 250_000),
            r(bolt, 11, &w.bob, 4_000),
            r(bolt, 21, &w.bob, 4_000),
        ],
    ]
}

/// An answer without the instants each run takes from its own clock.
fn answer(r: &StoreResult<InflowOutcome>) -> String {
    match r {
        Ok(o) => {
            let i = &o.inflow;
            format!(
                "{} {} {} {:?} {} {:?} {:?} {:?} {:?} {} {} {} {} {:?} {:?} {:?} {:?} {} {} {:?} {}",
                o.replayed,
                i.id,
                i.session_id,
                i.mode,
                i.account_number,
                i.customer_id,
                i.customer_reference,
                i.status,
                i.reason,
                i.gross.0,
                i.fee.0,
                i.vat.0,
                i.net.0,
                i.sender_name,
                i.sender_account_number,
                i.sender_bank_code,
                i.narration,
                i.paid_at,
                i.conflicts,
                i.flag,
                i.refund_due,
            )
        }
        Err(e) => format!("{e:?}"),
    }
}

/// Every row the inflow path writes, without random ids and instants.
async fn rows(pool: &PgPool) -> Vec<String> {
    let tables = [
        ("inflow", "inflow_id", "'created_at'"),
        ("journal", "journal_id", "'created_at' - 'uuid'"),
        ("entry", "entry_id", "'created_at'"),
        ("ledger_account", "ledger_account_id", "'created_at'"),
        (
            "one_time_account",
            "virtual_account_id",
            "'created_at' - 'expires_at'",
        ),
        (
            "webhook_event",
            "webhook_event_id",
            "'created_at' - 'public_id' - 'next_attempt_at'",
        ),
        (
            "webhook_attempt",
            "webhook_event_id",
            "'attempted_at' - 'webhook_attempt_id'",
        ),
    ];
    let mut all = Vec::new();
    for (table, order, drop) in tables {
        let sql = format!(
            "SELECT '{table} ' || (to_jsonb(t) - {drop})::text FROM {table} t ORDER BY {order}"
        );
        let found: Vec<String> = sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap();
        all.extend(found);
    }
    all
}

#[tokio::test]
async fn set_based_batches_match_one_by_one_batches() {
    let fast = db!("set_based_batches_match_one_by_one_batches");
    let slow = db!("set_based_batches_match_one_by_one_batches_slow");
    let (fast_world, slow_world) = (world(&fast).await, world(&slow).await);
    let paid_at = Utc::now();
    let fast_batches = batches(&fast_world, paid_at);
    let slow_batches = batches(&slow_world, paid_at);
    for (f, s) in fast_batches.into_iter().zip(slow_batches) {
        let f = fast.store.post_inflows(f).await.expect("set-based batch");
        let s = post_inflows_one_by_one(&slow.store, s)
            .await
            .expect("one-by-one batch");
        let f: Vec<String> = f.iter().map(answer).collect();
        let s: Vec<String> = s.iter().map(answer).collect();
        assert_eq!(f, s);
    }
    let (f, s) = (rows(fast.raw()).await, rows(slow.raw()).await);
    assert!(f.len() > 50, "{f:#?}");
    for (a, b) in f.iter().zip(&s) {
        assert_eq!(a, b);
    }
    assert_eq!(f.len(), s.len());
    assert!(fast.store.verify_ledger().await.unwrap().is_ok());
}
