//! What `security_more.rs` throws: hostile JSON fragments, a body builder
//! that splices one into any field, and the target bodies (every create,
//! update, inflow, one-time, virtual-account, wallet and webhook body) with
//! the fields each one takes.

use kobo_server::http::signature::sign;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{customer_body, Reply, TestApp, PROVIDER_SECRET};
use crate::money_helpers::{
    live_customer_with_account, provider_body, sandbox_body, session, test_customer_with_account,
    NAME_ENQUIRY, PROVIDER, SANDBOX,
};

/// JSON fragments no field accepts.
pub fn hostile_values() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("sql or", br#""' OR 1=1 --""#.to_vec()),
        ("sql drop", br#""\"; DROP TABLE customer; --""#.to_vec()),
        ("escaped nul", br#""a\u0000b""#.to_vec()),
        ("raw nul", b"\"a\0b\"".to_vec()),
        ("invalid utf-8", b"\"\xff\xfe\xc3\x28\"".to_vec()),
        ("lone surrogate", br#""\ud800""#.to_vec()),
        (
            "10k chars",
            format!("\"{}\"", "x".repeat(10_000)).into_bytes(),
        ),
        (
            "10k digits",
            format!("\"{}\"", "9".repeat(10_000)).into_bytes(),
        ),
        (
            "10k yoruba",
            format!("\"{}\"", "Ọ̀".repeat(5_000)).into_bytes(),
        ),
        (
            "10k-deep array",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        ),
        ("1e400", b"1e400".to_vec()),
        ("-1e400", b"-1e400".to_vec()),
        ("2^64", b"18446744073709551616".to_vec()),
        ("huge integer", "9".repeat(400).into_bytes()),
        ("array", b"[1,2]".to_vec()),
        ("object", br#"{"$gt": ""}"#.to_vec()),
        ("bool", b"true".to_vec()),
    ]
}

/// `base` with `field` replaced by the raw JSON fragment `raw`.
pub fn body_with(base: &Value, field: &str, raw: &[u8]) -> Vec<u8> {
    let mut rest = base.as_object().unwrap().clone();
    rest.remove(field);
    let mut out = serde_json::to_vec(&Value::Object(rest)).unwrap();
    out.pop(); // the closing brace
    if out.len() > 1 {
        out.push(b',');
    }
    out.extend_from_slice(format!("\"{field}\":").as_bytes());
    out.extend_from_slice(raw);
    out.push(b'}');
    out
}

#[derive(Clone, Copy)]
pub enum Door {
    Test,
    Signed,
}

/// Sends raw `bytes` as JSON to `method path` through `door`.
pub async fn send(app: &TestApp, door: Door, method: Method, path: &str, bytes: Vec<u8>) -> Reply {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("content-type", "application/json");
    req = match door {
        Door::Test => req.header("DPPRIVATEKEY", &app.test_key),
        Door::Signed => req.header("X-Provider-Signature", sign(PROVIDER_SECRET, &bytes)),
    };
    Reply::from(req.body(bytes).send().await.expect("request")).await
}

pub struct Target {
    pub door: Door,
    pub method: Method,
    pub path: String,
    pub base: Value,
    pub fields: &'static [&'static str],
}

const PERSON: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "reference",
    "phone",
    "dob",
    "bvn",
    "nin",
    "type",
];
const UPDATE: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "reference",
    "phone",
    "dob",
    "bvn",
    "nin",
    "type",
    "status",
    "collection_wallet_code",
];
const INFLOW: &[&str] = &[
    "session_id",
    "account_number",
    "amount_kobo",
    "sender_name",
    "sender_account_number",
    "sender_bank_code",
    "narration",
    "paid_at",
];

/// Free text (any printable characters): SQL metacharacters are data there.
pub const FREE_TEXT: &[&str] = &["sender_name", "narration"];

fn with(base: Value, extra: Value) -> Value {
    let mut b = base;
    b.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    b
}

pub async fn targets(app: &TestApp) -> Vec<Target> {
    let (code, account) = test_customer_with_account(app, "HOST-VICTIM").await;
    let (_, live_account) = live_customer_with_account(app, "HOST-LIVE").await;
    let wallet = app.default_wallet_code(&app.test_key).await;
    let customer = format!("/api/v1/customers/{code}");
    let t = |door, method, path: &str, base, fields| Target {
        door,
        method,
        path: path.to_string(),
        base,
        fields,
    };
    let collection = |r: &str, field: &str| {
        with(
            customer_body(r),
            json!({"type": "collection", field: wallet}),
        )
    };
    let update =
        json!({"first_name": "Changed", "type": "collection", "collection_wallet_code": wallet});
    vec![
        t(
            Door::Test,
            Method::POST,
            "/api/v1/customers",
            customer_body("HOST-NEW"),
            PERSON,
        ),
        t(
            Door::Test,
            Method::POST,
            "/api/v1/customers",
            collection("HOST-COLL-A", "collection_wallet_code"),
            &["collection_wallet_code"],
        ),
        t(
            Door::Test,
            Method::POST,
            "/api/v1/customers",
            collection("HOST-COLL-B", "collection_wallet"),
            &["collection_wallet"],
        ),
        t(
            Door::Test,
            Method::POST,
            "/api/v1/customers/corporate",
            json!({"company_name": "Acme Ltd", "rc_number": "RC 123", "email": "acme@x.ng", "reference": "HOST-CORP"}),
            &["company_name", "rc_number", "email", "reference"],
        ),
        t(
            Door::Test,
            Method::POST,
            "/api/v1/customers/storeorupdate",
            customer_body("HOST-SOU"),
            PERSON,
        ),
        t(Door::Test, Method::PATCH, &customer, update.clone(), UPDATE),
        t(Door::Test, Method::PUT, &customer, update, UPDATE),
        t(
            Door::Test,
            Method::POST,
            SANDBOX,
            sandbox_body(&session(1), &account, 1000),
            INFLOW,
        ),
        t(
            Door::Test,
            Method::POST,
            SANDBOX,
            json!({"account_number": account, "amount": "10.50"}),
            &["amount"],
        ),
        t(
            Door::Signed,
            Method::POST,
            PROVIDER,
            provider_body(&session(2), &live_account, 1000),
            INFLOW,
        ),
        t(
            Door::Signed,
            Method::POST,
            NAME_ENQUIRY,
            json!({"account_number": live_account}),
            &["account_number"],
        ),
        t(
            Door::Test,
            Method::POST,
            &format!("{customer}/one-time-accounts"),
            json!({"amount_kobo": 5000, "expires_in_minutes": 30, "reference": "HOST-OTA"}),
            &["amount_kobo", "expires_in_minutes", "reference"],
        ),
        t(
            Door::Test,
            Method::POST,
            &format!("{customer}/one-time-accounts"),
            json!({"amount": "50.00"}),
            &["amount"],
        ),
        t(
            Door::Test,
            Method::POST,
            &format!("{customer}/virtual-accounts"),
            json!({"reference": "HOST-VA"}),
            &["reference"],
        ),
        t(
            Door::Test,
            Method::POST,
            "/api/v1/collection-wallets",
            json!({"name": "Rent"}),
            &["name"],
        ),
        t(
            Door::Test,
            Method::PUT,
            "/api/v1/webhooks",
            json!({"url": "https://example.com/hook"}),
            &["url"],
        ),
    ]
}
