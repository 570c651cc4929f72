//! `/api/v1/customers…`: one action per file; `input` parses and validates
//! request fields, `view` shapes the JSON answer.

pub mod balance;
pub mod corporate;
pub mod create;
pub mod fetch;
pub mod input;
pub mod list;
pub mod statement;
pub mod store_or_update;
pub mod transactions;
pub mod update;
pub mod view;

use kobo_store::{Customer, CustomerLookup, Scope};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Resolves `{identifier}` (id, code, reference or email) or answers 404.
pub async fn find(app: &AppState, scope: Scope, identifier: &str) -> ApiResult<Customer> {
    app.store
        .find_customer(scope, &CustomerLookup::parse(identifier))
        .await?
        .ok_or_else(|| ApiError::not_found("Customer"))
}
