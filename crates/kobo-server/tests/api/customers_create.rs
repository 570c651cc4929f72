//! `POST /api/v1/customers` and `/customers/corporate`: the normalized answer,
//! not-given and wrong-type fields, one 400 naming every bad field, nothing
//! written on a refusal (per-field rules: `customers_rules`).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, error_fields, spawn_app, TestApp};

const PATH: &str = "/api/v1/customers";

/// `customer_body(reference)` with `changes` merged in (`null` values kept).
pub fn body_with(reference: &str, changes: Value) -> Value {
    let mut body = customer_body(reference);
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// Posts a body that must be refused with exactly `fields` in error.
pub async fn refused(app: &TestApp, body: &Value, fields: &[&str]) -> Value {
    let r = app.post(PATH, body).await;
    r.assert_error(400, "validation_failed");
    assert_eq!(r.body["type"], "validation_error");
    assert_eq!(error_fields(&r.body), fields, "{body}");
    r.body
}

pub async fn created(app: &TestApp, body: &Value) -> Value {
    let r = app.post(PATH, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{body} -> {}", r.body);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["status"], true);
    r.body["data"].clone()
}

#[tokio::test]
async fn a_valid_customer_comes_back_normalized() {
    let app = spawn_app().await;
    let d = created(
        &app,
        &json!({
            "first_name": "  Ada  ", "last_name": "Obi", "email": "Ada.Obi@Example.COM",
            "reference": "REF_1.a-b", "phone": "0803 123 4567", "bvn": "22212345901",
            "nin": "12345678902", "dob": "1990-05-17",
        }),
    )
    .await;
    assert_eq!(d["first_name"], "Ada");
    assert_eq!(d["email"], "Ada.Obi@example.com");
    assert_eq!(d["reference"], "REF_1.a-b");
    assert_eq!(d["phone"], "+2348031234567");
    assert_eq!(d["bvn"], "********901");
    assert_eq!(d["nin"], "********902");
    assert_eq!(d["dob"], "1990-05-17");
    assert_eq!(d["type"], "wallet", "type defaults to wallet");
    assert_eq!(d["status"], "ACTIVE");
    assert_eq!(d["mode"], "test");
    assert_eq!(d["category"], "individual");
    assert_eq!(d["collection_wallet"], Value::Null);
    assert_eq!(d["wallet"]["balance_kobo"], 0);
    assert_eq!(d["virtual_accounts"], json!([]));
    let code = d["code"].as_str().unwrap();
    assert!(code.starts_with("CUS_") && code[4..].chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(d["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(!d.to_string().contains("22212345901"));
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn absent_null_and_empty_mean_not_given() {
    let app = spawn_app().await;
    let d = created(
        &app,
        &body_with(
            "OPT-1",
            json!({"phone": "", "bvn": null, "nin": "", "dob": null, "type": "", "collection_wallet_code": ""}),
        ),
    )
    .await;
    for f in ["phone", "bvn", "nin", "dob", "collection_wallet"] {
        assert_eq!(d[f], Value::Null, "{f}");
    }
    assert_eq!(d["type"], "wallet");
    // Required fields given as null or "" are missing.
    let b = json!({"first_name": null, "last_name": "", "email": null, "reference": ""});
    let body = refused(&app, &b, &["email", "first_name", "last_name", "reference"]).await;
    assert_eq!(
        body["errors"]["email"],
        json!(["The email field is required."])
    );
    let body = refused(
        &app,
        &json!({}),
        &["email", "first_name", "last_name", "reference"],
    )
    .await;
    assert_eq!(
        body["errors"]["reference"],
        json!(["The reference field is required."])
    );
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn wrong_json_types_are_named() {
    let app = spawn_app().await;
    let b = json!({
        "first_name": true, "last_name": ["Obi"], "email": {"a": 1}, "reference": 1.5,
        "phone": false, "bvn": 1.5, "dob": [], "type": 1,
    });
    let body = refused(
        &app,
        &b,
        &[
            "bvn",
            "dob",
            "email",
            "first_name",
            "last_name",
            "phone",
            "reference",
            "type",
        ],
    )
    .await;
    assert_eq!(
        body["errors"]["first_name"],
        json!(["The first_name must be a string."])
    );
    assert_eq!(
        body["errors"]["email"],
        json!(["The email must be a string."])
    );
    // Whole numbers are read as their digits (clients send BVNs as numbers).
    let d = created(
        &app,
        &body_with(
            "NUM-1",
            json!({"bvn": 22212345901u64, "phone": 2348012345678u64}),
        ),
    )
    .await;
    assert_eq!(d["bvn"], "********901");
    assert_eq!(d["phone"], "+2348012345678");
    let b = body_with("NUM-2", json!({"reference": 12345}));
    refused(&app, &b, &["reference"]).await;
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn one_400_names_every_bad_field_and_writes_nothing() {
    let app = spawn_app().await;
    let b = json!({
        "first_name": "John3", "last_name": "<script>", "email": "not-an-email",
        "phone": "12345", "bvn": "22212345901x", "nin": "abc", "dob": "2999-01-01",
        "type": "savings", "reference": "12345",
    });
    let body = refused(
        &app,
        &b,
        &[
            "bvn",
            "dob",
            "email",
            "first_name",
            "last_name",
            "nin",
            "phone",
            "reference",
            "type",
        ],
    )
    .await;
    for (_, messages) in body["errors"].as_object().unwrap() {
        assert_eq!(messages.as_array().unwrap().len(), 1, "{body}");
    }
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("(and 8 more errors)"), "{message}");
    // Collection without a wallet is reported beside the other fields.
    let b = body_with(
        "ALL-2",
        json!({"type": "collection", "email": "x", "bvn": "1"}),
    );
    refused(&app, &b, &["bvn", "collection_wallet_code", "email"]).await;
    assert_eq!(app.total().await, 0, "refused requests write nothing");
}

#[tokio::test]
async fn corporate_customers() {
    let app = spawn_app().await;
    let path = "/api/v1/customers/corporate";
    let r = app.post(path, &json!({})).await;
    r.assert_error(400, "validation_failed");
    assert_eq!(
        error_fields(&r.body),
        ["company_name", "email", "rc_number", "reference"]
    );
    let b = json!({"company_name": "<b>", "rc_number": "XX12", "email": "x", "reference": "CUS_1"});
    let r = app.post(path, &b).await;
    assert_eq!(
        error_fields(&r.body),
        ["company_name", "email", "rc_number", "reference"]
    );
    let code = app.default_wallet_code(&app.test_key).await;
    let b = json!({
        "company_name": "\u{1ECC}\u{300}l\u{E0} & Sons (Nig.) Ltd", "rc_number": "rc 123456",
        "email": "accounts@ola.ng", "reference": "CORP-1", "type": "collection",
        "phone": "0803-123-4567", "collection_wallet": code,
    });
    let r = app.post(path, &b).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["category"], "corporate");
    assert_eq!(
        d["company_name"],
        "\u{1ECC}\u{300}l\u{E0} & Sons (Nig.) Ltd"
    );
    assert_eq!(d["rc_number"], "RC123456");
    assert_eq!(d["phone"], "+2348031234567");
    assert_eq!(d["collection_wallet"], code);
    assert_eq!(d["first_name"], Value::Null);
    let again = app.post(path, &b).await;
    again.assert_error(409, "already_exists");
    assert_eq!(app.total().await, 1);
    let fetched = app.get("/api/v1/customers/CORP-1").await;
    assert_eq!(fetched.body["data"]["id"], d["id"]);
}
