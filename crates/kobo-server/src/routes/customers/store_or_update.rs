//! `POST /api/v1/customers/storeorupdate`: update the customer with this
//! `reference`, or create it (201) when there is none.

use axum::extract::State;
use axum::response::Response;
use kobo_store::{CustomerLookup, StoreError};

use super::create::create;
use super::input::{self, Form, Shape};
use super::update::update;
use super::view;
use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::StoreOrUpdateIn;
use crate::state::AppState;
use view::CustomerOut;

/// Create or update a customer by reference
///
/// Updates the customer with this `reference` (200), or creates it (201).
#[utoipa::path(
    post, path = "/api/v1/customers/storeorupdate", tag = "customers",
    operation_id = "store_or_update_customer", security(("DPPRIVATEKEY" = [])),
    request_body = StoreOrUpdateIn,
    responses(
        (status = 200, description = "Updated.", body = Success<CustomerOut>),
        (status = 201, description = "Created.", body = Success<CustomerOut>),
        (status = 409, description = "The email, reference, BVN or NIN already exists (`already_exists`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let shape = if body.contains_key("company_name") {
        Shape::Corporate
    } else {
        Shape::Individual
    };
    let mut form = Form::new(&body);
    let reference = form.required("reference", kobo_core::validate::reference);
    let Some(reference) = reference else {
        // Without a usable reference this can only be a create: name every
        // bad field at once, as create does.
        let fields = input::parse(&mut form, shape);
        input::resolve_wallet(&app, scope, &fields, None, &mut form).await?;
        let mut errors = form.finish();
        for messages in errors.values_mut() {
            messages.dedup();
        }
        return Err(ApiError::validation(errors));
    };
    // Two attempts: a parallel request may create the same reference between
    // our lookup and our insert; then the second pass updates it.
    for _ in 0..2 {
        let lookup = CustomerLookup::Reference(reference.clone());
        if let Some(current) = app.store.find_customer(scope, &lookup).await? {
            let customer = update(&app, scope, current, &body).await?;
            return Ok(envelope::ok(
                "Customer updated successfully",
                view::customer_out(&app, scope, customer).await?,
            ));
        }
        match create(&app, scope, &body, shape).await {
            Ok(customer) => {
                return Ok(envelope::created(
                    "Customer created successfully",
                    view::new_customer_out(customer),
                ))
            }
            Err(e) if is_reference_conflict(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::from(StoreError::Conflict { field: "reference" }))
}

fn is_reference_conflict(e: &ApiError) -> bool {
    e.code == crate::error::ErrorCode::AlreadyExists && e.errors.contains_key("reference")
}
