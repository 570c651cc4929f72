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
use crate::state::AppState;

pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let customer = create(&app, scope, &body, Shape::Corporate).await?;
    Ok(envelope::created(
        "Corporate customer created successfully",
        view::customer_out(&app, scope, customer).await?,
    ))
}
