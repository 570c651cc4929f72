//! The plain model of one-time accounts that `one_time_props` checks the
//! store against: each account's amount, what was paid, its stored status and
//! whether its clock is past; and what each payment must be answered.

use kobo_core::ledger::FeeSchedule;
use kobo_core::Kobo;
use kobo_store::*;

/// What the model expects of one account.
#[derive(Clone, Debug)]
pub struct Account {
    pub number: String,
    pub amount: i64,
    pub paid: i64,
    pub stored: OneTimeStatus,
    pub past: bool,
}

impl Account {
    /// Past its window an account takes no money, whatever its status.
    pub fn expired_now(&self) -> bool {
        self.stored == OneTimeStatus::Expired || self.past
    }
}

/// What one payment must be answered.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub status: InflowStatus,
    pub reason: Option<&'static str>,
    pub flag: Option<&'static str>,
    pub refund_due: bool,
    pub net: i64,
}

pub struct Model {
    pub accounts: Vec<Account>,
    pub active: bool,
    pub fee: FeeSchedule,
    pub wallet: i64,
    pub suspense: i64,
    pub sent: Vec<(InflowRequest, Outcome)>,
}

impl Model {
    /// Moves the model as the store will for a payment of `amount` into `acct`.
    pub fn pay(&mut self, acct: usize, amount: i64) -> Outcome {
        let active = self.active;
        let a = &mut self.accounts[acct];
        let expired = a.expired_now();
        if expired && a.stored == OneTimeStatus::Pending {
            // Only a pending account becomes EXPIRED; an approved one stays approved.
            a.stored = OneTimeStatus::Expired;
        }
        if !active || expired {
            self.suspense += amount;
            // Expiry comes first: that money goes back to the payer.
            let reason = if expired {
                "expired"
            } else {
                "customer_inactive"
            };
            let refund_due = reason == "expired";
            return Outcome {
                status: InflowStatus::Suspense,
                reason: Some(reason),
                flag: None,
                refund_due,
                net: amount,
            };
        }
        let flag = if a.stored == OneTimeStatus::Approved {
            Some("paid_after_approval")
        } else if a.paid + amount > a.amount {
            Some("overpaid")
        } else {
            None
        };
        a.paid += amount;
        if a.paid >= a.amount {
            a.stored = OneTimeStatus::Approved;
        }
        let net = self.fee.split(Kobo(amount)).unwrap().net.0;
        self.wallet += net;
        Outcome {
            status: InflowStatus::Credited,
            reason: None,
            flag,
            refund_due: false,
            net,
        }
    }
}

pub fn outcome(i: &Inflow) -> Outcome {
    let known = |s: Option<&str>| -> Option<&'static str> {
        s.map(|s| match s {
            "customer_inactive" => "customer_inactive",
            "expired" => "expired",
            "overpaid" => "overpaid",
            "paid_after_approval" => "paid_after_approval",
            other => panic!("unexpected {other}"),
        })
    };
    Outcome {
        status: i.status,
        reason: known(i.reason.as_deref()),
        flag: known(i.flag.as_deref()),
        refund_due: i.refund_due,
        net: i.net.0,
    }
}
