//! Private destinations are refused before any connection when not allowed:
//! a literal private address (set in the store, past the API's own check)
//! and a name resolving to loopback. Also: many events at once, each
//! delivered exactly once.

use std::collections::BTreeSet;
use std::time::Duration;

use kobo_core::Mode;
use kobo_store::Scope;
use serde_json::Value;

use crate::helpers::{customer_body, TestApp};
use crate::webhook_helpers::*;
use crate::webhook_receiver::Behaviour;

/// Points the test mode at `url` straight in the store (no API check).
async fn store_url(app: &TestApp, url: &str) {
    let scope = Scope {
        business_id: app.business_id,
        mode: Mode::Test,
    };
    let secret = settings(app, &app.test_key).await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    app.store
        .set_webhook_url(scope, Some(url.into()), &secret)
        .await
        .unwrap();
}

/// Waits for the event to fail and checks every attempt was refused before a request.
async fn assert_refused_every_time(h: &Hooked, id: &str) {
    h.wait_status(id, "failed").await;
    let tries = h.attempts(id).await;
    assert_eq!(tries.len(), schedule().len() + 1, "{tries:?}");
    for a in &tries {
        let error = a["error"].as_str().unwrap_or_default();
        assert!(error.contains("refused"), "{a}");
        assert!(a["http_status"].is_null(), "{a}");
        assert!(a["response_excerpt"].is_null(), "{a}");
    }
}

#[tokio::test]
async fn a_literal_private_address_is_refused_before_connecting() {
    let h = Hooked::bare(false, Behaviour::Status(200)).await;
    // Never reached: the address is refused before a socket is opened.
    store_url(&h.app, "http://10.255.255.1/x").await;
    h.app.create_customer("PRIV-1").await;
    let id = h.event("customer.created").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_refused_every_time(&h, &id).await;
    let tries = h.attempts(&id).await;
    assert!(
        tries.iter().all(|a| a["url"].is_null()),
        "no request was built: {tries:?}"
    );
    assert!(
        tries
            .iter()
            .all(|a| a["latency_ms"].as_i64().unwrap() < 500),
        "{tries:?}"
    );
    h.finish(&[&id]).await;
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_and_nothing_arrives() {
    let h = Hooked::bare(false, Behaviour::Status(200)).await;
    store_url(&h.app, &format!("http://localhost:{}/hook", h.rx.port())).await;
    h.app.create_customer("PRIV-2").await;
    let id = h.event("customer.created").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_refused_every_time(&h, &id).await;
    h.rx.assert_stays_at(0, Duration::from_millis(200)).await;
    h.finish(&[&id]).await;
}

#[tokio::test]
async fn the_same_name_is_delivered_when_private_destinations_are_allowed() {
    let h = Hooked::bare(true, Behaviour::Status(200)).await;
    let url = format!("http://localhost:{}/hook", h.rx.port());
    set_url(&h.app, &h.app.test_key, &url).await;
    h.app.create_customer("PRIV-3").await;
    let r = h.delivery("customer.created").await;
    assert_signed(&h.secret, &r);
    h.finish(&[]).await;
}

#[tokio::test]
async fn many_events_at_once_are_each_delivered_exactly_once() {
    let h = Hooked::start().await;
    assert_eq!(backlog_metric(&h.app).await, 0);
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (client, key) = (h.app.client.clone(), h.app.test_key.clone());
        let url = format!("{}/api/v1/customers", h.app.base);
        creates.spawn(async move {
            let body = customer_body(&format!("MANY-{i}"));
            let r = client
                .post(url)
                .header("DPPRIVATEKEY", key)
                .json(&body)
                .send()
                .await;
            assert_eq!(r.unwrap().status(), 201);
        });
    }
    while let Some(done) = creates.join_next().await {
        done.unwrap();
    }
    let seen = h.rx.wait_for(40).await;
    let ids: BTreeSet<String> = seen.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), 40, "no duplicates among the first 40");
    h.rx.assert_stays_at(40, Duration::from_millis(200)).await;
    settle(&h.app, &[]).await;
    let delivered: Vec<Value> = h.events(Some("delivered")).await;
    assert_eq!(delivered.len(), 40);
    assert_eq!(backlog_metric(&h.app).await, 0);
    h.finish(&[]).await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let h = Hooked::start_with(Behaviour::Status(200)).await;
    // The receiver sends every request elsewhere on itself; a follower would
    // show up there (and could be led to a private address that way).
    h.rx.set(Behaviour::Redirect(format!(
        "http://{}/elsewhere",
        h.rx.addr
    )));
    h.app.create_customer("REDIR-1").await;
    let id = h.event("customer.created").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.wait_status(&id, "failed").await;
    let tries = h.attempts(&id).await;
    assert!(tries.iter().all(|a| a["http_status"] == 307), "{tries:?}");
    assert!(h.rx.requests().iter().all(|r| r.path == "/hook"));
    h.finish(&[&id]).await;
}

#[tokio::test]
async fn a_hanging_receiver_does_not_hold_up_other_deliveries() {
    // Live events go to a receiver that hangs past a 4 s timeout; test
    // events go to a healthy one and must not wait for the hung sends.
    let mut config = fast_config(true);
    config.webhooks.timeout = Duration::from_secs(4);
    let mut h = Hooked::bare_with(config, Behaviour::Status(200)).await;
    h.secret = set_url(&h.app, &h.app.test_key, &h.rx.url()).await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let slow =
        crate::webhook_receiver::Receiver::start_with(Behaviour::Hang(Duration::from_secs(30)))
            .await;
    set_url(&h.app, &h.app.live_key, &slow.url()).await;
    crate::money_helpers::create_customer_with(&h.app, &h.app.live_key, "SLOW-1").await;
    slow.wait_for(1).await;
    for i in 0..5 {
        let started = std::time::Instant::now();
        h.app.create_customer(&format!("FAST-{i}")).await;
        h.rx.wait_for(i + 1).await;
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "test event {i} waited {took:?} behind a hung live delivery"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    slow.set(Behaviour::Status(200));
    let live = events(&h.app, &h.app.live_key, None).await;
    let live_id = live[0]["id"].as_str().unwrap();
    wait_status(&h.app, &h.app.live_key, live_id, "delivered").await;
    h.finish(&[]).await;
}
