//! `GET /api/v1/customers/{identifier}/transactions`: movements newest first,
//! with `type` (deposit|withdrawal), `from`/`to` (inclusive Lagos dates) and
//! the usual paging. Each row carries the inflow's meta, its gross/fee/VAT/net
//! split and the running balance after it.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use kobo_core::money::Naira;
use kobo_store::{Movement, MovementQuery};
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::auth::Auth;
use crate::http::paging::Paging;
use crate::http::query::QueryParams;
use crate::openapi::envelopes::{ErrorBody, Page};
use crate::openapi::params::{PagingParams, TransactionFilters};
use crate::state::AppState;

/// The inflow behind a deposit (all `null` for other movements).
#[derive(Serialize, ToSchema)]
pub struct TransactionMeta {
    #[serde(rename = "sessionId")]
    pub session_id: Option<String>,
    #[serde(rename = "senderAccountName")]
    pub sender_account_name: Option<String>,
    #[serde(rename = "senderAccountNumber")]
    pub sender_account_number: Option<String>,
    #[serde(rename = "senderBankCode")]
    pub sender_bank_code: Option<String>,
    pub narration: Option<String>,
    #[serde(rename = "accountNumber")]
    pub account_number: Option<String>,
}

/// A movement of the wallet.
#[derive(Serialize, ToSchema)]
pub struct TransactionOut {
    /// The ledger entry's id (use as `starting_after`).
    pub id: i64,
    /// The journal's id.
    pub uuid: String,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::schemas::movement_type)]
    pub kind: &'static str,
    #[schema(schema_with = crate::openapi::schemas::currency)]
    pub currency: &'static str,
    /// What reached the wallet (the inflow's net).
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
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub net: Naira,
    pub net_kobo: i64,
    /// The wallet's balance after this movement.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub balance_after: Naira,
    pub balance_after_kobo: i64,
    pub confirmed: bool,
    pub meta: TransactionMeta,
    pub created_at: DateTime<Utc>,
}

impl From<Movement> for TransactionOut {
    fn from(m: Movement) -> Self {
        let amount = kobo_core::Kobo(m.amount.0.abs());
        let (gross, fee, vat) = match &m.inflow {
            Some(i) => (i.gross, i.fee, i.vat),
            None => (amount, kobo_core::Kobo::ZERO, kobo_core::Kobo::ZERO),
        };
        let i = m.inflow.as_ref();
        TransactionOut {
            id: m.entry_id,
            uuid: m.journal_uuid,
            kind: if m.amount.0 > 0 {
                "deposit"
            } else {
                "withdrawal"
            },
            currency: "NGN",
            amount: Naira(amount),
            amount_kobo: amount.0,
            gross: Naira(gross),
            gross_kobo: gross.0,
            fee: Naira(fee),
            fee_kobo: fee.0,
            vat: Naira(vat),
            vat_kobo: vat.0,
            net: Naira(amount),
            net_kobo: amount.0,
            balance_after: Naira(m.balance_after),
            balance_after_kobo: m.balance_after.0,
            confirmed: true,
            meta: TransactionMeta {
                session_id: i.map(|i| i.session_id.clone()),
                sender_account_name: i.and_then(|i| i.sender_name.clone()),
                sender_account_number: i.and_then(|i| i.sender_account_number.clone()),
                sender_bank_code: i.and_then(|i| i.sender_bank_code.clone()),
                narration: i.and_then(|i| i.narration.clone()),
                account_number: i.map(|i| i.account_number.clone()),
            },
            created_at: m.created_at,
        }
    }
}

pub(crate) fn date(
    params: &QueryParams,
    name: &str,
    errors: &mut FieldErrors,
) -> Option<NaiveDate> {
    let text = params.get(name)?;
    // Exactly YYYY-MM-DD: chrono also takes "+10000-01-02" or "2026-1-5", and a
    // signed year turns into stored-time text that no longer sorts as a time.
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    match NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
    {
        Some(d) => Some(d),
        None => {
            errors.insert(
                name.into(),
                vec![format!(
                    "The {name} must be a date in the format YYYY-MM-DD."
                )],
            );
            None
        }
    }
}

/// List a customer's transactions
///
/// Movements of the wallet, newest first, with each inflow's gross/fee/VAT/net split and the
/// running balance after it.
#[utoipa::path(
    get, path = "/api/v1/customers/{identifier}/transactions", tag = "money",
    operation_id = "customer_transactions", security(("DPPRIVATEKEY" = [])),
    params(
        ("identifier" = String, Path, description = "The customer's id, code, reference or email."),
        PagingParams, TransactionFilters
    ),
    responses(
        (status = 200, description = "A page of movements.", body = Page<TransactionOut>),
        (status = 400, description = "A bad parameter (`invalid_query`, `validation_failed`, `page_too_deep`).", body = ErrorBody),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
    params: QueryParams,
) -> ApiResult<Response> {
    let customer = super::find(&app, scope, &identifier).await?;
    let mut errors = FieldErrors::new();
    let paging = Paging::read(&params, &mut errors);
    let deposits = match params.get("type") {
        None => None,
        Some("deposit") => Some(true),
        Some("withdrawal") => Some(false),
        Some(_) => {
            errors.insert(
                "type".into(),
                vec!["The type must be either deposit or withdrawal.".into()],
            );
            None
        }
    };
    let from = date(&params, "from", &mut errors);
    let to = date(&params, "to", &mut errors);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.insert(
                "from".into(),
                vec!["The from date must not be after the to date.".into()],
            );
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let query = MovementQuery {
        deposits,
        from,
        to,
        offset: paging.offset()?,
        limit: paging.limit(),
        starting_after: paging.starting_after,
        ascending: false,
        with_total: true,
    };
    let (mut items, total) = app.store.movements(scope, &customer, &query).await?;
    let meta = paging.finish(&mut items, total, |m| m.entry_id);
    let out: Vec<TransactionOut> = items.into_iter().map(Into::into).collect();
    Ok(envelope::page(
        "Transactions retrieved successfully",
        out,
        meta,
    ))
}
