//! `POST`/`GET /api/v1/customers/{identifier}/virtual-accounts`: permanent
//! NUBANs a customer is paid into.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use kobo_store::VirtualAccount;
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::VirtualAccountIn;
use crate::routes::customers::input::Form;
use crate::state::AppState;

/// A permanent account number (NUBAN) a customer is paid into.
#[derive(Serialize, ToSchema)]
pub struct VirtualAccountOut {
    #[schema(example = "VA_3kd92mXq")]
    pub code: String,
    #[schema(example = "Wale Ajanlekoko")]
    pub account_name: String,
    /// 10-digit NUBAN.
    #[schema(example = "9990000017")]
    pub account_number: String,
    #[schema(example = "Kobo Sandbox Bank")]
    pub bank_name: String,
    #[schema(example = "999999")]
    pub bank_code: String,
    #[schema(example = "kobo")]
    pub service_provider: String,
    #[schema(schema_with = crate::openapi::schemas::account_status)]
    pub status: String,
    pub reference: Option<String>,
    #[schema(schema_with = crate::openapi::schemas::mode)]
    pub mode: &'static str,
    pub created_at: DateTime<Utc>,
}

impl From<VirtualAccount> for VirtualAccountOut {
    fn from(v: VirtualAccount) -> Self {
        VirtualAccountOut {
            code: v.code,
            account_name: v.account_name,
            account_number: v.account_number,
            bank_name: v.bank_name,
            bank_code: v.bank_code,
            service_provider: v.provider,
            status: v.status,
            reference: v.reference,
            mode: v.mode.as_str(),
            created_at: v.created_at,
        }
    }
}

/// Issue a virtual account
///
/// A new permanent NUBAN for the customer; the body may be empty or carry a `reference`.
/// At most 5 per customer by default.
#[utoipa::path(
    post, path = "/api/v1/customers/{identifier}/virtual-accounts", tag = "accounts",
    operation_id = "create_virtual_account", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    request_body(content = VirtualAccountIn, description = "May be empty."),
    responses(
        (status = 201, description = "Issued.", body = Success<VirtualAccountOut>),
        (status = 400, description = "A bad field, an INACTIVE customer (`customer_inactive`) or the cap reached (`virtual_account_limit`).", body = ErrorBody),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let customer = super::customers::find(&app, scope, &identifier).await?;
    let mut form = Form::new(&body);
    let reference = form.optional("reference", kobo_core::validate::reference);
    let errors = form.finish();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let account = app
        .store
        .create_virtual_account(scope, customer.id, reference, &app.config.issuer)
        .await?;
    tracing::info!(customer = %customer.code, account = %account.code, "virtual account issued");
    Ok(envelope::created(
        "Virtual account created successfully",
        VirtualAccountOut::from(account),
    ))
}

/// List a customer's virtual accounts
#[utoipa::path(
    get, path = "/api/v1/customers/{identifier}/virtual-accounts", tag = "accounts",
    operation_id = "list_virtual_accounts", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    responses(
        (status = 200, description = "The accounts, oldest first.", body = Success<Vec<VirtualAccountOut>>),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
) -> ApiResult<Response> {
    let customer = super::customers::find(&app, scope, &identifier).await?;
    let accounts = app.store.virtual_accounts_of(scope, &[customer.id]).await?;
    let out: Vec<VirtualAccountOut> = accounts.into_iter().map(Into::into).collect();
    Ok(envelope::ok("Virtual accounts retrieved successfully", out))
}
