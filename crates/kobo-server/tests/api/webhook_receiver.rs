//! A throwaway webhook receiver: an axum app on 127.0.0.1:0 that records
//! every request (headers, raw body, arrival time) and answers as told:
//! a status, 500 a number of times and then 200, or hanging past the sender's
//! timeout. Also used by the CLI tests (included there by path), so it
//! depends on nothing but axum, tokio and serde_json.
#![allow(dead_code)] // each harness uses a different part

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Received {
    /// A header's value ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// How the receiver answers the next requests.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Answer this status.
    Status(u16),
    /// Answer 500 this many more times, then 200.
    FailTimes(u32),
    /// Hold every request this long (longer than the sender's timeout), then 200.
    Hang(Duration),
    /// Answer 307 with this `Location`.
    Redirect(String),
}

struct Shared {
    log: Mutex<Vec<Received>>,
    behaviour: Mutex<Behaviour>,
    body: Mutex<String>,
}

/// The running receiver; stops when dropped.
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// A receiver answering 200.
    pub async fn start() -> Receiver {
        Receiver::start_with(Behaviour::Status(200)).await
    }

    pub async fn start_with(behaviour: Behaviour) -> Receiver {
        let shared = Arc::new(Shared {
            log: Mutex::new(Vec::new()),
            behaviour: Mutex::new(behaviour),
            body: Mutex::new("ok".into()),
        });
        let app = axum::Router::new()
            .fallback(record)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Changes how the next requests are answered.
    pub fn set(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    /// The response body sent with every answer.
    pub fn respond_with_body(&self, body: String) {
        *self.shared.body.lock().unwrap() = body;
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.log.lock().unwrap().len()
    }

    /// Waits (up to 10 s) until `n` requests have arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_for_within(n, Duration::from_secs(10)).await
    }

    pub async fn wait_for_within(&self, n: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let seen = self.requests();
            if seen.len() >= n {
                return seen;
            }
            assert!(
                started.elapsed() < limit,
                "expected {n} webhook requests within {limit:?}, got {}",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Asserts that no more than `n` requests arrive during `quiet`.
    pub async fn assert_stays_at(&self, n: usize, quiet: Duration) {
        tokio::time::sleep(quiet).await;
        assert_eq!(self.count(), n, "unexpected webhook requests");
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(shared): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    shared.log.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        headers,
        body,
        at,
    });
    let (status, hang, location) = {
        let mut behaviour = shared.behaviour.lock().unwrap();
        match &mut *behaviour {
            Behaviour::Status(s) => (*s, None, None),
            Behaviour::FailTimes(0) => (200, None, None),
            Behaviour::FailTimes(n) => {
                *n -= 1;
                (500, None, None)
            }
            Behaviour::Hang(d) => (200, Some(*d), None),
            Behaviour::Redirect(to) => (307, None, Some(to.clone())),
        }
    };
    if let Some(d) = hang {
        tokio::time::sleep(d).await;
    }
    let text = shared.body.lock().unwrap().clone();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, text).into_response();
    if let Some(to) = location {
        response
            .headers_mut()
            .insert("location", to.parse().expect("a header value"));
    }
    response
}
