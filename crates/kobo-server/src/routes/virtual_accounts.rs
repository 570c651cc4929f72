//! `POST`/`GET /api/v1/customers/{identifier}/virtual-accounts`: permanent
//! NUBANs a customer is paid into.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use kobo_store::VirtualAccount;
use serde::Serialize;

use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::routes::customers::input::Form;
use crate::state::AppState;

#[derive(Serialize)]
pub struct VirtualAccountOut {
    pub code: String,
    pub account_name: String,
    pub account_number: String,
    pub bank_name: String,
    pub bank_code: String,
    pub service_provider: String,
    pub status: String,
    pub reference: Option<String>,
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

/// Issues a new account; the body may be empty or carry a `reference`.
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
