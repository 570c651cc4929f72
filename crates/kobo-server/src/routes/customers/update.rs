//! `PATCH`/`PUT /api/v1/customers/{identifier}`: partial update (PUT too, as
//! the real backend is called with both).

use axum::extract::{Path, State};
use axum::response::Response;
use kobo_store::{Customer, CustomerPatch, Scope};
use serde_json::{Map, Value};

use super::input::{self, Form, Shape};
use super::view;
use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::CustomerUpdateIn;
use crate::state::AppState;
use view::CustomerOut;

/// Update a customer
///
/// A partial update with PATCH or PUT: only the fields given change.
#[utoipa::path(
    method(patch, put), path = "/api/v1/customers/{identifier}", tag = "customers",
    operation_id = "update_customer", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    request_body = CustomerUpdateIn,
    responses(
        (status = 200, description = "The customer as updated.", body = Success<CustomerOut>),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
        (status = 409, description = "The new email, reference, BVN or NIN already exists (`already_exists`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let current = super::find(&app, scope, &identifier).await?;
    let customer = update(&app, scope, current, &body).await?;
    Ok(envelope::ok(
        "Customer updated successfully",
        view::customer_out(&app, scope, customer).await?,
    ))
}

/// Validates `body` as changes to `current` and applies them.
pub async fn update(
    app: &AppState,
    scope: Scope,
    current: Customer,
    body: &Map<String, Value>,
) -> ApiResult<Customer> {
    let mut form = Form::new(body);
    let fields = input::parse(&mut form, Shape::Update);
    let wallet = input::resolve_wallet(app, scope, &fields, Some(&current), &mut form).await?;
    let errors = form.finish();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let patch = CustomerPatch {
        reference: fields.reference,
        first_name: fields.first_name,
        last_name: fields.last_name,
        company_name: fields.company_name,
        rc_number: fields.rc_number,
        email: fields.email,
        phone: fields.phone,
        dob: fields.dob,
        bvn: fields.bvn.map(|d| input::seal(app, "bvn", &d)),
        nin: fields.nin.map(|d| input::seal(app, "nin", &d)),
        customer_type: fields.customer_type,
        collection_wallet_id: wallet,
        status: fields.status,
    };
    if patch.is_empty() {
        return Ok(current);
    }
    Ok(app.store.update_customer(scope, current.id, patch).await?)
}
