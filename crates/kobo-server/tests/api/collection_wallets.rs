//! `GET`/`POST /api/v1/collection-wallets`, and collection customers pointing
//! at them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{customer_body, error_fields, second_business, spawn_app, TestApp};

const PATH: &str = "/api/v1/collection-wallets";

async fn wallets(app: &TestApp, key: &str) -> Vec<Value> {
    let r = app.call(Method::GET, PATH, Some(key), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["success"], true);
    r.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn each_mode_has_a_default_wallet_with_its_own_code_shape() {
    let app = spawn_app().await;
    let test = wallets(&app, &app.test_key).await;
    let live = wallets(&app, &app.live_key).await;
    for (list, demo) in [(&test, true), (&live, false)] {
        assert_eq!(list.len(), 1, "{list:?}");
        let w = &list[0];
        assert_eq!(w["is_default"], true);
        assert_eq!(w["balance_kobo"], 0);
        assert_eq!(w["balance"], json!(0.0));
        let code = w["code"].as_str().unwrap();
        assert!(code.starts_with("WALLET_"), "{code}");
        assert_eq!(code.starts_with("WALLET_DEMO_"), demo, "{code}");
    }
    assert_ne!(test[0]["code"], live[0]["code"]);
    app.call(Method::GET, PATH, None, None)
        .await
        .assert_error(401, "missing_api_key");
    app.call(Method::GET, PATH, Some(&app.test_public_key), None)
        .await
        .assert_error(401, "public_key_not_allowed");
}

#[tokio::test]
async fn wallets_can_be_created_per_mode() {
    let app = spawn_app().await;
    let r = app.post(PATH, &json!({"name": "Lagos branch"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = r.body["data"].clone();
    assert_eq!(made["name"], "Lagos branch");
    assert_eq!(made["is_default"], false);
    assert!(made["code"].as_str().unwrap().starts_with("WALLET_DEMO_"));
    let live = app
        .call(
            Method::POST,
            PATH,
            Some(&app.live_key),
            Some(&json!({"name": "Abuja"})),
        )
        .await;
    assert_eq!(live.status, StatusCode::CREATED, "{}", live.body);
    let live_code = live.body["data"]["code"].as_str().unwrap().to_string();
    assert!(live_code.starts_with("WALLET_") && !live_code.starts_with("WALLET_DEMO_"));
    let test = wallets(&app, &app.test_key).await;
    assert_eq!(test.len(), 2);
    assert_eq!(test[1]["code"], made["code"]);
    assert_eq!(wallets(&app, &app.live_key).await.len(), 2);
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "<script>"}),
        json!({"name": 5.5}),
    ] {
        let r = app.post(PATH, &bad).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), ["name"], "{bad}");
    }
    assert_eq!(
        wallets(&app, &app.test_key).await.len(),
        2,
        "refusals wrote nothing"
    );
}

#[tokio::test]
async fn a_created_wallet_serves_collection_customers() {
    let app = spawn_app().await;
    let r = app.post(PATH, &json!({"name": "Branch"})).await;
    let code = r.body["data"]["code"].as_str().unwrap().to_string();
    let mut b = customer_body("CW-1");
    b["type"] = json!("collection");
    b["collection_wallet_code"] = json!(code);
    let made = app.post("/api/v1/customers", &b).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["data"]["collection_wallet"], code);
    // Moving to another wallet of the business.
    let default = app.default_wallet_code(&app.test_key).await;
    let moved = app
        .patch(
            "/api/v1/customers/CW-1",
            &json!({"collection_wallet_code": default}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["data"]["collection_wallet"], default);
}

#[tokio::test]
async fn another_business_or_mode_wallet_is_refused() {
    let app = spawn_app().await;
    let other = second_business(&app).await;
    let theirs = app.default_wallet_code(&other.test.private_key).await;
    let live = app.default_wallet_code(&app.live_key).await;
    for code in [&theirs, &live] {
        let mut b = customer_body("FOREIGN-1");
        b["type"] = json!("collection");
        b["collection_wallet_code"] = json!(code);
        let r = app.post("/api/v1/customers", &b).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(
            r.body["errors"]["collection_wallet_code"],
            json!([
                "The collection_wallet_code does not name a collection wallet of this business."
            ])
        );
    }
    app.create_customer("FOREIGN-2").await;
    let r = app
        .patch(
            "/api/v1/customers/FOREIGN-2",
            &json!({"type": "collection", "collection_wallet": theirs}),
        )
        .await;
    assert_eq!(error_fields(&r.body), ["collection_wallet_code"]);
    assert_eq!(
        app.get("/api/v1/customers/FOREIGN-2").await.body["data"]["type"],
        "wallet"
    );
    assert_eq!(app.total().await, 1);
    // The other business can use its own wallet.
    let mut b = customer_body("FOREIGN-1");
    b["type"] = json!("collection");
    b["collection_wallet_code"] = json!(theirs);
    let r = app
        .call(
            Method::POST,
            "/api/v1/customers",
            Some(&other.test.private_key),
            Some(&b),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}
