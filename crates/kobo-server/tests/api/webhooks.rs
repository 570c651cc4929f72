//! Webhook settings and signatures: a `whsec_` secret per mode, URLs set per
//! mode and checked, rotation, and deliveries verified by implementations
//! independent of kobo's (the `standardwebhooks` crate; HMAC-SHA512 here).

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::spawn_app_with;
use crate::webhook_helpers::*;
use crate::webhook_receiver::Received;

/// The body is exactly `{"event", "id", "created_at", "data"}` with `id` the
/// `webhook-id`; returns `data`.
pub fn envelope(r: &Received, kind: &str) -> Value {
    let body = r.json();
    let mut keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["created_at", "data", "event", "id"], "{body}");
    assert_eq!(body["event"], kind, "{body}");
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with("evt_"), "{id}");
    assert_eq!(r.header("webhook-id"), id);
    let created = body["created_at"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(created).expect("RFC 3339 created_at");
    assert!(r.header("content-type").starts_with("application/json"));
    body["data"].clone()
}

fn secret_bytes(secret: &str) -> Vec<u8> {
    let b64 = secret.strip_prefix("whsec_").expect("whsec_ prefix");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64")
}

#[tokio::test]
async fn each_mode_has_its_own_whsec_secret_and_url() {
    let h = Hooked::bare(true, crate::webhook_receiver::Behaviour::Status(200)).await;
    let app = &h.app;
    let test = settings(app, &app.test_key).await;
    let live = settings(app, &app.live_key).await;
    assert_eq!(test["mode"], "test");
    assert_eq!(live["mode"], "live");
    assert!(test["url"].is_null() && live["url"].is_null());
    let (ts, ls) = (
        test["secret"].as_str().unwrap(),
        live["secret"].as_str().unwrap(),
    );
    assert_eq!(secret_bytes(ts).len(), 32);
    assert_eq!(secret_bytes(ls).len(), 32);
    assert_ne!(ts, ls);
    // Reading again returns the same secret.
    assert_eq!(settings(app, &app.test_key).await["secret"], ts);
    // PUT sets the URL of the key's mode only and keeps the secret.
    let put = set_url(app, &app.test_key, &h.rx.url()).await;
    assert_eq!(put["secret"], ts);
    assert_eq!(settings(app, &app.test_key).await["url"], h.rx.url());
    assert!(settings(app, &app.live_key).await["url"].is_null());
    let live_url = format!("http://{}/live", h.rx.addr);
    set_url(app, &app.live_key, &live_url).await;
    assert_eq!(settings(app, &app.test_key).await["url"], h.rx.url());
    // Public keys cannot read secrets.
    let r = app
        .call(Method::GET, WEBHOOKS, Some(&app.test_public_key), None)
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    h.finish(&[]).await;
}

#[tokio::test]
async fn bad_urls_are_refused() {
    let h = Hooked::bare(true, crate::webhook_receiver::Behaviour::Status(200)).await;
    let long = format!("https://example.com/{}", "a".repeat(3000));
    for bad in [
        "ftp://example.com/hook",
        "http://",
        "file:///etc/passwd",
        "mailto:ops@example.com",
        "not a url",
        "/relative/path",
        long.as_str(),
    ] {
        let r = h.app.put(WEBHOOKS, &json!({ "url": bad })).await;
        r.assert_error(400, "validation_failed");
        assert!(r.body["errors"]["url"].is_array(), "{}", r.body);
    }
    assert!(settings(&h.app, &h.app.test_key).await["url"].is_null());
    h.finish(&[]).await;
}

#[tokio::test]
async fn literal_private_addresses_are_refused_unless_allowed() {
    let strict = spawn_app_with(fast_config(false)).await;
    for bad in [
        "http://10.0.0.1/x",
        "http://127.0.0.1:1/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://192.168.0.10/hook",
        "http://[::ffff:127.0.0.1]/",
    ] {
        let r = strict.put(WEBHOOKS, &json!({ "url": bad })).await;
        r.assert_error(400, "validation_failed");
    }
    assert!(settings(&strict, &strict.test_key).await["url"].is_null());
    // A public address is accepted (nothing is sent: no event exists).
    set_url(&strict, &strict.test_key, "https://example.com/hooks/kobo").await;
    settle(&strict, &[]).await;
    // Allowed by configuration, loopback is fine.
    let lax = spawn_app_with(fast_config(true)).await;
    set_url(&lax, &lax.test_key, "http://127.0.0.1:1/").await;
    settle(&lax, &[]).await;
}

