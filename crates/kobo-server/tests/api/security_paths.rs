//! Hostile path identifiers and query strings on every customer sub-route and
//! list; SQL metacharacters as data; and `CustomerLookup::parse` (kobo-store,
//! out of the core's reach) against arbitrary text. Never a 5xx, always the
//! envelope, and nothing changes.

use kobo_store::CustomerLookup;
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Reply, TestApp};
use crate::money_helpers::{sandbox, sandbox_body, session, test_customer_with_account};
use crate::security::{assert_refused, snapshot};

/// Identifiers as they appear in a URL (already percent-encoded).
const IDENTIFIERS: &[&str] = &[
    "%27%20OR%201%3D1%20--",
    "%22%3B%20DROP%20TABLE%20customer%3B%20--",
    "CUS_%27%20OR%20%271%27%3D%271",
    "a%00b",
    "%00",
    "%FF%FE",
    "abc%C3%A9",
    "CUS%C3%A9x",
    "%F0%9F%98%80%F0%9F%98%80",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e",
    "99999999999999999999999",
    "-1",
    "0",
    "1e400",
    "%40",
    "%25",
    "%5F",
    "a%0D%0AX-Injected:%201",
];

fn long_identifier() -> String {
    "x".repeat(10_000)
}

async fn call(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> Reply {
    app.call(method, path, Some(&app.test_key), body).await
}

#[tokio::test]
async fn hostile_identifiers_are_404_on_every_customer_route() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "PATH-VICTIM").await;
    let r = sandbox(&app, &sandbox_body(&session(5), &account, 10_000)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let before = snapshot(&app).await;
    let long = long_identifier();
    let routes: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "", None),
        (Method::PATCH, "", Some(json!({"first_name": "Changed"}))),
        (Method::PUT, "", Some(json!({"status": "INACTIVE"}))),
        (Method::GET, "/balance", None),
        (Method::GET, "/transactions", None),
        (
            Method::GET,
            "/statement?from=2020-01-01&to=2030-12-31",
            None,
        ),
        (Method::GET, "/virtual-accounts", None),
        (Method::POST, "/virtual-accounts", Some(json!({}))),
        (Method::GET, "/one-time-accounts", None),
        (
            Method::POST,
            "/one-time-accounts",
            Some(json!({"amount_kobo": 5000})),
        ),
    ];
    for ident in IDENTIFIERS.iter().copied().chain([long.as_str()]) {
        for (method, tail, body) in &routes {
            let path = format!("/api/v1/customers/{ident}{tail}");
            let r = call(&app, method.clone(), &path, body.as_ref()).await;
            let label = format!("{method} {}", &path[..path.len().min(120)]);
            assert_refused(&r, &label);
            if ident == "%2e%2e" {
                // The client resolves the dot segment: the path leaves the route.
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{label}");
            } else {
                r.assert_error(404, "not_found");
            }
        }
        let r = call(&app, Method::GET, &format!("/api/v1/inflows/{ident}"), None).await;
        assert_refused(&r, ident);
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{ident}");
    }
    assert_eq!(snapshot(&app).await, before);
    let mine = call(
        &app,
        Method::GET,
        &format!("/api/v1/customers/{code}"),
        None,
    )
    .await;
    assert_eq!(mine.status, StatusCode::OK);
}

/// Query values as they appear in a URL (already percent-encoded).
const QUERY_VALUES: &[&str] = &[
    "%27%20OR%201%3D1%20--",
    "%22%3B%20DROP%20TABLE%20customer%3B%20--",
    "%00",
    "%FF%FE",
    "-1",
    "0",
    "1e400",
    "99999999999999999999999",
    "18446744073709551616",
    "%25",
    "_",
    "%5B%5D",
    "2025-02-30",
    "9999-12-31",
    "+1",
    "%",
];

