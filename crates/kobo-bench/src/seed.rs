//! Data the scenarios need. Customers and their virtual accounts go in
//! through kobo's own API (in parallel, before the clock); the deep
//! customer's history of a million entries goes in as bulk SQL while kobo is
//! stopped (`seed_sql`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};
use hyper::StatusCode;
use serde_json::Value;

use crate::ids::Sessions;
use crate::load::{Conn, Request, Target};

/// A customer kobo made, with one permanent virtual account.
#[derive(Clone, Debug)]
pub struct Customer {
    pub id: i64,
    pub code: String,
    pub account_number: String,
}

pub struct Seeds {
    /// Every inflow of the hot scenarios lands here.
    pub hot: Customer,
    /// Gets the long history for the transactions scenarios.
    pub deep: Customer,
    /// Spread inflows, reads and one-time accounts pick among these.
    pub spread: Vec<Customer>,
}

const WORKERS: usize = 32;

/// Creates `count + 2` customers with a virtual account each through the API.
pub async fn via_api(
    target: &Arc<Target>,
    count: usize,
    ids: &Arc<Sessions>,
) -> anyhow::Result<Seeds> {
    let total = count + 2;
    let next = Arc::new(AtomicUsize::new(0));
    let made = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let mut tasks = Vec::new();
    for _ in 0..WORKERS {
        let (next, made, target, ids) = (next.clone(), made.clone(), target.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(target.addr).await?;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let customer = one(&mut conn, &target, ids.serial()).await?;
                made.lock().expect("lock").push(customer);
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let mut all = std::mem::take(&mut *made.lock().expect("lock"));
    all.sort_by_key(|c| c.id);
    let mut all = all.into_iter();
    let (Some(hot), Some(deep)) = (all.next(), all.next()) else {
        bail!("no customers were made");
    };
    Ok(Seeds {
        hot,
        deep,
        spread: all.collect(),
    })
}

async fn one(conn: &mut Conn, target: &Target, n: u64) -> anyhow::Result<Customer> {
    let body = format!(
        r#"{{"first_name":"Ada","last_name":"Bench","email":"seed{n}@example.com","reference":"seed-{n}","type":"wallet"}}"#
    );
    let created = call(
        conn,
        target,
        Request::post("/api/v1/customers".into(), body, StatusCode::CREATED),
    )
    .await?;
    let id = created["data"]["id"].as_i64().context("no customer id")?;
    let code = created["data"]["code"]
        .as_str()
        .context("no customer code")?
        .to_string();
    let account = call(
        conn,
        target,
        Request::post(
            format!("/api/v1/customers/{code}/virtual-accounts"),
            "{}".into(),
            StatusCode::CREATED,
        ),
    )
    .await?;
    let account_number = account["data"]["account_number"]
        .as_str()
        .context("no account number")?
        .to_string();
    Ok(Customer {
        id,
        code,
        account_number,
    })
}

/// Sends one request that must succeed; answers its JSON.
pub async fn call(conn: &mut Conn, target: &Target, request: Request) -> anyhow::Result<Value> {
    let (status, body) = conn.send(target, &request).await?;
    if status != request.expect {
        bail!(
            "{} {} answered {status}: {}",
            request.method,
            request.path,
            String::from_utf8_lossy(&body)
        );
    }
    Ok(serde_json::from_slice(&body)?)
}
