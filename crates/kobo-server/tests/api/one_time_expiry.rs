//! Expiry of one-time accounts: payments after `expires_at` go to suspense
//! for refund, reads compute EXPIRED before any sweep, the sweeper (called
//! directly or spawned) writes it, and a sweep racing payments never credits
//! money after the account expired. The clock is moved by rewriting the
//! stored `expires_at`.

use std::time::Duration;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::money_helpers::*;
use crate::ota_helpers::*;

async fn customer_with_ota(app: &TestApp, reference: &str, amount: i64) -> (String, String) {
    let code = app.create_customer(reference).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let a = new_ota(app, &code, amount).await;
    (code, a["account_number"].as_str().unwrap().to_string())
}

fn in_suspense_for_refund(i: &Value, gross: i64) {
    assert_eq!(i["status"], "suspense", "{i}");
    assert_eq!(i["reason"], "expired", "{i}");
    assert_eq!(i["refund_due"], true, "{i}");
    assert_eq!(i["flag"], Value::Null, "{i}");
    assert_eq!(
        (i["gross_kobo"].as_i64(), i["fee_kobo"].as_i64()),
        (Some(gross), Some(0)),
        "{i}"
    );
}

#[tokio::test]
async fn a_payment_after_expiry_is_held_for_refund() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-late", 100_000).await;
    pay(&app, &account, 1, 40_000).await;
    let pool = raw_pool(&app).await;
    set_expiry(&pool, &account, LONG_AGO).await;
    // Read-time expiry: the API says EXPIRED while the row still says PENDING.
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("EXPIRED".into(), 40_000, 60_000, 0)
    );
    assert_eq!(stored(&pool, &account).await, ("PENDING".into(), 40_000));

    let late = pay(&app, &account, 2, 60_000).await;
    in_suspense_for_refund(&late, 60_000);
    assert_eq!(late["customer"]["code"], code.as_str());
    assert_eq!(stored(&pool, &account).await, ("EXPIRED".into(), 40_000));
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("EXPIRED".into(), 40_000, 60_000, 0)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 40_000);
    assert_eq!(transactions(&app, &code, "").await["data"]["total"], 1);
    let suspense = get_ok(&app, &app.test_key, "/api/v1/inflows?status=suspense").await;
    assert_eq!(suspense["data"]["total"], 1);
    assert_eq!(suspense["data"]["data"][0], late);
    let credited = get_ok(&app, &app.test_key, "/api/v1/inflows?status=credited").await;
    assert_eq!(credited["data"]["total"], 1);
    verified(&app).await;
    pool.close().await;
}

#[tokio::test]
async fn expired_is_final_even_if_the_clock_moves_back() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-final", 10_000).await;
    let pool = raw_pool(&app).await;
    set_expiry(&pool, &account, LONG_AGO).await;
    assert_eq!(
        app.store
            .expire_one_time_accounts(Utc::now())
            .await
            .unwrap(),
        1
    );
    let future = stored_time(Utc::now() + chrono::Duration::hours(2));
    set_expiry(&pool, &account, &future).await;
    assert_eq!(state(&ota(&app, &code, &account).await).0, "EXPIRED");
    in_suspense_for_refund(&pay(&app, &account, 1, 10_000).await, 10_000);
    assert_eq!(stored(&pool, &account).await, ("EXPIRED".into(), 0));
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 0);
    verified(&app).await;
    pool.close().await;
}

#[tokio::test]
async fn the_sweeper_expires_only_pending_accounts_past_their_time() {
    let app = spawn_app().await;
    let code = app.create_customer("ota-sweep").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let number = |a: Value| a["account_number"].as_str().unwrap().to_string();
    let (due, fresh, paid) = (
        number(new_ota(&app, &code, 1_000).await),
        number(new_ota(&app, &code, 1_000).await),
        number(new_ota(&app, &code, 1_000).await),
    );
    pay(&app, &paid, 1, 1_000).await;
    let pool = raw_pool(&app).await;
    set_expiry(&pool, &due, LONG_AGO).await;
    set_expiry(&pool, &paid, LONG_AGO).await;
    assert_eq!(stored(&pool, &due).await.0, "PENDING");
    assert_eq!(
        app.store
            .expire_one_time_accounts(Utc::now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(stored(&pool, &due).await.0, "EXPIRED");
    assert_eq!(stored(&pool, &fresh).await.0, "PENDING");
    assert_eq!(stored(&pool, &paid).await, ("APPROVED".into(), 1_000));
    // Sweeping again changes nothing.
    assert_eq!(
        app.store
            .expire_one_time_accounts(Utc::now())
            .await
            .unwrap(),
        0
    );
    let statuses: Vec<String> = list_otas(&app, &code)
        .await
        .iter()
        .map(|a| state(a).0)
        .collect();
    assert_eq!(statuses, ["APPROVED", "PENDING", "EXPIRED"]);
    // An approved account past its time stays approved (approval is final),
    // but takes no more money: a later payment is held for refund.
    let i = pay(&app, &paid, 2, 500).await;
    assert_eq!(
        (
            i["status"].as_str(),
            i["reason"].as_str(),
            i["refund_due"].as_bool()
        ),
        (Some("suspense"), Some("expired"), Some(true))
    );
    assert_eq!(stored(&pool, &paid).await, ("APPROVED".into(), 1_000));
    verified(&app).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spawned_sweeper_writes_expired() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-spawned", 5_000).await;
    let pool = raw_pool(&app).await;
    let sweeper = kobo_server::sweeper::spawn(app.store.clone(), Duration::from_millis(50));
    set_expiry(&pool, &account, LONG_AGO).await;
    let mut seen = stored(&pool, &account).await.0;
    for _ in 0..400 {
        if seen == "EXPIRED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        seen = stored(&pool, &account).await.0;
    }
    sweeper.abort();
    assert_eq!(seen, "EXPIRED");
    assert_eq!(state(&ota(&app, &code, &account).await).0, "EXPIRED");
    pool.close().await;
}

#[tokio::test]
async fn name_enquiry_refuses_an_expired_one_time_account() {
    let app = spawn_app().await;
    let live = create_customer_with(&app, &app.live_key, "ota-enquiry").await;
    let path = customer_path(live["code"].as_str().unwrap(), "one-time-accounts");
    let body = json!({"amount_kobo": 5_000});
    let r = app
        .call(Method::POST, &path, Some(&app.live_key), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.body["data"]["account_number"]
        .as_str()
        .unwrap()
        .to_string();
    let enquiry = json!({ "account_number": number });
    let found = signed(&app, NAME_ENQUIRY, &enquiry).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(
        found.body["data"]["account_name"],
        "Test Business / Ada Obi"
    );
    let pool = raw_pool(&app).await;
    set_expiry(&pool, &number, LONG_AGO).await;
    signed(&app, NAME_ENQUIRY, &enquiry)
        .await
        .assert_error(404, "not_found");
    // What the bank sends anyway is held for refund, through the live door too.
    let late = provider(&app, &provider_body(&session(1), &number, 5_000)).await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.body);
    in_suspense_for_refund(&late.body["data"], 5_000);
    assert_eq!(stored(&pool, &number).await, ("EXPIRED".into(), 0));
    verified(&app).await;
    pool.close().await;
}
