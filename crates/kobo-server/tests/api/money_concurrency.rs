//! The concurrency proof of the money path: 2,000 inflows with distinct
//! session ids from 64 parallel clients into one customer, a random 10% of
//! them sent twice (the copies in flight beside everything else). Afterwards
//! the balance is exactly the sum of the distinct inflows, every repeat was
//! answered 200 with the first result, and the ledger verifies.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use kobo_server::http::signature::sign;
use serde_json::Value;

use crate::helpers::{spawn_app, PROVIDER_SECRET};
use crate::money_helpers::*;

const INFLOWS: usize = 2_000;
const CLIENTS: usize = 64;
const REPEATED: usize = INFLOWS / 10;

/// SplitMix64: a small seeded generator, so every run sends the same mix.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn amount_of(i: usize) -> i64 {
    // From 1 kobo to about ₦10,000, all different enough to catch a lost or doubled one.
    1 + (i as i64 * 7_919) % 1_000_000
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_parallel_inflows_with_repeats_are_each_applied_once() {
    let app = spawn_app().await;
    let (code, account) = live_customer_with_account(&app, "concurrency").await;

    // Pick exactly 10% to send twice, then shuffle all sends together.
    let mut rng = Rng(0x6B6F_626F);
    let mut repeated = HashSet::new();
    while repeated.len() < REPEATED {
        repeated.insert(rng.below(INFLOWS));
    }
    let mut sends: Vec<usize> = (0..INFLOWS).chain(repeated.iter().copied()).collect();
    for i in (1..sends.len()).rev() {
        sends.swap(i, rng.below(i + 1));
    }
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..INFLOWS)
            .map(|i| {
                let body = provider_body(&session(i as u64), &account, amount_of(i));
                serde_json::to_vec(&body).unwrap()
            })
            .collect(),
    );
    let sends = Arc::new(sends);
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{}{}", app.base, PROVIDER);

    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (bodies, sends, next, url) = (bodies.clone(), sends.clone(), next.clone(), url.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut answers = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = sends.get(n) else { break };
                let body = bodies[i].clone();
                let resp = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("X-Provider-Signature", sign(PROVIDER_SECRET, &body))
                    .body(body)
                    .send()
                    .await
                    .expect("request");
                let status = resp.status().as_u16();
                let json: Value = resp.json().await.expect("json");
                answers.push((i, status, json));
            }
            answers
        }));
    }
    let mut by_session: BTreeMap<usize, Vec<(u16, Value)>> = BTreeMap::new();
    for c in clients {
        for (i, status, json) in c.await.unwrap() {
            by_session.entry(i).or_default().push((status, json));
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{} requests ({INFLOWS} inflows, {REPEATED} repeats) from {CLIENTS} clients in {elapsed:?}",
        INFLOWS + REPEATED
    );

    // Every inflow: one 201; every repeat: one 200 carrying the first result.
    assert_eq!(by_session.len(), INFLOWS);
    let mut expected_total = 0i64;
    for (i, answers) in &by_session {
        expected_total += amount_of(*i);
        let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        statuses.sort_unstable();
        let want: &[u16] = if repeated.contains(i) {
            &[200, 201]
        } else {
            &[201]
        };
        assert_eq!(statuses, want, "session {i}: {answers:?}");
        let first = &answers.iter().find(|(s, _)| *s == 201).unwrap().1["data"];
        assert_eq!(first["status"], "credited", "{first}");
        assert_eq!(first["gross_kobo"], amount_of(*i));
        assert_eq!(first["session_id"], session(*i as u64).as_str());
        for (_, json) in answers {
            assert_eq!(
                &json["data"], first,
                "session {i}: the repeat answers the first result"
            );
        }
    }

    assert_eq!(
        balance_kobo(&app, &app.live_key, &code).await,
        expected_total
    );
    let report = verified(&app).await;
    assert_eq!(report.inflows, INFLOWS as u64);
    assert_eq!(report.journals, INFLOWS as u64);
    let txs = get_ok(&app, &app.live_key, &customer_path(&code, "transactions")).await;
    assert_eq!(txs["data"]["total"], INFLOWS as u64);
    let listed = get_ok(&app, &app.live_key, "/api/v1/inflows?status=credited").await;
    assert_eq!(listed["data"]["total"], INFLOWS as u64);
}
