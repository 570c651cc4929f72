//! `GET /api/v1/inflows` (filter `status=credited|suspense`) and
//! `GET /api/v1/inflows/{session_id}`: a business's own inflows.

use axum::extract::{Path, State};
use axum::response::Response;
use kobo_store::{InflowQuery, InflowStatus};

use super::view::InflowOut;
use crate::envelope;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::auth::Auth;
use crate::http::paging::Paging;
use crate::http::query::QueryParams;
use crate::openapi::envelopes::{ErrorBody, Page, Success};
use crate::openapi::params::{InflowFilters, PagingParams};
use crate::state::AppState;

/// List inflows
///
/// The business's inflows in this mode, newest first; `status=suspense` lists money held back.
#[utoipa::path(
    get, path = "/api/v1/inflows", tag = "money",
    operation_id = "list_inflows", security(("DPPRIVATEKEY" = [])),
    params(PagingParams, InflowFilters),
    responses(
        (status = 200, description = "A page of inflows.", body = Page<InflowOut>),
        (status = 400, description = "A bad parameter (`invalid_query`, `validation_failed`, `page_too_deep`).", body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    Auth(scope): Auth,
    params: QueryParams,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let paging = Paging::read(&params, &mut errors);
    let status = params.get("status").and_then(|s| {
        let parsed = InflowStatus::parse(s);
        if parsed.is_none() {
            errors.insert(
                "status".into(),
                vec!["The status must be either credited or suspense.".into()],
            );
        }
        parsed
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let query = InflowQuery {
        status,
        offset: paging.offset()?,
        limit: paging.limit(),
        starting_after: paging.starting_after,
    };
    let (mut items, total) = app.store.list_inflows(scope, &query).await?;
    let meta = paging.finish(&mut items, total, |i| i.id);
    let out: Vec<InflowOut> = items.into_iter().map(Into::into).collect();
    Ok(envelope::page("Inflows retrieved successfully", out, meta))
}

/// Fetch an inflow
#[utoipa::path(
    get, path = "/api/v1/inflows/{session_id}", tag = "money",
    operation_id = "fetch_inflow", security(("DPPRIVATEKEY" = [])),
    params(("session_id" = String, Path, description = "The NIP session id.", example = "000015250101120000123456789012")),
    responses(
        (status = 200, description = "The inflow.", body = Success<InflowOut>),
        (status = 404, description = "No such inflow (`not_found`).", body = ErrorBody),
    )
)]
pub async fn fetch(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(session_id): Path<String>,
) -> ApiResult<Response> {
    let inflow = app
        .store
        .find_inflow(scope, &session_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Inflow"))?;
    Ok(envelope::ok(
        "Inflow retrieved successfully",
        InflowOut::from(inflow),
    ))
}
