//! One-time accounts through HTTP: creation in naira or kobo, validation,
//! references and inactive customers. Numbers and the list are in
//! `one_time_numbers.rs`, payments in `one_time_payments.rs`, expiry in
//! `one_time_expiry.rs` and `one_time_race.rs`.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, second_business, spawn_app, TestApp};
use crate::money_helpers::*;
use crate::ota_helpers::*;

fn expires_at(a: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(a["expires_at"].as_str().expect("expires_at"))
        .unwrap()
        .with_timezone(&Utc)
}

/// Creates with `body` and checks that `expires_at` is `minutes` after the request.
async fn created_expiring(app: &TestApp, code: &str, body: Value, minutes: i64) -> Value {
    let before = Utc::now();
    let r = create_ota(app, code, &body).await;
    let after = Utc::now();
    assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.body);
    let d = r.body["data"].clone();
    let at = expires_at(&d);
    let (low, high) = (
        before + Duration::minutes(minutes),
        after + Duration::minutes(minutes),
    );
    assert!(
        at >= low - Duration::milliseconds(1) && at <= high,
        "{at} not in {low}..{high}"
    );
    assert!(d["expires_at"].as_str().unwrap().ends_with('Z'), "{d}");
    d
}

#[tokio::test]
async fn created_in_naira_or_kobo_with_every_field() {
    let app = spawn_app().await;
    let code = app.create_customer("ota-create").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let d = created_expiring(&app, &code, json!({"amount": "1500.50"}), 30).await;
    assert_eq!(state(&d), ("PENDING".into(), 0, 150_050, 0));
    assert_eq!(d["amount_kobo"], 150_050);
    assert_eq!(d["amount"], json!(1500.5));
    assert_eq!(d["amount_remaining"], json!(1500.5));
    assert_eq!(d["amount_paid"], json!(0.0));
    assert_eq!(d["currency"], "NGN");
    assert_eq!(d["bank_code"], "999999");
    assert_eq!(d["bank_name"], "Kobo Sandbox Bank");
    assert_eq!(d["service_provider"], "kobo");
    assert_eq!(d["account_name"], "Test Business / Ada Obi");
    let reference = d["reference"].as_str().unwrap();
    assert!(
        reference.starts_with("ota_") && reference.len() == 24,
        "{reference}"
    );
    assert!(d["code"].as_str().is_some_and(|c| !c.is_empty()));

    let d = created_expiring(
        &app,
        &code,
        json!({"amount_kobo": 250_000, "reference": "order-1"}),
        30,
    )
    .await;
    assert_eq!(state(&d), ("PENDING".into(), 0, 250_000, 0));
    assert_eq!(
        (d["amount"].clone(), d["reference"].clone()),
        (json!(2500.0), json!("order-1"))
    );
    // A number in naira, and both forms when they agree.
    let d = created_expiring(&app, &code, json!({"amount": 12.5}), 30).await;
    assert_eq!(d["amount_kobo"], 1250);
    let d = created_expiring(
        &app,
        &code,
        json!({"amount": "10.00", "amount_kobo": 1000}),
        30,
    )
    .await;
    assert_eq!(d["amount_kobo"], 1000);
    // The largest amount a request may carry.
    let d = created_expiring(&app, &code, json!({"amount": "100000000000.00"}), 30).await;
    assert_eq!(d["amount_kobo"], 10_000_000_000_000_i64);
    // Expiry bounds, as a number or a string.
    for (given, minutes) in [(json!(5), 5), (json!(1440), 1440), (json!("60"), 60)] {
        let body = json!({"amount_kobo": 100, "expires_in_minutes": given});
        created_expiring(&app, &code, body, minutes).await;
    }
    assert_eq!(list_otas(&app, &code).await.len(), 8);
}