#[tokio::test]
async fn hostile_query_parameters_answer_200_or_an_envelope() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "QUERY-VICTIM").await;
    let r = sandbox(&app, &sandbox_body(&session(6), &account, 10_000)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let before = snapshot(&app).await;
    let long = "x".repeat(10_000);
    let lists: Vec<(String, &[&str])> = vec![
        (
            "/api/v1/customers".into(),
            &[
                "page",
                "per_page",
                "search",
                "type",
                "status",
                "starting_after",
            ],
        ),
        (
            format!("/api/v1/customers/{code}/transactions"),
            &["page", "per_page", "type", "from", "to", "starting_after"],
        ),
        (
            format!("/api/v1/customers/{code}/statement"),
            &["from", "to", "format"],
        ),
        (
            "/api/v1/inflows".into(),
            &["page", "per_page", "status", "starting_after"],
        ),
    ];
    for (path, params) in &lists {
        for param in params.iter() {
            for value in QUERY_VALUES.iter().copied().chain([long.as_str()]) {
                let url = format!("{path}?{param}={value}&{param}[]=1");
                let r = call(&app, Method::GET, &url, None).await;
                let label = url[..url.len().min(120)].to_string();
                if r.status != StatusCode::OK {
                    assert_refused(&r, &label);
                    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{label}: {}", r.body);
                }
                let inert = ["%27", "%22", "%25", "_", "%5B", "%"];
                let is_inert = inert.iter().any(|p| value.starts_with(p));
                if *param == "search" && is_inert && r.status == StatusCode::OK {
                    assert_eq!(r.body["data"]["total"], 0, "{label} matches nothing");
                }
            }
        }
        for raw in ["%", "%%%%", "=&=&==", "a=%zz", "&&&", "%00=%00"] {
            let r = call(&app, Method::GET, &format!("{path}?{raw}"), None).await;
            assert!(
                r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
                "{path}?{raw}"
            );
            if r.status != StatusCode::OK {
                assert_refused(&r, raw);
            }
        }
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn sql_text_is_stored_verbatim() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "SQL-DATA").await;
    let name = "' OR 1=1 --";
    let narration = "\"; DROP TABLE customer; -- ' UNION SELECT * FROM api_key --";
    let mut body = sandbox_body(&session(77), &account, 12_345);
    body["sender_name"] = json!(name);
    body["narration"] = json!(narration);
    let r = sandbox(&app, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let got = call(
        &app,
        Method::GET,
        &format!("/api/v1/inflows/{}", session(77)),
        None,
    )
    .await;
    assert_eq!(got.body["data"]["sender"]["name"], name, "{}", got.body);
    assert_eq!(got.body["data"]["narration"], narration, "{}", got.body);
    let tx = call(
        &app,
        Method::GET,
        &format!("/api/v1/customers/{code}/transactions"),
        None,
    )
    .await;
    assert_eq!(tx.body["data"]["data"][0]["meta"]["narration"], narration);
    // The customer table is still there, and searching for SQL finds nothing.
    assert_eq!(app.total().await, 1);
    for s in [name, narration, "%", "_", "' OR ''='"] {
        let r = app.list(&[("search", s)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["data"]["total"], 0, "search {s:?}");
    }
    let report = app.store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, 1);
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "(CUS_|cus_|CuS_|[0-9]{1,25}|@|é|\u{0}|' OR 1=1 --)[a-zA-Zé@0-9._\\-]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    #[test]
    fn customer_lookup_parse_never_panics(s in hostile_text()) {
        match CustomerLookup::parse(&s) {
            CustomerLookup::Id(id) => {
                prop_assert!(!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(s.parse::<i64>().ok(), Some(id));
            }
            CustomerLookup::Code(c) => {
                prop_assert_eq!(&c, &s);
                prop_assert!(s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("CUS_")));
            }
            CustomerLookup::Email(e) => {
                prop_assert!(s.contains('@'));
                prop_assert_eq!(e, s.to_lowercase());
            }
            CustomerLookup::Reference(r) => {
                prop_assert_eq!(&r, &s);
                prop_assert!(!s.contains('@'));
            }
        }
    }

    #[test]
    fn valid_references_are_looked_up_as_references(
        r in "[a-zA-Z._\\-][a-zA-Z0-9._\\-]{0,99}"
    ) {
        prop_assume!(kobo_core::validate::reference(&r).is_ok());
        prop_assert_eq!(CustomerLookup::parse(&r), CustomerLookup::Reference(r.clone()));
    }
}
