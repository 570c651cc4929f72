//! The contract: the OpenAPI document generated from the code is byte for byte
//! the committed `docs/openapi.json` (so every contract change is a visible
//! diff in review), and it holds exactly the routes of the route table.
//!
//! After a deliberate change, refresh the committed copy with
//! `KOBO_UPDATE_OPENAPI=1 cargo test -p kobo-server --test api contract`.

use std::collections::BTreeSet;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
const ROUTE_TABLE: &str = include_str!("../../src/routes/mod.rs");
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (method, path) pairs, paths in OpenAPI form (`{file}`, not `{*file}`).
type Routes = BTreeSet<(String, String)>;

#[test]
fn openapi_document_equals_the_committed_copy() {
    let generated = kobo_server::openapi::pretty_json();
    if std::env::var_os("KOBO_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write docs/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    if generated != committed {
        let line = generated
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| generated.lines().count().min(committed.lines().count()));
        panic!(
            "docs/openapi.json differs from the document the code generates (first at line {}).\n\
             If the API change is intended, refresh it and review the diff:\n\
             \n    KOBO_UPDATE_OPENAPI=1 cargo test -p kobo-server --test api contract\n",
            line + 1
        );
    }
}

/// (method, path) of every `.route(...)` in the body of `fn name` in routes/mod.rs.
fn table_routes(name: &str) -> Routes {
    let start = ROUTE_TABLE
        .find(&format!("fn {name}("))
        .unwrap_or_else(|| panic!("routes/mod.rs has no fn {name}"));
    let body = &ROUTE_TABLE[start..];
    let body = &body[..body[1..].find("\npub fn ").map_or(body.len(), |i| i + 1)];
    let mut routes = BTreeSet::new();
    for call in body.split(".route(").skip(1) {
        let path = call.split('"').nth(1).expect("a literal path");
        let mut depth = 1;
        let end = call
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("the call closes");
        let args = &call[..end];
        let path = path.replace("{*", "{");
        for method in METHODS {
            let called = args.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || matches!(args.as_bytes()[i - 1], b' ' | b'\n' | b'.' | b'(' | b',')
            });
            if called {
                routes.insert((method.to_string(), path.clone()));
            }
        }
    }
    assert!(!routes.is_empty(), "found no routes in fn {name}");
    routes
}

/// (method, path) of every operation in the document, split by whether it declares security.
fn documented() -> (Routes, Routes) {
    let doc: serde_json::Value =
        serde_json::from_str(&kobo_server::openapi::pretty_json()).unwrap();
    let (mut private, mut public) = (BTreeSet::new(), BTreeSet::new());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let entry = (method.to_string(), path.clone());
            if op.get("security").is_some() {
                private.insert(entry);
            } else {
                public.insert(entry);
            }
        }
    }
    (private, public)
}

fn assert_same(kind: &str, table: &Routes, doc: &Routes) {
    let missing: Vec<_> = table.difference(doc).collect();
    let extra: Vec<_> = doc.difference(table).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{kind} routes and the OpenAPI document disagree.\n\
         In the route table but not documented (add #[utoipa::path] to the handler and list it in \
         src/openapi.rs): {missing:?}\nDocumented but not routed (or routed elsewhere): {extra:?}"
    );
}

#[test]
fn every_route_is_in_the_document_with_its_security() {
    let (private, public) = documented();
    assert_same("private", &table_routes("private_routes"), &private);
    assert_same("public", &table_routes("public_routes"), &public);
}

#[test]
fn the_error_code_enum_lists_every_error_code() {
    let doc: serde_json::Value =
        serde_json::from_str(&kobo_server::openapi::pretty_json()).unwrap();
    let listed = &doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"];
    let codes: Vec<&str> = kobo_server::error::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(listed, &serde_json::json!(codes));
    let scheme = &doc["components"]["securitySchemes"]["DPPRIVATEKEY"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "DPPRIVATEKEY");
}
