//! Inflows through both doors: credit, exactly-once replays, conflicts,
//! refusals that post nothing, and suspense for money that cannot be credited.

use kobo_server::http::signature::sign;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_fields, second_business, spawn_app, TestApp, PROVIDER_SECRET};
use crate::money_helpers::*;

/// Asserts the ledger holds exactly `inflows` inflows and `journals` journals.
async fn ledger_counts(app: &TestApp, inflows: u64, journals: u64) {
    let report = verified(app).await;
    assert_eq!((report.inflows, report.journals), (inflows, journals));
}

#[tokio::test]
async fn a_sandbox_inflow_is_credited_once() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "in-credit").await;
    let sid = session(1);
    let body = sandbox_body(&sid, &account, 250_075);
    let first = sandbox(&app, &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let d = &first.body["data"];
    assert_eq!(d["session_id"], sid.as_str());
    assert_eq!(d["status"], "credited");
    assert_eq!(d["mode"], "test");
    assert_eq!(d["reason"], Value::Null);
    assert_eq!(d["account_number"], account.as_str());
    assert_eq!(d["customer"]["code"], code.as_str());
    assert_eq!(d["customer"]["reference"], "in-credit");
    assert_eq!(d["currency"], "NGN");
    for field in ["amount_kobo", "gross_kobo", "net_kobo"] {
        assert_eq!(d[field], 250_075, "{field}");
    }
    assert_eq!(
        (d["fee_kobo"].as_i64(), d["vat_kobo"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(d["sender"]["name"], "Chidi Okeke");
    assert_eq!(d["narration"], "School fees");
    assert_eq!(d["conflicts"], 0);
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 250_075);
    let txs = transactions(&app, &code, "").await;
    assert_eq!(txs["data"]["total"], 1);
    assert_eq!(txs["data"]["data"][0]["meta"]["sessionId"], sid.as_str());

    // The same session id again: the first result, 200, nothing new.
    let again = sandbox(&app, &body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["data"], first.body["data"]);
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 250_075);
    assert_eq!(transactions(&app, &code, "").await["data"]["total"], 1);
    ledger_counts(&app, 1, 1).await;
    // GET /inflows/{session_id} answers the same record.
    let found = inflow(&app, &app.test_key, &sid).await;
    assert_eq!(found, first.body["data"]);
}

#[tokio::test]
async fn a_sandbox_inflow_without_session_id_gets_one() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "in-nosid").await;
    let r = sandbox(&app, &json!({"account_number": account, "amount": "12.34"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sid = r.body["data"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(sid.len(), 30, "{sid}");
    assert!(sid.bytes().all(|b| b.is_ascii_digit()), "{sid}");
    assert_eq!(r.body["data"]["gross_kobo"], 1234);
    assert_eq!(inflow(&app, &app.test_key, &sid).await["net_kobo"], 1234);
    // A second one gets another id and is credited too.
    let r2 = sandbox(&app, &json!({"account_number": account, "amount_kobo": 66})).await;
    assert_eq!(r2.status, StatusCode::CREATED, "{}", r2.body);
    assert_ne!(r2.body["data"]["session_id"], sid.as_str());
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 1300);
}

#[tokio::test]
async fn a_provider_inflow_is_credited_once() {
    let app = spawn_app().await;
    let (code, account) = live_customer_with_account(&app, "in-live").await;
    let sid = session(7);
    let mut body = provider_body(&sid, &account, 1_000_000);
    // A Lagos-time paid_at is kept as the same instant in UTC.
    body["paid_at"] = json!("2026-01-31T13:00:00+01:00");
    // Trailing slash allowed, as on every route.
    let first = signed(&app, &format!("{PROVIDER}/"), &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let d = &first.body["data"];
    assert_eq!(
        (d["status"].as_str(), d["mode"].as_str()),
        (Some("credited"), Some("live"))
    );
    assert_eq!(d["customer"]["code"], code.as_str());
    assert_eq!(d["paid_at"], "2026-01-31T12:00:00Z");
    assert_eq!(d["sender"]["bank_code"], "058");
    assert_eq!(balance_kobo(&app, &app.live_key, &code).await, 1_000_000);
    let again = provider(&app, &body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["data"], first.body["data"]);
    assert_eq!(balance_kobo(&app, &app.live_key, &code).await, 1_000_000);
    assert_eq!(inflow(&app, &app.live_key, &sid).await, first.body["data"]);
    // The test key does not see live inflows.
    app.get(&format!("/api/v1/inflows/{sid}"))
        .await
        .assert_error(404, "not_found");
    ledger_counts(&app, 1, 1).await;
}

#[tokio::test]
async fn a_conflicting_repeat_is_409_and_flagged() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "in-conf").await;
    let (other_code, other_account) = test_customer_with_account(&app, "in-conf-2").await;
    let sid = session(2);
    let first = sandbox(&app, &sandbox_body(&sid, &account, 5_000)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // Another amount, then another account.
    for (n, body) in [
        sandbox_body(&sid, &account, 5_001),
        sandbox_body(&sid, &other_account, 5_000),
    ]
    .iter()
    .enumerate()
    {
        let r = sandbox(&app, body).await;
        r.assert_error(409, "session_conflict");
        // Never read as a duplicate customer by the SDK.
        assert!(!r.body["message"]
            .as_str()
            .unwrap()
            .contains("already exists"));
        assert_eq!(inflow(&app, &app.test_key, &sid).await["conflicts"], n + 1);
    }
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 5_000);
    assert_eq!(balance_kobo(&app, &app.test_key, &other_code).await, 0);
    // An exact repeat is still answered with the first inflow (now flagged).
    let again = sandbox(&app, &sandbox_body(&sid, &account, 5_000)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["data"]["gross_kobo"], 5_000);
    assert_eq!(again.body["data"]["conflicts"], 2);
    ledger_counts(&app, 1, 1).await;

    // The provider door flags conflicts the same way.
    let (live_code, live_account) = live_customer_with_account(&app, "in-conf-live").await;
    let lsid = session(3);
    assert_eq!(
        provider(&app, &provider_body(&lsid, &live_account, 700))
            .await
            .status,
        201
    );
    provider(&app, &provider_body(&lsid, &live_account, 701))
        .await
        .assert_error(409, "session_conflict");
    assert_eq!(inflow(&app, &app.live_key, &lsid).await["conflicts"], 1);
    assert_eq!(balance_kobo(&app, &app.live_key, &live_code).await, 700);
    ledger_counts(&app, 2, 2).await;
}

#[tokio::test]
async fn bad_amounts_are_400_and_post_nothing() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "in-bad").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"amount_kobo": 0}), "amount_kobo"),
        (json!({"amount_kobo": -100}), "amount_kobo"),
        (json!({"amount_kobo": 1.5}), "amount_kobo"),
        (json!({"amount_kobo": "12a"}), "amount_kobo"),
        (json!({"amount_kobo": true}), "amount_kobo"),
        (json!({"amount": 0}), "amount"),
        (json!({"amount": "0.00"}), "amount"),
        (json!({"amount": -5}), "amount"),
        (json!({"amount": "-5.00"}), "amount"),
        (json!({"amount": 1.505}), "amount"),
        (json!({"amount": "1.505"}), "amount"),
        (json!({"amount": "1,000"}), "amount"),
        (json!({"amount": "ten"}), "amount"),
        (json!({"amount": [1]}), "amount"),
        (json!({"amount": "100000000000.01"}), "amount"),
        (json!({"amount": 10, "amount_kobo": 999}), "amount"),
        (json!({}), "amount"),
    ];
    for (n, (amount, field)) in cases.iter().enumerate() {
        let mut body = json!({"session_id": session(100 + n as u64), "account_number": account});
        for (k, v) in amount.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = sandbox(&app, &body).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), [*field], "{body}");
    }
    // The provider door takes kobo only, and the same rules.
    let (_, live_account) = live_customer_with_account(&app, "in-bad-live").await;
    for (amount, field) in [
        (json!({"amount": 10}), "amount"),
        (json!({"amount_kobo": 0}), "amount_kobo"),
        (json!({"amount_kobo": -1}), "amount_kobo"),
        (json!({"amount_kobo": 10.25}), "amount_kobo"),
        (json!({"amount_kobo": 10_000_000_000_001i64}), "amount_kobo"),
        (json!({}), "amount_kobo"),
    ] {
        let mut body = provider_body(&session(300), &live_account, 1);
        body.as_object_mut().unwrap().remove("amount_kobo");
        for (k, v) in amount.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = provider(&app, &body).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), [field], "{body}");
    }
    // Other malformed fields.
    for (bad, field) in [
        (json!({"session_id": "123"}), "session_id"),
        (json!({"account_number": "12345"}), "account_number"),
        (json!({"sender_bank_code": "58"}), "sender_bank_code"),
        (json!({"paid_at": "yesterday"}), "paid_at"),
    ] {
        let mut body = provider_body(&session(301), &live_account, 100);
        for (k, v) in bad.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = provider(&app, &body).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), [field], "{body}");
    }
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 0);
    ledger_counts(&app, 0, 0).await;
}

