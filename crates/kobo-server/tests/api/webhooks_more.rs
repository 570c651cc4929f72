//! Delivery: retries on the (fast) schedule with the same id and bytes,
//! attempts with status, latency and a 1 KiB excerpt, failure after the
//! schedule, manual retry, timeouts, per-customer order, and the backlog metric.

use std::time::Duration;

use serde_json::{json, Value};

use crate::money_helpers::*;
use crate::webhook_helpers::*;
use crate::webhook_receiver::Behaviour;

/// Asserts the gaps between arrivals are at least the schedule's delays.
fn assert_spacing(arrivals: &[std::time::Instant]) {
    for (i, pair) in arrivals.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= schedule()[i],
            "retry {i} came after {gap:?}, before {:?}",
            schedule()[i]
        );
    }
}

#[tokio::test]
async fn two_failures_then_success_make_three_attempts() {
    let h = Hooked::start_with(Behaviour::FailTimes(2)).await;
    h.rx.respond_with_body("x".repeat(5 * 1024));
    h.app.create_customer("RETRY-1").await;
    let seen = h.rx.wait_for(3).await;
    let event = h.event("customer.created").await;
    let id = event["id"].as_str().unwrap();
    let event = h.wait_status(id, "delivered").await;
    assert_eq!(event["attempts"], 3);
    assert!(event["delivered_at"].is_string(), "{event}");
    assert!(event["next_attempt_at"].is_null(), "{event}");
    // Every try carries the same id and the same bytes, each freshly signed.
    for r in &seen {
        assert_eq!(r.header("webhook-id"), id);
        assert_eq!(r.body, seen[0].body, "the payload is frozen");
        assert_signed(&h.secret, r);
    }
    assert_spacing(&seen.iter().map(|r| r.at).collect::<Vec<_>>());
    let tries = h.attempts(id).await;
    let statuses: Vec<Value> = tries.iter().map(|a| a["http_status"].clone()).collect();
    assert_eq!(statuses, [json!(500), json!(500), json!(200)]);
    for a in &tries {
        assert!(a["latency_ms"].as_i64().is_some_and(|l| l >= 0), "{a}");
        assert!(a["attempted_at"].is_string(), "{a}");
        assert_eq!(a["url"], h.rx.url());
        assert!(a["error"].is_null(), "{a}");
        let excerpt = a["response_excerpt"].as_str().unwrap();
        assert_eq!(excerpt.len(), 1024, "the first 1 KiB of a 5 KiB answer");
    }
    assert_eq!(h.rx.count(), 3);
    h.finish(&[]).await;
}

#[tokio::test]
async fn a_receiver_that_always_fails_exhausts_the_schedule_then_retry_delivers() {
    let h = Hooked::start_with(Behaviour::Status(503)).await;
    h.app.create_customer("FAIL-1").await;
    let id = h.event("customer.created").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = h.wait_status(&id, "failed").await;
    let expected = schedule().len() + 1;
    assert_eq!(failed["attempts"], expected as u64);
    h.rx.assert_stays_at(expected, Duration::from_millis(400))
        .await;
    let seen = h.rx.requests();
    assert_spacing(&seen.iter().map(|r| r.at).collect::<Vec<_>>());
    let tries = h.attempts(&id).await;
    assert_eq!(tries.len(), expected);
    assert!(tries.iter().all(|a| a["http_status"] == 503), "{tries:?}");
    // Status filters.
    assert_eq!(h.events(Some("failed")).await.len(), 1);
    assert!(h.events(Some("pending")).await.is_empty());
    assert!(h.events(Some("delivered")).await.is_empty());
    let r = h.app.get(&format!("{WEBHOOKS}/events?status=lost")).await;
    r.assert_error(400, "validation_failed");
    // A manual retry sends it again at once; still failing, it fails again.
    retry(&h.app, &h.app.test_key, &id).await;
    h.rx.wait_for(expected + 1).await;
    h.wait_status(&id, "failed").await;
    // Once the receiver recovers, a retry delivers the same event.
    h.rx.set(Behaviour::Status(200));
    retry(&h.app, &h.app.test_key, &id).await;
    let all = h.rx.wait_for(expected + 2).await;
    h.wait_status(&id, "delivered").await;
    assert!(all
        .iter()
        .all(|r| r.header("webhook-id") == id && r.body == all[0].body));
    assert_eq!(h.events(Some("delivered")).await.len(), 1);
    let r = h
        .app
        .post(&format!("{WEBHOOKS}/events/evt_nope/retry"), &json!({}))
        .await;
    r.assert_error(404, "not_found");
    h.finish(&[]).await;
}

