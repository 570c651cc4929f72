//! Property test of one-time accounts: random sequences of payments (short,
//! exact and exceeding, alone or several in one batch), exact replays, clock
//! moves (the stored `expires_at` rewritten into the past or the future on
//! the same file), sweeps, fee changes and customer deactivation. After every
//! step each account's `amount_paid` is the sum of its credited inflows'
//! grosses, its status agrees with a plain model and with `amount_paid` and
//! the time; at the end the wallet, suspense and ledger agree too.

use chrono::{Duration, SecondsFormat, Utc};
use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use proptest::prelude::*;
use sqlx::SqlitePool;

use crate::support::*;

mod model;
use model::{outcome, Account, Model};

/// The accounts' amounts: payments are drawn up to twice the largest.
const AMOUNTS: [i64; 2] = [30_000, 100_000];

#[derive(Clone, Debug)]
enum Op {
    Pay {
        acct: usize,
        amount: i64,
    },
    /// Exactly what is left to pay, plus `extra` (at least 1 kobo in all).
    PayRest {
        acct: usize,
        extra: i64,
    },
    Batch(Vec<(usize, i64)>),
    Replay {
        pick: usize,
    },
    Past {
        acct: usize,
    },
    Future {
        acct: usize,
    },
    Sweep,
    Fee {
        basis_points: u32,
        flat: i64,
    },
    Toggle,
}

fn payment() -> impl Strategy<Value = (usize, i64)> {
    (
        0..AMOUNTS.len(),
        prop_oneof![3 => 1i64..=40_000, 1 => 1i64..=200_000],
    )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => payment().prop_map(|(acct, amount)| Op::Pay { acct, amount }),
        3 => (0..AMOUNTS.len(), 0i64..=2).prop_map(|(acct, extra)| Op::PayRest { acct, extra }),
        2 => proptest::collection::vec(payment(), 2..6).prop_map(Op::Batch),
        1 => any::<usize>().prop_map(|pick| Op::Replay { pick }),
        2 => (0..AMOUNTS.len()).prop_map(|acct| Op::Past { acct }),
        1 => (0..AMOUNTS.len()).prop_map(|acct| Op::Future { acct }),
        2 => Just(Op::Sweep),
        1 => (0u32..=300, 0i64..=2_000).prop_map(|(basis_points, flat)| Op::Fee { basis_points, flat }),
        1 => Just(Op::Toggle),
    ]
}

async fn set_expiry(raw: &SqlitePool, number: &str, past: bool) {
    let when = if past {
        Utc::now() - Duration::days(400)
    } else {
        Utc::now() + Duration::hours(2)
    };
    let done = sqlx::query(
        "UPDATE one_time_account SET expires_at = ? WHERE virtual_account_id =
            (SELECT virtual_account_id FROM virtual_account WHERE account_number = ?)",
    )
    .bind(when.to_rfc3339_opts(SecondsFormat::Micros, true))
    .bind(number)
    .execute(raw)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1);
}

/// Every account as the store has it agrees with the model, with its own
/// credited inflows and with the time.
async fn check_accounts(
    store: &kobo_store_sqlite::SqliteStore,
    raw: &SqlitePool,
    scope: Scope,
    customer_id: i64,
    m: &Model,
) {
    let now = Utc::now();
    let mut stored = store
        .one_time_accounts_of(scope, customer_id)
        .await
        .unwrap();
    stored.reverse();
    assert_eq!(stored.len(), m.accounts.len());
    for (got, want) in stored.iter().zip(&m.accounts) {
        assert_eq!(got.account.account_number, want.number);
        assert_eq!(
            (got.amount_paid.0, got.status),
            (want.paid, want.stored),
            "{}",
            want.number
        );
        let credited: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(gross_kobo), 0) FROM inflow WHERE account_number = ? AND status = 'credited'",
        )
        .bind(&want.number)
        .fetch_one(raw)
        .await
        .unwrap();
        assert_eq!(got.amount_paid.0, credited, "{}", want.number);
        let shown = got.status_at(now);
        // Shown: a pending account past its time reads EXPIRED; approval is final.
        let expected = if want.stored == OneTimeStatus::Pending && want.past {
            OneTimeStatus::Expired
        } else {
            want.stored
        };
        assert_eq!(shown, expected, "{}", want.number);
        match shown {
            OneTimeStatus::Approved => assert!(got.amount_paid >= got.amount),
            OneTimeStatus::Pending => assert!(got.amount_paid < got.amount && !want.past),
            OneTimeStatus::Expired => assert!(got.amount_paid < got.amount),
        }
        assert_eq!(got.remaining().0, (want.amount - want.paid).max(0));
        assert_eq!(got.excess().0, (want.paid - want.amount).max(0));
    }
}

