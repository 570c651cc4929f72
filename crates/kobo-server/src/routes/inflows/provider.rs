//! The partner bank's door (signed, live accounts only):
//! `POST /api/v1/provider/inflows` and `POST /api/v1/provider/name-enquiry`.

use axum::extract::State;
use axum::response::Response;
use kobo_core::Mode;
use kobo_store::Door;
use serde::Serialize;

use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::signature::SignedJson;
use crate::routes::customers::input::Form;
use crate::state::AppState;

pub async fn inflow(
    State(app): State<AppState>,
    SignedJson(body): SignedJson,
) -> ApiResult<Response> {
    let request = super::input::parse(&body, Door::Provider)?;
    super::post(&app, request).await
}

#[derive(Serialize)]
pub struct NameEnquiryOut {
    pub account_number: String,
    pub account_name: String,
    pub bank_name: String,
    pub bank_code: String,
}

/// Answers the account name so the payer's bank can show it; unknown,
/// inactive and test-mode accounts are all 404.
pub async fn name_enquiry(
    State(app): State<AppState>,
    SignedJson(body): SignedJson,
) -> ApiResult<Response> {
    let mut form = Form::new(&body);
    let number = form.required("account_number", kobo_core::validate::account_number);
    let errors = form.finish();
    let Some(number) = number.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    match app.store.name_enquiry(&number).await? {
        Some(found) if found.active && found.mode == Mode::Live => Ok(envelope::ok(
            "Account found",
            NameEnquiryOut {
                account_number: found.account_number,
                account_name: found.account_name,
                bank_name: found.bank_name,
                bank_code: found.bank_code,
            },
        )),
        _ => Err(ApiError::not_found("Account")),
    }
}
