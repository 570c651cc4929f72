//! An inflow as JSON: gross, fee, VAT and net in naira with `_kobo` twins.

use chrono::{DateTime, Utc};
use kobo_core::money::Naira;
use kobo_store::Inflow;
use serde::Serialize;

#[derive(Serialize)]
pub struct InflowCustomer {
    pub code: Option<String>,
    pub reference: Option<String>,
}

#[derive(Serialize)]
pub struct InflowSender {
    pub name: Option<String>,
    pub account_number: Option<String>,
    pub bank_code: Option<String>,
}

#[derive(Serialize)]
pub struct InflowOut {
    pub session_id: String,
    pub mode: &'static str,
    /// `credited` or `suspense`.
    pub status: &'static str,
    /// Why it is in suspense.
    pub reason: Option<String>,
    pub account_number: String,
    pub customer: InflowCustomer,
    pub currency: &'static str,
    pub amount: Naira,
    pub amount_kobo: i64,
    pub gross: Naira,
    pub gross_kobo: i64,
    pub fee: Naira,
    pub fee_kobo: i64,
    pub vat: Naira,
    pub vat_kobo: i64,
    pub net: Naira,
    pub net_kobo: i64,
    pub sender: InflowSender,
    pub narration: Option<String>,
    /// Times this session id came again with another amount or account.
    pub conflicts: i64,
    pub paid_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<Inflow> for InflowOut {
    fn from(i: Inflow) -> Self {
        InflowOut {
            session_id: i.session_id,
            mode: i.mode.as_str(),
            status: i.status.as_str(),
            reason: i.reason,
            account_number: i.account_number,
            customer: InflowCustomer {
                code: i.customer_code,
                reference: i.customer_reference,
            },
            currency: "NGN",
            amount: Naira(i.gross),
            amount_kobo: i.gross.0,
            gross: Naira(i.gross),
            gross_kobo: i.gross.0,
            fee: Naira(i.fee),
            fee_kobo: i.fee.0,
            vat: Naira(i.vat),
            vat_kobo: i.vat.0,
            net: Naira(i.net),
            net_kobo: i.net.0,
            sender: InflowSender {
                name: i.sender_name,
                account_number: i.sender_account_number,
                bank_code: i.sender_bank_code,
            },
            narration: i.narration,
            conflicts: i.conflicts,
            paid_at: i.paid_at,
            created_at: i.created_at,
        }
    }
}
