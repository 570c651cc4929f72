//! `POST /api/v1/customers`: create an individual customer.

use axum::extract::State;
use axum::response::Response;
use kobo_store::{Customer, CustomerType, NewCustomer, Scope};
use serde_json::{Map, Value};

use super::input::{self, Form, Shape};
use super::view;
use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::CustomerIn;
use crate::state::AppState;
use view::CustomerOut;

/// Create a customer
///
/// `first_name`, `last_name`, `email` and `reference` are required; `type` defaults to
/// `wallet`. A `collection` customer names one of the business's collection wallets.
#[utoipa::path(
    post, path = "/api/v1/customers", tag = "customers",
    operation_id = "create_customer", security(("DPPRIVATEKEY" = [])),
    request_body = CustomerIn,
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
    let customer = create(&app, scope, &body, Shape::Individual).await?;
    Ok(envelope::created(
        "Customer created successfully",
        view::new_customer_out(customer),
    ))
}

/// Validates `body` as a new customer of `shape` and inserts it. Shared by
/// create, corporate and storeorupdate.
pub async fn create(
    app: &AppState,
    scope: Scope,
    body: &Map<String, Value>,
    shape: Shape,
) -> ApiResult<Customer> {
    let mut form = Form::new(body);
    let fields = input::parse(&mut form, shape);
    let wallet = input::resolve_wallet(app, scope, &fields, None, &mut form).await?;
    let errors = form.finish();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (Some(reference), Some(email)) = (fields.reference, fields.email) else {
        return Err(ApiError::internal(
            "create customer",
            "required field passed validation unset",
        ));
    };
    let new = NewCustomer {
        code: kobo_core::ids::customer_code(),
        reference,
        first_name: fields.first_name,
        last_name: fields.last_name,
        company_name: fields.company_name,
        rc_number: fields.rc_number,
        email,
        phone: fields.phone,
        dob: fields.dob,
        bvn: fields.bvn.map(|d| input::seal(app, "bvn", &d)),
        nin: fields.nin.map(|d| input::seal(app, "nin", &d)),
        customer_type: fields.customer_type.unwrap_or(CustomerType::Wallet),
        collection_wallet_id: wallet.flatten(),
        wallet_slug: kobo_core::ids::wallet_slug(),
    };
    Ok(app.store.create_customer(scope, new).await?)
}
