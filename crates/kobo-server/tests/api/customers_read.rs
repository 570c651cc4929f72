//! `GET /api/v1/customers/{identifier}`: by id, code, reference or email,
//! within the caller's business and mode only.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{customer_body, second_business, spawn_app};

#[tokio::test]
async fn fetch_by_id_code_reference_and_email() {
    let app = spawn_app().await;
    let mut body = customer_body("FETCH-1");
    body["email"] = json!("Fetch.Me@Example.com");
    body["bvn"] = json!("22212345901");
    let made = app.post("/api/v1/customers", &body).await.body["data"].clone();
    app.create_customer("FETCH-2").await;
    let id = made["id"].as_i64().unwrap();
    let code = made["code"].as_str().unwrap();
    for identifier in [
        id.to_string(),
        code.to_string(),
        "FETCH-1".to_string(),
        "Fetch.Me@example.com".to_string(),
        "fetch.me@example.com".to_string(),
        "FETCH.ME@EXAMPLE.COM".to_string(),
        "fetch.me%40example.com".to_string(),
    ] {
        let r = app.get(&format!("/api/v1/customers/{identifier}")).await;
        assert_eq!(r.status, StatusCode::OK, "{identifier}: {}", r.body);
        assert_eq!(r.body["success"], true);
        assert_eq!(r.body["status"], true);
        assert_eq!(r.body["data"], made, "{identifier}");
    }
    assert_eq!(made["bvn"], "********901");
}

#[tokio::test]
async fn unknown_identifiers_are_404() {
    let app = spawn_app().await;
    let made = app.create_customer("KNOWN-1").await;
    let code = made["code"].as_str().unwrap();
    for identifier in [
        "999999".to_string(),
        "0".to_string(),
        "CUS_doesnotexist00000".to_string(),
        code.to_lowercase(),
        "known-1".to_string(),
        "UNKNOWN-1".to_string(),
        "nobody@example.com".to_string(),
        "99999999999999999999999".to_string(),
    ] {
        let r = app.get(&format!("/api/v1/customers/{identifier}")).await;
        r.assert_error(404, "not_found");
        assert_eq!(r.body["type"], "api_error");
        assert_eq!(r.body["errors"], json!({}));
    }
}

#[tokio::test]
async fn another_business_customers_are_404() {
    let app = spawn_app().await;
    let other = second_business(&app).await;
    let theirs = app
        .call(
            Method::POST,
            "/api/v1/customers",
            Some(&other.test.private_key),
            Some(&customer_body("THEIRS-1")),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    let d = &theirs.body["data"];
    for identifier in [
        d["id"].to_string(),
        d["code"].as_str().unwrap().to_string(),
        "THEIRS-1".to_string(),
        "theirs-1@example.com".to_string(),
    ] {
        let path = format!("/api/v1/customers/{identifier}");
        app.get(&path).await.assert_error(404, "not_found");
        app.patch(&path, &json!({"first_name": "Mallory"}))
            .await
            .assert_error(404, "not_found");
        let theirs = app
            .call(Method::GET, &path, Some(&other.test.private_key), None)
            .await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        assert_eq!(theirs.body["data"]["first_name"], "Ada", "not renamed");
    }
    assert_eq!(app.total().await, 0);
    assert_eq!(app.total_for(&other.test.private_key).await, 1);
}

#[tokio::test]
async fn test_and_live_never_see_each_other() {
    let app = spawn_app().await;
    let test = app.create_customer("MODE-1").await;
    assert_eq!(test["mode"], "test");
    let path = "/api/v1/customers/MODE-1";
    let live_get = app.call(Method::GET, path, Some(&app.live_key), None).await;
    live_get.assert_error(404, "not_found");
    let by_id = format!("/api/v1/customers/{}", test["id"]);
    app.call(Method::GET, &by_id, Some(&app.live_key), None)
        .await
        .assert_error(404, "not_found");
    app.call(
        Method::PATCH,
        path,
        Some(&app.live_key),
        Some(&json!({"status": "INACTIVE"})),
    )
    .await
    .assert_error(404, "not_found");
    assert_eq!(app.total_for(&app.live_key).await, 0);
    // The same reference and email may exist in live mode.
    let live = app
        .call(
            Method::POST,
            "/api/v1/customers",
            Some(&app.live_key),
            Some(&customer_body("MODE-1")),
        )
        .await;
    assert_eq!(live.status, StatusCode::CREATED, "{}", live.body);
    let live = live.body["data"].clone();
    assert_eq!(live["mode"], "live");
    assert_ne!(live["id"], test["id"]);
    // The live customer is invisible to the test key, by id and code too.
    for identifier in [
        live["id"].to_string(),
        live["code"].as_str().unwrap().into(),
    ] {
        app.get(&format!("/api/v1/customers/{identifier}"))
            .await
            .assert_error(404, "not_found");
    }
    let from_test = app.get(path).await;
    assert_eq!(from_test.body["data"]["id"], test["id"]);
    assert_eq!(
        from_test.body["data"]["status"], "ACTIVE",
        "live PATCH did nothing"
    );
    let from_live = app.call(Method::GET, path, Some(&app.live_key), None).await;
    assert_eq!(from_live.body["data"]["id"], live["id"]);
    assert_eq!(app.total().await, 1);
    assert_eq!(app.total_for(&app.live_key).await, 1);
    let listed = app.list_with(&app.live_key, &[]).await;
    assert_eq!(listed.body["data"]["data"][0]["id"], live["id"]);
}
