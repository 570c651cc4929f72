//! Rows of the money side: virtual accounts, inflows, ledger movements and
//! the ledger verification report.

use chrono::{DateTime, NaiveDate, Utc};
use kobo_core::{Kobo, Mode};

/// Where an account number comes from and how many a customer may hold.
#[derive(Clone, Debug)]
pub struct AccountIssuer {
    /// 3- or 6-digit institution code the NUBAN check digit is computed for.
    pub institution_code: String,
    pub bank_name: String,
    pub provider: String,
    /// Most permanent virtual accounts one customer may hold.
    pub max_per_customer: u32,
}

#[derive(Clone, Debug)]
pub struct VirtualAccount {
    pub id: i64,
    pub code: String,
    pub customer_id: i64,
    pub mode: Mode,
    pub account_number: String,
    pub account_name: String,
    pub bank_name: String,
    pub bank_code: String,
    pub provider: String,
    pub status: String,
    pub reference: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What the payer's bank is told before a transfer.
#[derive(Clone, Debug)]
pub struct NameEnquiry {
    pub account_number: String,
    pub account_name: String,
    pub bank_name: String,
    pub bank_code: String,
    pub mode: Mode,
    /// False when the account or its customer is inactive.
    pub active: bool,
}

/// Which door an inflow came through; it fixes the mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    /// The partner bank (signed): live accounts.
    Provider,
    /// A business's test key: its own test accounts.
    Sandbox { business_id: i64 },
}

impl Door {
    pub fn mode(self) -> Mode {
        match self {
            Door::Provider => Mode::Live,
            Door::Sandbox { .. } => Mode::Test,
        }
    }
}

#[derive(Clone, Debug)]
pub struct InflowRequest {
    pub door: Door,
    pub session_id: String,
    pub account_number: String,
    pub amount: Kobo,
    pub sender_name: Option<String>,
    pub sender_account_number: Option<String>,
    pub sender_bank_code: Option<String>,
    pub narration: Option<String>,
    pub paid_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InflowStatus {
    Credited,
    Suspense,
}

impl InflowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InflowStatus::Credited => "credited",
            InflowStatus::Suspense => "suspense",
        }
    }
    pub fn parse(s: &str) -> Option<InflowStatus> {
        match s {
            "credited" => Some(InflowStatus::Credited),
            "suspense" => Some(InflowStatus::Suspense),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Inflow {
    pub id: i64,
    pub session_id: String,
    pub mode: Mode,
    pub account_number: String,
    pub customer_id: Option<i64>,
    pub customer_code: Option<String>,
    pub customer_reference: Option<String>,
    pub status: InflowStatus,
    /// Why it went to suspense (`account_inactive`, `customer_inactive`, `wrong_mode`).
    pub reason: Option<String>,
    pub gross: Kobo,
    pub fee: Kobo,
    pub vat: Kobo,
    pub net: Kobo,
    pub sender_name: Option<String>,
    pub sender_account_number: Option<String>,
    pub sender_bank_code: Option<String>,
    pub narration: Option<String>,
    pub paid_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// How many times this session id came again with another amount or account.
    pub conflicts: i64,
    /// `overpaid` or `paid_after_approval` for one-time accounts.
    pub flag: Option<String>,
    /// Money held in suspense that should go back to the payer (expired one-time account).
    pub refund_due: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneTimeStatus {
    Pending,
    Approved,
    Expired,
}

impl OneTimeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OneTimeStatus::Pending => "PENDING",
            OneTimeStatus::Approved => "APPROVED",
            OneTimeStatus::Expired => "EXPIRED",
        }
    }
    pub fn parse(s: &str) -> Option<OneTimeStatus> {
        match s {
            "PENDING" => Some(OneTimeStatus::Pending),
            "APPROVED" => Some(OneTimeStatus::Approved),
            "EXPIRED" => Some(OneTimeStatus::Expired),
            _ => None,
        }
    }
}

/// A one-time (pay-with-transfer) account.
#[derive(Clone, Debug)]
pub struct OneTimeAccount {
    pub account: VirtualAccount,
    pub reference: String,
    pub amount: Kobo,
    /// Gross of every payment credited to it.
    pub amount_paid: Kobo,
    /// As stored; see [`OneTimeAccount::status_at`] for the status at a given time.
    pub status: OneTimeStatus,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl OneTimeAccount {
    /// The status at `now`: a pending account past its expiry is expired,
    /// whether or not the sweeper has written that yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> OneTimeStatus {
        if self.status == OneTimeStatus::Pending && now >= self.expires_at {
            OneTimeStatus::Expired
        } else {
            self.status
        }
    }

    /// What is still to pay (never negative).
    pub fn remaining(&self) -> Kobo {
        Kobo((self.amount.0 - self.amount_paid.0).max(0))
    }

    /// What was paid beyond the amount.
    pub fn excess(&self) -> Kobo {
        Kobo((self.amount_paid.0 - self.amount.0).max(0))
    }
}

#[derive(Clone, Debug)]
pub struct NewOneTimeAccount {
    pub reference: String,
    pub amount: Kobo,
    pub expires_at: DateTime<Utc>,
}

/// The answer to one posted inflow.
#[derive(Clone, Debug)]
pub struct InflowOutcome {
    pub inflow: Inflow,
    /// True when the session id had already been applied: nothing new was posted.
    pub replayed: bool,
}

#[derive(Clone, Debug, Default)]
pub struct InflowQuery {
    pub status: Option<InflowStatus>,
    pub offset: u64,
    pub limit: u32,
    pub starting_after: Option<i64>,
}

/// One movement on a customer's wallet (or, for a collection customer, on its
/// collection wallet attributed to the customer).
#[derive(Clone, Debug)]
pub struct Movement {
    pub entry_id: i64,
    pub journal_uuid: String,
    /// Signed: positive is money in.
    pub amount: Kobo,
    pub balance_after: Kobo,
    pub created_at: DateTime<Utc>,
    pub inflow: Option<Inflow>,
}

#[derive(Clone, Debug, Default)]
pub struct MovementQuery {
    /// `Some(true)`: deposits only; `Some(false)`: withdrawals only.
    pub deposits: Option<bool>,
    /// Inclusive Lagos dates.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub offset: u64,
    pub limit: u32,
    /// Newest first (the default) or, with `ascending`, oldest first; the
    /// cursor then means "after this entry".
    pub starting_after: Option<i64>,
    pub ascending: bool,
    /// Count every match (a second query); lists need it, statements do not.
    pub with_total: bool,
}

/// What `kobo ledger verify` found.
#[derive(Clone, Debug, Default)]
pub struct LedgerReport {
    pub accounts: u64,
    pub journals: u64,
    pub entries: u64,
    pub inflows: u64,
    /// Empty when every invariant holds.
    pub problems: Vec<String>,
}

impl LedgerReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The sum of balances of one kind of account in one mode (for metrics).
#[derive(Clone, Debug)]
pub struct LedgerTotal {
    pub kind: String,
    pub mode: Mode,
    pub balance: Kobo,
}
