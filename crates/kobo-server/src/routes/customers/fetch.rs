//! `GET /api/v1/customers/{identifier}`.

use axum::extract::{Path, State};
use axum::response::Response;

use super::view;
use crate::envelope;
use crate::error::ApiResult;
use crate::http::auth::Auth;
use crate::state::AppState;

pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
) -> ApiResult<Response> {
    let customer = super::find(&app, scope, &identifier).await?;
    Ok(envelope::ok(
        "Customer retrieved successfully",
        view::customer_out(&app, scope, customer).await?,
    ))
}
