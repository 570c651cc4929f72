//! `POST`/`GET /api/v1/customers/{identifier}/virtual-accounts`: permanent
//! NUBANs, named after the business and the customer, capped per customer,
//! never issued twice (also under parallel requests).

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_fields, second_business, spawn_app, TestApp};
use crate::money_helpers::{create_customer_with, customer_path, issue_account_with};

fn path(identifier: &str) -> String {
    customer_path(identifier, "virtual-accounts")
}

async fn list(app: &TestApp, key: &str, identifier: &str) -> Vec<Value> {
    let r = app
        .call(Method::GET, &path(identifier), Some(key), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["status"], true);
    r.body["data"].as_array().expect("a list").clone()
}

fn number_of(account: &Value) -> String {
    account["account_number"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn issues_a_valid_nuban_named_after_business_and_customer() {
    let app = spawn_app().await;
    let c = app.create_customer("va-one").await;
    let code = c["code"].as_str().unwrap();
    // No body at all is allowed.
    let r = app
        .call(Method::POST, &path(code), Some(&app.test_key), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["success"], true);
    let a = &r.body["data"];
    let number = number_of(a);
    assert_eq!(number.len(), 10, "{number}");
    assert!(number.bytes().all(|b| b.is_ascii_digit()), "{number}");
    assert!(kobo_core::nuban::is_valid("999999", &number), "{number}");
    assert_eq!(a["account_name"], "Test Business / Ada Obi");
    assert_eq!(a["bank_name"], "Kobo Sandbox Bank");
    assert_eq!(a["bank_code"], "999999");
    assert_eq!(a["service_provider"], "kobo");
    assert_eq!(a["status"], "ACTIVE");
    assert_eq!(a["mode"], "test");
    assert_eq!(a["reference"], Value::Null);
    assert!(a["code"].as_str().is_some_and(|c| !c.is_empty()), "{a}");
    // An empty JSON object, and a reference, work too; each is a new number.
    let second = issue_account_with(&app, &app.test_key, code).await;
    let r = app
        .post(&path(code), &json!({"reference": "va-ref-3"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["reference"], "va-ref-3");
    let numbers = [
        number.clone(),
        number_of(&second),
        number_of(&r.body["data"]),
    ];
    assert_eq!(
        numbers.iter().collect::<HashSet<_>>().len(),
        3,
        "{numbers:?}"
    );
    // The list has all three, oldest first, and the customer JSON shows them.
    let listed: Vec<String> = list(&app, &app.test_key, code)
        .await
        .iter()
        .map(number_of)
        .collect();
    assert_eq!(listed, numbers);
    let fetched = app.get(&format!("/api/v1/customers/{code}")).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.body);
    let on_customer: Vec<String> = fetched.body["data"]["virtual_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(number_of)
        .collect();
    assert_eq!(on_customer, numbers);
    // Reachable by reference and email too.
    assert_eq!(list(&app, &app.test_key, "va-one").await.len(), 3);
    assert_eq!(
        list(&app, &app.test_key, "va-one@example.com").await.len(),
        3
    );
}

#[tokio::test]
async fn a_bad_reference_is_refused_and_issues_nothing() {
    let app = spawn_app().await;
    let c = app.create_customer("va-bad-ref").await;
    let code = c["code"].as_str().unwrap();
    for bad in [json!({"reference": "has space"}), json!({"reference": 12})] {
        let r = app.post(&path(code), &bad).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), ["reference"], "{bad}");
    }
    app.post(&path(code), &json!([]))
        .await
        .assert_error(400, "invalid_json");
    assert!(list(&app, &app.test_key, code).await.is_empty());
}

#[tokio::test]
async fn five_accounts_then_the_limit() {
    let app = spawn_app().await;
    let c = app.create_customer("va-cap").await;
    let code = c["code"].as_str().unwrap();
    for _ in 0..5 {
        issue_account_with(&app, &app.test_key, code).await;
    }
    let r = app.post(&path(code), &json!({})).await;
    r.assert_error(400, "virtual_account_limit");
    assert!(
        r.body["message"].as_str().unwrap().contains('5'),
        "{}",
        r.body
    );
    assert_eq!(list(&app, &app.test_key, code).await.len(), 5);
}

#[tokio::test]
async fn parallel_requests_for_one_customer_stop_at_the_cap() {
    let app = spawn_app().await;
    let c = app.create_customer("va-race").await;
    let code = c["code"].as_str().unwrap().to_string();
    let replies = create_all(&app, &[code.as_str(); 9]).await;
    let created = replies.iter().filter(|(s, _)| *s == 201).count();
    let limited = replies
        .iter()
        .filter(|(s, b)| *s == 400 && b["code"] == "virtual_account_limit")
        .count();
    assert_eq!((created, limited), (5, 4), "{replies:?}");
    assert_eq!(list(&app, &app.test_key, &code).await.len(), 5);
}

#[tokio::test]
async fn thirty_parallel_creates_give_thirty_distinct_numbers() {
    let app = spawn_app().await;
    let mut codes = Vec::new();
    for i in 0..6 {
        let c = app.create_customer(&format!("va-par-{i}")).await;
        codes.push(c["code"].as_str().unwrap().to_string());
    }
    // Five per customer (the cap), all thirty requests in flight at once.
    let targets: Vec<&str> = (0..30).map(|i| codes[i % 6].as_str()).collect();
    let replies = create_all(&app, &targets).await;
    let mut numbers = HashSet::new();
    for (status, body) in &replies {
        assert_eq!(*status, 201, "{body}");
        let n = number_of(&body["data"]);
        assert!(kobo_core::nuban::is_valid("999999", &n), "{n}");
        assert!(numbers.insert(n.clone()), "issued twice: {n}");
    }
    assert_eq!(numbers.len(), 30);
    let mut listed = HashSet::new();
    for code in &codes {
        let mine = list(&app, &app.test_key, code).await;
        assert_eq!(mine.len(), 5, "{code}");
        listed.extend(mine.iter().map(number_of));
    }
    assert_eq!(listed, numbers);
}

/// Sends one create per identifier, all at once; (status, body) in order.
async fn create_all(app: &TestApp, identifiers: &[&str]) -> Vec<(u16, Value)> {
    let mut tasks = Vec::new();
    for id in identifiers {
        let url = format!("{}{}", app.base, path(id));
        let key = app.test_key.clone();
        tasks.push(tokio::spawn(async move {
            let resp = reqwest::Client::new()
                .post(url)
                .header("DPPRIVATEKEY", key)
                .json(&json!({}))
                .send()
                .await
                .expect("request");
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.expect("json"))
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn inactive_customers_get_none() {
    let app = spawn_app().await;
    let c = app.create_customer("va-inactive").await;
    let code = c["code"].as_str().unwrap();
    issue_account_with(&app, &app.test_key, code).await;
    let r = app
        .patch(
            &format!("/api/v1/customers/{code}"),
            &json!({"status": "INACTIVE"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.post(&path(code), &json!({}))
        .await
        .assert_error(400, "customer_inactive");
    assert_eq!(list(&app, &app.test_key, code).await.len(), 1);
    // Active again: accounts can be issued again.
    let r = app
        .patch(
            &format!("/api/v1/customers/{code}"),
            &json!({"status": "ACTIVE"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    issue_account_with(&app, &app.test_key, code).await;
    assert_eq!(list(&app, &app.test_key, code).await.len(), 2);
}

#[tokio::test]
async fn unknown_and_foreign_customers_are_not_found() {
    let app = spawn_app().await;
    for id in ["CUS_nobody", "999999", "no-such-ref", "ghost@example.com"] {
        app.post(&path(id), &json!({}))
            .await
            .assert_error(404, "not_found");
        app.get(&path(id)).await.assert_error(404, "not_found");
    }
    // Another business's customer, by code and by id.
    let other = second_business(&app).await;
    let theirs = create_customer_with(&app, &other.test.private_key, "va-theirs").await;
    let their_code = theirs["code"].as_str().unwrap();
    let their_id = theirs["id"].to_string();
    for id in [their_code, their_id.as_str()] {
        app.post(&path(id), &json!({}))
            .await
            .assert_error(404, "not_found");
        app.get(&path(id)).await.assert_error(404, "not_found");
    }
    assert!(list(&app, &other.test.private_key, their_code)
        .await
        .is_empty());
    // A test customer is not visible with the live key.
    let mine = app.create_customer("va-mine").await;
    let my_code = mine["code"].as_str().unwrap();
    app.call(Method::POST, &path(my_code), Some(&app.live_key), None)
        .await
        .assert_error(404, "not_found");
    assert!(list(&app, &app.test_key, my_code).await.is_empty());
    // Auth is required.
    app.call(Method::POST, &path(my_code), None, None)
        .await
        .assert_error(401, "missing_api_key");
}

#[tokio::test]
async fn live_accounts_are_issued_with_the_live_key() {
    let app = spawn_app().await;
    let c = create_customer_with(&app, &app.live_key, "va-live").await;
    let code = c["code"].as_str().unwrap();
    let a = issue_account_with(&app, &app.live_key, code).await;
    assert_eq!(a["mode"], "live");
    assert!(kobo_core::nuban::is_valid("999999", &number_of(&a)));
    assert_eq!(list(&app, &app.live_key, code).await.len(), 1);
}
