//! The list of every private route (with a body each would accept), checked
//! against the route table's source so a new route cannot slip past the
//! security tests that iterate over it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::customer_body;

/// Every private route, with a body that would succeed for the right key.
/// `{cust}` stands for a customer identifier, `{sid}` for a session id,
/// `{event}` for a webhook event id.
pub fn private_routes() -> Vec<(Method, &'static str, Option<Value>)> {
    let customer = customer_body("ROUTE-NEW");
    vec![
        (Method::GET, "/api/v1/customers", None),
        (Method::POST, "/api/v1/customers", Some(customer.clone())),
        (
            Method::POST,
            "/api/v1/customers/storeorupdate",
            Some(customer),
        ),
        (
            Method::POST,
            "/api/v1/customers/corporate",
            Some(
                json!({"company_name": "Acme Ltd", "rc_number": "RC1", "email": "c@acme.ng", "reference": "CORP-NEW"}),
            ),
        ),
        (Method::GET, "/api/v1/customers/{cust}", None),
        (
            Method::PATCH,
            "/api/v1/customers/{cust}",
            Some(json!({"first_name": "Changed"})),
        ),
        (
            Method::PUT,
            "/api/v1/customers/{cust}",
            Some(json!({"status": "INACTIVE"})),
        ),
        (Method::GET, "/api/v1/customers/{cust}/balance", None),
        (Method::GET, "/api/v1/customers/{cust}/transactions", None),
        (
            Method::GET,
            "/api/v1/customers/{cust}/virtual-accounts",
            None,
        ),
        (
            Method::POST,
            "/api/v1/customers/{cust}/virtual-accounts",
            Some(json!({})),
        ),
        (
            Method::GET,
            "/api/v1/customers/{cust}/one-time-accounts",
            None,
        ),
        (
            Method::POST,
            "/api/v1/customers/{cust}/one-time-accounts",
            Some(json!({"amount_kobo": 5000})),
        ),
        (
            Method::GET,
            "/api/v1/customers/{cust}/statement?from=2020-01-01&to=2030-01-01",
            None,
        ),
        (
            Method::POST,
            "/api/v1/sandbox/inflows",
            Some(json!({"account_number": "0000000000", "amount_kobo": 100})),
        ),
        (Method::GET, "/api/v1/inflows", None),
        (Method::GET, "/api/v1/webhooks", None),
        (
            Method::PUT,
            "/api/v1/webhooks",
            Some(json!({"url": "https://example.com/hook"})),
        ),
        (
            Method::POST,
            "/api/v1/webhooks/rotate-secret",
            Some(json!({})),
        ),
        (Method::GET, "/api/v1/webhooks/events", None),
        (
            Method::GET,
            "/api/v1/webhooks/events/{event}/attempts",
            None,
        ),
        (
            Method::POST,
            "/api/v1/webhooks/events/{event}/retry",
            Some(json!({})),
        ),
        (Method::GET, "/api/v1/inflows/{sid}", None),
        (Method::GET, "/api/v1/collection-wallets", None),
        (
            Method::POST,
            "/api/v1/collection-wallets",
            Some(json!({"name": "Rent"})),
        ),
    ]
}

/// The (method, path template) pairs `routes::private_routes` declares, read
/// from its source so a new route cannot slip past these tests.
fn declared_private_routes() -> Vec<(String, String)> {
    let source = include_str!("../../src/routes/mod.rs");
    let start = source.find("pub fn private_routes").unwrap();
    let end = source.find("pub fn public_routes").unwrap();
    let mut out = Vec::new();
    for chunk in source[start..end].split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap().to_string();
        for method in ["get", "post", "put", "patch", "delete"] {
            let found = [" ", "(", ".", "\n"]
                .iter()
                .any(|p| chunk.contains(&format!("{p}{method}(")));
            if found {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

pub fn fill(path: &str, cust: &str, sid: &str) -> String {
    path.replace("{cust}", cust)
        .replace("{sid}", sid)
        .replace("{event}", "1")
}

#[test]
fn the_route_list_covers_every_private_route() {
    let declared = declared_private_routes();
    assert!(declared.len() >= 19, "{declared:?}");
    let listed: Vec<(String, String)> = private_routes()
        .into_iter()
        .map(|(m, p, _)| {
            let template = p.split('?').next().unwrap();
            let declared_form = template
                .replace("{cust}", "{identifier}")
                .replace("{sid}", "{session_id}")
                .replace("{event}", "{id}");
            (m.to_string(), declared_form)
        })
        .collect();
    for route in &declared {
        assert!(listed.contains(route), "not covered: {route:?}");
    }
}
