//! `GET /api/v1/customers`: newest first, filtered by `search`, `type`,
//! `status`; paged as every list is (see `http::paging`).

use axum::extract::State;
use axum::response::Response;
use kobo_store::{CustomerQuery, CustomerStatus, CustomerType};

use super::view;
use crate::envelope;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::auth::Auth;
use crate::http::paging::Paging;
use crate::http::query::QueryParams;
use crate::openapi::envelopes::{ErrorBody, Page};
use crate::openapi::params::{CustomerFilters, PagingParams};
use crate::state::AppState;
use view::CustomerOut;

/// List customers
///
/// Newest first, filtered by `search`, `type` and `status`.
#[utoipa::path(
    get, path = "/api/v1/customers", tag = "customers",
    operation_id = "list_customers", security(("DPPRIVATEKEY" = [])),
    params(PagingParams, CustomerFilters),
    responses(
        (status = 200, description = "A page of customers.", body = Page<CustomerOut>),
        (status = 400, description = "A bad parameter (`invalid_query`, `validation_failed`, `page_too_deep`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    params: QueryParams,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let paging = Paging::read(&params, &mut errors);
    let customer_type = params.get("type").and_then(|v| {
        let t = CustomerType::parse(v);
        if t.is_none() {
            errors.insert(
                "type".into(),
                vec!["The type must be either wallet or collection.".into()],
            );
        }
        t
    });
    let status = params.get("status").and_then(|v| {
        let s = CustomerStatus::parse(&v.to_ascii_uppercase());
        if s.is_none() {
            errors.insert(
                "status".into(),
                vec!["The status must be either ACTIVE or INACTIVE.".into()],
            );
        }
        s
    });
    let search = params
        .get("search")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
        errors.insert(
            "search".into(),
            vec!["The search may not be longer than 100 characters.".into()],
        );
    } else if search
        .as_ref()
        .is_some_and(|s| s.chars().any(char::is_control))
    {
        // SQLite's LIKE stops at a NUL, so "%\0%" would match every customer.
        errors.insert(
            "search".into(),
            vec!["The search must not contain control characters.".into()],
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let query = CustomerQuery {
        offset: paging.offset()?,
        limit: paging.limit(),
        search,
        customer_type,
        status,
        starting_after: paging.starting_after,
    };
    let mut result = app.store.list_customers(scope, &query).await?;
    let meta = paging.finish(&mut result.items, result.total, |c| c.id);
    let items = view::customers_out(&app, scope, result.items).await?;
    Ok(envelope::page(
        "Customers retrieved successfully",
        items,
        meta,
    ))
}
