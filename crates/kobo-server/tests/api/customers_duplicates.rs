//! Create's duplicate rules: reference, email (any case), BVN and NIN are
//! unique per business and mode; a duplicate is 409 "already exists" and
//! writes nothing; parallel creates of one reference have one winner.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, error_fields, second_business, spawn_app, Reply, TestApp};

const PATH: &str = "/api/v1/customers";

fn assert_duplicate(r: &Reply, field: &str) {
    r.assert_error(409, "already_exists");
    assert_eq!(r.body["type"], "api_error");
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(error_fields(&r.body), [field], "{}", r.body);
}

async fn post_ok(app: &TestApp, body: &Value) -> Value {
    let r = app.post(PATH, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["data"].clone()
}

#[tokio::test]
async fn duplicate_reference_and_email_are_409_and_write_nothing() {
    let app = spawn_app().await;
    let first = post_ok(
        &app,
        &json!({"first_name": "Ada", "last_name": "Obi", "email": "Ada@Example.com", "reference": "DUP-1"}),
    )
    .await;
    let mut same_ref = customer_body("DUP-1");
    same_ref["email"] = json!("someone-else@example.com");
    assert_duplicate(&app.post(PATH, &same_ref).await, "reference");
    for email in [
        "Ada@Example.com",
        "ada@example.com",
        "ADA@EXAMPLE.COM",
        " ada@Example.com ",
    ] {
        let mut b = customer_body("DUP-2");
        b["email"] = json!(email);
        assert_duplicate(&app.post(PATH, &b).await, "email");
    }
    // References are case-sensitive merchant ids: another case is another customer.
    let mut other_case = customer_body("dup-1");
    other_case["email"] = json!("lower@example.com");
    post_ok(&app, &other_case).await;
    assert_eq!(app.total().await, 2);
    // The refused requests left the first customer as it was.
    let fetched = app.get("/api/v1/customers/DUP-1").await;
    assert_eq!(fetched.body["data"]["id"], first["id"]);
    assert_eq!(fetched.body["data"]["email"], "Ada@example.com");
    // The refused DUP-2 does not exist.
    app.get("/api/v1/customers/DUP-2")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn duplicate_bvn_and_nin_are_409_and_write_nothing() {
    let app = spawn_app().await;
    let mut b = customer_body("ID-1");
    b["bvn"] = json!("22212345901");
    b["nin"] = json!("12345678901");
    post_ok(&app, &b).await;
    let mut bvn = customer_body("ID-2");
    bvn["bvn"] = json!("22212345901");
    let r = app.post(PATH, &bvn).await;
    assert_duplicate(&r, "bvn");
    assert!(!r.body.to_string().contains("22212345901"));
    let mut nin = customer_body("ID-3");
    nin["nin"] = json!("12345678901");
    assert_duplicate(&app.post(PATH, &nin).await, "nin");
    // The same digits as a BVN and a NIN of different people are not a clash.
    let mut crossed = customer_body("ID-4");
    crossed["bvn"] = json!("12345678901");
    crossed["nin"] = json!("22212345901");
    post_ok(&app, &crossed).await;
    assert_eq!(app.total().await, 2);
    app.get("/api/v1/customers/ID-2")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn uniqueness_is_per_business_and_mode() {
    let app = spawn_app().await;
    let mut b = customer_body("UNI-1");
    b["bvn"] = json!("22212345901");
    b["nin"] = json!("12345678901");
    let test = post_ok(&app, &b).await;
    let live = app
        .call(reqwest::Method::POST, PATH, Some(&app.live_key), Some(&b))
        .await;
    assert_eq!(live.status, StatusCode::CREATED, "{}", live.body);
    assert_eq!(live.body["data"]["mode"], "live");
    assert_ne!(live.body["data"]["id"], test["id"]);
    let other = second_business(&app).await;
    let r = app
        .call(
            reqwest::Method::POST,
            PATH,
            Some(&other.test.private_key),
            Some(&b),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.total().await, 1);
    assert_eq!(app.total_for(&app.live_key).await, 1);
    assert_eq!(app.total_for(&other.test.private_key).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_creates_of_one_reference_have_one_winner() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = app.client.clone();
        let url = format!("{}{PATH}", app.base);
        let key = app.test_key.clone();
        let mut body = customer_body("RACE-1");
        body["email"] = json!(format!("racer{i}@example.com"));
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .header("DPPRIVATEKEY", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            Reply::from(resp).await
        }));
    }
    let mut wins = 0;
    let mut losses = 0;
    for task in tasks {
        let r = task.await.unwrap();
        match r.status.as_u16() {
            201 => wins += 1,
            409 => {
                assert_duplicate(&r, "reference");
                losses += 1;
            }
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert_eq!((wins, losses), (1, 19));
    assert_eq!(app.total().await, 1);
    let listed = app.list(&[("search", "RACE-1")]).await;
    assert_eq!(listed.body["data"]["total"], 1);
}
