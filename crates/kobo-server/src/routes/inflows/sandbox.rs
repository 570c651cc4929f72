//! `POST /api/v1/sandbox/inflows`: simulate a bank transfer into one of the
//! business's test accounts. Test keys only (a live key gets 403).

use axum::extract::State;
use axum::response::Response;
use kobo_core::Mode;
use kobo_store::Door;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::state::AppState;

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
