//! Shared helpers of the one-time account and statement tests: creating and
//! listing one-time accounts, paying them through the sandbox door, moving
//! their clock by rewriting `expires_at` in the app's SQLite file, and
//! reading statements.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::engine::{Arg, RawDb};
use crate::helpers::{Reply, TestApp};
use crate::money_helpers::{customer_path, get_ok, get_raw, sandbox, sandbox_body, session};

/// A time long past, in the stored format (RFC 3339, microseconds, `Z`).
pub const LONG_AGO: &str = "2020-01-01T00:00:00.000000Z";

/// `t` as the store writes times.
pub fn stored_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `POST …/one-time-accounts` with `body`.
pub async fn create_ota(app: &TestApp, identifier: &str, body: &Value) -> Reply {
    app.post(&customer_path(identifier, "one-time-accounts"), body)
        .await
}

/// A one-time account for `amount_kobo`, asserting 201; returns its JSON.
pub async fn new_ota(app: &TestApp, identifier: &str, amount_kobo: i64) -> Value {
    let r = create_ota(app, identifier, &json!({ "amount_kobo": amount_kobo })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["data"].clone()
}

/// `GET …/one-time-accounts`, asserting 200; returns the list.
pub async fn list_otas(app: &TestApp, identifier: &str) -> Vec<Value> {
    let path = customer_path(identifier, "one-time-accounts");
    let body = get_ok(app, &app.test_key, &path).await;
    body["data"].as_array().expect("a list").clone()
}

/// One of the customer's one-time accounts as the API shows it now.
pub async fn ota(app: &TestApp, identifier: &str, number: &str) -> Value {
    list_otas(app, identifier)
        .await
        .into_iter()
        .find(|a| a["account_number"] == number)
        .expect("the account is listed")
}

/// Pays `amount_kobo` into `account` through the sandbox door with session `n`,
/// asserting 201; returns the inflow JSON.
pub async fn pay(app: &TestApp, account: &str, n: u64, amount_kobo: i64) -> Value {
    let r = sandbox(app, &sandbox_body(&session(n), account, amount_kobo)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["data"].clone()
}

/// `(status, amount_paid_kobo, amount_remaining_kobo, excess_kobo)` of an account's JSON.
pub fn state(a: &Value) -> (String, i64, i64, i64) {
    let k = |f: &str| a[f].as_i64().unwrap_or_else(|| panic!("{f} in {a}"));
    let status = a["status"].as_str().expect("status").to_string();
    (
        status,
        k("amount_paid_kobo"),
        k("amount_remaining_kobo"),
        k("excess_kobo"),
    )
}

/// Deactivates a customer through the API.
pub async fn deactivate(app: &TestApp, identifier: &str) {
    let path = format!("/api/v1/customers/{identifier}");
    let r = app.patch(&path, &json!({"status": "INACTIVE"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Plain SQL on the app's database (SQLite or PostgreSQL: both store
/// `expires_at` as RFC 3339 text), to read rows and move the clock.
pub struct RawPool(RawDb);

impl RawPool {
    /// Closes the connection.
    pub async fn close(self) {
        match self.0 {
            RawDb::Sqlite(p) => p.close().await,
            RawDb::Postgres(p) => p.close().await,
        }
    }
}

/// A plain connection to the app's database.
pub async fn raw_pool(app: &TestApp) -> RawPool {
    RawPool(app.raw_db().await)
}

/// The one-time account whose number is bound at placeholder `$n`.
fn account_id(n: u8) -> String {
    format!("(SELECT virtual_account_id FROM virtual_account WHERE account_number = ${n})")
}

/// Sets the stored `expires_at` of the one-time account `number` to `when`.
pub async fn set_expiry(pool: &RawPool, number: &str, when: &str) {
    let sql = format!(
        "UPDATE one_time_account SET expires_at = $1 WHERE virtual_account_id = {}",
        account_id(2)
    );
    let done = pool.0.execute(&sql, &[when.into(), number.into()]).await;
    assert_eq!(done, 1, "{number}");
}

/// The stored `(status, amount_paid_kobo)` of the one-time account `number`.
pub async fn stored(pool: &RawPool, number: &str) -> (String, i64) {
    let read = |column: &str| {
        format!(
            "SELECT {column} FROM one_time_account WHERE virtual_account_id = {}",
            account_id(1)
        )
    };
    let args = [Arg::from(number)];
    let status = pool.0.text(&read("status"), &args).await;
    (status, pool.0.int(&read("amount_paid_kobo"), &args).await)
}

/// Today's date in Africa/Lagos (UTC+1, no daylight saving).
pub fn lagos_today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(1)).date_naive()
}

/// `…/statement?{query}` in JSON, asserting 200; returns the whole body.
pub async fn statement_json(app: &TestApp, identifier: &str, query: &str) -> Value {
    let path = format!("{}?{query}", customer_path(identifier, "statement"));
    let (status, text) = get_raw(app, &app.test_key, &path).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `…/statement?{query}&format=csv`, asserting 200 and the content type.
pub async fn statement_csv(app: &TestApp, identifier: &str, query: &str) -> String {
    let path = format!(
        "{}?{query}&format=csv",
        customer_path(identifier, "statement")
    );
    let resp = app
        .client
        .request(Method::GET, format!("{}{}", app.base, path))
        .header("DPPRIVATEKEY", &app.test_key)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "text/csv; charset=utf-8");
    resp.text().await.expect("body")
}

/// A statement JSON's `(opening, sum of movements, closing)` in kobo, after
/// checking that each row's running balance follows from the one before.
pub fn statement_totals(body: &Value) -> (i64, i64, i64) {
    let data = &body["data"];
    let opening = data["opening_balance_kobo"].as_i64().expect("opening");
    let mut running = opening;
    let mut sum = 0;
    for row in data["movements"].as_array().expect("movements") {
        let amount = row["amount_kobo"].as_i64().unwrap();
        let signed = if row["type"] == "deposit" {
            amount
        } else {
            -amount
        };
        sum += signed;
        running += signed;
        assert_eq!(row["balance_after_kobo"], running, "{row}");
    }
    let closing = data["closing_balance_kobo"].as_i64().expect("closing");
    (opening, sum, closing)
}

/// The CSV statement's header line.
pub const HEADER: &str = "entry_id,created_at,type,amount,amount_kobo,gross_kobo,fee_kobo,vat_kobo,balance_kobo,session_id,sender_name,sender_account_number,sender_bank_code,narration";

/// `from=…&to=…` for a statement.
pub fn range(from: NaiveDate, to: NaiveDate) -> String {
    format!("from={from}&to={to}")
}

/// Splits one CSV line (RFC 4180 quoting).
pub fn csv_fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}
