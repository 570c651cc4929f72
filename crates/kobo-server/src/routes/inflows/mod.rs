//! Money in. Two doors, one posting path (the group-commit `InflowWriter`):
//! `provider` (the partner bank, signed; live accounts) and `sandbox` (a test
//! key; the business's own test accounts). `lookup` lets a business read its
//! inflows back.

pub mod input;
pub mod lookup;
pub mod provider;
pub mod sandbox;
pub mod view;

use axum::response::Response;
use kobo_store::{InflowRequest, StoreError};

use crate::envelope;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::metrics::InflowOutcome as Outcome;
use crate::state::AppState;

/// Posts through the writer and answers: 201 for a new inflow, 200 with the
/// first result for a repeated session id, 409 for a conflicting repeat.
pub async fn post(app: &AppState, request: InflowRequest) -> ApiResult<Response> {
    let session_id = request.session_id.clone();
    let result = app.inflows.post(request).await;
    let counted = match &result {
        Ok(o) if o.replayed => Some(Outcome::Replayed),
        Ok(o) if o.inflow.status == kobo_store::InflowStatus::Credited => Some(Outcome::Credited),
        Ok(_) => Some(Outcome::Suspense),
        Err(StoreError::Conflict { .. }) => Some(Outcome::Conflict),
        Err(_) => None,
    };
    if let Some(outcome) = counted {
        app.metrics.inflow(outcome);
    }
    match result {
        Ok(outcome) if outcome.replayed => Ok(envelope::ok(
            "Inflow already received; nothing new was posted",
            view::InflowOut::from(outcome.inflow),
        )),
        Ok(outcome) => {
            let i = &outcome.inflow;
            tracing::info!(
                session_id = %i.session_id, status = i.status.as_str(), gross_kobo = i.gross.0,
                customer = i.customer_code.as_deref().unwrap_or("-"), "inflow posted"
            );
            Ok(envelope::created("Inflow received", view::InflowOut::from(outcome.inflow)))
        }
        Err(StoreError::Conflict { .. }) => Err(ApiError::new(
            ErrorCode::SessionConflict,
            format!("Session {session_id} was already received with another amount or account; it has been flagged."),
        )),
        Err(StoreError::NotFound) => Err(ApiError::new(
            ErrorCode::NotFound,
            "No account with this account_number; nothing was posted.",
        )),
        Err(e) => Err(e.into()),
    }
}
