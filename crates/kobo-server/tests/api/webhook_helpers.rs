//! Shared by the webhook tests: an app with a fast retry schedule and a
//! receiver, reading events and attempts through the API, signature checks
//! written independently of kobo's signing code, and the final check every
//! webhook test ends with (no event left pending, no unexpected failure).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use kobo_server::state::ServerConfig;
use kobo_server::webhooks::WebhookConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha512;

use crate::helpers::{spawn_app_with, test_config, TestApp};
use crate::webhook_receiver::{Behaviour, Received, Receiver};

pub const WEBHOOKS: &str = "/api/v1/webhooks";

/// The test schedule: retries after 50, 100 and 150 ms; 4 attempts in all.
pub fn schedule() -> Vec<Duration> {
    [50, 100, 150].map(Duration::from_millis).to_vec()
}

/// [`test_config`] with fast webhooks.
pub fn fast_config(allow_private: bool) -> ServerConfig {
    ServerConfig {
        webhooks: WebhookConfig {
            allow_private,
            schedule: schedule(),
            timeout: Duration::from_secs(1),
            poll_interval: Duration::from_millis(20),
            ..WebhookConfig::default()
        },
        ..test_config()
    }
}

/// An app, a receiver, and the test mode's secret. Must end with
/// [`Hooked::finish`]: dropping it unchecked fails the test.
pub struct Hooked {
    pub app: TestApp,
    pub rx: Receiver,
    pub secret: String,
    checked: bool,
}

impl Hooked {
    /// Private destinations allowed, the test URL pointing at a receiver answering 200.
    pub async fn start() -> Hooked {
        Hooked::start_with(Behaviour::Status(200)).await
    }

    pub async fn start_with(behaviour: Behaviour) -> Hooked {
        let mut h = Hooked::bare(true, behaviour).await;
        h.secret = set_url(&h.app, &h.app.test_key, &h.rx.url()).await["secret"]
            .as_str()
            .unwrap()
            .to_string();
        h
    }

    /// No URL set; `allow_private` as given.
    pub async fn bare(allow_private: bool, behaviour: Behaviour) -> Hooked {
        Hooked::bare_with(fast_config(allow_private), behaviour).await
    }

    /// No URL set, the server configured with `config`.
    pub async fn bare_with(config: ServerConfig, behaviour: Behaviour) -> Hooked {
        let app = spawn_app_with(config).await;
        let rx = Receiver::start_with(behaviour).await;
        let secret = settings(&app, &app.test_key).await["secret"]
            .as_str()
            .unwrap()
            .to_string();
        Hooked {
            app,
            rx,
            secret,
            checked: false,
        }
    }

    /// Test-mode events, oldest first.
    pub async fn events(&self, status: Option<&str>) -> Vec<Value> {
        events(&self.app, &self.app.test_key, status).await
    }

    /// The one test-mode event of this type.
    pub async fn event(&self, kind: &str) -> Value {
        let all: Vec<Value> = self
            .events(None)
            .await
            .into_iter()
            .filter(|e| e["event"] == kind)
            .collect();
        assert_eq!(all.len(), 1, "one {kind}: {all:?}");
        all[0].clone()
    }

    pub async fn attempts(&self, id: &str) -> Vec<Value> {
        attempts(&self.app, &self.app.test_key, id).await
    }

    /// Waits (up to 10 s) until the test-mode event `id` has `status`.
    pub async fn wait_status(&self, id: &str, status: &str) -> Value {
        wait_status(&self.app, &self.app.test_key, id, status).await
    }

