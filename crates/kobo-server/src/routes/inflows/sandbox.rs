//! `POST /api/v1/sandbox/inflows`: simulate a bank transfer into one of the
//! business's test accounts. Test keys only (a live key gets 403).

use axum::extract::State;
use axum::response::Response;
use kobo_core::Mode;
use kobo_store::Door;

use super::view::InflowOut;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::SandboxInflowIn;
use crate::state::AppState;

/// Simulate a transfer (sandbox)
///
/// A transfer into one of your test accounts, posted exactly as a real one would be. Test keys
/// only. The same `session_id` again answers the first result (200) and posts nothing.
#[utoipa::path(
    post, path = "/api/v1/sandbox/inflows", tag = "money",
    operation_id = "sandbox_inflow", security(("DPPRIVATEKEY" = [])),
    request_body = SandboxInflowIn,
    responses(
        (status = 200, description = "This session id was already received: the first result, nothing posted.", body = Success<InflowOut>),
        (status = 201, description = "Received: credited, or held in suspense with a reason.", body = Success<InflowOut>),
        (status = 403, description = "A live key (`wrong_mode`).", body = ErrorBody),
        (status = 404, description = "No account with this number (`not_found`); nothing posted.", body = ErrorBody),
        (status = 409, description = "The session id was received with another amount or account (`session_conflict`).", body = ErrorBody),
    )
)]
pub async fn inflow(
    State(app): State<AppState>,
    Auth(scope): Auth,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    if scope.mode != Mode::Test {
        return Err(ApiError::new(
            ErrorCode::WrongMode,
            "The sandbox takes test keys only; live money arrives through the partner bank.",
        ));
    }
    let request = super::input::parse(
        &body,
        Door::Sandbox {
            business_id: scope.business_id,
        },
    )?;
    super::post(&app, request).await
}
