//! Inflows, continued: suspense (inactive customers, wrong mode), name
//! enquiry, fees, collection customers and naira amounts.

use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::money_helpers::*;

async fn deactivate(app: &TestApp, key: &str, code: &str) {
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/customers/{code}"),
            Some(key),
            Some(&json!({"status": "INACTIVE"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn inflow_list(app: &TestApp, key: &str, status: &str) -> Value {
    get_ok(app, key, &format!("/api/v1/inflows?status={status}")).await["data"].clone()
}

#[tokio::test]
async fn an_inactive_customers_money_goes_to_suspense() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "sus-inactive").await;
    let credited = sandbox(&app, &sandbox_body(&session(1), &account, 1_000)).await;
    assert_eq!(credited.status, StatusCode::CREATED, "{}", credited.body);
    deactivate(&app, &app.test_key, &code).await;
    let sid = session(2);
    let r = sandbox(&app, &sandbox_body(&sid, &account, 40_000)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["status"], "suspense");
    assert_eq!(d["reason"], "customer_inactive");
    assert_eq!(d["gross_kobo"], 40_000);
    assert_eq!(d["customer"]["code"], code.as_str());
    // Not on the wallet, not among the customer's transactions.
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 1_000);
    assert_eq!(transactions(&app, &code, "").await["data"]["total"], 1);
    // Listed for the business to resolve.
    let suspense = inflow_list(&app, &app.test_key, "suspense").await;
    assert_eq!(suspense["total"], 1);
    assert_eq!(suspense["data"][0]["session_id"], sid.as_str());
    assert_eq!(suspense["data"][0]["reason"], "customer_inactive");
    let credited_list = inflow_list(&app, &app.test_key, "credited").await;
    assert_eq!(credited_list["total"], 1);
    assert_eq!(credited_list["data"][0]["session_id"], session(1).as_str());
    let all = get_ok(&app, &app.test_key, "/api/v1/inflows").await;
    assert_eq!(all["data"]["total"], 2);
    assert_eq!(
        all["data"]["data"][0]["session_id"],
        sid.as_str(),
        "newest first"
    );
    // A repeat of the suspended inflow is answered with it and posts nothing.
    let again = sandbox(&app, &sandbox_body(&sid, &account, 40_000)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["data"], r.body["data"]);
    verified(&app).await;
}

#[tokio::test]
async fn a_bad_status_filter_is_400() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/inflows?status=pending").await;
    r.assert_error(400, "validation_failed");
    app.get("/api/v1/inflows/123")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn live_money_for_a_test_account_is_held_in_live_suspense() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "sus-mode").await;
    let sid = session(3);
    let r = provider(&app, &provider_body(&sid, &account, 12_345)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["status"], "suspense");
    assert_eq!(d["reason"], "wrong_mode");
    assert_eq!(d["mode"], "live");
    assert_eq!(
        d["customer"]["code"],
        Value::Null,
        "the test customer is not named"
    );
    assert_eq!(d["customer"]["reference"], Value::Null);
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 0);
    let live = inflow_list(&app, &app.live_key, "suspense").await;
    assert_eq!(live["total"], 1);
    assert_eq!(live["data"][0]["session_id"], sid.as_str());
    assert_eq!(
        inflow_list(&app, &app.test_key, "suspense").await["total"],
        0
    );
    app.get(&format!("/api/v1/inflows/{sid}"))
        .await
        .assert_error(404, "not_found");
    // And the sandbox cannot credit a live account: it is held in test suspense.
    let (live_code, live_account) = live_customer_with_account(&app, "sus-mode-live").await;
    let r = sandbox(&app, &sandbox_body(&session(4), &live_account, 500)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "suspense");
    assert_eq!(r.body["data"]["reason"], "wrong_mode");
    assert_eq!(r.body["data"]["mode"], "test");
    assert_eq!(balance_kobo(&app, &app.live_key, &live_code).await, 0);
    let report = verified(&app).await;
    assert_eq!(report.inflows, 2);
}