    /// The request carrying event `kind` (waits for it, up to 10 s).
    pub async fn delivery(&self, kind: &str) -> Received {
        let started = Instant::now();
        loop {
            if let Some(r) = self
                .rx
                .requests()
                .into_iter()
                .find(|r| r.json()["event"] == kind)
            {
                return r;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no {kind} arrived"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The final check: nothing left pending in either mode, and exactly
    /// `failed` (public ids) failed.
    pub async fn finish(mut self, failed: &[&str]) {
        self.checked = true;
        settle(&self.app, failed).await;
    }
}

impl Drop for Hooked {
    fn drop(&mut self) {
        if !self.checked && !std::thread::panicking() {
            panic!("a webhook test ended without Hooked::finish (its final check)");
        }
    }
}

/// Waits (up to 10 s) for both modes to have no pending event, then asserts
/// that the failed events are exactly `failed`.
pub async fn settle(app: &TestApp, failed: &[&str]) {
    let started = Instant::now();
    for key in [&app.test_key, &app.live_key] {
        loop {
            let pending = events(app, key, Some("pending")).await;
            if pending.is_empty() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "events still pending at the end of the test: {pending:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let mut seen = BTreeSet::new();
    for key in [&app.test_key, &app.live_key] {
        for e in events(app, key, Some("failed")).await {
            seen.insert(e["id"].as_str().unwrap().to_string());
        }
    }
    let expected: BTreeSet<String> = failed.iter().map(|s| s.to_string()).collect();
    assert_eq!(seen, expected, "failed events");
}

/// `GET /api/v1/webhooks` with `key`, asserting 200; returns `data`.
pub async fn settings(app: &TestApp, key: &str) -> Value {
    let r = app.call(Method::GET, WEBHOOKS, Some(key), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].clone()
}

/// `PUT /api/v1/webhooks {"url"}` with `key`, asserting 200; returns `data`.
pub async fn set_url(app: &TestApp, key: &str, url: &str) -> Value {
    let r = app
        .call(
            Method::PUT,
            WEBHOOKS,
            Some(key),
            Some(&json!({ "url": url })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
    assert_eq!(r.body["data"]["url"], url, "{}", r.body);
    r.body["data"].clone()
}

/// Events of `key`'s mode (optionally with `status`), oldest first.
pub async fn events(app: &TestApp, key: &str, status: Option<&str>) -> Vec<Value> {
    let query = status.map(|s| format!("&status={s}")).unwrap_or_default();
    let path = format!("{WEBHOOKS}/events?per_page=100{query}");
    let r = app.call(Method::GET, &path, Some(key), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut list = r.body["data"]["data"].as_array().expect("a list").clone();
    list.reverse();
    list
}

/// `GET …/events/{id}/attempts`, asserting 200.
pub async fn attempts(app: &TestApp, key: &str, id: &str) -> Vec<Value> {
    let path = format!("{WEBHOOKS}/events/{id}/attempts");
    let r = app.call(Method::GET, &path, Some(key), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].as_array().expect("a list").clone()
}

/// `POST …/events/{id}/retry`, asserting 200.
pub async fn retry(app: &TestApp, key: &str, id: &str) {
    let path = format!("{WEBHOOKS}/events/{id}/retry");
    let r = app.call(Method::POST, &path, Some(key), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "pending", "{}", r.body);
}

/// Waits (up to 10 s) until event `id` has `status`; returns the event.
pub async fn wait_status(app: &TestApp, key: &str, id: &str, status: &str) -> Value {
    let started = Instant::now();
    loop {
        let all = events(app, key, None).await;
        let e = all
            .iter()
            .find(|e| e["id"] == id)
            .expect("the event is listed");
        if e["status"] == status {
            return e.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "event {id} did not become {status}: {e}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Standard Webhooks verification by the `standardwebhooks` crate.
pub fn standard_ok(secret: &str, r: &Received, body: &[u8]) -> bool {
    let hook = standardwebhooks::Webhook::new(secret).expect("a whsec_ secret");
    hook.verify(body, &r.headers).is_ok()
}

/// `x-kobo-signature`: hex HMAC-SHA512 of the raw body keyed with the whole secret string.
pub fn kobo_ok(secret: &str, r: &Received, body: &[u8]) -> bool {
    let Ok(given) = hex::decode(r.header("x-kobo-signature")) else {
        return false;
    };
    let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// Both signatures verify for `secret` over the body as received.
pub fn assert_signed(secret: &str, r: &Received) {
    assert!(standard_ok(secret, r, &r.body), "webhook-signature");
    assert!(kobo_ok(secret, r, &r.body), "x-kobo-signature");
}

/// The `/metrics` value of `kobo_webhook_backlog`.
pub async fn backlog_metric(app: &TestApp) -> u64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("kobo_webhook_backlog "))
        .unwrap_or_else(|| panic!("no kobo_webhook_backlog in {text}"));
    line["kobo_webhook_backlog ".len()..]
        .trim()
        .parse()
        .unwrap()
}