#[tokio::test]
async fn deliveries_verify_with_independent_implementations() {
    let h = Hooked::start().await;
    h.app.create_customer("SIG-1").await;
    let r = h.delivery("customer.created").await;
    envelope(&r, "customer.created");
    assert_signed(&h.secret, &r);
    assert!(r.header("webhook-signature").starts_with("v1,"));
    let ts: i64 = r.header("webhook-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60, "{ts}");
    // One changed byte, or another secret, fails both checks.
    let mut tampered = r.body.to_vec();
    let at = tampered.iter().position(|b| *b == b'S').unwrap();
    tampered[at] = b'T';
    assert!(!standard_ok(&h.secret, &r, &tampered));
    assert!(!kobo_ok(&h.secret, &r, &tampered));
    let other = settings(&h.app, &h.app.live_key).await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!standard_ok(&other, &r, &r.body));
    assert!(!kobo_ok(&other, &r, &r.body));
    // A forged id or timestamp breaks the Standard Webhooks signature.
    let mut forged = r.clone();
    forged
        .headers
        .insert("webhook-id", "evt_forged".parse().unwrap());
    assert!(!standard_ok(&h.secret, &forged, &r.body));
    let mut stale = r.clone();
    stale
        .headers
        .insert("webhook-timestamp", (ts - 1).to_string().parse().unwrap());
    assert!(!standard_ok(&h.secret, &stale, &r.body));
    h.finish(&[]).await;
}

#[tokio::test]
async fn rotation_signs_later_deliveries_with_the_new_secret() {
    let h = Hooked::start().await;
    let c = h.app.create_customer("ROT-1").await;
    let first = h.delivery("customer.created").await;
    assert_signed(&h.secret, &first);
    let r = h
        .app
        .post(&format!("{WEBHOOKS}/rotate-secret"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let new = r.body["data"]["secret"].as_str().unwrap().to_string();
    assert_ne!(new, h.secret);
    assert_eq!(secret_bytes(&new).len(), 32);
    assert_eq!(settings(&h.app, &h.app.test_key).await["secret"], new);
    assert_eq!(settings(&h.app, &h.app.test_key).await["url"], h.rx.url());
    // The live secret is untouched by a test-key rotation.
    let live = settings(&h.app, &h.app.live_key).await["secret"].clone();
    assert_ne!(live, new);
    let code = c["code"].as_str().unwrap();
    let p = h
        .app
        .patch(
            &format!("/api/v1/customers/{code}"),
            &json!({"first_name": "Bola"}),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let later = h.delivery("customer.updated").await;
    assert_signed(&new, &later);
    assert!(!standard_ok(&h.secret, &later, &later.body));
    assert!(!kobo_ok(&h.secret, &later, &later.body));
    h.finish(&[]).await;
}

#[tokio::test]
async fn live_events_go_to_the_live_url_signed_with_the_live_secret() {
    let h = Hooked::start().await;
    let live_url = format!("http://{}/live", h.rx.addr);
    let live = set_url(&h.app, &h.app.live_key, &live_url).await;
    let live_secret = live["secret"].as_str().unwrap();
    crate::money_helpers::create_customer_with(&h.app, &h.app.live_key, "LIVE-1").await;
    let r = h.delivery("customer.created").await;
    assert_eq!(r.path, "/live");
    assert_eq!(envelope(&r, "customer.created")["mode"], "live");
    assert_signed(live_secret, &r);
    assert!(!standard_ok(&h.secret, &r, &r.body));
    // Listed under the live key only.
    let id = r.json()["id"].as_str().unwrap().to_string();
    wait_status(&h.app, &h.app.live_key, &id, "delivered").await;
    assert_eq!(
        events(&h.app, &h.app.live_key, Some("delivered"))
            .await
            .len(),
        1
    );
    assert!(h.events(None).await.is_empty());
    // The other mode's key cannot see its attempts, nor retry it.
    let path = format!("{WEBHOOKS}/events/{id}/attempts");
    let denied = h.app.get(&path).await;
    denied.assert_error(404, "not_found");
    let denied = h
        .app
        .post(&format!("{WEBHOOKS}/events/{id}/retry"), &json!({}))
        .await;
    denied.assert_error(404, "not_found");
    h.finish(&[]).await;
}
