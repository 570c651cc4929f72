//! What each scenario sends, and the status each request must get.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hyper::StatusCode;
use rand::rngs::StdRng;
use rand::Rng;

use crate::ids::{self, Sessions};
use crate::load::{Request, Workload};
use crate::seed_sql::Deep;

/// `GET /healthz`: the HTTP ceiling.
pub struct Health;

impl Workload for Health {
    fn next(&self, _: &mut StdRng) -> Request {
        Request::get("/healthz".into())
    }
}

/// `POST /api/v1/customers` with a new reference and email each time.
pub struct CreateCustomer(pub Arc<Sessions>);

impl Workload for CreateCustomer {
    fn next(&self, _: &mut StdRng) -> Request {
        let n = self.0.serial();
        Request::post(
            "/api/v1/customers".into(),
            format!(
                r#"{{"first_name":"Tolu","last_name":"Load","email":"load{n}@example.com","reference":"load-{n}","phone":"+2348012345678","type":"wallet"}}"#
            ),
            StatusCode::CREATED,
        )
    }
}

/// A GET on a random customer: `/api/v1/customers/{code}{suffix}`.
pub struct CustomerRead {
    pub codes: Arc<Vec<String>>,
    /// `""` (fetch) or `"/balance"`.
    pub suffix: &'static str,
}

impl Workload for CustomerRead {
    fn next(&self, rng: &mut StdRng) -> Request {
        let code = &self.codes[rng.gen_range(0..self.codes.len())];
        Request::get(format!("/api/v1/customers/{code}{}", self.suffix))
    }
}

/// Which page of the deep customer's transactions.
#[derive(Clone, Copy)]
pub enum Page {
    First,
    /// `starting_after` a random cursor in the oldest 1% of the history.
    DeepCursor(Deep),
    /// `page=666&per_page=15`: the deepest page the OFFSET window allows.
    DeepOffset,
}

pub struct Transactions {
    pub code: String,
    pub page: Page,
}

impl Workload for Transactions {
    fn next(&self, rng: &mut StdRng) -> Request {
        let query = match self.page {
            Page::First => String::new(),
            Page::DeepCursor(deep) => {
                let oldest = (deep.journals / 100).max(32);
                format!(
                    "?starting_after={}",
                    deep.cursor_leaving(rng.gen_range(16..=oldest))
                )
            }
            Page::DeepOffset => "?page=666&per_page=15".into(),
        };
        Request::get(format!(
            "/api/v1/customers/{}/transactions{query}",
            self.code
        ))
    }
}

/// `POST …/one-time-accounts` for a random customer.
pub struct OneTimeAccount(pub Arc<Vec<String>>);

impl Workload for OneTimeAccount {
    fn next(&self, rng: &mut StdRng) -> Request {
        let code = &self.0[rng.gen_range(0..self.0.len())];
        Request::post(
            format!("/api/v1/customers/{code}/one-time-accounts"),
            format!(
                r#"{{"amount_kobo":{},"expires_in_minutes":60}}"#,
                ids::amount(rng)
            ),
            StatusCode::CREATED,
        )
    }
}

/// Sandbox inflows into random accounts (one account: the hot customer).
/// With `duplicates`, 10% of requests resend an inflow already acknowledged
/// (same session id, amount and account) and must be answered 200, the replay.
pub struct Inflows {
    pub accounts: Arc<Vec<String>>,
    pub sessions: Arc<Sessions>,
    pub duplicates: Option<Mutex<Vec<Bytes>>>,
}

const PATH: &str = "/api/v1/sandbox/inflows";
/// Acknowledged inflows kept for resending.
const KEEP: usize = 100_000;

impl Inflows {
    pub fn new(accounts: Vec<String>, sessions: Arc<Sessions>, duplicates: bool) -> Inflows {
        Inflows {
            accounts: Arc::new(accounts),
            sessions,
            duplicates: duplicates.then(|| Mutex::new(Vec::new())),
        }
    }
}

impl Workload for Inflows {
    fn next(&self, rng: &mut StdRng) -> Request {
        if let Some(sent) = &self.duplicates {
            if rng.gen_range(0..10) == 0 {
                let sent = sent.lock().expect("lock");
                if !sent.is_empty() {
                    return Request {
                        method: hyper::Method::POST,
                        path: PATH.into(),
                        body: Some(sent[rng.gen_range(0..sent.len())].clone()),
                        expect: StatusCode::OK,
                    };
                }
            }
        }
        let account = &self.accounts[rng.gen_range(0..self.accounts.len())];
        Request::post(
            PATH.into(),
            format!(
                r#"{{"account_number":"{account}","amount_kobo":{},"session_id":"{}","sender_name":"Bench Sender","narration":"kobo-bench"}}"#,
                ids::amount(rng),
                self.sessions.session_id()
            ),
            StatusCode::CREATED,
        )
    }

    fn acknowledged(&self, request: &Request, _: &Bytes) {
        if let (Some(sent), Some(body)) = (&self.duplicates, &request.body) {
            if request.expect == StatusCode::CREATED {
                let mut sent = sent.lock().expect("lock");
                if sent.len() < KEEP {
                    sent.push(body.clone());
                }
            }
        }
    }
}
