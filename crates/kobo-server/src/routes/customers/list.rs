//! `GET /api/v1/customers`: newest first, filtered by `search`, `type`,
//! `status`. Pages by `page`/`per_page` up to a window of 10,000 rows (OFFSET
//! stays cheap there); past it, or for a stable walk over a changing list, use
//! the cursor `starting_after` (keyset pagination on the id, fast at any depth).

use axum::extract::State;
use axum::response::Response;
use kobo_store::{CustomerQuery, CustomerStatus, CustomerType};

use super::view::CustomerOut;
use crate::envelope::{self, PageMeta};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::auth::Auth;
use crate::http::query::QueryParams;
use crate::state::AppState;

/// Largest `page × per_page` served by offset.
pub const MAX_OFFSET_WINDOW: u64 = 10_000;
pub const DEFAULT_PER_PAGE: u64 = 15;
pub const MAX_PER_PAGE: u64 = 100;

pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    params: QueryParams,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let per_page = params.int("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, &mut errors);
    let page = params.int("page", 1, 1, u32::MAX as u64, &mut errors);
    let starting_after = params
        .get("starting_after")
        .and_then(|v| match v.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.insert(
                    "starting_after".into(),
                    vec!["The starting_after must be a customer id from next_cursor.".into()],
                );
                None
            }
        });
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
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let offset = if starting_after.is_some() {
        0
    } else {
        (page - 1) * per_page
    };
    if offset + per_page > MAX_OFFSET_WINDOW {
        return Err(ApiError::new(
            ErrorCode::PageTooDeep,
            format!(
                "Pages reach only the first {MAX_OFFSET_WINDOW} customers; walk further with starting_after (the next_cursor of the previous page)."
            ),
        ));
    }
    let query = CustomerQuery {
        offset,
        // One more than asked tells whether a next page exists.
        limit: per_page as u32 + 1,
        search,
        customer_type,
        status,
        starting_after,
    };
    let mut result = app.store.list_customers(scope, &query).await?;
    let has_more = result.items.len() > per_page as usize;
    result.items.truncate(per_page as usize);
    let next_cursor = has_more
        .then(|| result.items.last().map(|c| c.id.to_string()))
        .flatten();
    let meta = PageMeta::new(
        starting_after.is_none().then_some(page),
        per_page as u32,
        result.total,
        result.items.len(),
        next_cursor,
    );
    let items: Vec<CustomerOut> = result.items.into_iter().map(Into::into).collect();
    Ok(envelope::page(
        "Customers retrieved successfully",
        items,
        meta,
    ))
}
