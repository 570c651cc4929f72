//! Payments into one-time accounts through the sandbox door: partial, full,
//! over, after approval, with fees, replays, and an inactive customer.

use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::money_helpers::*;
use crate::ota_helpers::*;

/// A customer with a one-time account for `amount`: (customer code, account number).
async fn customer_with_ota(app: &TestApp, reference: &str, amount: i64) -> (String, String) {
    let code = app.create_customer(reference).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let a = new_ota(app, &code, amount).await;
    (code, a["account_number"].as_str().unwrap().to_string())
}

fn credited(inflow: &Value, gross: i64, flag: Option<&str>) {
    assert_eq!(inflow["status"], "credited", "{inflow}");
    assert_eq!(inflow["reason"], Value::Null, "{inflow}");
    assert_eq!(inflow["gross_kobo"], gross, "{inflow}");
    assert_eq!(inflow["flag"].as_str(), flag, "{inflow}");
    assert_eq!(inflow["refund_due"], false, "{inflow}");
}

#[tokio::test]
async fn partial_then_full_then_after_approval() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-pay", 100_000).await;
    let first = pay(&app, &account, 1, 40_000).await;
    credited(&first, 40_000, None);
    assert_eq!(first["customer"]["code"], code.as_str());
    let a = ota(&app, &code, &account).await;
    assert_eq!(state(&a), ("PENDING".into(), 40_000, 60_000, 0));
    assert_eq!(
        (a["amount_paid"].clone(), a["amount_remaining"].clone()),
        (400.0.into(), 600.0.into())
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 40_000);

    credited(&pay(&app, &account, 2, 60_000).await, 60_000, None);
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 100_000, 0, 0)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 100_000);

    credited(
        &pay(&app, &account, 3, 5_000).await,
        5_000,
        Some("paid_after_approval"),
    );
    let a = ota(&app, &code, &account).await;
    assert_eq!(state(&a), ("APPROVED".into(), 105_000, 0, 5_000));
    assert_eq!(a["excess"], Value::from(50.0));
    credited(
        &pay(&app, &account, 4, 1).await,
        1,
        Some("paid_after_approval"),
    );
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 105_001, 0, 5_001)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 105_001);
    // Each payment is a deposit on the customer's transactions; the flag is kept.
    assert_eq!(transactions(&app, &code, "").await["data"]["total"], 4);
    assert_eq!(
        inflow(&app, &app.test_key, &session(3)).await["flag"],
        "paid_after_approval"
    );
    let report = verified(&app).await;
    assert_eq!(report.inflows, 4);
}

#[tokio::test]
async fn over_in_one_payment_or_after_a_partial_one() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-over", 50_000).await;
    credited(
        &pay(&app, &account, 1, 70_000).await,
        70_000,
        Some("overpaid"),
    );
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 70_000, 0, 20_000)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 70_000);

    let (code, account) = customer_with_ota(&app, "ota-over-2", 50_000).await;
    credited(&pay(&app, &account, 2, 30_000).await, 30_000, None);
    credited(
        &pay(&app, &account, 3, 30_000).await,
        30_000,
        Some("overpaid"),
    );
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 60_000, 0, 10_000)
    );
    // Exactly the amount in two steps is not an over-payment.
    let (code, account) = customer_with_ota(&app, "ota-exact", 50_000).await;
    credited(&pay(&app, &account, 4, 49_999).await, 49_999, None);
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("PENDING".into(), 49_999, 1, 0)
    );
    credited(&pay(&app, &account, 5, 1).await, 1, None);
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 50_000, 0, 0)
    );
    verified(&app).await;
}

#[tokio::test]
async fn amount_paid_counts_the_gross_when_fees_apply() {
    let app = spawn_app().await;
    let fee = FeeSchedule {
        basis_points: 100,
        flat: Kobo(0),
        cap: None,
    };
    app.store
        .set_fee_schedule(app.business_id, Mode::Test, fee)
        .await
        .unwrap();
    let (code, account) = customer_with_ota(&app, "ota-fee", 100_000).await;
    let i = pay(&app, &account, 1, 100_000).await;
    credited(&i, 100_000, None);
    // fee 1% = 1,000; VAT 7.5% of it = 75; net 98,925.
    assert_eq!(
        (
            i["fee_kobo"].as_i64(),
            i["vat_kobo"].as_i64(),
            i["net_kobo"].as_i64()
        ),
        (Some(1000), Some(75), Some(98_925))
    );
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 100_000, 0, 0)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 98_925);
    verified(&app).await;
}

#[tokio::test]
async fn a_replayed_session_moves_nothing() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-replay", 10_000).await;
    let first = pay(&app, &account, 1, 4_000).await;
    let again = sandbox(&app, &sandbox_body(&session(1), &account, 4_000)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["data"], first);
    // The same session with another amount is a conflict and moves nothing either.
    let clash = sandbox(&app, &sandbox_body(&session(1), &account, 6_000)).await;
    clash.assert_error(409, "session_conflict");
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("PENDING".into(), 4_000, 6_000, 0)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 4_000);
    let report = verified(&app).await;
    assert_eq!(report.inflows, 1);
}

#[tokio::test]
async fn an_inactive_customers_payment_goes_to_suspense_and_leaves_the_account() {
    let app = spawn_app().await;
    let (code, account) = customer_with_ota(&app, "ota-off", 10_000).await;
    pay(&app, &account, 1, 3_000).await;
    deactivate(&app, &code).await;
    let i = pay(&app, &account, 2, 7_000).await;
    assert_eq!(
        (i["status"].as_str(), i["reason"].as_str()),
        (Some("suspense"), Some("customer_inactive"))
    );
    assert_eq!(i["flag"], Value::Null);
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("PENDING".into(), 3_000, 7_000, 0)
    );
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 3_000);
    let suspense = get_ok(&app, &app.test_key, "/api/v1/inflows?status=suspense").await;
    assert_eq!(suspense["data"]["total"], 1);
    assert_eq!(
        suspense["data"]["data"][0]["session_id"],
        session(2).as_str()
    );
    verified(&app).await;
}

#[tokio::test]
async fn a_collection_customers_one_time_account_fills_its_collection_wallet() {
    let app = spawn_app().await;
    let wallet = app.default_wallet_code(&app.test_key).await;
    let mut body = crate::helpers::customer_body("ota-collect");
    body["type"] = json!("collection");
    body["collection_wallet_code"] = json!(wallet);
    let r = app.post("/api/v1/customers", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = r.body["data"]["code"].as_str().unwrap().to_string();
    let account = new_ota(&app, &code, 20_000).await["account_number"]
        .as_str()
        .unwrap()
        .to_string();
    let day = lagos_today();
    credited(&pay(&app, &account, 1, 15_000).await, 15_000, None);
    credited(
        &pay(&app, &account, 2, 9_000).await,
        9_000,
        Some("overpaid"),
    );
    assert_eq!(
        state(&ota(&app, &code, &account).await),
        ("APPROVED".into(), 24_000, 0, 4_000)
    );
    let balance = get_ok(&app, &app.test_key, &customer_path(&code, "balance")).await;
    assert_eq!(balance["data"]["collected_kobo"], 24_000);
    assert_eq!(balance["data"]["balance_kobo"], 24_000);
    // The statement follows what was collected through the customer.
    if lagos_today() == day {
        let q = range(day, day);
        assert_eq!(
            statement_totals(&statement_json(&app, &code, &q).await),
            (0, 24_000, 24_000)
        );
    }
    verified(&app).await;
}
