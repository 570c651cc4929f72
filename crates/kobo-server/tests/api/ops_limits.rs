//! Limits under load and abuse, each in the JSON envelope: the per-key rate
//! limit (429 + Retry-After), the request timeout (504), the in-flight cap
//! (503 + Retry-After), the header size limit (431) and the body limit (413).
//!
//! The slow request the timeout and the in-flight cap need is made
//! deterministic by a lock taken from a second connection (SQLite's write
//! lock; on PostgreSQL a lock on the customer table that stops INSERT but not
//! SELECT): a customer create then waits until the lock is released.

use std::time::{Duration, Instant};

use kobo_server::http::limits::Limits;
use reqwest::{Method, StatusCode};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::engine::Engine;
use crate::helpers::{customer_body, spawn_app, spawn_app_with, test_config, Reply, TestApp};

fn with_limits(limits: Limits) -> kobo_server::state::ServerConfig {
    kobo_server::state::ServerConfig {
        limits,
        ..test_config()
    }
}

/// Holds a lock that makes customer creates wait (reads go on) until released.
enum WriteLock {
    /// SQLite's write lock (a create waits out its busy timeout).
    Sqlite(sqlx::SqliteConnection),
    /// A lock on the customer table that conflicts with INSERT, not SELECT.
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(app: &TestApp) -> WriteLock {
        let url = app.db_url();
        match crate::engine::engine() {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                WriteLock::Sqlite(conn)
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::query("LOCK TABLE customer IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                WriteLock::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Sqlite(mut c) => {
                sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
            WriteLock::Postgres(mut c) => {
                sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
        }
    }
}

fn retry_after(r: &Reply) -> u64 {
    r.headers["retry-after"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_rate_limit_is_per_key_with_retry_after() {
    let app = spawn_app_with(with_limits(Limits {
        rate_per_second: 5,
        burst: 5,
        ..Limits::default()
    }))
    .await;
    let started = Instant::now();
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(app.get("/api/v1/customers").await);
    }
    let elapsed = started.elapsed();
    for r in &answers[..5] {
        assert_eq!(r.status, StatusCode::OK, "the burst passes: {}", r.body);
    }
    // 5 tokens a second: under 190 ms fewer than one token has come back.
    let limited = if elapsed < Duration::from_millis(190) {
        answers.pop().unwrap()
    } else {
        let mut r = answers.pop().unwrap();
        for _ in 0..20 {
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                break;
            }
            r = app.get("/api/v1/customers").await;
        }
        r
    };
    limited.assert_error(429, "rate_limited");
    assert!(retry_after(&limited) >= 1);
    // Another key has its own bucket, and public routes need no key.
    let live = app
        .call(Method::GET, "/api/v1/customers", Some(&app.live_key), None)
        .await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK
    );
    // The bucket refills.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.get("/api/v1/customers").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_request_past_the_timeout_is_504_and_writes_nothing() {
    let app = spawn_app_with(with_limits(Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    }))
    .await;
    let lock = WriteLock::take(&app).await;
    let started = Instant::now();
    let r = app
        .post("/api/v1/customers", &customer_body("SLOW-1"))
        .await;
    r.assert_error(504, "request_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered at the timeout"
    );
    lock.release().await;
    // The create was abandoned with its transaction: nothing was written.
    assert_eq!(app.total().await, 0);
    let again = app
        .post("/api/v1/customers", &customer_body("SLOW-1"))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
}

#[tokio::test]
async fn past_the_in_flight_cap_requests_are_503_with_retry_after() {
    let app = spawn_app_with(with_limits(Limits {
        max_in_flight: 1,
        ..Limits::default()
    }))
    .await;
    let lock = WriteLock::take(&app).await;
    let spawn_slow = || {
        let req = app
            .client
            .post(format!("{}/api/v1/customers", app.base))
            .header("DPPRIVATEKEY", &app.test_key)
            .json(&customer_body("INFLIGHT-1"));
        tokio::spawn(async move { Reply::from(req.send().await.unwrap()).await })
    };
    let mut slow = spawn_slow();
    // Once the slow request holds the only slot, every other request is
    // refused. (If a probe held the slot when the slow one arrived, the slow
    // one was the refused one: send it again.)
    let mut refused = None;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if slow.is_finished() {
            slow.await.unwrap().assert_error(503, "overloaded");
            slow = spawn_slow();
            continue;
        }
        let r = app.get("/api/v1/customers").await;
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let refused = refused.expect("a request was refused while the slot was held");
    refused.assert_error(503, "overloaded");
    assert!(retry_after(&refused) >= 1);
    assert!(!slow.is_finished(), "the slow request still holds the slot");
    lock.release().await;
    let done = slow.await.unwrap();
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    let after = app.get("/api/v1/customers").await;
    assert_eq!(after.status, StatusCode::OK, "the slot is free again");
    assert_eq!(after.body["data"]["total"], 1);
}

#[tokio::test]
async fn oversized_headers_are_431() {
    let app = spawn_app().await;
    let big = "h".repeat(20 * 1024);
    for path in ["/api/v1/customers", "/healthz"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .header("DPPRIVATEKEY", &app.test_key)
            .header("x-padding", &big)
            .send()
            .await
            .unwrap();
        Reply::from(resp)
            .await
            .assert_error(431, "headers_too_large");
    }
    // Many small headers add up too.
    let mut req = app.client.get(format!("{}/api/v1/customers", app.base));
    for i in 0..90 {
        req = req.header(format!("x-h{i}"), "v".repeat(200));
    }
    Reply::from(req.send().await.unwrap())
        .await
        .assert_error(431, "headers_too_large");
    // A key of the same size is refused before any lookup.
    let key = format!("PRV_DP_DEMO_{big}");
    app.call(Method::GET, "/api/v1/customers", Some(&key), None)
        .await
        .assert_error(431, "headers_too_large");
    assert_eq!(app.get("/api/v1/customers").await.status, StatusCode::OK);
}

#[tokio::test]
async fn oversized_bodies_are_413_with_or_without_a_length() {
    let app = spawn_app().await;
    let big = format!("{{\"first_name\":\"{}\"}}", "a".repeat(70 * 1024));
    let r = app
        .client
        .post(format!("{}/api/v1/customers", app.base))
        .header("DPPRIVATEKEY", &app.test_key)
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    Reply::from(r).await.assert_error(413, "payload_too_large");
    // Chunked, so no Content-Length announces the size.
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let mut request = format!(
        "POST /api/v1/customers HTTP/1.1\r\nHost: {host}\r\nDPPRIVATEKEY: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.test_key
    )
    .into_bytes();
    for chunk in big.as_bytes().chunks(8 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"payload_too_large\""),
        "{answer}"
    );
    assert_eq!(app.total().await, 0);
}