#[tokio::test]
async fn bad_requests_name_every_bad_field_and_create_nothing() {
    let app = spawn_app().await;
    let code = app.create_customer("ota-bad").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), vec!["amount"]),
        (json!({"amount": null, "amount_kobo": ""}), vec!["amount"]),
        (json!({"amount": 0}), vec!["amount"]),
        (json!({"amount": "0.00"}), vec!["amount"]),
        (json!({"amount": -5}), vec!["amount"]),
        (json!({"amount": "1.234"}), vec!["amount"]),
        (json!({"amount": 1.234}), vec!["amount"]),
        (json!({"amount": "ten"}), vec!["amount"]),
        (json!({"amount_kobo": 0}), vec!["amount_kobo"]),
        (json!({"amount_kobo": -100}), vec!["amount_kobo"]),
        (json!({"amount_kobo": 10.5}), vec!["amount_kobo"]),
        (
            json!({"amount_kobo": 10_000_000_000_001_i64}),
            vec!["amount_kobo"],
        ),
        (json!({"amount": "100000000000.01"}), vec!["amount"]),
        (
            json!({"amount": "10.00", "amount_kobo": 999}),
            vec!["amount"],
        ),
        (
            json!({"amount_kobo": 100, "expires_in_minutes": 4}),
            vec!["expires_in_minutes"],
        ),
        (
            json!({"amount_kobo": 100, "expires_in_minutes": 1441}),
            vec!["expires_in_minutes"],
        ),
        (
            json!({"amount_kobo": 100, "expires_in_minutes": 0}),
            vec!["expires_in_minutes"],
        ),
        (
            json!({"amount_kobo": 100, "expires_in_minutes": -30}),
            vec!["expires_in_minutes"],
        ),
        (
            json!({"amount_kobo": 100, "expires_in_minutes": 7.5}),
            vec!["expires_in_minutes"],
        ),
        (
            json!({"amount_kobo": 100, "expires_in_minutes": "soon"}),
            vec!["expires_in_minutes"],
        ),
        (
            json!({"amount_kobo": 100, "reference": "12345"}),
            vec!["reference"],
        ),
        (
            json!({"amount_kobo": 100, "reference": "has space"}),
            vec!["reference"],
        ),
        (
            json!({"amount": "1.234", "expires_in_minutes": 4, "reference": "CUS_x"}),
            vec!["amount", "expires_in_minutes", "reference"],
        ),
        (
            json!({"expires_in_minutes": 2000, "reference": "a b"}),
            vec!["amount", "expires_in_minutes", "reference"],
        ),
    ];
    for (body, fields) in cases {
        let r = create_ota(&app, &code, &body).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), fields, "{body}: {}", r.body);
    }
    assert!(list_otas(&app, &code).await.is_empty());
    verified(&app).await;
}

#[tokio::test]
async fn a_reference_is_unique_per_business_and_mode() {
    let app = spawn_app().await;
    let a = app.create_customer("ota-ref-a").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.create_customer("ota-ref-b").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"amount_kobo": 5000, "reference": "pay-777"});
    let first = create_ota(&app, &a, &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    for who in [&a, &b] {
        let again = create_ota(&app, who, &body).await;
        again.assert_error(409, "already_exists");
        assert!(
            again.body["message"]
                .as_str()
                .unwrap()
                .contains("already exists"),
            "{}",
            again.body
        );
    }
    assert_eq!(list_otas(&app, &a).await.len(), 1);
    assert!(list_otas(&app, &b).await.is_empty());
    // The live mode and another business each have their own references.
    let live = create_customer_with(&app, &app.live_key, "ota-ref-live").await;
    let path = customer_path(live["code"].as_str().unwrap(), "one-time-accounts");
    let r = app
        .call(
            reqwest::Method::POST,
            &path,
            Some(&app.live_key),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let other = second_business(&app).await;
    let theirs = create_customer_with(&app, &other.test.private_key, "ota-ref-other").await;
    let path = customer_path(theirs["code"].as_str().unwrap(), "one-time-accounts");
    let r = app
        .call(
            reqwest::Method::POST,
            &path,
            Some(&other.test.private_key),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The refused duplicate did not burn or reuse a number.
    let next = new_ota(&app, &a, 100).await;
    let numbers =
        [&first.body["data"], &next].map(|d| d["account_number"].as_str().unwrap().to_string());
    assert_ne!(numbers[0], numbers[1]);
}

#[tokio::test]
async fn inactive_or_unknown_customers_get_none() {
    let app = spawn_app().await;
    let code = app.create_customer("ota-inactive").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    deactivate(&app, &code).await;
    let r = create_ota(&app, &code, &json!({"amount_kobo": 100})).await;
    r.assert_error(400, "customer_inactive");
    assert!(list_otas(&app, &code).await.is_empty());
    let r = create_ota(&app, "CUS_nosuchcustomer", &json!({"amount_kobo": 100})).await;
    r.assert_error(404, "not_found");
    // Another business's customer is not found, for create and list.
    let other = second_business(&app).await;
    let theirs = create_customer_with(&app, &other.test.private_key, "ota-theirs").await;
    let their_code = theirs["code"].as_str().unwrap();
    create_ota(&app, their_code, &json!({"amount_kobo": 100}))
        .await
        .assert_error(404, "not_found");
    let r = app
        .get(&customer_path(their_code, "one-time-accounts"))
        .await;
    r.assert_error(404, "not_found");
}
