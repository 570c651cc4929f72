//! An inflow as JSON: gross, fee, VAT and net in naira with `_kobo` twins.

use chrono::{DateTime, Utc};
use kobo_core::money::Naira;
use kobo_store::Inflow;
use serde::Serialize;
use utoipa::ToSchema;

/// The customer credited (`null`s when none).
#[derive(Serialize, ToSchema)]
pub struct InflowCustomer {
    pub code: Option<String>,
    pub reference: Option<String>,
}

/// Who paid, as the bank reported it.
#[derive(Serialize, ToSchema)]
pub struct InflowSender {
    pub name: Option<String>,
    pub account_number: Option<String>,
    pub bank_code: Option<String>,
}

/// A transfer received, credited or held in suspense.
#[derive(Serialize, ToSchema)]
pub struct InflowOut {
    /// The NIP session id (30 digits).
    #[schema(example = "000015250101120000123456789012")]
    pub session_id: String,
    #[schema(schema_with = crate::openapi::schemas::mode)]
    pub mode: &'static str,
    #[schema(schema_with = crate::openapi::schemas::inflow_status)]
    pub status: &'static str,
    /// Why it is in suspense.
    pub reason: Option<String>,
    pub account_number: String,
    pub customer: InflowCustomer,
    #[schema(schema_with = crate::openapi::schemas::currency)]
    pub currency: &'static str,
    /// Same as `gross`.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub amount: Naira,
    pub amount_kobo: i64,
    /// What the payer sent.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub gross: Naira,
    pub gross_kobo: i64,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub fee: Naira,
    pub fee_kobo: i64,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub vat: Naira,
    pub vat_kobo: i64,
    /// What was credited: gross − fee − VAT.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub net: Naira,
    pub net_kobo: i64,
    pub sender: InflowSender,
    pub narration: Option<String>,
    /// Times this session id came again with another amount or account.
    pub conflicts: i64,
    /// `overpaid` or `paid_after_approval` (one-time accounts).
    pub flag: Option<String>,
    /// True when the money is held for refund to the payer (expired one-time account).
    pub refund_due: bool,
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
            flag: i.flag,
            refund_due: i.refund_due,
            paid_at: i.paid_at,
            created_at: i.created_at,
        }
    }
}
