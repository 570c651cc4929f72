//! `GET /api/v1/customers/{identifier}/balance` and `…/transactions`: the
//! balance shape with exact naira text, and movements newest first with
//! paging, cursor, type and Lagos date filters.

use chrono::{Duration, NaiveDate, Utc};
use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app, TestApp};
use crate::money_helpers::*;

/// A test customer with `amounts` paid in (session ids 1, 2, …): its code.
async fn paid_customer(app: &TestApp, reference: &str, amounts: &[i64]) -> String {
    let (code, account) = test_customer_with_account(app, reference).await;
    for (n, kobo) in amounts.iter().enumerate() {
        let mut body = sandbox_body(&session(n as u64 + 1), &account, *kobo);
        body["sender_name"] = json!(format!("Sender {}", n + 1));
        body["narration"] = json!(format!("Payment {}", n + 1));
        let r = sandbox(app, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    code
}

fn lagos_today() -> NaiveDate {
    (Utc::now() + Duration::hours(1)).date_naive()
}

fn rows(page: &Value) -> &Vec<Value> {
    page["data"]["data"].as_array().expect("rows")
}

fn sessions(page: &Value) -> Vec<String> {
    rows(page)
        .iter()
        .map(|r| r["meta"]["sessionId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_balance_has_the_compat_shape_with_exact_naira() {
    let app = spawn_app().await;
    let c = app.create_customer("bal-shape").await;
    let code = c["code"].as_str().unwrap();
    let slug = c["wallet"]["slug"].as_str().unwrap();
    let path = customer_path(code, "balance");
    let (status, text) = get_raw(&app, &app.test_key, &path).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains(r#""balance":0.00"#), "{text}");
    assert!(text.contains(r#""balance_kobo":0"#), "{text}");
    let account = issue_account_with(&app, &app.test_key, code).await;
    let account = account["account_number"].as_str().unwrap();
    let r = sandbox(&app, &sandbox_body(&session(1), account, 150_050)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (status, text) = get_raw(&app, &app.test_key, &path).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    for needle in [
        r#""balance":1500.50"#,
        r#""balance_kobo":150050"#,
        r#""balanceKobo":150050"#,
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["status"], true);
    let d = &body["data"];
    assert_eq!(d["name"], "Ada Obi");
    assert_eq!(d["slug"], slug);
    // Wallet customers have no collection fields.
    assert!(d.get("collected_kobo").is_none(), "{d}");
    // Same answer by reference and email; unknown customers are 404.
    assert_eq!(
        balance_kobo(&app, &app.test_key, "bal-shape").await,
        150_050
    );
    assert_eq!(
        balance_kobo(&app, &app.test_key, "bal-shape@example.com").await,
        150_050
    );
    app.get(&customer_path("CUS_nobody", "balance"))
        .await
        .assert_error(404, "not_found");
    app.get(&customer_path("CUS_nobody", "transactions"))
        .await
        .assert_error(404, "not_found");
    // The customer JSON's wallet agrees.
    let fetched = get_ok(&app, &app.test_key, &format!("/api/v1/customers/{code}")).await;
    assert_eq!(fetched["data"]["wallet"]["balance_kobo"], 150_050);
}

#[tokio::test]
async fn transactions_come_newest_first_with_meta_split_and_running_balance() {
    let app = spawn_app().await;
    let fee = FeeSchedule {
        basis_points: 100,
        flat: Kobo(50),
        cap: None,
    };
    app.store
        .set_fee_schedule(app.business_id, Mode::Test, fee)
        .await
        .unwrap();
    let amounts = [10_000, 250_000, 7_777];
    let code = paid_customer(&app, "tx-rows", &amounts).await;
    let account = get_ok(
        &app,
        &app.test_key,
        &customer_path(&code, "virtual-accounts"),
    )
    .await["data"][0]["account_number"]
        .clone();
    let page = transactions(&app, &code, "").await;
    assert_eq!(page["data"]["total"], 3);
    assert_eq!(page["meta"]["total"], 3);
    let list = rows(&page);
    assert_eq!(list.len(), 3);
    let mut running = 0;
    let mut expected = Vec::new();
    for (n, gross) in amounts.iter().enumerate() {
        let split = fee.split(Kobo(*gross)).unwrap();
        running += split.net.0;
        expected.push((n + 1, split, running));
    }
    expected.reverse();
    for (row, (n, split, after)) in list.iter().zip(&expected) {
        assert_eq!(row["type"], "deposit", "{row}");
        assert_eq!(row["confirmed"], true);
        assert_eq!(row["gross_kobo"], split.gross.0, "{row}");
        assert_eq!(row["fee_kobo"], split.fee.0, "{row}");
        assert_eq!(row["vat_kobo"], split.vat.0, "{row}");
        assert_eq!(row["net_kobo"], split.net.0, "{row}");
        assert_eq!(row["amount_kobo"], split.net.0, "{row}");
        assert_eq!(row["balance_after_kobo"], *after, "{row}");
        let meta = &row["meta"];
        assert_eq!(meta["sessionId"], session(*n as u64).as_str());
        assert_eq!(meta["senderAccountName"], format!("Sender {n}"));
        assert_eq!(meta["senderAccountNumber"], "0123456785");
        assert_eq!(meta["senderBankCode"], "058");
        assert_eq!(meta["narration"], format!("Payment {n}"));
        assert_eq!(meta["accountNumber"], account);
        assert!(row["uuid"].as_str().is_some_and(|u| u.len() == 36), "{row}");
        assert!(row["id"].is_i64());
        assert!(row["created_at"].as_str().unwrap().ends_with('Z'), "{row}");
    }
    let ids: Vec<i64> = list.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, running);
}

#[tokio::test]
async fn transactions_page_by_number_and_by_cursor() {
    let app = spawn_app().await;
    let code = paid_customer(&app, "tx-pages", &[100, 200, 300, 400, 500]).await;
    let first = transactions(&app, &code, "?per_page=2").await;
    let d = &first["data"];
    assert_eq!(sessions(&first), [session(5), session(4)]);
    assert_eq!(
        (d["total"].as_u64(), d["last_page"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(
        (d["current_page"].as_u64(), d["per_page"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!((d["from"].as_u64(), d["to"].as_u64()), (Some(1), Some(2)));
    assert_eq!(first["meta"]["next_cursor"], d["next_cursor"]);
    let second = transactions(&app, &code, "?per_page=2&page=2").await;
    assert_eq!(sessions(&second), [session(3), session(2)]);
    let third = transactions(&app, &code, "?per_page=2&page=3").await;
    assert_eq!(sessions(&third), [session(1)]);
    assert_eq!(third["data"]["next_cursor"], Value::Null);
    assert_eq!(
        rows(&transactions(&app, &code, "?per_page=2&page=4").await).len(),
        0
    );
    // Walk by cursor: every row once, newest first.
    let mut seen = sessions(&first);
    let mut cursor = d["next_cursor"].as_str().expect("a cursor").to_string();
    loop {
        let page = transactions(&app, &code, &format!("?per_page=2&starting_after={cursor}")).await;
        assert_eq!(page["data"]["current_page"], Value::Null);
        seen.extend(sessions(&page));
        match page["data"]["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let all: Vec<String> = (1..=5).rev().map(session).collect();
    assert_eq!(seen, all);
    for bad in ["per_page=0", "per_page=101", "page=0", "starting_after=abc"] {
        let r = app
            .get(&format!("{}?{bad}", customer_path(&code, "transactions")))
            .await;
        r.assert_error(400, "validation_failed");
    }
}

#[tokio::test]
async fn transactions_filter_by_type() {
    let app = spawn_app().await;
    let code = paid_customer(&app, "tx-type", &[100, 200]).await;
    let deposits = transactions(&app, &code, "?type=deposit").await;
    assert_eq!(deposits["data"]["total"], 2);
    assert_eq!(sessions(&deposits), [session(2), session(1)]);
    let withdrawals = transactions(&app, &code, "?type=withdrawal").await;
    assert_eq!(withdrawals["data"]["total"], 0);
    assert!(rows(&withdrawals).is_empty());
    let r = app
        .get(&format!(
            "{}?type=refund",
            customer_path(&code, "transactions")
        ))
        .await;
    r.assert_error(400, "validation_failed");
    assert_eq!(error_fields(&r.body), ["type"]);
}

#[tokio::test]
async fn transactions_filter_by_lagos_dates() {
    let app = spawn_app().await;
    let before = lagos_today();
    let code = paid_customer(&app, "tx-dates", &[100, 200, 300]).await;
    let after = lagos_today();
    // Today (in Lagos) holds them all.
    for query in [
        format!("?from={before}&to={after}"),
        format!("?from={before}"),
        format!("?to={after}"),
    ] {
        let page = transactions(&app, &code, &query).await;
        assert_eq!(page["data"]["total"], 3, "{query}");
    }
    // Past ranges hold none.
    let yesterday = before - Duration::days(1);
    for query in [
        "?from=2020-01-01&to=2020-01-31".to_string(),
        format!("?to={yesterday}"),
        format!("?from={}", after + Duration::days(1)),
    ] {
        let page = transactions(&app, &code, &query).await;
        assert_eq!(page["data"]["total"], 0, "{query}");
        assert!(rows(&page).is_empty(), "{query}");
    }
    for (bad, field) in [
        ("from=2026-02-30", "from"),
        ("from=yesterday", "from"),
        ("to=31/01/2026", "to"),
        ("from=2026-02-02&to=2026-02-01", "from"),
    ] {
        let r = app
            .get(&format!("{}?{bad}", customer_path(&code, "transactions")))
            .await;
        r.assert_error(400, "validation_failed");
        assert_eq!(error_fields(&r.body), [field], "{bad}");
    }
}
