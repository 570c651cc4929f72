//! A one-time account's expiry racing payments: while eight payers send
//! transfers, its `expires_at` is moved into the past and a sweep runs, and
//! readers poll it. Afterwards no money was credited after the account
//! expired, what arrived later waits in suspense for refund, `amount_paid`
//! is the sum of the credited payments and the ledger is sound.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kobo_core::Mode;
use kobo_store::{InflowQuery, InflowStatus, Scope};
use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp};
use crate::money_helpers::*;
use crate::ota_helpers::*;

const PAYERS: u64 = 8;
const EACH: u64 = 12;
/// Payments answered before the clock moves (so surely credited).
const BEFORE_MOVE: usize = 24;

/// Sends one payment, retrying a 5xx with the same session id as a bank
/// would; answers how many attempts failed. (Moving the clock writes from a
/// second connection; an inflow batch whose deferred transaction had already
/// read fails then with SQLITE_BUSY and answers 500, posting nothing.)
async fn pay_until_answered(app: &TestApp, account: &str, n: u64, amount: i64) -> u32 {
    let body = sandbox_body(&session(n), account, amount);
    for failed in 0..20 {
        let r = sandbox(app, &body).await;
        if r.status.is_server_error() {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        assert!(
            matches!(r.status, StatusCode::CREATED | StatusCode::OK),
            "{}",
            r.body
        );
        return failed;
    }
    panic!("payment {n} never answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sweep_racing_payments_never_credits_after_expiry() {
    let app = Arc::new(spawn_app().await);
    let code = app.create_customer("ota-race").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    // Larger than all payments together: the account can only be PENDING or EXPIRED.
    let account = new_ota(&app, &code, 100_000_000).await["account_number"]
        .as_str()
        .unwrap()
        .to_string();
    let answered = Arc::new(AtomicUsize::new(0));
    let mut payers = Vec::new();
    for p in 0..PAYERS {
        let (app, account, answered) = (app.clone(), account.clone(), answered.clone());
        payers.push(tokio::spawn(async move {
            let mut retries = 0;
            for k in 0..EACH {
                let n = p * EACH + k + 1;
                retries += pay_until_answered(&app, &account, n, 1_000 + n as i64).await;
                answered.fetch_add(1, Ordering::SeqCst);
            }
            retries
        }));
    }
    while answered.load(Ordering::SeqCst) < BEFORE_MOVE {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let pool = raw_pool(&app).await;
    let moving = Utc::now();
    set_expiry(&pool, &account, LONG_AGO).await;
    let moved = Utc::now();
    let sweep = {
        let store = app.store.clone();
        tokio::spawn(async move { store.expire_one_time_accounts(Utc::now()).await.unwrap() })
    };
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (app, code, account) = (app.clone(), code.clone(), account.clone());
        readers.push(tokio::spawn(async move {
            for _ in 0..3 {
                assert_eq!(state(&ota(&app, &code, &account).await).0, "EXPIRED");
            }
        }));
    }
    let mut retries = 0;
    for p in payers {
        retries += p.await.unwrap();
    }
    for r in readers {
        r.await.unwrap();
    }
    let swept = sweep.await.unwrap();
    assert!(swept <= 1, "{swept}");
    // One more after everything: surely expired.
    pay_until_answered(&app, &account, 10_000, 777).await;
    if retries > 0 {
        eprintln!("{retries} payments were answered 5xx and retried");
    }

    let scope = Scope {
        business_id: app.business_id,
        mode: Mode::Test,
    };
    let query = InflowQuery {
        limit: 500,
        ..InflowQuery::default()
    };
    let (inflows, total) = app.store.list_inflows(scope, &query).await.unwrap();
    assert_eq!(
        (inflows.len() as u64, total),
        (PAYERS * EACH + 1, PAYERS * EACH + 1)
    );
    let (mut credited, mut held): (Vec<_>, Vec<_>) = inflows
        .into_iter()
        .partition(|i| i.status == InflowStatus::Credited);
    credited.sort_by_key(|i| i.id);
    held.sort_by_key(|i| i.id);
    assert!(credited.len() >= BEFORE_MOVE, "{} credited", credited.len());
    assert!(held.iter().any(|i| i.session_id == session(10_000)));
    for i in &credited {
        assert_eq!(
            (i.reason.as_deref(), i.flag.as_deref(), i.refund_due),
            (None, None, false),
            "{i:?}"
        );
        assert!(
            i.created_at <= moved,
            "credited at {} after the clock moved at {moved}",
            i.created_at
        );
    }
    for i in &held {
        assert_eq!(
            (i.reason.as_deref(), i.refund_due, i.customer_id.is_some()),
            (Some("expired"), true, true),
            "{i:?}"
        );
        assert!(
            i.created_at >= moving,
            "held at {} before the clock moved at {moving}",
            i.created_at
        );
    }
    // Once one payment met the expiry, none after it was credited.
    let last_credited = credited.last().unwrap().id;
    assert!(held.iter().all(|i| i.id > last_credited));
    let paid: i64 = credited.iter().map(|i| i.gross.0).sum();
    assert_eq!(stored(&pool, &account).await, ("EXPIRED".into(), paid));
    assert_eq!(state(&ota(&app, &code, &account).await).1, paid);
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, paid);
    let report = verified(&app).await;
    assert_eq!(report.inflows, PAYERS * EACH + 1);
    pool.close().await;
}
