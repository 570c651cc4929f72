//! Security: keys (wrong, truncated, other business, other mode, public) on
//! every private route, another business's identifiers on every customer
//! sub-route (404, never 403), and provider calls with bad signatures. None of
//! these changes any data: a snapshot of every table, the ledger and the
//! customers is compared before and after. Hostile bodies, paths and query
//! strings are in `security_more.rs` and `security_paths.rs`; the route list
//! in `security_routes.rs`.

use std::collections::BTreeMap;

use kobo_server::http::signature::sign;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{second_business, spawn_app, Reply, TestApp, PROVIDER_SECRET};
use crate::money_helpers::{
    customer_path, live_customer_with_account, provider_body, sandbox, sandbox_body, session,
    signed_raw, test_customer_with_account, NAME_ENQUIRY, PROVIDER,
};
use crate::security_routes::{fill, private_routes};

/// Everything a refused request must leave alone.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    rows: BTreeMap<String, i64>,
    ledger: (u64, u64, u64, u64),
    customers: Vec<Value>,
}

/// Row counts of every table, the ledger report and every customer as JSON
/// (with `updated_at` and wallet balances) in both modes.
pub async fn snapshot(app: &TestApp) -> Snapshot {
    let db = app.raw_db().await;
    let mut rows = BTreeMap::new();
    // The webhook dispatcher writes delivery attempts (and the endpoint row it
    // signs with) in the background for events made before the snapshot.
    let background = ["webhook_attempt", "webhook_endpoint"];
    for t in db.tables().await {
        if !background.contains(&t.as_str()) {
            let n = db.int(&format!("SELECT COUNT(*) FROM \"{t}\""), &[]).await;
            rows.insert(t, n);
        }
    }
    let report = app.store.verify_ledger().await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.problems);
    let mut customers = Vec::new();
    for key in [&app.test_key, &app.live_key] {
        let r = app.list_with(key, &[("per_page", "100")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        customers.extend(r.body["data"]["data"].as_array().unwrap().iter().cloned());
    }
    Snapshot {
        rows,
        ledger: (
            report.accounts,
            report.journals,
            report.entries,
            report.inflows,
        ),
        customers,
    }
}

/// Asserts a 4xx (never 5xx) answer in the error envelope, `type` and `code` included.
pub fn assert_refused(r: &Reply, what: &str) {
    let s = r.status.as_u16();
    assert!((400..500).contains(&s), "{what}: {s} {}", r.body);
    assert_eq!(r.body["success"], false, "{what}: {}", r.body);
    assert_eq!(r.body["status"], false, "{what}: {}", r.body);
    for field in ["type", "code", "message"] {
        let v = r.body[field].as_str().unwrap_or("");
        assert!(!v.is_empty(), "{what}: no {field} in {}", r.body);
    }
    assert!(r.body["errors"].is_object(), "{what}: {}", r.body);
}

#[tokio::test]
async fn bad_keys_are_refused_on_every_private_route_and_change_nothing() {
    let app = spawn_app().await;
    let (code, _) = test_customer_with_account(&app, "SEC-KEYS").await;
    let before = snapshot(&app).await;
    let truncated = app.test_key[..app.test_key.len() - 1].to_string();
    let extended = format!("{}x", app.test_key);
    let keys: Vec<(Option<String>, &str)> = vec![
        (None, "missing_api_key"),
        (Some(String::new()), "invalid_api_key"),
        (
            Some("PRV_DP_DEMO_wrongwrongwrong".into()),
            "invalid_api_key",
        ),
        (Some(truncated), "invalid_api_key"),
        (Some(extended), "invalid_api_key"),
        (Some(app.test_key.to_lowercase()), "invalid_api_key"),
        (Some("' OR 1=1 --".into()), "invalid_api_key"),
        (
            Some(format!("PRV_DP_{}", "a".repeat(10_000))),
            "invalid_api_key",
        ),
        (Some(app.test_public_key.clone()), "public_key_not_allowed"),
        (Some(app.live_public_key.clone()), "public_key_not_allowed"),
    ];
    for (method, path, body) in private_routes() {
        let path = fill(path, &code, &session(1));
        for (key, want) in &keys {
            let r = app
                .call(method.clone(), &path, key.as_deref(), body.as_ref())
                .await;
            assert_refused(&r, &format!("{method} {path}"));
            r.assert_error(401, want);
        }
        // A key header that is not even text.
        let mut req = app
            .client
            .request(method.clone(), format!("{}{path}", app.base));
        req = req.header(
            "DPPRIVATEKEY",
            reqwest::header::HeaderValue::from_bytes(b"PRV_DP_\xff\xfe").unwrap(),
        );
        if let Some(b) = &body {
            req = req.json(b);
        }
        let r = Reply::from(req.send().await.unwrap()).await;
        r.assert_error(401, "invalid_api_key");
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn other_business_and_other_mode_identifiers_are_404_never_403() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "SEC-VICTIM").await;
    let sid = session(42);
    let r = sandbox(&app, &sandbox_body(&sid, &account, 150_000)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (live_code, _) = live_customer_with_account(&app, "SEC-LIVE").await;
    let victim = app.get(&format!("/api/v1/customers/{code}")).await.body["data"].clone();
    let id = victim["id"].to_string();
    let email = victim["email"].as_str().unwrap().to_string();
    let other = second_business(&app).await;
    let before = snapshot(&app).await;
    let outsiders = [
        (
            other.test.private_key.as_str(),
            "another business's test key",
        ),
        (
            other.live.private_key.as_str(),
            "another business's live key",
        ),
        (app.live_key.as_str(), "the same business's live key"),
    ];
    for (method, path, body) in private_routes() {
        if !path.contains("{cust}") && !path.contains("{sid}") {
            continue;
        }
        for ident in [id.as_str(), code.as_str(), "SEC-VICTIM", email.as_str()] {
            let path = fill(path, ident, &sid);
            for (key, who) in outsiders {
                let r = app
                    .call(method.clone(), &path, Some(key), body.as_ref())
                    .await;
                assert_ne!(r.status, StatusCode::FORBIDDEN, "{who}: {method} {path}");
                r.assert_error(404, "not_found");
            }
        }
    }
    // And the other way round: the test key cannot reach the live customer.
    for tail in ["", "/balance", "/transactions", "/virtual-accounts"] {
        let path = format!("/api/v1/customers/{live_code}{tail}");
        app.get(&path).await.assert_error(404, "not_found");
    }
    assert_eq!(snapshot(&app).await, before);
    // The owner still sees everything.
    let mine = app.get(&customer_path(&code, "balance")).await;
    assert_eq!(mine.body["data"]["balance_kobo"], 150_000, "{}", mine.body);
}

#[tokio::test]
async fn a_live_key_on_the_sandbox_is_403_and_posts_nothing() {
    let app = spawn_app().await;
    let (_, account) = test_customer_with_account(&app, "SEC-MODE").await;
    let before = snapshot(&app).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/sandbox/inflows",
            Some(&app.live_key),
            Some(&sandbox_body(&session(7), &account, 1000)),
        )
        .await;
    r.assert_error(403, "wrong_mode");
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn provider_calls_without_a_valid_signature_change_nothing() {
    let app = spawn_app().await;
    let (code, account) = live_customer_with_account(&app, "SEC-SIG").await;
    let body = provider_body(&session(9), &account, 250_000);
    let bytes = serde_json::to_vec(&body).unwrap();
    let good = sign(PROVIDER_SECRET, &bytes);
    let tampered = serde_json::to_vec(&provider_body(&session(9), &account, 9_999_999)).unwrap();
    let before = snapshot(&app).await;
    let attempts: Vec<(Vec<u8>, Option<String>, &str)> = vec![
        (bytes.clone(), None, "missing"),
        (bytes.clone(), Some(String::new()), "empty"),
        (bytes.clone(), Some("zz-not-hex".into()), "not hex"),
        (bytes.clone(), Some(good[..64].to_string()), "truncated"),
        (bytes.clone(), Some(format!("{good}00")), "extended"),
        (bytes.clone(), Some("0".repeat(128)), "zeros"),
        (
            bytes.clone(),
            Some(sign("another-secret", &bytes)),
            "wrong secret",
        ),
        (bytes.clone(), Some(sign("", &bytes)), "empty secret"),
        (
            tampered.clone(),
            Some(good.clone()),
            "body changed after signing",
        ),
        (
            [bytes.clone(), b" ".to_vec()].concat(),
            Some(good.clone()),
            "trailing byte",
        ),
        (
            b"{\"session_id\": \"' OR 1=1 --\"}".to_vec(),
            Some(good.clone()),
            "hostile body",
        ),
    ];
    for path in [PROVIDER, NAME_ENQUIRY] {
        for (bytes, signature, why) in &attempts {
            let r = signed_raw(&app, path, bytes.clone(), signature.as_deref()).await;
            assert_refused(&r, why);
            r.assert_error(401, "invalid_signature");
        }
    }
    assert_eq!(snapshot(&app).await, before);
    let balance = app
        .call(
            Method::GET,
            &customer_path(&code, "balance"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(balance.body["data"]["balance_kobo"], 0, "{}", balance.body);
    // The correctly signed call still works (the door was open all along).
    let ok = signed_raw(&app, PROVIDER, bytes, Some(&good)).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
}
