//! Property test: on random histories (inflows of random amounts to two
//! customers, fee changes, deactivations that send money to suspense, and
//! one-time account payments), every statement over a random range around
//! today balances (opening + movements = closing), its closing balance is
//! the balance when the range reaches today, a range after today opens with
//! everything, and the CSV agrees with the JSON.

use chrono::Duration;
use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use proptest::prelude::*;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::money_helpers::*;
use crate::ota_helpers::*;

#[derive(Clone, Debug)]
enum Op {
    Pay { cust: usize, amount: i64 },
    PayOneTime { amount: i64 },
    Fee { basis_points: u32, flat: i64 },
    Toggle { cust: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..2usize, 1i64..=5_000_000).prop_map(|(cust, amount)| Op::Pay { cust, amount }),
        2 => (1i64..=300_000).prop_map(|amount| Op::PayOneTime { amount }),
        1 => (0u32..=500, 0i64..=5_000).prop_map(|(basis_points, flat)| Op::Fee { basis_points, flat }),
        1 => (0..2usize).prop_map(|cust| Op::Toggle { cust }),
    ]
}

/// Day offsets from today (Lagos) for `from` and `to`.
fn ranges() -> impl Strategy<Value = Vec<(i64, i64)>> {
    proptest::collection::vec(
        (-3i64..=3, 0i64..=3).prop_map(|(from, len)| (from, from + len)),
        1..6,
    )
}

async fn run(ops: Vec<Op>, ranges: Vec<(i64, i64)>) {
    let app = spawn_app().await;
    let day = lagos_today();
    let mut codes = Vec::new();
    let mut accounts = Vec::new();
    for c in 0..2 {
        let (code, account) = test_customer_with_account(&app, &format!("prop-{c}")).await;
        codes.push(code);
        accounts.push(account);
    }
    let one_time = new_ota(&app, &codes[0], 400_000).await["account_number"]
        .as_str()
        .unwrap()
        .to_string();
    let mut active = [true, true];
    for (n, op) in ops.iter().enumerate() {
        let n = n as u64 + 1;
        match *op {
            Op::Pay { cust, amount } => {
                pay(&app, &accounts[cust], n, amount).await;
            }
            Op::PayOneTime { amount } => {
                pay(&app, &one_time, n, amount).await;
            }
            Op::Fee { basis_points, flat } => {
                let fee = FeeSchedule {
                    basis_points,
                    flat: Kobo(flat),
                    cap: None,
                };
                app.store
                    .set_fee_schedule(app.business_id, Mode::Test, fee)
                    .await
                    .unwrap();
            }
            Op::Toggle { cust } => {
                active[cust] = !active[cust];
                let status = if active[cust] { "ACTIVE" } else { "INACTIVE" };
                let r = app
                    .patch(
                        &format!("/api/v1/customers/{}", codes[cust]),
                        &json!({"status": status}),
                    )
                    .await;
                assert_eq!(r.status.as_u16(), 200, "{}", r.body);
            }
        }
    }
    // Dates are only predictable when every movement fell on one Lagos day.
    let one_day = lagos_today() == day;
    for code in &codes {
        let balance = balance_kobo(&app, &app.test_key, code).await;
        let credits = transactions(&app, code, "?per_page=100").await["data"]["total"]
            .as_u64()
            .unwrap();
        for &(from, to) in &ranges {
            let (from, to) = (day + Duration::days(from), day + Duration::days(to));
            let q = format!("from={from}&to={to}");
            let body = statement_json(&app, code, &q).await;
            let (opening, sum, closing) = statement_totals(&body);
            assert_eq!(opening + sum, closing, "{q}");
            let rows = body["data"]["movements"].as_array().unwrap().len() as u64;
            if one_day {
                let (want_opening, want_rows) = match (from > day, to < day) {
                    (true, _) => (balance, 0),
                    (_, true) => (0, 0),
                    _ => (0, credits),
                };
                assert_eq!((opening, rows), (want_opening, want_rows), "{q}");
                if to >= day {
                    assert_eq!(closing, balance, "{q}");
                }
            }
            let csv = statement_csv(&app, code, &q).await;
            let lines: Vec<&str> = csv.lines().collect();
            assert_eq!(lines.len() as u64, rows + 3, "{q}");
            assert_eq!(
                lines[1],
                format!(",{from},opening_balance,,,,,,{opening},,,,,")
            );
            assert_eq!(
                lines[lines.len() - 1],
                format!(",{to},closing_balance,,,,,,{closing},,,,,")
            );
        }
    }
    verified(&app).await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_histories_give_balanced_statements(ops in proptest::collection::vec(op(), 1..16), ranges in ranges()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(run(ops, ranges));
    }
}
