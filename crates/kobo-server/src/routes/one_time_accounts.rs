//! `POST`/`GET /api/v1/customers/{identifier}/one-time-accounts`: an account
//! number for one expected payment, expiring after `expires_in_minutes`
//! (default 30, 5 to 1440). Statuses are computed at read time as well as
//! swept in the background, so no reader sees a stale PENDING.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use kobo_core::money::{parse_kobo_json, parse_naira_json, Naira};
use kobo_core::Kobo;
use kobo_store::{NewOneTimeAccount, OneTimeAccount, StoreError};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::OneTimeAccountIn;
use crate::routes::customers::input::Form;
use crate::state::AppState;

pub const DEFAULT_MINUTES: i64 = 30;
pub const MIN_MINUTES: i64 = 5;
pub const MAX_MINUTES: i64 = 1440;

/// An account number for one expected payment.
#[derive(Serialize, ToSchema)]
pub struct OneTimeAccountOut {
    pub code: String,
    #[schema(example = "order-1001")]
    pub reference: String,
    /// 10-digit NUBAN.
    #[schema(example = "9990000025")]
    pub account_number: String,
    pub account_name: String,
    pub bank_name: String,
    pub bank_code: String,
    pub service_provider: String,
    #[schema(schema_with = crate::openapi::schemas::currency)]
    pub currency: &'static str,
    /// The amount expected.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub amount: Naira,
    pub amount_kobo: i64,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub amount_paid: Naira,
    pub amount_paid_kobo: i64,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub amount_remaining: Naira,
    pub amount_remaining_kobo: i64,
    /// Paid beyond the amount (flagged on the inflow).
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub excess: Naira,
    pub excess_kobo: i64,
    #[schema(schema_with = crate::openapi::schemas::one_time_status)]
    pub status: &'static str,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl OneTimeAccountOut {
    pub fn at(o: OneTimeAccount, now: DateTime<Utc>) -> OneTimeAccountOut {
        let (remaining, excess) = (o.remaining(), o.excess());
        OneTimeAccountOut {
            status: o.status_at(now).as_str(),
            code: o.account.code,
            reference: o.reference,
            account_number: o.account.account_number,
            account_name: o.account.account_name,
            bank_name: o.account.bank_name,
            bank_code: o.account.bank_code,
            service_provider: o.account.provider,
            currency: "NGN",
            amount: Naira(o.amount),
            amount_kobo: o.amount.0,
            amount_paid: Naira(o.amount_paid),
            amount_paid_kobo: o.amount_paid.0,
            amount_remaining: Naira(remaining),
            amount_remaining_kobo: remaining.0,
            excess: Naira(excess),
            excess_kobo: excess.0,
            expires_at: o.expires_at,
            created_at: o.created_at,
        }
    }
}

/// Reads and checks the request, naming every bad field.
fn parse(body: &Map<String, Value>) -> ApiResult<NewOneTimeAccount> {
    let mut form = Form::new(body);
    let given = |f: &str| {
        body.get(f)
            .filter(|v| !v.is_null() && v.as_str() != Some(""))
    };
    let amount = |field: &str, form: &mut Form, kobo: bool| {
        let v = given(field)?;
        let parsed = if kobo {
            parse_kobo_json(v)
        } else {
            parse_naira_json(v)
        };
        match parsed {
            Ok(k) if k.is_positive() => Some(k),
            Ok(_) => {
                form.fail(field, format!("The {field} must be greater than zero."));
                None
            }
            Err(e) => {
                form.fail(field, format!("The {field} {e}."));
                None
            }
        }
    };
    let naira = amount("amount", &mut form, false);
    let kobo = amount("amount_kobo", &mut form, true);
    let value: Option<Kobo> = match (naira, kobo) {
        (Some(n), Some(k)) if n != k => {
            form.fail(
                "amount",
                "The amount and amount_kobo disagree; send one of them.".into(),
            );
            None
        }
        (n, k) => n.or(k),
    };
    if given("amount").is_none() && given("amount_kobo").is_none() {
        form.fail("amount", "The amount field is required.".into());
    }
    let minutes = form
        .optional("expires_in_minutes", |s| match s.parse::<i64>() {
            Ok(m) if (MIN_MINUTES..=MAX_MINUTES).contains(&m) => Ok(m),
            _ => Err("must be a whole number of minutes from 5 to 1440"),
        })
        .unwrap_or(DEFAULT_MINUTES);
    let reference = form.optional("reference", kobo_core::validate::reference);
    let errors = form.finish();
    match value {
        Some(amount) if errors.is_empty() => Ok(NewOneTimeAccount {
            reference: reference
                .unwrap_or_else(|| format!("ota_{}", kobo_core::ids::random_alphanumeric(20))),
            amount,
            expires_at: Utc::now() + Duration::minutes(minutes),
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Create a one-time account
///
/// An account number for one expected payment of `amount` (or `amount_kobo`), expiring after
/// `expires_in_minutes`. Paid in full: APPROVED; short: stays PENDING; after `expires_at`: the
/// money is held in suspense for refund.
#[utoipa::path(
    post, path = "/api/v1/customers/{identifier}/one-time-accounts", tag = "accounts",
    operation_id = "create_one_time_account", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    request_body = OneTimeAccountIn,
    responses(
        (status = 201, description = "Created.", body = Success<OneTimeAccountOut>),
        (status = 400, description = "A bad field, or an INACTIVE customer (`customer_inactive`).", body = ErrorBody),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
        (status = 409, description = "The reference already exists (`already_exists`).", body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let customer = super::customers::find(&app, scope, &identifier).await?;
    let new = parse(&body)?;
    let account = app
        .store
        .create_one_time_account(scope, customer.id, new, &app.config.issuer)
        .await
        .map_err(|e| match e {
            StoreError::Conflict { field: "reference" } => ApiError::new(
                ErrorCode::AlreadyExists,
                "A one-time account with this reference already exists.",
            ),
            other => other.into(),
        })?;
    Ok(envelope::created(
        "One-time account created successfully",
        OneTimeAccountOut::at(account, Utc::now()),
    ))
}

/// List a customer's one-time accounts
#[utoipa::path(
    get, path = "/api/v1/customers/{identifier}/one-time-accounts", tag = "accounts",
    operation_id = "list_one_time_accounts", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    responses(
        (status = 200, description = "The accounts; statuses computed now.", body = Success<Vec<OneTimeAccountOut>>),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
) -> ApiResult<Response> {
    let customer = super::customers::find(&app, scope, &identifier).await?;
    let accounts = app.store.one_time_accounts_of(scope, customer.id).await?;
    let now = Utc::now();
    let out: Vec<OneTimeAccountOut> = accounts
        .into_iter()
        .map(|a| OneTimeAccountOut::at(a, now))
        .collect();
    Ok(envelope::ok(
        "One-time accounts retrieved successfully",
        out,
    ))
}
