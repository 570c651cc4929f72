//! `spawn_app()`: a real kobo server on a random port over a fresh SQLite
//! database, with a business whose keys the test can use.

use std::sync::Arc;

use kobo_core::crypto::Vault;
use kobo_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub business_id: i64,
    pub test_key: String,
    pub test_public_key: String,
    pub live_key: String,
    pub live_public_key: String,
    db: crate::engine::TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A response: status, headers and the parsed JSON body (Null when not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// The partner bank's signing secret in every test app.
pub const PROVIDER_SECRET: &str = "test-provider-secret";

/// The configuration every test app starts with: the provider door open with
/// [`PROVIDER_SECRET`], everything else at its default.
pub fn test_config() -> kobo_server::state::ServerConfig {
    kobo_server::state::ServerConfig {
        provider_secret: Some(PROVIDER_SECRET.to_string()),
        ..Default::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_config()).await
}

/// A test app with its own settings (limits, webhooks…); start from [`test_config`].
pub async fn spawn_app_with(config: kobo_server::state::ServerConfig) -> TestApp {
    let db = crate::engine::TestDb::create().await;
    let store: Arc<dyn Store> = db.store().await;
    let made = kobo_server::provision::create_business(store.as_ref(), "Test Business")
        .await
        .expect("business");
    let vault = Vault::from_base64(&Vault::generate_key_base64()).unwrap();
    let state = kobo_server::AppState::with_config(store.clone(), vault, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        kobo_server::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestApp {
        base,
        client: reqwest::Client::new(),
        store,
        business_id: made.business.id,
        test_key: made.test.private_key,
        test_public_key: made.test.public_key,
        live_key: made.live.private_key,
        live_public_key: made.live.public_key,
        db,
        shutdown: Some(tx),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
    /// The URL of this app's database (either engine).
    pub fn db_url(&self) -> String {
        self.db.url()
    }

    /// Plain SQL on this app's database (see [`crate::engine::RawDb`]).
    pub async fn raw_db(&self) -> crate::engine::RawDb {
        self.db.raw().await
    }

    /// Sends `method path` with `key` (if any) and a JSON body (if any).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(k) = key {
            req = req.header("DPPRIVATEKEY", k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Reply::from(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, Some(&self.test_key), None)
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(&self.test_key), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::PATCH, path, Some(&self.test_key), Some(body))
            .await
    }

    /// Creates a wallet customer in test mode and returns its JSON.
    pub async fn create_customer(&self, reference: &str) -> Value {
        let r = self
            .post("/api/v1/customers", &customer_body(reference))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["data"].clone()
    }
}

impl Reply {
    pub async fn from(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Asserts an error envelope with this status and code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.body["success"], false, "{}", self.body);
        assert_eq!(self.body["status"], false, "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(self.body["type"].is_string());
        assert!(self.body["errors"].is_object());
    }
}

/// A valid individual customer body with a unique email.
pub fn customer_body(reference: &str) -> Value {
    serde_json::json!({
        "first_name": "Ada",
        "last_name": "Obi",
        "email": format!("{}@example.com", reference.to_lowercase()),
        "reference": reference,
        "phone": "08012345678",
    })
}

impl TestApp {
    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::PUT, path, Some(&self.test_key), Some(body))
            .await
    }

    /// `GET /api/v1/customers` with `query` (properly encoded) and `key`.
    pub async fn list_with(&self, key: &str, query: &[(&str, &str)]) -> Reply {
        let qs = serde_urlencoded::to_string(query).unwrap();
        self.call(
            Method::GET,
            &format!("/api/v1/customers?{qs}"),
            Some(key),
            None,
        )
        .await
    }

    /// `GET /api/v1/customers` in test mode with `query`.
    pub async fn list(&self, query: &[(&str, &str)]) -> Reply {
        self.list_with(&self.test_key, query).await
    }

    /// The number of customers the list reports for `key`'s business and mode.
    pub async fn total_for(&self, key: &str) -> u64 {
        let r = self.list_with(key, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["data"]["total"].as_u64().expect("total")
    }

    /// The number of test-mode customers.
    pub async fn total(&self) -> u64 {
        self.total_for(&self.test_key).await
    }

    /// The code of the default collection wallet in `key`'s mode.
    pub async fn default_wallet_code(&self, key: &str) -> String {
        let r = self
            .call(Method::GET, "/api/v1/collection-wallets", Some(key), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let wallets = r.body["data"].as_array().expect("wallet list");
        let default = wallets
            .iter()
            .find(|w| w["is_default"] == true)
            .expect("a default wallet");
        default["code"].as_str().unwrap().to_string()
    }
}

/// A second business in the same store, with its own keys.
pub async fn second_business(app: &TestApp) -> kobo_server::provision::Provisioned {
    kobo_server::provision::create_business(app.store.as_ref(), "Other Business")
        .await
        .expect("second business")
}

/// The field names of an error envelope's `errors`, sorted.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}