#[tokio::test]
async fn a_hanging_receiver_times_out_and_the_retry_delivers() {
    let h = Hooked::start_with(Behaviour::Hang(Duration::from_secs(5))).await;
    h.app.create_customer("HANG-1").await;
    h.rx.wait_for(1).await;
    let id = h.event("customer.created").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // While the first try hangs, the event is pending and counted as backlog.
    assert_eq!(h.events(Some("pending")).await.len(), 1);
    assert!(backlog_metric(&h.app).await >= 1);
    h.rx.set(Behaviour::Status(200));
    h.wait_status(&id, "delivered").await;
    let tries = h.attempts(&id).await;
    assert_eq!(tries.len(), 2, "{tries:?}");
    assert_eq!(tries[0]["error"], "timed out", "{tries:?}");
    assert!(tries[0]["http_status"].is_null());
    let latency = tries[0]["latency_ms"].as_i64().unwrap();
    assert!(
        (900..4_000).contains(&latency),
        "about the 1 s timeout: {latency}"
    );
    assert_eq!(tries[1]["http_status"], 200);
    assert_eq!(backlog_metric(&h.app).await, 0);
    h.finish(&[]).await;
}

#[tokio::test]
async fn events_of_one_customer_arrive_in_order() {
    let h = Hooked::start().await;
    let (code, account) = test_customer_with_account(&h.app, "ORDER-1").await;
    let path = format!("/api/v1/customers/{code}");
    for name in ["Bola", "Chika", "Dayo"] {
        let r = h.app.patch(&path, &json!({ "first_name": name })).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    for n in 0..3 {
        sandbox(
            &h.app,
            &sandbox_body(&session(700 + n), &account, 1_000 + n as i64),
        )
        .await;
    }
    let listed = h.events(None).await;
    assert_eq!(listed.len(), 8, "{listed:?}");
    let seen = h.rx.wait_for(8).await;
    let arrived: Vec<Value> = seen.iter().map(|r| r.json()["id"].clone()).collect();
    let created: Vec<Value> = listed.iter().map(|e| e["id"].clone()).collect();
    assert_eq!(arrived, created, "arrival order is creation order");
    let names: Vec<Value> = seen
        .iter()
        .filter(|r| r.json()["event"] == "customer.updated")
        .map(|r| r.json()["data"]["first_name"].clone())
        .collect();
    assert_eq!(names.len(), 3);
    assert_eq!(h.rx.count(), 8, "each delivered once");
    h.finish(&[]).await;
}

#[tokio::test]
async fn without_a_url_the_event_fails_at_once_and_retry_delivers_it_later() {
    let h = Hooked::bare(true, Behaviour::Status(200)).await;
    h.app.create_customer("NOURL-1").await;
    let id = h.event("customer.created").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.wait_status(&id, "failed").await;
    let tries = h.attempts(&id).await;
    assert_eq!(tries.len(), 1, "{tries:?}");
    let error = tries[0]["error"].as_str().unwrap();
    assert!(error.contains("no webhook URL"), "{error}");
    assert!(tries[0]["http_status"].is_null() && tries[0]["url"].is_null());
    set_url(&h.app, &h.app.test_key, &h.rx.url()).await;
    assert_eq!(h.rx.count(), 0, "setting a URL does not resend by itself");
    retry(&h.app, &h.app.test_key, &id).await;
    let r = h.delivery("customer.created").await;
    assert_signed(&h.secret, &r);
    h.wait_status(&id, "delivered").await;
    assert_eq!(h.attempts(&id).await.len(), 2);
    h.finish(&[]).await;
}