#[tokio::test]
async fn bad_signatures_are_401_and_post_nothing() {
    let app = spawn_app().await;
    let (code, account) = live_customer_with_account(&app, "in-sig").await;
    let body = serde_json::to_vec(&provider_body(&session(4), &account, 9_999)).unwrap();
    let tampered = serde_json::to_vec(&provider_body(&session(4), &account, 99_999)).unwrap();
    let good = sign(PROVIDER_SECRET, &body);
    let cases: Vec<(Vec<u8>, Option<String>)> = vec![
        (body.clone(), None),
        (body.clone(), Some(String::new())),
        (body.clone(), Some("not-hex".into())),
        (body.clone(), Some(sign("another-secret", &body))),
        (tampered, Some(good.clone())),
        (body.clone(), Some(good[..good.len() - 2].to_string())),
    ];
    for path in [PROVIDER, NAME_ENQUIRY] {
        for (bytes, signature) in &cases {
            signed_raw(&app, path, bytes.clone(), signature.as_deref())
                .await
                .assert_error(401, "invalid_signature");
        }
    }
    assert_eq!(balance_kobo(&app, &app.live_key, &code).await, 0);
    ledger_counts(&app, 0, 0).await;
    // The right signature (also in upper-case hex) is accepted.
    let r = signed_raw(&app, PROVIDER, body, Some(&good.to_uppercase())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(balance_kobo(&app, &app.live_key, &code).await, 9_999);
}

#[tokio::test]
async fn unknown_accounts_are_404_and_post_nothing() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "in-unknown").await;
    // A valid NUBAN that kobo never issued.
    let never = kobo_core::nuban::account_number("999999", 999_999_998).unwrap();
    assert_ne!(never, account);
    sandbox(&app, &sandbox_body(&session(5), &never, 100))
        .await
        .assert_error(404, "not_found");
    provider(&app, &provider_body(&session(6), &never, 100))
        .await
        .assert_error(404, "not_found");
    // The refused session ids stay free: nothing was recorded under them.
    app.get(&format!("/api/v1/inflows/{}", session(5)))
        .await
        .assert_error(404, "not_found");
    let r = sandbox(&app, &sandbox_body(&session(5), &account, 100)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 100);
    ledger_counts(&app, 1, 1).await;
}

#[tokio::test]
async fn the_sandbox_takes_test_keys_and_own_accounts_only() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "in-door").await;
    let body = sandbox_body(&session(8), &account, 100);
    app.call(Method::POST, SANDBOX, Some(&app.live_key), Some(&body))
        .await
        .assert_error(403, "wrong_mode");
    app.call(Method::POST, SANDBOX, None, Some(&body))
        .await
        .assert_error(401, "missing_api_key");
    app.call(
        Method::POST,
        SANDBOX,
        Some(&app.test_public_key),
        Some(&body),
    )
    .await
    .assert_error(401, "public_key_not_allowed");
    // Another business cannot pay into this business's test account.
    let other = second_business(&app).await;
    app.call(
        Method::POST,
        SANDBOX,
        Some(&other.test.private_key),
        Some(&body),
    )
    .await
    .assert_error(404, "not_found");
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, 0);
    ledger_counts(&app, 0, 0).await;
}
