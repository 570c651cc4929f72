//! Operations: liveness, readiness (also when the database is closed or its
//! migrations are behind), Prometheus metrics and request ids. The limits
//! (rate, timeout, in-flight cap, header and body size) are in `ops_limits.rs`.

use std::sync::Arc;

use kobo_core::crypto::Vault;
use kobo_store::Store;
use kobo_store_sqlite::SqliteStore;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, test_config, Reply, TestApp};
use crate::money_helpers::{sandbox, sandbox_body, session, test_customer_with_account};

async fn public(app: &TestApp, path: &str) -> Reply {
    app.call(Method::GET, path, None, None).await
}

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_key() {
    let app = spawn_app().await;
    let h = public(&app, "/healthz").await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.body, json!({"status": "ok"}));
    let r = public(&app, "/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "ready");
}

#[tokio::test]
async fn readyz_is_503_with_retry_after_when_migrations_are_behind() {
    let app = spawn_app().await;
    let db = app.raw_db().await;
    let sql =
        "DELETE FROM schema_migration WHERE version = (SELECT MAX(version) FROM schema_migration)";
    assert_eq!(db.execute(sql, &[]).await, 1);
    let r = public(&app, "/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.body["status"], "not_ready");
    assert!(r.body["reason"].as_str().unwrap().contains("kobo migrate"));
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    // Liveness does not depend on the database.
    assert_eq!(public(&app, "/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn readyz_is_503_when_the_store_is_closed() {
    // Our own server over a store handle we can close under it (SQLite on
    // either run of the suite: closing a pool is the same on both engines).
    let dir = std::env::temp_dir().join(format!(
        "kobo-ops-{}",
        kobo_core::ids::random_alphanumeric(10)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("kobo.db").display());
    let sqlite = Arc::new(SqliteStore::open(&url).await.unwrap());
    sqlite.migrate().await.unwrap();
    let made = kobo_server::provision::create_business(sqlite.as_ref(), "Ops")
        .await
        .unwrap();
    let store: Arc<dyn Store> = sqlite.clone();
    let vault = Vault::from_base64(&Vault::generate_key_base64()).unwrap();
    let state = kobo_server::AppState::with_config(store, vault, test_config());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kobo_server::serve(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let get = |path: &str, key: Option<&str>| {
        let mut req = client.get(format!("{base}{path}"));
        if let Some(k) = key {
            req = req.header("DPPRIVATEKEY", k);
        }
        req.send()
    };
    assert_eq!(get("/readyz", None).await.unwrap().status(), StatusCode::OK);
    sqlite.close().await;
    let r = Reply::from(get("/readyz", None).await.unwrap()).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.body["status"], "not_ready");
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(
        get("/healthz", None).await.unwrap().status(),
        StatusCode::OK
    );
    // An API call answers 503 service_unavailable with Retry-After, not a 500.
    let r = Reply::from(
        get("/api/v1/customers", Some(&made.test.private_key))
            .await
            .unwrap(),
    )
    .await;
    r.assert_error(503, "service_unavailable");
    assert!(r.headers.contains_key("retry-after"));
    let _ = tx.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The value of the series `line_start` (the text before the value) in `text`.
fn series(text: &str, line_start: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(line_start)?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_latency_inflows_and_ledger_totals() {
    let app = spawn_app().await;
    let (code, account) = test_customer_with_account(&app, "METRICS-1").await;
    let r = sandbox(&app, &sandbox_body(&session(3), &account, 150_000)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.get(&format!("/api/v1/customers/{code}")).await;
    app.get("/api/v1/customers/%22%7D%20evil_series%7B").await;
    app.call(
        Method::from_bytes(b"KOBOFAKEMETHOD").unwrap(),
        "/healthz",
        None,
        None,
    )
    .await;
    let resp = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    let created =
        r#"kobo_http_requests_total{route="/api/v1/customers",method="POST",status="201"}"#;
    assert_eq!(series(&text, created), Some(1.0), "{text}");
    let fetched = r#"kobo_http_requests_total{route="/api/v1/customers/{identifier}",method="GET",status="200"}"#;
    assert_eq!(series(&text, fetched), Some(1.0), "{text}");
    let inf = r#"kobo_http_request_duration_seconds_bucket{route="/api/v1/customers",le="+Inf"}"#;
    assert_eq!(series(&text, inf), Some(1.0), "{text}");
    assert!(text.contains(
        r#"kobo_http_request_duration_seconds_bucket{route="/api/v1/customers",le="0.005"}"#
    ));
    assert!(text.contains(
        r#"kobo_http_request_duration_seconds_count{route="/api/v1/sandbox/inflows"} 1"#
    ));
    assert!(text.contains("# TYPE kobo_http_request_duration_seconds histogram"));
    assert_eq!(
        series(&text, r#"kobo_inflows_total{outcome="credited"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        series(&text, r#"kobo_inflows_total{outcome="suspense"}"#),
        Some(0.0)
    );
    let ledger: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("kobo_ledger_balance_kobo{"))
        .collect();
    assert!(
        ledger
            .iter()
            .any(|l| l.contains(r#"mode="test""#) && l.ends_with(" 150000")),
        "{text}"
    );
    let sum: f64 = ledger
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(sum, 0.0, "double entry: the totals cancel out: {ledger:?}");
    // Labels come from route templates and known methods only: what a client
    // puts in a path or method never becomes a series of its own.
    assert!(!text.contains("evil_series"), "{text}");
    assert!(!text.contains("KOBOFAKEMETHOD"), "{text}");
    // Every line is a comment or `name{labels} number`.
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        assert!(
            name.starts_with("kobo_") && (!name.contains('{') || name.ends_with('}')),
            "{line}"
        );
    }
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = spawn_app().await;
    let send = |id: Option<reqwest::header::HeaderValue>, path: &'static str| {
        let mut req = app
            .client
            .get(format!("{}{path}", app.base))
            .header("DPPRIVATEKEY", &app.test_key);
        if let Some(v) = id {
            req = req.header("x-request-id", v);
        }
        req.send()
    };
    let hv = |s: &[u8]| Some(reqwest::header::HeaderValue::from_bytes(s).unwrap());
    for path in [
        "/api/v1/customers",
        "/api/v1/customers/nobody",
        "/healthz",
        "/nowhere",
    ] {
        let r = send(hv(b"abc-123_XYZ.789"), path).await.unwrap();
        assert_eq!(r.headers()["x-request-id"], "abc-123_XYZ.789", "{path}");
        let long = "a".repeat(128);
        let r = send(hv(long.as_bytes()), path).await.unwrap();
        assert_eq!(
            r.headers()["x-request-id"],
            long.as_str(),
            "128 characters are fine"
        );
        let too_long = "a".repeat(200);
        let invalid: [&[u8]; 5] = [
            too_long.as_bytes(),
            b"has spaces",
            b"",
            b"caf\xc3\xa9",
            b"tab\there",
        ];
        let mut seen = std::collections::HashSet::new();
        for bad in [None].into_iter().chain(invalid.iter().map(|b| hv(b))) {
            let r = send(bad.clone(), path).await.unwrap();
            let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
            assert!(
                id.starts_with("req_") && id.len() > 12,
                "{path} {bad:?}: {id}"
            );
            assert!(id[4..].chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
            assert!(seen.insert(id), "each request gets its own id");
        }
    }
}
