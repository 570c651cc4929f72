//! Statements in JSON and CSV: opening + movements = closing, the closing
//! balance is the balance, ranges before and after the movements, CSV
//! quoting and formula defusing, validation and other businesses. A stream
//! longer than two chunks is in `statements_stream.rs`, random histories in
//! `statements_props.rs`.

use chrono::Duration;
use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use serde_json::{json, Value};

use crate::helpers::{error_fields, second_business, spawn_app, TestApp};
use crate::money_helpers::*;
use crate::ota_helpers::*;

/// A wallet customer with an account and a 1.5% + ₦10 fee on the business.
async fn paid_customer(app: &TestApp, reference: &str, amounts: &[i64]) -> (String, String) {
    let fee = FeeSchedule {
        basis_points: 150,
        flat: Kobo(1_000),
        cap: None,
    };
    app.store
        .set_fee_schedule(app.business_id, Mode::Test, fee)
        .await
        .unwrap();
    let (code, account) = test_customer_with_account(app, reference).await;
    for (n, amount) in amounts.iter().enumerate() {
        pay(app, &account, n as u64 + 1, *amount).await;
    }
    (code, account)
}

#[tokio::test]
async fn json_statements_balance_for_every_range() {
    let app = spawn_app().await;
    let day = lagos_today();
    let (code, _) = paid_customer(&app, "st-json", &[1_000_000, 255_000, 99_999]).await;
    // Noise: another customer's money is not on this statement.
    let (_, other) = test_customer_with_account(&app, "st-noise").await;
    pay(&app, &other, 50, 123_456).await;
    if lagos_today() != day {
        return eprintln!("Lagos midnight passed while posting; nothing to check");
    }
    let balance = balance_kobo(&app, &app.test_key, &code).await;
    // Fee 1.5% + 1,000 and 7.5% VAT: nets 982,800 ; 249,813 ; 97,313.
    assert_eq!(balance, 982_800 + 249_813 + 97_313);

    let body = statement_json(&app, &code, &range(day - Duration::days(1), day)).await;
    assert_eq!(
        (body["success"].clone(), body["status"].clone()),
        (json!(true), json!(true))
    );
    let data = &body["data"];
    assert_eq!(
        data["customer"],
        json!({"code": code, "reference": "st-json"})
    );
    assert_eq!(
        (data["from"].clone(), data["to"].clone()),
        (
            json!((day - Duration::days(1)).to_string()),
            json!(day.to_string())
        )
    );
    assert_eq!(data["currency"], "NGN");
    assert_eq!(statement_totals(&body), (0, balance, balance));
    assert_eq!(data["closing_balance"], json!(13_299.26));
    assert_eq!(data["opening_balance"], json!(0.0));
    // The rows are the transactions, oldest first, with the stored running balance.
    let rows = data["movements"].as_array().unwrap();
    let txs = transactions(&app, &code, "").await;
    let mut listed = txs["data"]["data"].as_array().unwrap().clone();
    listed.reverse();
    assert_eq!(rows, &listed);
    assert_eq!(rows[0]["gross_kobo"], 1_000_000);
    assert_eq!(
        (rows[0]["fee_kobo"].clone(), rows[0]["vat_kobo"].clone()),
        (json!(16_000), json!(1_200))
    );
    assert_eq!(rows[2]["meta"]["sessionId"], session(3).as_str());

    // Ranges before, on and after the movements.
    let cases = [
        (day, day, 0, 3),
        (day, day + Duration::days(30), 0, 3),
        (day - Duration::days(9), day - Duration::days(1), 0, 0),
        (day + Duration::days(1), day + Duration::days(2), balance, 0),
    ];
    for (from, to, opening, rows) in cases {
        let body = statement_json(&app, &code, &range(from, to)).await;
        let (o, sum, closing) = statement_totals(&body);
        assert_eq!((o, closing), (opening, opening + sum), "{from}..{to}");
        assert_eq!(
            body["data"]["movements"].as_array().unwrap().len(),
            rows,
            "{from}..{to}"
        );
        if to >= day {
            assert_eq!(closing, balance, "{from}..{to}");
        }
    }
    // The customer can be named by reference.
    let by_ref = statement_json(&app, "st-json", &range(day, day)).await;
    assert_eq!(statement_totals(&by_ref), (0, balance, balance));
}