#[tokio::test]
async fn name_enquiry_answers_live_active_accounts_only() {
    let app = spawn_app().await;
    let (code, account) = live_customer_with_account(&app, "ne-live").await;
    let r = signed(&app, NAME_ENQUIRY, &json!({"account_number": account})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["account_number"], account.as_str());
    assert_eq!(d["account_name"], "Test Business / Ada Obi");
    assert_eq!(d["bank_name"], "Kobo Sandbox Bank");
    assert_eq!(d["bank_code"], "999999");
    // Unknown and test-mode accounts.
    let (_, test_account) = test_customer_with_account(&app, "ne-test").await;
    let never = kobo_core::nuban::account_number("999999", 999_999_997).unwrap();
    for number in [test_account.as_str(), never.as_str()] {
        signed(&app, NAME_ENQUIRY, &json!({"account_number": number}))
            .await
            .assert_error(404, "not_found");
    }
    signed(&app, NAME_ENQUIRY, &json!({"account_number": "12"}))
        .await
        .assert_error(400, "validation_failed");
    // Inactive customer.
    deactivate(&app, &app.live_key, &code).await;
    signed(&app, NAME_ENQUIRY, &json!({"account_number": account}))
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn fees_split_as_the_schedule_says() {
    let app = spawn_app().await;
    let fee = FeeSchedule {
        basis_points: 150,
        flat: Kobo(1_000),
        cap: Some(Kobo(200_000)),
    };
    app.store
        .set_fee_schedule(app.business_id, Mode::Test, fee)
        .await
        .unwrap();
    let (code, account) = test_customer_with_account(&app, "fee-1").await;
    let (mut net_total, mut fee_total, mut vat_total, mut gross_total) = (0, 0, 0, 0);
    // Ordinary, capped, rounding and smaller-than-the-fee amounts.
    for (n, gross) in [1_000_000i64, 100_000_000, 123_457, 33, 1_001]
        .into_iter()
        .enumerate()
    {
        let split = fee.split(Kobo(gross)).unwrap();
        let r = sandbox(&app, &sandbox_body(&session(n as u64), &account, gross)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let d = &r.body["data"];
        let got = [
            &d["gross_kobo"],
            &d["fee_kobo"],
            &d["vat_kobo"],
            &d["net_kobo"],
        ];
        let want = [split.gross.0, split.fee.0, split.vat.0, split.net.0];
        assert_eq!(got.map(|v| v.as_i64().unwrap()), want, "gross {gross}");
        assert_eq!(split.gross.0, split.fee.0 + split.vat.0 + split.net.0);
        net_total += split.net.0;
        fee_total += split.fee.0;
        vat_total += split.vat.0;
        gross_total += gross;
    }
    // Worked by hand: 1.5% of ₦10,000 + ₦10 = ₦160; VAT ₦12; net ₦9,828. Cap ₦2,000.
    assert_eq!(fee.split(Kobo(1_000_000)).unwrap().net, Kobo(982_800));
    assert_eq!(fee.split(Kobo(100_000_000)).unwrap().fee, Kobo(200_000));
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, net_total);
    // Settlement paid out the gross, the wallet got the net, fee revenue and
    // VAT payable hold the rest, and the ledger verifies.
    let report = verified(&app).await;
    assert_eq!(report.inflows, 5);
    assert_eq!(
        house_balance(&app, Mode::Test, "settlement").await,
        -gross_total
    );
    assert_eq!(
        house_balance(&app, Mode::Test, "fee_revenue").await,
        fee_total
    );
    assert_eq!(
        house_balance(&app, Mode::Test, "vat_payable").await,
        vat_total
    );
    assert_eq!(fee_total + vat_total + net_total, gross_total);
    // The live mode has no fee.
    let (live_code, live_account) = live_customer_with_account(&app, "fee-live").await;
    let r = provider(&app, &provider_body(&session(50), &live_account, 1_000_000)).await;
    assert_eq!(r.body["data"]["fee_kobo"], 0, "{}", r.body);
    assert_eq!(
        balance_kobo(&app, &app.live_key, &live_code).await,
        1_000_000
    );
    // Suspended money is never charged.
    deactivate(&app, &app.test_key, &code).await;
    let r = sandbox(&app, &sandbox_body(&session(60), &account, 1_000_000)).await;
    let d = &r.body["data"];
    assert_eq!(d["status"], "suspense", "{}", r.body);
    assert_eq!(
        (d["fee_kobo"].as_i64(), d["net_kobo"].as_i64()),
        (Some(0), Some(1_000_000))
    );
    assert_eq!(house_balance(&app, Mode::Test, "suspense").await, 1_000_000);
    assert_eq!(
        house_balance(&app, Mode::Test, "fee_revenue").await,
        fee_total
    );
    verified(&app).await;
}

#[tokio::test]
async fn a_collection_customers_inflow_credits_the_collection_wallet() {
    let app = spawn_app().await;
    let wallet = app.default_wallet_code(&app.test_key).await;
    let mut codes = Vec::new();
    let mut accounts = Vec::new();
    for reference in ["col-a", "col-b"] {
        let mut body = crate::helpers::customer_body(reference);
        body["type"] = json!("collection");
        body["collection_wallet_code"] = json!(wallet);
        let r = app.post("/api/v1/customers", &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let code = r.body["data"]["code"].as_str().unwrap().to_string();
        let a = issue_account_with(&app, &app.test_key, &code).await;
        accounts.push(a["account_number"].as_str().unwrap().to_string());
        codes.push(code);
    }
    for (n, (account, kobo)) in accounts.iter().zip([250_000, 100_050]).enumerate() {
        let r = sandbox(&app, &sandbox_body(&session(n as u64), account, kobo)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["data"]["status"], "credited");
        assert_eq!(r.body["data"]["customer"]["code"], codes[n].as_str());
    }
    let wallets = get_ok(&app, &app.test_key, "/api/v1/collection-wallets").await;
    let w = wallets["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == wallet.as_str())
        .unwrap()
        .clone();
    assert_eq!(w["balance_kobo"], 350_050);
    for (code, collected) in codes.iter().zip([250_000, 100_050]) {
        let b = get_ok(&app, &app.test_key, &customer_path(code, "balance")).await;
        let d = &b["data"];
        assert_eq!(d["slug"], wallet.as_str(), "{b}");
        assert_eq!(d["name"], w["name"]);
        assert_eq!(d["balance_kobo"], 350_050, "{b}");
        assert_eq!(d["balanceKobo"], 350_050);
        assert_eq!(d["collected_kobo"], collected, "{b}");
        // The customer's transactions are its own collections.
        let txs = transactions(&app, code, "").await;
        assert_eq!(txs["data"]["total"], 1);
        assert_eq!(txs["data"]["data"][0]["net_kobo"], collected);
    }
    verified(&app).await;
}

#[tokio::test]
async fn naira_amounts_are_read_exactly() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "naira").await;
    let cases = [
        (json!(1500.5), 150_050),
        (json!("1500.50"), 150_050),
        (json!("1500.5"), 150_050),
        (json!(1500), 150_000),
        (json!(0.07), 7),
        (json!("0.29"), 29),
        (json!(19.99), 1_999),
    ];
    let mut total = 0;
    for (n, (amount, kobo)) in cases.iter().enumerate() {
        let body =
            json!({"session_id": session(n as u64), "account_number": account, "amount": amount});
        let r = sandbox(&app, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{amount}: {}", r.body);
        assert_eq!(r.body["data"]["gross_kobo"], *kobo, "{amount}");
        total += kobo;
    }
    // amount and amount_kobo may both be sent when they agree.
    let body = json!({"session_id": session(99), "account_number": account,
                      "amount": "10.00", "amount_kobo": 1_000});
    let r = sandbox(&app, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        balance_kobo(&app, &app.test_key, &code).await,
        total + 1_000
    );
}
