//! `GET /api/v1/customers`: paginator fields in `data` and `meta`, newest
//! first, search and filters, the `starting_after` cursor and its limits.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, error_fields, spawn_app, TestApp};

/// Creates `n` customers `L-0..L-{n-1}`; returns their ids in creation order.
async fn seed(app: &TestApp, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let made = app.create_customer(&format!("L-{i}")).await;
        ids.push(made["id"].as_i64().unwrap());
    }
    ids
}

fn ids_of(page: &Value) -> Vec<i64> {
    page["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// Checks the paginator fields, inside `data` and again in `meta`.
fn assert_page(body: &Value, expected: Value) {
    for (field, want) in expected.as_object().unwrap() {
        assert_eq!(&body["data"][field], want, "data.{field} in {body}");
        assert_eq!(&body["meta"][field], want, "meta.{field} in {body}");
    }
}

#[tokio::test]
async fn pages_default_to_15_newest_first() {
    let app = spawn_app().await;
    let ids = seed(&app, 20).await;
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    let first = app.list(&[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["success"], true);
    assert_page(
        &first.body,
        json!({"current_page": 1, "per_page": 15, "total": 20, "last_page": 2, "from": 1, "to": 15}),
    );
    assert_eq!(ids_of(&first.body), newest_first[..15]);
    assert_eq!(
        first.body["meta"]["next_cursor"],
        newest_first[14].to_string()
    );
    let second = app.list(&[("page", "2")]).await;
    assert_page(
        &second.body,
        json!({"current_page": 2, "per_page": 15, "total": 20, "last_page": 2, "from": 16, "to": 20, "next_cursor": null}),
    );
    assert_eq!(ids_of(&second.body), newest_first[15..]);
    let past = app.list(&[("page", "3")]).await;
    assert_page(
        &past.body,
        json!({"current_page": 3, "total": 20, "last_page": 2, "from": null, "to": null}),
    );
    assert_eq!(ids_of(&past.body), Vec::<i64>::new());
    let sevens = app.list(&[("page", "3"), ("per_page", "7")]).await;
    assert_page(
        &sevens.body,
        json!({"current_page": 3, "per_page": 7, "total": 20, "last_page": 3, "from": 15, "to": 20}),
    );
    assert_eq!(ids_of(&sevens.body), newest_first[14..]);
    let all = app.list(&[("per_page", "100")]).await;
    assert_page(
        &all.body,
        json!({"per_page": 100, "last_page": 1, "to": 20}),
    );
    app.list(&[("per_page", "101")])
        .await
        .assert_error(400, "validation_failed");
}

#[tokio::test]
async fn an_empty_list_has_sane_fields() {
    let app = spawn_app().await;
    let r = app.list(&[]).await;
    assert_page(
        &r.body,
        json!({"current_page": 1, "per_page": 15, "total": 0, "last_page": 1, "from": null, "to": null, "next_cursor": null}),
    );
}

#[tokio::test]
async fn type_and_status_filters() {
    let app = spawn_app().await;
    let code = app.default_wallet_code(&app.test_key).await;
    seed(&app, 3).await;
    for i in 0..2 {
        let mut b = customer_body(&format!("COL-{i}"));
        b["type"] = json!("collection");
        b["collection_wallet_code"] = json!(code);
        assert_eq!(
            app.post("/api/v1/customers", &b).await.status,
            StatusCode::CREATED
        );
    }
    for reference in ["L-0", "COL-1"] {
        let r = app
            .patch(
                &format!("/api/v1/customers/{reference}"),
                &json!({"status": "INACTIVE"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let total = |q: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let r = app.list(q).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            (
                r.body["data"]["total"].as_u64().unwrap(),
                ids_of(&r.body).len(),
            )
        }
    };
    assert_eq!(total(&[]).await, (5, 5));
    assert_eq!(total(&[("type", "collection")]).await, (2, 2));
    assert_eq!(total(&[("type", "wallet")]).await, (3, 3));
    assert_eq!(total(&[("status", "INACTIVE")]).await, (2, 2));
    assert_eq!(total(&[("status", "active")]).await, (3, 3));
    assert_eq!(
        total(&[("type", "collection"), ("status", "ACTIVE")]).await,
        (1, 1)
    );
    assert_eq!(
        total(&[("type", "wallet"), ("search", "l-0")]).await,
        (1, 1)
    );
    let r = app.list(&[("type", "collection")]).await;
    for c in r.body["data"]["data"].as_array().unwrap() {
        assert_eq!(c["type"], "collection");
        assert_eq!(c["collection_wallet"], code);
    }
}

#[tokio::test]
async fn the_cursor_walks_every_customer_once() {
    let app = spawn_app().await;
    let ids = seed(&app, 23).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut q = vec![("per_page", "5".to_string())];
        if let Some(c) = &cursor {
            q.push(("starting_after", c.clone()));
        }
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.list(&q).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["meta"]["total"], 23);
        if cursor.is_some() {
            assert_page(
                &r.body,
                json!({"current_page": null, "last_page": null, "from": null}),
            );
        }
        seen.extend(ids_of(&r.body));
        pages += 1;
        match r.body["meta"]["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 10, "the walk does not end");
    }
    assert_eq!(pages, 5);
    let want: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(seen, want, "newest first, no gaps, no repeats");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23);
    // A new customer made mid-walk does not shift a cursor page.
    let after = ids[10].to_string();
    let before = ids_of(
        &app.list(&[("starting_after", &after), ("per_page", "3")])
            .await
            .body,
    );
    app.create_customer("L-NEW").await;
    let again = ids_of(
        &app.list(&[("starting_after", &after), ("per_page", "3")])
            .await
            .body,
    );
    assert_eq!(before, again);
    assert_eq!(before, vec![ids[9], ids[8], ids[7]]);
}

#[tokio::test]
async fn deep_pages_and_bad_parameters_are_400() {
    let app = spawn_app().await;
    seed(&app, 1).await;
    for q in [
        [("page", "101"), ("per_page", "100")],
        [("page", "667"), ("per_page", "15")],
    ] {
        let r = app.list(&q).await;
        r.assert_error(400, "page_too_deep");
        assert!(r.body["message"]
            .as_str()
            .unwrap()
            .contains("starting_after"));
    }
    for q in [
        [("page", "100"), ("per_page", "100")],
        [("page", "666"), ("per_page", "15")],
    ] {
        let r = app.list(&q).await;
        assert_eq!(r.status, StatusCode::OK, "{q:?}: {}", r.body);
        assert_eq!(r.body["data"]["total"], 1);
    }
    let long = "x".repeat(101);
    for (name, value) in [
        ("per_page", "0"),
        ("per_page", "abc"),
        ("per_page", "-1"),
        ("per_page", "1.5"),
        ("page", "0"),
        ("page", "x"),
        ("page", "99999999999"),
        ("type", "savings"),
        ("status", "PAUSED"),
        ("starting_after", "abc"),
        ("starting_after", "0"),
        ("search", long.as_str()),
    ] {
        let r = app.list(&[(name, value)]).await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), [name], "{name}={value}");
    }
    let r = app
        .list(&[
            ("page", "0"),
            ("per_page", "500"),
            ("type", "x"),
            ("status", "x"),
        ])
        .await;
    assert_eq!(
        error_fields(&r.body),
        ["page", "per_page", "status", "type"]
    );
    // Empty values mean "not given".
    let r = app
        .list(&[("page", ""), ("per_page", ""), ("type", ""), ("search", "")])
        .await;
    assert_page(
        &r.body,
        json!({"current_page": 1, "per_page": 15, "total": 1}),
    );
}