#[tokio::test]
async fn csv_statements_carry_running_balances_and_defuse_formulas() {
    let app = spawn_app().await;
    let day = lagos_today();
    let (code, account) = paid_customer(&app, "st-csv", &[500_000]).await;
    let mut tricky = sandbox_body(&session(9), &account, 20_000);
    tricky["narration"] = json!("=HYPERLINK(\"http://x\"), click");
    tricky["sender_name"] = json!("-Ade, Jr");
    assert_eq!(sandbox(&app, &tricky).await.status.as_u16(), 201);
    if lagos_today() != day {
        return eprintln!("Lagos midnight passed while posting; nothing to check");
    }
    let balance = balance_kobo(&app, &app.test_key, &code).await;
    let (from, to) = (day - Duration::days(1), day);
    let text = statement_csv(&app, &code, &range(from, to)).await;
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], HEADER);
    assert_eq!(lines[1], format!(",{from},opening_balance,,,,,,0,,,,,"));
    assert_eq!(
        lines[4],
        format!(",{to},closing_balance,,,,,,{balance},,,,,")
    );
    let json = statement_json(&app, &code, &range(from, to)).await;
    let rows = json["data"]["movements"].as_array().unwrap();
    for (line, row) in lines[2..4].iter().zip(rows) {
        let f = csv_fields(line);
        assert_eq!(f.len(), 14, "{line}");
        assert_eq!(f[0], row["id"].to_string());
        assert_eq!(f[2], "deposit");
        assert_eq!(f[4], row["amount_kobo"].to_string());
        assert_eq!(f[5], row["gross_kobo"].to_string());
        assert_eq!(
            f[6..8],
            [row["fee_kobo"].to_string(), row["vat_kobo"].to_string()]
        );
        assert_eq!(f[8], row["balance_after_kobo"].to_string());
        assert_eq!(f[9], row["meta"]["sessionId"].as_str().unwrap());
    }
    // 500,000 - 8,500 fee - 638 VAT = 490,862 ; 20,000 - 1,300 - 98 = 18,602.
    assert_eq!(csv_fields(lines[2])[3], "4908.62");
    assert_eq!(balance, 490_862 + 18_602);
    assert_eq!(csv_fields(lines[3])[8], balance.to_string());
    let tricky_row = csv_fields(lines[3]);
    assert_eq!(tricky_row[10], "'-Ade, Jr");
    assert_eq!(tricky_row[13], "'=HYPERLINK(\"http://x\"), click");
    assert!(
        lines[3].ends_with(",\"'=HYPERLINK(\"\"http://x\"\"), click\""),
        "{}",
        lines[3]
    );
    assert!(lines[3].contains(",\"'-Ade, Jr\","), "{}", lines[3]);
    // No movement in range: header, opening, closing.
    let later = statement_csv(
        &app,
        &code,
        &range(day + Duration::days(1), day + Duration::days(1)),
    )
    .await;
    let next = day + Duration::days(1);
    let expected = format!("{HEADER}\n,{next},opening_balance,,,,,,{balance},,,,,\n,{next},closing_balance,,,,,,{balance},,,,,\n");
    assert_eq!(later, expected);
}

#[tokio::test]
async fn bad_queries_name_each_field_and_strangers_are_not_found() {
    let app = spawn_app().await;
    let (code, _) = test_customer_with_account(&app, "st-bad").await;
    let cases: [(&str, &[&str]); 12] = [
        ("", &["from", "to"]),
        // Only YYYY-MM-DD: a signed five-digit year (which chrono would
        // accept) once made the statement drop every movement.
        ("from=2026-01-01&to=%2B10000-01-02", &["to"]),
        ("from=2026-1-5&to=2026-01-05", &["from"]),
        ("from=%202026-01-05&to=2026-01-05", &["from"]),
        ("from=2026-01-01", &["to"]),
        ("to=2026-01-01", &["from"]),
        ("from=2026-13-01&to=2026-01-01", &["from"]),
        ("from=2026-01-01&to=tomorrow", &["to"]),
        ("from=2026-02-30&to=31/01/2026", &["from", "to"]),
        ("from=2026-02-02&to=2026-02-01", &["from"]),
        ("from=2026-01-01&to=2026-01-02&format=xml", &["format"]),
        ("format=pdf&from=x", &["format", "from", "to"]),
    ];
    for (query, fields) in cases {
        let r = app
            .get(&format!("{}?{query}", customer_path(&code, "statement")))
            .await;
        r.assert_error(400, "validation_failed");
        assert_eq!(
            error_fields(&r.body),
            fields.to_vec(),
            "{query}: {}",
            r.body
        );
    }
    let ok = "from=2026-01-01&to=2026-01-01";
    let r = app
        .get(&format!(
            "{}?{ok}",
            customer_path("CUS_nosuchcustomer", "statement")
        ))
        .await;
    r.assert_error(404, "not_found");
    let other = second_business(&app).await;
    let theirs = create_customer_with(&app, &other.test.private_key, "st-theirs").await;
    let r = app
        .get(&format!(
            "{}?{ok}",
            customer_path(theirs["code"].as_str().unwrap(), "statement")
        ))
        .await;
    r.assert_error(404, "not_found");
    // Their own key reads it.
    get_ok(
        &app,
        &other.test.private_key,
        &format!("{}?{ok}", customer_path("st-theirs", "statement")),
    )
    .await;
}

/// Kept here so the JSON shape of an empty statement is pinned too.
#[tokio::test]
async fn an_empty_statement_is_valid_json() {
    let app = spawn_app().await;
    let (code, _) = test_customer_with_account(&app, "st-empty").await;
    let body = statement_json(&app, &code, "from=2026-01-01&to=2026-01-31").await;
    assert_eq!(body["data"]["movements"], Value::Array(vec![]));
    assert_eq!(statement_totals(&body), (0, 0, 0));
    assert_eq!(body["data"]["closing_balance"], json!(0.0));
}
