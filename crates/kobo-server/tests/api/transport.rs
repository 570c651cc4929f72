//! Transport rules: envelope on malformed bodies, content types, size limits,
//! unknown routes and methods, trailing slashes, and key checks.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{customer_body, spawn_app, Reply};

async fn raw(
    app: &crate::helpers::TestApp,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let resp = app
        .client
        .request(method, format!("{}{}", app.base, path))
        .header("DPPRIVATEKEY", &app.test_key)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    Reply::from(resp).await
}

#[tokio::test]
async fn malformed_bodies_answer_the_envelope() {
    let app = spawn_app().await;
    raw(
        &app,
        Method::POST,
        "/api/v1/customers",
        "application/json",
        b"{\"first_name\":".to_vec(),
    )
    .await
    .assert_error(400, "invalid_json");
    raw(
        &app,
        Method::POST,
        "/api/v1/customers",
        "application/json",
        b"[1,2]".to_vec(),
    )
    .await
    .assert_error(400, "invalid_json");
    raw(
        &app,
        Method::POST,
        "/api/v1/customers",
        "text/plain",
        b"{}".to_vec(),
    )
    .await
    .assert_error(415, "unsupported_media_type");
    let big = format!("{{\"first_name\":\"{}\"}}", "a".repeat(70 * 1024));
    raw(
        &app,
        Method::POST,
        "/api/v1/customers",
        "application/json",
        big.into_bytes(),
    )
    .await
    .assert_error(413, "payload_too_large");
    let ok = raw(
        &app,
        Method::POST,
        "/api/v1/customers",
        "application/json; charset=utf-8",
        serde_json::to_vec(&customer_body("CHARSET-1")).unwrap(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let listed = app.get("/api/v1/customers").await;
    assert_eq!(
        listed.body["data"]["total"], 1,
        "only the valid create wrote anything"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing-here")
        .await
        .assert_error(404, "route_not_found");
    app.call(
        Method::DELETE,
        "/api/v1/customers",
        Some(&app.test_key),
        None,
    )
    .await
    .assert_error(405, "method_not_allowed");
    let slash = app.get("/api/v1/customers/").await;
    assert_eq!(slash.status, StatusCode::OK);
    let created = app
        .post("/api/v1/customers/", &customer_body("SLASH-1"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let fetched = app.get("/api/v1/customers/SLASH-1/").await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.headers["content-type"], "application/json");
}

#[tokio::test]
async fn keys_are_checked() {
    let app = spawn_app().await;
    let path = "/api/v1/customers";
    app.call(Method::GET, path, None, None)
        .await
        .assert_error(401, "missing_api_key");
    app.call(Method::GET, path, Some("PRV_DP_DEMO_wrong"), None)
        .await
        .assert_error(401, "invalid_api_key");
    let truncated = &app.test_key[..app.test_key.len() - 1];
    app.call(Method::GET, path, Some(truncated), None)
        .await
        .assert_error(401, "invalid_api_key");
    app.call(Method::GET, path, Some(&app.test_public_key), None)
        .await
        .assert_error(401, "public_key_not_allowed");
    app.call(Method::GET, path, Some(&app.live_public_key), None)
        .await
        .assert_error(401, "public_key_not_allowed");
    app.call(
        Method::POST,
        path,
        Some(&app.test_public_key),
        Some(&customer_body("PUB-1")),
    )
    .await
    .assert_error(401, "public_key_not_allowed");
    assert_eq!(
        app.call(Method::GET, path, Some(&app.live_key), None)
            .await
            .status,
        StatusCode::OK
    );
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.body, json!({"status": "ok"}));
    assert_eq!(
        app.store.list_businesses().await.unwrap()[0].id,
        app.business_id
    );
    app.patch("/api/v1/customers/none", &json!({}))
        .await
        .assert_error(404, "not_found");
    let made = app.create_customer("KEYS-1").await;
    assert_eq!(made["reference"], "KEYS-1");
}
