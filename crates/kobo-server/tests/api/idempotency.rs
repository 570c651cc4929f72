//! `Idempotency-Key` on POST, PUT and PATCH: replay, reuse with another body
//! (422), a key still in flight (409, never "already exists"), scoping by
//! business and mode, and bad header values.

use kobo_core::Mode;
use kobo_store::{IdempotencyBegin, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{customer_body, second_business, spawn_app, Reply, TestApp};

const PATH: &str = "/api/v1/customers";

/// Sends `body` exactly as these bytes, with `key` and an Idempotency-Key.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    api_key: &str,
    idem: &str,
    body: &[u8],
) -> Reply {
    let resp = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("DPPRIVATEKEY", api_key)
        .header("Idempotency-Key", idem)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    Reply::from(resp).await
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn replayed(r: &Reply) -> bool {
    r.headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

#[tokio::test]
async fn same_key_and_body_replays_and_writes_nothing() {
    let app = spawn_app().await;
    let body = bytes(&customer_body("IDEM-1"));
    let first = send(&app, Method::POST, PATH, &app.test_key, "key-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(!replayed(&first));
    for _ in 0..3 {
        let again = send(&app, Method::POST, PATH, &app.test_key, "key-1", &body).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert!(replayed(&again), "{:?}", again.headers);
        assert_eq!(again.headers["content-type"], "application/json");
        assert_eq!(again.body, first.body, "the stored answer, byte for byte");
    }
    assert_eq!(app.total().await, 1);
    // Without the key, the same body is a plain duplicate.
    app.post(PATH, &customer_body("IDEM-1"))
        .await
        .assert_error(409, "already_exists");
    // A trailing slash is the same route, so the same request.
    let slash = send(
        &app,
        Method::POST,
        "/api/v1/customers/",
        &app.test_key,
        "key-1",
        &body,
    )
    .await;
    assert!(replayed(&slash), "{}", slash.body);
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn same_key_with_another_body_is_422() {
    let app = spawn_app().await;
    let first = send(
        &app,
        Method::POST,
        PATH,
        &app.test_key,
        "key-2",
        &bytes(&customer_body("IDEM-2")),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    for other in [bytes(&customer_body("IDEM-3")), b"{}".to_vec()] {
        let r = send(&app, Method::POST, PATH, &app.test_key, "key-2", &other).await;
        r.assert_error(422, "idempotency_key_reused");
        assert!(!replayed(&r));
    }
    // Another route with the same key is another request too.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/collection-wallets",
        &app.test_key,
        "key-2",
        &bytes(&customer_body("IDEM-2")),
    )
    .await;
    r.assert_error(422, "idempotency_key_reused");
    assert_eq!(app.total().await, 1);
    app.get("/api/v1/customers/IDEM-3")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn a_key_still_in_flight_is_409_without_already_exists() {
    let app = spawn_app().await;
    let body = bytes(&customer_body("IDEM-4"));
    // Claim the key as a first request that is still running would.
    let mut hasher = Sha256::new();
    hasher.update(b"POST /api/v1/customers\n");
    hasher.update(&body);
    let hash = hex::encode(hasher.finalize());
    let scope = Scope {
        business_id: app.business_id,
        mode: Mode::Test,
    };
    let claim = app
        .store
        .begin_idempotent(scope, "key-4", &hash)
        .await
        .unwrap();
    assert!(matches!(claim, IdempotencyBegin::Claimed), "{claim:?}");
    let r = send(&app, Method::POST, PATH, &app.test_key, "key-4", &body).await;
    r.assert_error(409, "idempotency_key_in_flight");
    let message = r.body["message"].as_str().unwrap();
    assert!(
        !message.to_lowercase().contains("already exists"),
        "{message}"
    );
    assert!(!r.body.to_string().contains("already exists"), "{}", r.body);
    assert!(!replayed(&r));
    assert_eq!(app.total().await, 0, "the waiting request did not run");
    // Once the first request gives up (a 5xx is not stored), the key is free again.
    app.store.abandon_idempotent(scope, "key-4").await.unwrap();
    let r = send(&app, Method::POST, PATH, &app.test_key, "key-4", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn keys_are_scoped_by_business_and_mode() {
    let app = spawn_app().await;
    let body = bytes(&customer_body("IDEM-5"));
    let test = send(&app, Method::POST, PATH, &app.test_key, "shared", &body).await;
    assert_eq!(test.status, StatusCode::CREATED);
    let live = send(&app, Method::POST, PATH, &app.live_key, "shared", &body).await;
    assert_eq!(live.status, StatusCode::CREATED, "{}", live.body);
    assert!(!replayed(&live), "a fresh request in live mode");
    assert_eq!(live.body["data"]["mode"], "live");
    assert_ne!(live.body["data"]["id"], test.body["data"]["id"]);
    let other = second_business(&app).await;
    let theirs = send(
        &app,
        Method::POST,
        PATH,
        &other.test.private_key,
        "shared",
        &body,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert!(!replayed(&theirs));
    // Each scope replays its own answer.
    let live2 = send(&app, Method::POST, PATH, &app.live_key, "shared", &body).await;
    assert!(replayed(&live2));
    assert_eq!(live2.body["data"]["id"], live.body["data"]["id"]);
    assert_eq!(app.total().await, 1);
    assert_eq!(app.total_for(&app.live_key).await, 1);
    assert_eq!(app.total_for(&other.test.private_key).await, 1);
}

#[tokio::test]
async fn a_replayed_400_stays_400_even_after_the_cause_is_gone() {
    let app = spawn_app().await;
    let body = bytes(
        &json!({"first_name": "Ada", "last_name": "Obi", "email": "ada@example.com", "reference": "IDEM-6", "type": "collection", "collection_wallet_code": "WALLET_DEMO_LATER"}),
    );
    let first = send(&app, Method::POST, PATH, &app.test_key, "key-6", &body).await;
    first.assert_error(400, "validation_failed");
    let again = send(&app, Method::POST, PATH, &app.test_key, "key-6", &body).await;
    again.assert_error(400, "validation_failed");
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn patch_and_put_are_idempotent_too() {
    let app = spawn_app().await;
    app.create_customer("IDEM-7").await;
    let path = "/api/v1/customers/IDEM-7";
    for (method, key) in [(Method::PATCH, "patch-1"), (Method::PUT, "put-1")] {
        let body =
            bytes(&json!({"first_name": format!("Name {}", method.as_str().to_lowercase())}));
        let first = send(&app, method.clone(), path, &app.test_key, key, &body).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        // Change the customer in between; the replay still answers the stored body.
        app.patch(path, &json!({"last_name": "Between"})).await;
        let again = send(&app, method.clone(), path, &app.test_key, key, &body).await;
        assert!(replayed(&again));
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body, first.body);
        let other = bytes(&json!({"first_name": "Other"}));
        send(&app, method, path, &app.test_key, key, &other)
            .await
            .assert_error(422, "idempotency_key_reused");
    }
    let now = app.get(path).await.body["data"].clone();
    assert_eq!(now["first_name"], "Name put");
    assert_eq!(now["last_name"], "Between");
    // PATCH and PUT of one body are different requests under one key.
    let body = bytes(&json!({"status": "INACTIVE"}));
    assert_eq!(
        send(&app, Method::PATCH, path, &app.test_key, "verb", &body)
            .await
            .status,
        StatusCode::OK
    );
    send(&app, Method::PUT, path, &app.test_key, "verb", &body)
        .await
        .assert_error(422, "idempotency_key_reused");
}

#[tokio::test]
async fn bad_header_values_are_400_and_gets_ignore_the_header() {
    let app = spawn_app().await;
    let body = bytes(&customer_body("IDEM-8"));
    for bad in [
        "k".repeat(256),
        "k".repeat(300),
        "has space".into(),
        "tab\there".into(),
    ] {
        let r = send(&app, Method::POST, PATH, &app.test_key, &bad, &body).await;
        r.assert_error(400, "validation_failed");
        assert!(r.body["errors"]["Idempotency-Key"].is_array(), "{}", r.body);
    }
    let r = send(&app, Method::POST, PATH, &app.test_key, "", &body).await;
    r.assert_error(400, "validation_failed");
    assert_eq!(app.total().await, 0, "no bad-key request ran");
    let longest = "k".repeat(255);
    let r = send(&app, Method::POST, PATH, &app.test_key, &longest, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A GET with a key is a plain read, never stored or replayed.
    for _ in 0..2 {
        let resp = app
            .client
            .get(format!("{}{PATH}", app.base))
            .header("DPPRIVATEKEY", &app.test_key)
            .header("Idempotency-Key", "read-1")
            .send()
            .await
            .unwrap();
        let r = Reply::from(resp).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!replayed(&r));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_requests_with_one_key_run_once() {
    let app = spawn_app().await;
    let body = bytes(&customer_body("IDEM-9"));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, url, key, body) = (
            app.client.clone(),
            format!("{}{PATH}", app.base),
            app.test_key.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .header("DPPRIVATEKEY", key)
                .header("Idempotency-Key", "race")
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            Reply::from(resp).await
        }));
    }
    let mut fresh = 0;
    for task in tasks {
        let r = task.await.unwrap();
        match (r.status.as_u16(), replayed(&r)) {
            (201, false) => fresh += 1,
            (201, true) => assert_eq!(r.body["data"]["reference"], "IDEM-9"),
            (409, false) => assert_eq!(r.body["code"], "idempotency_key_in_flight", "{}", r.body),
            other => panic!("unexpected {other:?}: {}", r.body),
        }
    }
    assert_eq!(fresh, 1, "exactly one request ran");
    assert_eq!(app.total().await, 1);
}
