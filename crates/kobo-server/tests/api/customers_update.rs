//! `PATCH`/`PUT /api/v1/customers/{identifier}` and `POST …/storeorupdate`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{customer_body, error_fields, spawn_app, TestApp};

async fn ok(app: &TestApp, method: Method, path: &str, body: Value) -> Value {
    let r = app
        .call(method, path, Some(&app.test_key), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{body} -> {}", r.body);
    assert_eq!(r.body["success"], true);
    r.body["data"].clone()
}

#[tokio::test]
async fn patch_and_put_change_only_the_given_fields() {
    let app = spawn_app().await;
    let made = app.create_customer("UPD-1").await;
    let path = "/api/v1/customers/UPD-1";
    let d = ok(&app, Method::PATCH, path, json!({"first_name": "Ọ̀làjídé"})).await;
    assert_eq!(d["first_name"], "Ọ̀làjídé");
    assert_eq!(d["last_name"], made["last_name"]);
    assert_eq!(d["created_at"], made["created_at"]);
    assert!(d["updated_at"].as_str() >= made["updated_at"].as_str());
    assert_eq!(d["email"], made["email"]);
    assert_eq!(d["phone"], made["phone"]);
    let d = ok(
        &app,
        Method::PUT,
        &format!("/api/v1/customers/{}", made["code"].as_str().unwrap()),
        json!({"phone": "234-803-123-4567", "bvn": "22212345901", "dob": "1985-01-31"}),
    )
    .await;
    assert_eq!(d["first_name"], "Ọ̀làjídé", "PUT is partial too");
    assert_eq!(d["phone"], "+2348031234567");
    assert_eq!(d["bvn"], "********901");
    assert_eq!(d["dob"], "1985-01-31");
    // Absent, null and "" leave fields as they are.
    let d = ok(
        &app,
        Method::PATCH,
        path,
        json!({"phone": null, "bvn": "", "last_name": null, "email": ""}),
    )
    .await;
    assert_eq!(d["phone"], "+2348031234567");
    assert_eq!(d["bvn"], "********901");
    assert_eq!(d["email"], made["email"]);
    let same = ok(&app, Method::PATCH, path, json!({})).await;
    assert_eq!(same, d);
    // New reference and email; the customer is then found by them.
    let by_id = format!("/api/v1/customers/{}", made["id"]);
    let d = ok(
        &app,
        Method::PUT,
        &by_id,
        json!({"reference": "UPD-1b", "email": "New@Mail.com"}),
    )
    .await;
    assert_eq!(d["reference"], "UPD-1b");
    assert_eq!(d["email"], "New@mail.com");
    let found = app.get("/api/v1/customers/new@mail.com").await;
    assert_eq!(found.body["data"]["id"], made["id"]);
    app.get(path).await.assert_error(404, "not_found");
    // The customer's own email in another case is not a duplicate.
    let d = ok(
        &app,
        Method::PATCH,
        &by_id,
        json!({"email": "NEW@mail.com"}),
    )
    .await;
    assert_eq!(d["email"], "NEW@mail.com");
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn status_can_be_switched() {
    let app = spawn_app().await;
    app.create_customer("ST-1").await;
    let path = "/api/v1/customers/ST-1";
    assert_eq!(
        ok(&app, Method::PATCH, path, json!({"status": "INACTIVE"})).await["status"],
        "INACTIVE"
    );
    assert_eq!(app.get(path).await.body["data"]["status"], "INACTIVE");
    assert_eq!(
        ok(&app, Method::PUT, path, json!({"status": "active"})).await["status"],
        "ACTIVE"
    );
    let r = app.patch(path, &json!({"status": "PAUSED"})).await;
    r.assert_error(400, "validation_failed");
    assert_eq!(
        r.body["errors"]["status"],
        json!(["The status must be either ACTIVE or INACTIVE."])
    );
    let r = app.put(path, &json!({"status": "INACTIVE"})).await;
    assert_eq!(r.body["data"]["status"], "INACTIVE");
    assert_eq!(app.total().await, 1);
    assert_eq!(
        app.list(&[("status", "INACTIVE")]).await.body["data"]["total"],
        1
    );
}

#[tokio::test]
async fn invalid_updates_are_400_and_change_nothing() {
    let app = spawn_app().await;
    let made = app.create_customer("INV-1").await;
    let path = "/api/v1/customers/INV-1";
    let bad = json!({
        "first_name": "John3", "last_name": "<b>", "email": "nope", "phone": "123",
        "bvn": "1", "nin": "x", "dob": "2999-01-01", "type": "savings",
        "reference": "CUS_1", "status": "GONE", "first": "ignored",
    });
    for method in [Method::PATCH, Method::PUT] {
        let r = app
            .call(method, path, Some(&app.test_key), Some(&bad))
            .await;
        r.assert_error(400, "validation_failed");
        assert_eq!(
            error_fields(&r.body),
            [
                "bvn",
                "dob",
                "email",
                "first_name",
                "last_name",
                "nin",
                "phone",
                "reference",
                "status",
                "type"
            ]
        );
    }
    // One bad field spoils the good ones beside it.
    let r = app
        .patch(path, &json!({"first_name": "Good", "email": "bad"}))
        .await;
    assert_eq!(error_fields(&r.body), ["email"]);
    let r = app
        .patch(path, &json!({"first_name": 42, "reference": 42}))
        .await;
    assert_eq!(error_fields(&r.body), ["first_name", "reference"]);
    let after = app.get(path).await.body["data"].clone();
    assert_eq!(after, made, "nothing changed");
}

#[tokio::test]
async fn duplicate_email_or_reference_on_update_is_409() {
    let app = spawn_app().await;
    let mut b = customer_body("TAKEN-1");
    b["bvn"] = json!("22212345901");
    b["nin"] = json!("12345678901");
    assert_eq!(
        app.post("/api/v1/customers", &b).await.status,
        StatusCode::CREATED
    );
    let mine = app.create_customer("MINE-1").await;
    let path = "/api/v1/customers/MINE-1";
    for (body, field) in [
        (json!({"reference": "TAKEN-1"}), "reference"),
        (json!({"email": "TAKEN-1@Example.com"}), "email"),
        (json!({"bvn": "22212345901"}), "bvn"),
        (json!({"nin": "12345678901"}), "nin"),
        (
            json!({"first_name": "Changed", "email": "taken-1@example.com"}),
            "email",
        ),
    ] {
        let r = app.patch(path, &body).await;
        r.assert_error(409, "already_exists");
        assert!(r.body["message"]
            .as_str()
            .unwrap()
            .contains("already exists"));
        assert_eq!(error_fields(&r.body), [field]);
    }
    assert_eq!(app.get(path).await.body["data"], mine, "nothing changed");
}

#[tokio::test]
async fn switching_to_collection_needs_a_wallet_and_back_clears_it() {
    let app = spawn_app().await;
    let code = app.default_wallet_code(&app.test_key).await;
    app.create_customer("SW-1").await;
    let path = "/api/v1/customers/SW-1";
    let r = app.patch(path, &json!({"type": "collection"})).await;
    r.assert_error(400, "validation_failed");
    assert_eq!(error_fields(&r.body), ["collection_wallet_code"]);
    let r = app
        .patch(
            path,
            &json!({"type": "collection", "collection_wallet_code": "WALLET_DEMO_NONE"}),
        )
        .await;
    assert_eq!(error_fields(&r.body), ["collection_wallet_code"]);
    assert_eq!(app.get(path).await.body["data"]["type"], "wallet");
    // A wallet customer ignores a code sent alone.
    let d = ok(
        &app,
        Method::PATCH,
        path,
        json!({"collection_wallet": code}),
    )
    .await;
    assert_eq!(
        (d["type"].clone(), d["collection_wallet"].clone()),
        (json!("wallet"), Value::Null)
    );
    let d = ok(
        &app,
        Method::PATCH,
        path,
        json!({"type": "collection", "collection_wallet": code}),
    )
    .await;
    assert_eq!(d["type"], "collection");
    assert_eq!(d["collection_wallet"], code);
    // Other changes keep the wallet.
    let d = ok(&app, Method::PATCH, path, json!({"first_name": "Still"})).await;
    assert_eq!(d["collection_wallet"], code);
    let d = ok(&app, Method::PUT, path, json!({"type": "wallet"})).await;
    assert_eq!(d["type"], "wallet");
    assert_eq!(d["collection_wallet"], Value::Null);
    let listed = app.list(&[("type", "collection")]).await;
    assert_eq!(listed.body["data"]["total"], 0);
}

#[tokio::test]
async fn storeorupdate_creates_then_updates() {
    let app = spawn_app().await;
    let path = "/api/v1/customers/storeorupdate";
    let first = app.post(path, &customer_body("SOU-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let mut again = customer_body("SOU-1");
    again["first_name"] = json!("Adaeze");
    again["status"] = json!("INACTIVE");
    let second = app.post(&format!("{path}/"), &again).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["data"]["id"], first.body["data"]["id"]);
    assert_eq!(second.body["data"]["first_name"], "Adaeze");
    assert_eq!(second.body["data"]["status"], "INACTIVE");
    assert_eq!(app.total().await, 1);
    // The reference is required; a create through it validates every field.
    let r = app
        .post(path, &json!({"first_name": "Ada", "phone": "1"}))
        .await;
    r.assert_error(400, "validation_failed");
    assert_eq!(
        error_fields(&r.body),
        ["email", "last_name", "phone", "reference"]
    );
    assert_eq!(
        r.body["errors"]["reference"],
        json!(["The reference field is required."])
    );
    let r = app
        .post(path, &json!({"reference": "CUS_X", "email": "x"}))
        .await;
    assert_eq!(
        error_fields(&r.body),
        ["email", "first_name", "last_name", "reference"]
    );
    assert_eq!(
        r.body["errors"]["reference"],
        json!(["The reference must not start with CUS_."])
    );
    let r = app
        .post(path, &json!({"reference": "SOU-2", "email": "bad"}))
        .await;
    assert_eq!(error_fields(&r.body), ["email", "first_name", "last_name"]);
    // An update through it cannot take another customer's email.
    app.create_customer("SOU-3").await;
    let r = app
        .post(
            path,
            &json!({"reference": "SOU-1", "email": "sou-3@example.com"}),
        )
        .await;
    r.assert_error(409, "already_exists");
    // Corporate bodies create corporate customers.
    let corp = json!({"reference": "SOU-C", "company_name": "Acme Ltd", "rc_number": "RC1", "email": "acme@x.ng"});
    let r = app.post(path, &corp).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["category"], "corporate");
    assert_eq!(app.total().await, 3);
}
