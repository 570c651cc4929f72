//! The partner bank's door (signed, live accounts only):
//! `POST /api/v1/provider/inflows` and `POST /api/v1/provider/name-enquiry`.

use axum::extract::State;
use axum::response::Response;
use kobo_core::Mode;
use kobo_store::Door;
use serde::Serialize;
use utoipa::ToSchema;

use super::view::InflowOut;
use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::signature::SignedJson;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::{NameEnquiryIn, ProviderInflowIn};
use crate::routes::customers::input::Form;
use crate::state::AppState;

/// Report a transfer (partner bank)
///
/// The partner bank reports a transfer into a live account. Amounts in kobo only. The same
/// `session_id` again answers the first result (200) and posts nothing.
#[utoipa::path(
    post, path = "/api/v1/provider/inflows", tag = "provider",
    operation_id = "provider_inflow",
    params(("X-Provider-Signature" = String, Header, description = "Hex HMAC-SHA512 of the raw body, keyed with `KOBO_PROVIDER_SECRET`.", pattern = r"^[0-9a-fA-F]{128}$")),
    request_body = ProviderInflowIn,
    responses(
        (status = 200, description = "This session id was already received: the first result, nothing posted.", body = Success<InflowOut>),
        (status = 201, description = "Received: credited, or held in suspense with a reason.", body = Success<InflowOut>),
        (status = 401, description = "No valid signature, or the door is closed (`invalid_signature`).", body = ErrorBody),
        (status = 404, description = "No account with this number (`not_found`); nothing posted.", body = ErrorBody),
        (status = 409, description = "The session id was received with another amount or account (`session_conflict`).", body = ErrorBody),
    )
)]
pub async fn inflow(
    State(app): State<AppState>,
    SignedJson(body): SignedJson,
) -> ApiResult<Response> {
    let request = super::input::parse(&body, Door::Provider)?;
    super::post(&app, request).await
}

/// The name on an account.
#[derive(Serialize, ToSchema)]
pub struct NameEnquiryOut {
    pub account_number: String,
    pub account_name: String,
    pub bank_name: String,
    pub bank_code: String,
}

/// Name enquiry (partner bank)
///
/// Answers the account name so the payer's bank can show it; unknown,
/// inactive and test-mode accounts are all 404.
#[utoipa::path(
    post, path = "/api/v1/provider/name-enquiry", tag = "provider",
    operation_id = "provider_name_enquiry",
    params(("X-Provider-Signature" = String, Header, description = "Hex HMAC-SHA512 of the raw body, keyed with `KOBO_PROVIDER_SECRET`.", pattern = r"^[0-9a-fA-F]{128}$")),
    request_body = NameEnquiryIn,
    responses(
        (status = 200, description = "The account's name.", body = Success<NameEnquiryOut>),
        (status = 401, description = "No valid signature, or the door is closed (`invalid_signature`).", body = ErrorBody),
        (status = 404, description = "Unknown, inactive or test account (`not_found`).", body = ErrorBody),
    )
)]
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
