//! Shared helpers of the money tests (virtual accounts, inflows, balances):
//! issuing accounts, sending inflows through either door, reading balances.

use kobo_server::http::signature::sign;
use kobo_store::LedgerReport;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{customer_body, Reply, TestApp, PROVIDER_SECRET};

pub const SANDBOX: &str = "/api/v1/sandbox/inflows";
pub const PROVIDER: &str = "/api/v1/provider/inflows";
pub const NAME_ENQUIRY: &str = "/api/v1/provider/name-enquiry";

/// A 30-digit NIP session id made from `n` (distinct `n`, distinct ids).
pub fn session(n: u64) -> String {
    format!("1{n:029}")
}

/// `/api/v1/customers/{identifier}/{tail}`.
pub fn customer_path(identifier: &str, tail: &str) -> String {
    format!("/api/v1/customers/{identifier}/{tail}")
}

/// Creates a wallet customer with `key` and returns its JSON.
pub async fn create_customer_with(app: &TestApp, key: &str, reference: &str) -> Value {
    let r = app
        .call(
            Method::POST,
            "/api/v1/customers",
            Some(key),
            Some(&customer_body(reference)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["data"].clone()
}

/// Issues a virtual account to `identifier` with `key`; returns the account JSON.
pub async fn issue_account_with(app: &TestApp, key: &str, identifier: &str) -> Value {
    let r = app
        .call(
            Method::POST,
            &customer_path(identifier, "virtual-accounts"),
            Some(key),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["data"].clone()
}

/// A test-mode wallet customer with one virtual account: (customer code, account number).
pub async fn test_customer_with_account(app: &TestApp, reference: &str) -> (String, String) {
    let c = app.create_customer(reference).await;
    let code = c["code"].as_str().unwrap().to_string();
    let account = issue_account_with(app, &app.test_key, &code).await;
    (
        code,
        account["account_number"].as_str().unwrap().to_string(),
    )
}

/// A live-mode wallet customer with one virtual account: (customer code, account number).
pub async fn live_customer_with_account(app: &TestApp, reference: &str) -> (String, String) {
    let c = create_customer_with(app, &app.live_key, reference).await;
    let code = c["code"].as_str().unwrap().to_string();
    let account = issue_account_with(app, &app.live_key, &code).await;
    (
        code,
        account["account_number"].as_str().unwrap().to_string(),
    )
}

/// `POST /api/v1/sandbox/inflows` with the test key.
pub async fn sandbox(app: &TestApp, body: &Value) -> Reply {
    app.post(SANDBOX, body).await
}

/// A sandbox inflow body with the usual sender fields.
pub fn sandbox_body(session_id: &str, account: &str, amount_kobo: i64) -> Value {
    json!({
        "session_id": session_id,
        "account_number": account,
        "amount_kobo": amount_kobo,
        "sender_name": "Chidi Okeke",
        "sender_account_number": "0123456785",
        "sender_bank_code": "058",
        "narration": "School fees",
    })
}

/// A provider (partner bank) inflow body: every field the bank sends.
pub fn provider_body(session_id: &str, account: &str, amount_kobo: i64) -> Value {
    json!({
        "session_id": session_id,
        "account_number": account,
        "amount_kobo": amount_kobo,
        "sender_name": "Ngozi Eze",
        "sender_account_number": "0123456785",
        "sender_bank_code": "058",
        "narration": "Rent",
        "paid_at": "2026-01-31T12:00:00Z",
    })
}

/// Posts raw `bytes` to `path` with `signature` (if any) as `X-Provider-Signature`.
pub async fn signed_raw(
    app: &TestApp,
    path: &str,
    bytes: Vec<u8>,
    signature: Option<&str>,
) -> Reply {
    let mut req = app
        .client
        .post(format!("{}{}", app.base, path))
        .header("content-type", "application/json");
    if let Some(s) = signature {
        req = req.header("X-Provider-Signature", s);
    }
    Reply::from(req.body(bytes).send().await.expect("request")).await
}

/// Posts `body` to a provider route, correctly signed.
pub async fn signed(app: &TestApp, path: &str, body: &Value) -> Reply {
    let bytes = serde_json::to_vec(body).unwrap();
    let signature = sign(PROVIDER_SECRET, &bytes);
    signed_raw(app, path, bytes, Some(&signature)).await
}

/// `POST /api/v1/provider/inflows`, correctly signed.
pub async fn provider(app: &TestApp, body: &Value) -> Reply {
    signed(app, PROVIDER, body).await
}

/// `GET path` with `key`: status and the raw body text.
pub async fn get_raw(app: &TestApp, key: &str, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(format!("{}{}", app.base, path))
        .header("DPPRIVATEKEY", key)
        .send()
        .await
        .expect("request");
    (resp.status(), resp.text().await.expect("body"))
}

/// `GET path` with `key`, asserting 200; returns the body.
pub async fn get_ok(app: &TestApp, key: &str, path: &str) -> Value {
    let r = app.call(Method::GET, path, Some(key), None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body
}

/// The customer's `balance_kobo`, checked against its twins.
pub async fn balance_kobo(app: &TestApp, key: &str, identifier: &str) -> i64 {
    let b = get_ok(app, key, &customer_path(identifier, "balance")).await;
    let data = &b["data"];
    let kobo = data["balance_kobo"].as_i64().expect("balance_kobo");
    assert_eq!(data["balanceKobo"], kobo, "{b}");
    kobo
}

/// The customer's transactions (first page of `query`).
pub async fn transactions(app: &TestApp, identifier: &str, query: &str) -> Value {
    let path = format!("{}{query}", customer_path(identifier, "transactions"));
    get_ok(app, &app.test_key, &path).await
}

/// `GET /api/v1/inflows/{session_id}` in `key`'s mode, asserting 200.
pub async fn inflow(app: &TestApp, key: &str, session_id: &str) -> Value {
    get_ok(app, key, &format!("/api/v1/inflows/{session_id}")).await["data"].clone()
}

/// Runs `kobo ledger verify` and asserts it found no problem.
pub async fn verified(app: &TestApp) -> LedgerReport {
    let report = app.store.verify_ledger().await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.problems);
    report
}

/// The balance of one of the business's house accounts (`settlement`,
/// `suspense`, `fee_revenue`, `vat_payable`), read straight from the database.
pub async fn house_balance(app: &TestApp, mode: kobo_core::Mode, kind: &str) -> i64 {
    let db = app.raw_db().await;
    db.int(
        "SELECT balance FROM ledger_account WHERE business_id = $1 AND mode = $2 AND kind = $3",
        &[app.business_id.into(), mode.as_str().into(), kind.into()],
    )
    .await
}
