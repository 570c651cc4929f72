//! The webhook outbox: events commit with their change, two nodes claiming
//! at once never take the same event, and attempts move events on.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use kobo_store::*;

use crate::support::{account, business, customer, db, request, session, test_scope};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_are_claimed_once_across_nodes_and_move_on() {
    let db = db!("events_are_claimed_once_across_nodes_and_move_on");
    let other = db.node().await;
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let endpoint = db.store.webhook_endpoint(scope, "whsec_a").await.unwrap();
    assert_eq!((endpoint.url, endpoint.secret.as_str()), (None, "whsec_a"));
    let kept = db.store.webhook_endpoint(scope, "whsec_b").await.unwrap();
    assert_eq!(kept.secret, "whsec_a", "the first secret stays");
    let url = Some("https://example.com/hook".to_string());
    let set = db
        .store
        .set_webhook_url(scope, url.clone(), "x")
        .await
        .unwrap();
    assert_eq!(set.url, url);
    let rotated = db
        .store
        .rotate_webhook_secret(scope, "whsec_c")
        .await
        .unwrap();
    assert_eq!(
        (rotated.secret.as_str(), rotated.url),
        ("whsec_c", url.clone())
    );

    // 12 customers: each create commits one `customer.created` event.
    let mut last = None;
    for i in 0..12 {
        last = Some(customer(&db.store, scope, &format!("C{i}"), None).await);
    }
    let last = last.unwrap();
    let number = account(&db.store, scope, last.id).await;
    let door = Door::Sandbox { business_id: b.id };
    let posted = db
        .store
        .post_inflows(vec![request(door, &session(1), &number, 900)])
        .await
        .unwrap();
    let inflow_id = posted[0].as_ref().unwrap().inflow.id;
    // 12 `customer.created`, one `virtual_account.created`, one `inflow.received`.
    assert_eq!(db.store.webhook_backlog().await.unwrap(), 14);

    let now = Utc::now();
    let lease = now + Duration::seconds(30);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.claim_webhook_events(now, lease, 4).await
        }));
    }
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap().expect("claim"));
    }
    let ids: HashSet<i64> = claimed.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), claimed.len(), "no event handed out twice");
    // The last customer's account and inflow events wait behind its `customer.created`.
    assert_eq!(claimed.len(), 12);
    assert!(claimed.iter().all(|e| e.event_type == "customer.created"));
    assert!(db
        .store
        .claim_webhook_events(now, lease, 10)
        .await
        .unwrap()
        .is_empty());

    let first = &claimed[0];
    let frozen = db
        .store
        .freeze_webhook_payload(first.id, "{\"a\":1}")
        .await
        .unwrap();
    let again = other
        .freeze_webhook_payload(first.id, "{\"b\":2}")
        .await
        .unwrap();
    assert_eq!(
        (frozen.as_str(), again.as_str()),
        ("{\"a\":1}", "{\"a\":1}")
    );
    let attempt = |status: Option<u16>| WebhookAttempt {
        attempted_at: Utc::now(),
        url: url.clone(),
        http_status: status,
        latency_ms: 12,
        response_excerpt: Some("ok".into()),
        error: None,
    };
    for e in &claimed {
        let outcome = if e.id == first.id {
            AttemptOutcome::RetryAt(now + Duration::hours(1))
        } else {
            AttemptOutcome::Delivered
        };
        db.store
            .record_webhook_attempt(e.id, &attempt(Some(500)), outcome)
            .await
            .unwrap();
    }
    // Every customer's first event has had its attempt: the account's is due,
    // and the inflow's waits behind it.
    let account_event = other
        .claim_webhook_events(Utc::now(), lease, 10)
        .await
        .unwrap();
    assert_eq!(account_event.len(), 1);
    assert_eq!(account_event[0].event_type, "virtual_account.created");
    db.store
        .record_webhook_attempt(
            account_event[0].id,
            &attempt(Some(200)),
            AttemptOutcome::Delivered,
        )
        .await
        .unwrap();
    let next = other
        .claim_webhook_events(Utc::now(), lease, 10)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].event_type.as_str(), next[0].subject_id),
        ("inflow.received", inflow_id)
    );

    let query = EventQuery {
        status: Some(EventStatus::Delivered),
        limit: 50,
        ..Default::default()
    };
    let (delivered, total) = db.store.list_webhook_events(scope, &query).await.unwrap();
    assert_eq!((delivered.len(), total), (12, 12));
    assert!(delivered
        .iter()
        .all(|e| e.delivered_at.is_some() && e.attempts == 1));
    let tries = db
        .store
        .webhook_attempts(scope, &first.public_id)
        .await
        .unwrap();
    assert_eq!(tries.unwrap()[0].http_status, Some(500));
    assert!(db
        .store
        .webhook_attempts(scope, "evt_nope")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .retry_webhook_event(scope, &first.public_id)
        .await
        .unwrap());
    assert!(!db
        .store
        .retry_webhook_event(scope, "evt_nope")
        .await
        .unwrap());
    let due = db
        .store
        .claim_webhook_events(Utc::now(), lease, 10)
        .await
        .unwrap();
    assert!(
        due.iter().any(|e| e.id == first.id),
        "a retried event is due now"
    );
    other.close().await;
}

#[tokio::test]
async fn lookups_by_id_stay_in_their_business_and_mode() {
    let db = db!("lookups_by_id_stay_in_their_business_and_mode");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let c = customer(&db.store, scope, "C1", None).await;
    let number = account(&db.store, scope, c.id).await;
    let door = Door::Sandbox { business_id: b.id };
    let posted = db
        .store
        .post_inflows(vec![request(door, &session(1), &number, 900)])
        .await
        .unwrap();
    let inflow = posted[0].as_ref().unwrap().inflow.clone();
    let va = db.store.virtual_accounts_of(scope, &[c.id]).await.unwrap()[0].clone();
    let found = db.store.find_virtual_account(scope, va.id).await.unwrap();
    assert_eq!(found.unwrap().account_number, number);
    let found = db.store.find_inflow_by_id(scope, inflow.id).await.unwrap();
    assert_eq!(found.unwrap().session_id, inflow.session_id);
    assert!(db
        .store
        .find_one_time_account(scope, va.id)
        .await
        .unwrap()
        .is_none());
    let elsewhere = test_scope(b.id + 1);
    assert!(db
        .store
        .find_virtual_account(elsewhere, va.id)
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .find_inflow_by_id(elsewhere, inflow.id)
        .await
        .unwrap()
        .is_none());
}
