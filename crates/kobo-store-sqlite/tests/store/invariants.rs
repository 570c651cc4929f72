//! Property test: random sequences of inflows, exact and conflicting repeats,
//! unknown accounts, wrong-door payments, fee changes, deactivations and
//! multi-inflow batches keep every ledger invariant, and the store agrees with
//! a model kept here in plain integers.

use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use proptest::prelude::*;

use crate::model::*;
use crate::support::*;

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 1i64..=2_000,
        4 => 1i64..=50_000_000,
        1 => Just(kobo_core::money::MAX_REQUEST_KOBO),
    ]
}

fn fee() -> impl Strategy<Value = FeeSchedule> {
    prop_oneof![
        1 => Just(FeeSchedule::default()),
        4 => (0u32..=10_000, 0i64..=200_000, proptest::option::of(0i64..=500_000)).prop_map(
            |(basis_points, flat, cap)| FeeSchedule { basis_points, flat: Kobo(flat), cap: cap.map(Kobo) }
        ),
    ]
}

fn inflow_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..CUSTOMERS, amount()).prop_map(|(cust, amount)| Op::Pay { cust, amount }),
        1 => (0..CUSTOMERS, amount()).prop_map(|(cust, amount)| Op::WrongDoor { cust, amount }),
        2 => any::<usize>().prop_map(|pick| Op::Repeat { pick }),
        1 => Just(Op::RepeatLast),
        2 => (any::<usize>(), 0i64..=3).prop_map(|(pick, delta)| Op::Conflict { pick, delta }),
        1 => amount().prop_map(|amount| Op::Unknown { amount }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => inflow_op(),
        1 => fee().prop_map(Op::Fee),
        2 => (0..CUSTOMERS).prop_map(|cust| Op::Toggle { cust }),
        2 => proptest::collection::vec(inflow_op(), 2..8).prop_map(Op::Batch),
    ]
}

async fn world() -> World {
    let db = Db::new().await;
    let business = db
        .store
        .create_business("Prop Business", &[])
        .await
        .unwrap();
    let scope = test_scope(business.id);
    let wallets = db.store.list_collection_wallets(scope).await.unwrap();
    let collection_wallet = wallets[0].id;
    let (mut customers, mut accounts) = (Vec::new(), Vec::new());
    for c in 0..CUSTOMERS {
        let collecting = (c == WALLETS).then_some(collection_wallet);
        let made = customer(&db.store, scope, &format!("prop-{c}"), collecting).await;
        accounts.push(account(&db.store, scope, made.id).await);
        customers.push(made);
    }
    World {
        db,
        business_id: business.id,
        customers,
        accounts,
        collection_wallet,
    }
}

async fn run(ops: Vec<Op>) {
    let w = world().await;
    let store = &w.db.store;
    let scope = test_scope(w.business_id);
    let mut m = Model {
        active: vec![true; CUSTOMERS],
        credited: vec![0; CUSTOMERS],
        ..Model::default()
    };
    for op in &ops {
        match op {
            Op::Fee(fee) => {
                store
                    .set_fee_schedule(w.business_id, Mode::Test, *fee)
                    .await
                    .unwrap();
                m.fee = *fee;
            }
            Op::Toggle { cust } => {
                m.active[*cust] = !m.active[*cust];
                let status = if m.active[*cust] {
                    CustomerStatus::Active
                } else {
                    CustomerStatus::Inactive
                };
                let patch = CustomerPatch {
                    status: Some(status),
                    ..CustomerPatch::default()
                };
                store
                    .update_customer(scope, w.customers[*cust].id, patch)
                    .await
                    .unwrap();
            }
            Op::Batch(inner) => {
                let planned: Vec<_> = inner.iter().filter_map(|o| m.plan(&w, o)).collect();
                let (reqs, expects): (Vec<_>, Vec<_>) = planned.into_iter().unzip();
                let results = store.post_inflows(reqs).await.expect("batch committed");
                assert_eq!(results.len(), expects.len());
                for (expect, got) in expects.iter().zip(results) {
                    m.check(&w, expect, got);
                }
            }
            single => {
                if let Some((req, expect)) = m.plan(&w, single) {
                    let mut results = store.post_inflows(vec![req]).await.expect("committed");
                    m.check(&w, &expect, results.remove(0));
                }
            }
        }
    }
    check_totals(&w, &m).await;
    w.db.close().await;
}

async fn check_totals(w: &World, m: &Model) {
    let store = &w.db.store;
    let scope = test_scope(w.business_id);
    let report = store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, m.sent.len() as u64);
    for c in 0..WALLETS {
        assert_eq!(
            wallet(store, scope, w.customers[c].id).await,
            m.credited[c],
            "customer {c}"
        );
    }
    let collector = w.customers[WALLETS].id;
    assert_eq!(
        wallet(store, scope, collector).await,
        0,
        "a collection customer's own wallet"
    );
    let wallets = store.list_collection_wallets(scope).await.unwrap();
    let cw = wallets
        .iter()
        .find(|x| x.id == w.collection_wallet)
        .unwrap();
    assert_eq!(cw.balance.0, m.credited[WALLETS]);
    assert_eq!(
        store.collected_through(scope, collector).await.unwrap().0,
        m.credited[WALLETS]
    );
    let raw = w.db.raw().await;
    let b = w.business_id;
    for mode in [Mode::Test, Mode::Live] {
        let sent: Vec<&Sent> = m
            .sent
            .iter()
            .filter(|s| s.req.door.mode() == mode)
            .collect();
        let sum = |f: fn(&Sent) -> i64| sent.iter().map(|s| f(s)).sum::<i64>();
        let suspended = sum(|s| {
            if s.status == InflowStatus::Suspense {
                s.req.amount.0
            } else {
                0
            }
        });
        assert_eq!(
            house(&raw, b, mode, "settlement").await,
            -sum(|s| s.req.amount.0),
            "{mode:?}"
        );
        assert_eq!(
            house(&raw, b, mode, "suspense").await,
            suspended,
            "{mode:?}"
        );
        assert_eq!(
            house(&raw, b, mode, "fee_revenue").await,
            sum(|s| s.fee),
            "{mode:?}"
        );
        assert_eq!(
            house(&raw, b, mode, "vat_payable").await,
            sum(|s| s.vat),
            "{mode:?}"
        );
    }
    raw.close().await;
    for s in &m.sent {
        let scope = Scope {
            business_id: b,
            mode: s.req.door.mode(),
        };
        let found = store
            .find_inflow(scope, &s.req.session_id)
            .await
            .unwrap()
            .expect("recorded");
        assert_eq!(found.conflicts, s.conflicts, "{}", s.req.session_id);
        assert_eq!(found.gross, s.req.amount);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_money_sequences_keep_every_invariant(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(ops));
    }
}
