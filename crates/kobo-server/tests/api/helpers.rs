//! `spawn_app()`: a real kobo server on a random port over a fresh SQLite
//! database, with a business whose keys the test can use.

use std::path::PathBuf;
use std::sync::Arc;

use kobo_core::crypto::Vault;
use kobo_store::Store;
use kobo_store_sqlite::SqliteStore;
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
    dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A response: status, headers and the parsed JSON body (Null when not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub async fn spawn_app() -> TestApp {
    let dir = std::env::temp_dir().join(format!(
        "kobo-test-{}",
        kobo_core::ids::random_alphanumeric(12)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("kobo.db").display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.expect("open sqlite"));
    store.migrate().await.expect("migrate");
    let made = kobo_server::provision::create_business(store.as_ref(), "Test Business")
        .await
        .expect("business");
    let vault = Vault::from_base64(&Vault::generate_key_base64()).unwrap();
    let state = kobo_server::AppState::new(store.clone(), vault);
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
        dir,
        shutdown: Some(tx),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestApp {
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