async fn run(ops: Vec<Op>) {
    let db = Db::new().await;
    let store = &db.store;
    let business = store.create_business("OTA Props", &[]).await.unwrap();
    let scope = test_scope(business.id);
    let door = Door::Sandbox {
        business_id: business.id,
    };
    let cust = customer(store, scope, "ota-prop", None).await;
    let mut m = Model {
        accounts: Vec::new(),
        active: true,
        fee: FeeSchedule::default(),
        wallet: 0,
        suspense: 0,
        sent: Vec::new(),
    };
    for (i, amount) in AMOUNTS.iter().enumerate() {
        let new = NewOneTimeAccount {
            reference: format!("ota-{i}"),
            amount: Kobo(*amount),
            expires_at: Utc::now() + Duration::minutes(30),
        };
        let made = store
            .create_one_time_account(scope, cust.id, new, &issuer(5))
            .await
            .unwrap();
        let number = made.account.account_number;
        m.accounts.push(Account {
            number,
            amount: *amount,
            paid: 0,
            stored: OneTimeStatus::Pending,
            past: false,
        });
    }
    let raw = db.raw().await;
    for op in ops {
        match op {
            Op::Pay { acct, amount } => pay_batch(store, door, &mut m, vec![(acct, amount)]).await,
            Op::PayRest { acct, extra } => {
                let a = &m.accounts[acct];
                let amount = ((a.amount - a.paid).max(0) + extra).max(1);
                pay_batch(store, door, &mut m, vec![(acct, amount)]).await
            }
            Op::Batch(payments) => pay_batch(store, door, &mut m, payments).await,
            Op::Replay { .. } if m.sent.is_empty() => {}
            Op::Replay { pick } => {
                let (req, _) = &m.sent[pick % m.sent.len()];
                let got = store
                    .post_inflows(vec![req.clone()])
                    .await
                    .unwrap()
                    .remove(0)
                    .unwrap();
                assert!(got.replayed);
            }
            Op::Past { acct } | Op::Future { acct } => {
                let past = matches!(op, Op::Past { .. });
                set_expiry(&raw, &m.accounts[acct].number, past).await;
                m.accounts[acct].past = past;
            }
            Op::Sweep => {
                let mut due = 0;
                for a in m
                    .accounts
                    .iter_mut()
                    .filter(|a| a.stored == OneTimeStatus::Pending && a.past)
                {
                    a.stored = OneTimeStatus::Expired;
                    due += 1;
                }
                assert_eq!(
                    store.expire_one_time_accounts(Utc::now()).await.unwrap(),
                    due
                );
            }
            Op::Fee { basis_points, flat } => {
                m.fee = FeeSchedule {
                    basis_points,
                    flat: Kobo(flat),
                    cap: None,
                };
                store
                    .set_fee_schedule(business.id, Mode::Test, m.fee)
                    .await
                    .unwrap();
            }
            Op::Toggle => {
                m.active = !m.active;
                let status = if m.active {
                    CustomerStatus::Active
                } else {
                    CustomerStatus::Inactive
                };
                let patch = CustomerPatch {
                    status: Some(status),
                    ..CustomerPatch::default()
                };
                store.update_customer(scope, cust.id, patch).await.unwrap();
            }
        }
        check_accounts(store, &raw, scope, cust.id, &m).await;
    }
    let report = store.verify_ledger().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.inflows, m.sent.len() as u64);
    assert_eq!(wallet(store, scope, cust.id).await, m.wallet);
    assert_eq!(
        house(&raw, business.id, Mode::Test, "suspense").await,
        m.suspense
    );
    let refunds: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(gross_kobo), 0) FROM inflow WHERE refund_due = 1")
            .fetch_one(&raw)
            .await
            .unwrap();
    let expected: i64 = m
        .sent
        .iter()
        .filter(|(_, o)| o.refund_due)
        .map(|(r, _)| r.amount.0)
        .sum();
    assert_eq!(refunds, expected);
    raw.close().await;
    db.close().await;
}

/// Posts `payments` as one batch; each answer must be what the model says.
async fn pay_batch(
    store: &kobo_store_sqlite::SqliteStore,
    door: Door,
    m: &mut Model,
    payments: Vec<(usize, i64)>,
) {
    let mut expected = Vec::new();
    let mut reqs = Vec::new();
    for (acct, amount) in payments {
        let req = request(
            door,
            &session(m.sent.len() as u64 + expected.len() as u64 + 1),
            &m.accounts[acct].number,
            amount,
        );
        expected.push(m.pay(acct, amount));
        reqs.push(req);
    }
    let results = store
        .post_inflows(reqs.clone())
        .await
        .expect("batch committed");
    for ((req, want), got) in reqs.into_iter().zip(expected).zip(results) {
        let got = got.expect("posted");
        assert!(!got.replayed);
        assert_eq!(outcome(&got.inflow), want, "{}", req.session_id);
        assert_eq!(got.inflow.gross, req.amount);
        m.sent.push((req, want));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn payments_clock_moves_and_sweeps_keep_one_time_accounts_true(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(ops));
    }
}
