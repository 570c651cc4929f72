//! Webhooks through the real binary: `kobo business set-webhook`, and crash
//! safety: a server SIGKILLed while a delivery hangs delivers the committed
//! event after a restart on the same data folder, with the same id and bytes.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{command, kobo, kobo_fails, DataDir};
use crate::webhook_receiver::{Behaviour, Receiver};

/// The server's environment: loopback allowed, fast retries, short leases.
const ENV: [(&str, &str); 3] = [
    ("KOBO_WEBHOOKS_ALLOW_PRIVATE", "true"),
    (
        "KOBO_WEBHOOKS_RETRY_SCHEDULE",
        "200ms,200ms,200ms,200ms,200ms",
    ),
    // Raised to the 10 s send timeout + 5 s by the server.
    ("KOBO_WEBHOOKS_LEASE_SECS", "1"),
];

/// `kobo serve` that the test may kill with SIGKILL.
struct Serve {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Serve {
    async fn start(dir: &DataDir) -> Serve {
        let n = kobo_core::ids::random_alphanumeric(6);
        let out: PathBuf = dir.path().join(format!("hooks-{n}.out"));
        let err = dir.path().join(format!("hooks-{n}.err"));
        let mut child = command(dir, &["serve", "--listen", "127.0.0.1:0"])
            .envs(ENV)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.starts_with("kobo listening on ")) {
                let base = line["kobo listening on ".len()..].trim().to_string();
                let client = reqwest::Client::new();
                return Serve {
                    child,
                    base,
                    client,
                };
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("kobo serve exited with {status}: {}", read(&err));
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> Value {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("DPPRIVATEKEY", key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    /// SIGKILL: no shutdown code runs.
    fn kill9(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap();
    }

    /// SIGTERM, and waits for the exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A business made with the CLI: (id, test private key, live private key).
fn business(dir: &DataDir) -> (String, String, String) {
    let made: Value = serde_json::from_str(
        kobo(dir, &["business", "create", "--name", "Hooks", "--json"])
            .stdout
            .trim(),
    )
    .unwrap();
    let key = |m: &str| made[m]["private_key"].as_str().unwrap().to_string();
    (made["id"].to_string(), key("test"), key("live"))
}

fn set_webhook(dir: &DataDir, id: &str, mode: &str, url: &str) -> String {
    let args = [
        "business",
        "set-webhook",
        "--business",
        id,
        "--mode",
        mode,
        "--url",
        url,
    ];
    kobo(dir, &args).stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_webhook_sets_the_url_of_one_mode() {
    let dir = DataDir::new();
    let (id, test, live) = business(&dir);
    let out = set_webhook(&dir, &id, "test", "http://127.0.0.1:9/test-hooks");
    assert!(out.contains("http://127.0.0.1:9/test-hooks"), "{out}");
    let server = Serve::start(&dir).await;
    let get = reqwest::Method::GET;
    let t = server
        .call(get.clone(), "/api/v1/webhooks", &test, None)
        .await;
    assert_eq!(t["data"]["url"], "http://127.0.0.1:9/test-hooks", "{t}");
    assert!(t["data"]["secret"].as_str().unwrap().starts_with("whsec_"));
    let l = server
        .call(get.clone(), "/api/v1/webhooks", &live, None)
        .await;
    assert!(l["data"]["url"].is_null(), "{l}");
    // Clearing with an empty URL; a bad one is refused; an unknown business too.
    let out = set_webhook(&dir, &id, "test", "");
    assert!(out.contains("off"), "{out}");
    let t = server.call(get, "/api/v1/webhooks", &test, None).await;
    assert!(t["data"]["url"].is_null(), "{t}");
    let bad = [
        "business",
        "set-webhook",
        "--business",
        &id,
        "--mode",
        "live",
        "--url",
        "ftp://x.ng/",
    ];
    assert!(kobo_fails(&dir, &bad).contains("--url"));
    let missing = [
        "business",
        "set-webhook",
        "--business",
        "999",
        "--mode",
        "live",
        "--url",
        "https://x.ng/",
    ];
    assert!(kobo_fails(&dir, &missing).contains("no business with id 999"));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_delivery_delivers_after_restart() {
    let dir = DataDir::new();
    let rx = Receiver::start_with(Behaviour::Hang(Duration::from_secs(300))).await;
    let (id, test, _) = business(&dir);
    set_webhook(&dir, &id, "test", &rx.url());
    let server = Serve::start(&dir).await;
    let body =
        json!({"first_name": "Ada", "last_name": "Obi", "email": "a@x.ng", "reference": "CRASH-1"});
    server
        .call(
            reqwest::Method::POST,
            "/api/v1/customers",
            &test,
            Some(body),
        )
        .await;
    // The first delivery is in flight (the receiver holds it): kill -9.
    let first = rx.wait_for_within(1, Duration::from_secs(20)).await[0].clone();
    server.kill9();
    rx.set(Behaviour::Status(200));
    let killed_at = Instant::now();
    let server = Serve::start(&dir).await;
    // Sent again once the dead worker's lease runs out (15 s here).
    let seen = rx.wait_for_within(2, Duration::from_secs(40)).await;
    let again = &seen[1];
    assert!(
        killed_at.elapsed() >= Duration::from_secs(10),
        "the lease was honoured"
    );
    assert_eq!(again.header("webhook-id"), first.header("webhook-id"));
    assert_eq!(again.body, first.body, "same bytes after the restart");
    assert_eq!(again.json()["event"], "customer.created");
    let settings = server
        .call(reqwest::Method::GET, "/api/v1/webhooks", &test, None)
        .await;
    let secret = settings["data"]["secret"].as_str().unwrap();
    let hook = standardwebhooks::Webhook::new(secret).unwrap();
    hook.verify(&again.body, &again.headers)
        .expect("signed after the restart");
    // Delivered once more, recorded, and nothing else pending.
    let event_id = first.header("webhook-id");
    let path = format!("/api/v1/webhooks/events/{event_id}/attempts");
    let started = Instant::now();
    let attempts = loop {
        let a = server.call(reqwest::Method::GET, &path, &test, None).await;
        if a["data"].as_array().is_some_and(|l| !l.is_empty()) {
            break a["data"].as_array().unwrap().clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no attempt recorded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        attempts.len(),
        1,
        "the killed try was never recorded: {attempts:?}"
    );
    assert_eq!(attempts[0]["http_status"], 200);
    let pending = server
        .call(
            reqwest::Method::GET,
            "/api/v1/webhooks/events?status=pending",
            &test,
            None,
        )
        .await;
    assert_eq!(pending["data"]["data"], json!([]), "{pending}");
    let delivered = server
        .call(
            reqwest::Method::GET,
            "/api/v1/webhooks/events?status=delivered",
            &test,
            None,
        )
        .await;
    assert_eq!(delivered["data"]["data"][0]["id"], event_id.as_str());
    rx.assert_stays_at(2, Duration::from_millis(500)).await;
    server.stop();
}
