//! `GET /api/v1/customers/{identifier}`.

use axum::extract::{Path, State};
use axum::response::Response;
use kobo_store::CustomerLookup;

use super::view;
use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::state::AppState;
use view::CustomerOut;

/// Fetch a customer
///
/// `{identifier}` is tried as id, then code, then reference, then email (case-insensitive).
#[utoipa::path(
    get, path = "/api/v1/customers/{identifier}", tag = "customers",
    operation_id = "fetch_customer", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    responses(
        (status = 200, description = "The customer.", body = Success<CustomerOut>),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
) -> ApiResult<Response> {
    let lookup = CustomerLookup::parse(&identifier);
    let (customer, accounts) = app
        .store
        .find_customer_with_accounts(scope, &lookup)
        .await?
        .ok_or_else(|| ApiError::not_found("Customer"))?;
    Ok(envelope::ok(
        "Customer retrieved successfully",
        view::with_accounts(customer, accounts),
    ))
}
