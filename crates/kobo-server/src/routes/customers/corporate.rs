//! `POST /api/v1/customers/corporate`: create a corporate customer
//! (`company_name`, `rc_number`, `email`, `reference`).

use axum::extract::State;
use axum::response::Response;

use super::create::create;
use super::input::Shape;
use super::view;
use crate::envelope;
use crate::error::ApiResult;
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::CorporateCustomerIn;
use crate::state::AppState;
use view::CustomerOut;

/// Create a corporate customer
///
/// `company_name`, `rc_number`, `email` and `reference` are required.
#[utoipa::path(
    post, path = "/api/v1/customers/corporate", tag = "customers",
    operation_id = "create_corporate_customer", security(("DPPRIVATEKEY" = [])),
    request_body = CorporateCustomerIn,
    responses(
        (status = 201, description = "Created.", body = Success<CustomerOut>),
        (status = 409, description = "The email, reference, BVN or NIN already exists (`already_exists`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let customer = create(&app, scope, &body, Shape::Corporate).await?;
    Ok(envelope::created(
        "Corporate customer created successfully",
        view::new_customer_out(customer),
    ))
}
