//! The plain-integer model the property test checks the store against: the
//! ops it draws, what each inflow must be answered, and the expected money.

use kobo_core::ledger::FeeSchedule;
use kobo_core::Kobo;
use kobo_store::*;

use crate::support::*;

/// Customers 0..WALLETS are wallet customers; the last one collects into the
/// default collection wallet.
pub const WALLETS: usize = 3;
pub const CUSTOMERS: usize = WALLETS + 1;

#[derive(Clone, Debug)]
pub enum Op {
    Pay {
        cust: usize,
        amount: i64,
    },
    /// The live door paying a test account: held in live suspense.
    WrongDoor {
        cust: usize,
        amount: i64,
    },
    /// An exact repeat of an earlier inflow (picked among all sent so far).
    Repeat {
        pick: usize,
    },
    RepeatLast,
    /// An earlier session id with another amount (`delta > 0`) or another account (`delta == 0`).
    Conflict {
        pick: usize,
        delta: i64,
    },
    Unknown {
        amount: i64,
    },
    Fee(FeeSchedule),
    Toggle {
        cust: usize,
    },
    Batch(Vec<Op>),
}

/// One inflow the store recorded.
pub struct Sent {
    pub req: InflowRequest,
    pub cust: usize,
    pub status: InflowStatus,
    pub reason: Option<&'static str>,
    pub fee: i64,
    pub vat: i64,
    pub net: i64,
    pub conflicts: i64,
}

pub enum Expect {
    Posted(usize),
    /// The first inflow, and its conflict count at the time of the repeat.
    Replayed(usize, i64),
    Conflict,
    NotFound,
}

pub struct World {
    pub db: Db,
    pub business_id: i64,
    pub customers: Vec<Customer>,
    pub accounts: Vec<String>,
    pub collection_wallet: i64,
}

#[derive(Default)]
pub struct Model {
    pub active: Vec<bool>,
    pub credited: Vec<i64>,
    pub fee: FeeSchedule,
    pub sent: Vec<Sent>,
    pub next_session: u64,
}

impl Model {
    fn fresh_session(&mut self) -> String {
        self.next_session += 1;
        session(self.next_session)
    }

    /// The request for an inflow op and what the store must answer; the model
    /// moves as the store will, so ops later in one batch see earlier ones.
    pub fn plan(&mut self, w: &World, op: &Op) -> Option<(InflowRequest, Expect)> {
        let sandbox = Door::Sandbox {
            business_id: w.business_id,
        };
        match *op {
            Op::Pay { cust, amount } | Op::WrongDoor { cust, amount } => {
                let wrong = matches!(op, Op::WrongDoor { .. });
                let door = if wrong { Door::Provider } else { sandbox };
                let req = request(door, &self.fresh_session(), &w.accounts[cust], amount);
                let (status, reason) = if wrong {
                    (InflowStatus::Suspense, Some("wrong_mode"))
                } else if !self.active[cust] {
                    (InflowStatus::Suspense, Some("customer_inactive"))
                } else {
                    (InflowStatus::Credited, None)
                };
                let (fee, vat, net) = if status == InflowStatus::Credited {
                    let s = self.fee.split(Kobo(amount)).unwrap();
                    self.credited[cust] += s.net.0;
                    (s.fee.0, s.vat.0, s.net.0)
                } else {
                    (0, 0, amount)
                };
                let sent = Sent {
                    req: req.clone(),
                    cust,
                    status,
                    reason,
                    fee,
                    vat,
                    net,
                    conflicts: 0,
                };
                self.sent.push(sent);
                Some((req, Expect::Posted(self.sent.len() - 1)))
            }
            Op::Repeat { .. } | Op::RepeatLast if self.sent.is_empty() => None,
            Op::Repeat { pick } => {
                let i = pick % self.sent.len();
                let c = self.sent[i].conflicts;
                Some((self.sent[i].req.clone(), Expect::Replayed(i, c)))
            }
            Op::RepeatLast => {
                let i = self.sent.len() - 1;
                let c = self.sent[i].conflicts;
                Some((self.sent[i].req.clone(), Expect::Replayed(i, c)))
            }
            Op::Conflict { .. } if self.sent.is_empty() => None,
            Op::Conflict { pick, delta } => {
                let i = pick % self.sent.len();
                let mut req = self.sent[i].req.clone();
                if delta == 0 {
                    req.account_number = w.accounts[(self.sent[i].cust + 1) % CUSTOMERS].clone();
                } else {
                    req.amount = Kobo(req.amount.0 + delta);
                }
                self.sent[i].conflicts += 1;
                Some((req, Expect::Conflict))
            }
            Op::Unknown { amount } => {
                let req = request(sandbox, &self.fresh_session(), &never_issued(), amount);
                Some((req, Expect::NotFound))
            }
            Op::Fee(_) | Op::Toggle { .. } | Op::Batch(_) => unreachable!("not an inflow"),
        }
    }

    pub fn check(&self, w: &World, expect: &Expect, got: StoreResult<InflowOutcome>) {
        let (i, replayed, conflicts) = match (expect, &got) {
            (Expect::Posted(i), Ok(_)) => (*i, false, 0),
            (Expect::Replayed(i, c), Ok(_)) => (*i, true, *c),
            (
                Expect::Conflict,
                Err(StoreError::Conflict {
                    field: "session_id",
                }),
            ) => return,
            (Expect::NotFound, Err(StoreError::NotFound)) => return,
            _ => panic!("unexpected answer {got:?}"),
        };
        let out = got.unwrap();
        let (s, inflow) = (&self.sent[i], &out.inflow);
        assert_eq!(out.replayed, replayed);
        assert_eq!(inflow.session_id, s.req.session_id);
        assert_eq!(inflow.mode, s.req.door.mode());
        assert_eq!(
            (inflow.status, inflow.reason.as_deref()),
            (s.status, s.reason)
        );
        let got_split = [inflow.gross.0, inflow.fee.0, inflow.vat.0, inflow.net.0];
        assert_eq!(got_split, [s.req.amount.0, s.fee, s.vat, s.net]);
        let owner = (s.reason != Some("wrong_mode")).then_some(w.customers[s.cust].id);
        assert_eq!(inflow.customer_id, owner);
        assert_eq!(inflow.conflicts, conflicts);
    }
}
