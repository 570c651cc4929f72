//! `GET /api/v1/webhooks/events?status=pending|delivered|failed`,
//! `GET /api/v1/webhooks/events/{id}/attempts` and
//! `POST /api/v1/webhooks/events/{id}/retry`.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use kobo_store::{EventQuery, EventStatus, WebhookAttempt, WebhookEvent};
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::auth::Auth;
use crate::http::paging::Paging;
use crate::http::query::QueryParams;
use crate::openapi::envelopes::{ErrorBody, Page, Success};
use crate::openapi::params::{PagingParams, WebhookEventFilters};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct WebhookEventOut {
    #[schema(example = "evt_3kTz9aQbX2mN7pLw4Rc8Yd1e")]
    pub id: String,
    #[schema(example = "inflow.received")]
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    #[schema(value_type = String, example = "delivered")]
    pub status: &'static str,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<WebhookEvent> for WebhookEventOut {
    fn from(e: WebhookEvent) -> Self {
        WebhookEventOut {
            next_attempt_at: (e.status == EventStatus::Pending).then_some(e.next_attempt_at),
            id: e.public_id,
            event: e.event_type,
            status: e.status.as_str(),
            attempts: e.attempts,
            delivered_at: e.delivered_at,
            created_at: e.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookAttemptOut {
    pub attempted_at: DateTime<Utc>,
    pub url: Option<String>,
    pub http_status: Option<u16>,
    pub latency_ms: i64,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

impl From<WebhookAttempt> for WebhookAttemptOut {
    fn from(a: WebhookAttempt) -> Self {
        WebhookAttemptOut {
            attempted_at: a.attempted_at,
            url: a.url,
            http_status: a.http_status,
            latency_ms: a.latency_ms,
            response_excerpt: a.response_excerpt,
            error: a.error,
        }
    }
}

/// List webhook events
///
/// The events of the key's mode, newest first.
#[utoipa::path(
    get, path = "/api/v1/webhooks/events", tag = "webhooks",
    operation_id = "list_webhook_events", security(("DPPRIVATEKEY" = [])),
    params(PagingParams, WebhookEventFilters),
    responses(
        (status = 200, description = "A page of events.", body = Page<WebhookEventOut>),
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
        let parsed = EventStatus::parse(s);
        if parsed.is_none() {
            errors.insert(
                "status".into(),
                vec!["The status must be pending, delivered or failed.".into()],
            );
        }
        parsed
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let query = EventQuery {
        status,
        offset: paging.offset()?,
        limit: paging.limit(),
        starting_after: paging.starting_after,
    };
    let (mut events, total) = app.store.list_webhook_events(scope, &query).await?;
    let meta = paging.finish(&mut events, total, |e| e.id);
    let out: Vec<WebhookEventOut> = events.into_iter().map(Into::into).collect();
    Ok(envelope::page("Webhook events retrieved", out, meta))
}

/// List an event's delivery attempts
///
/// Each attempt's time, URL, HTTP status, latency and the first 1 KiB of the response.
#[utoipa::path(
    get, path = "/api/v1/webhooks/events/{id}/attempts", tag = "webhooks",
    operation_id = "list_webhook_attempts", security(("DPPRIVATEKEY" = [])),
    params(("id" = String, Path, description = "The event id (`evt_…`).")),
    responses(
        (status = 200, description = "The attempts, oldest first.", body = Success<Vec<WebhookAttemptOut>>),
        (status = 404, description = "No such event (`not_found`).", body = ErrorBody),
    )
)]
pub async fn attempts(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let attempts = app
        .store
        .webhook_attempts(scope, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Webhook event"))?;
    let out: Vec<WebhookAttemptOut> = attempts.into_iter().map(Into::into).collect();
    Ok(envelope::ok("Webhook attempts retrieved", out))
}

#[derive(Serialize, ToSchema)]
pub struct Retried {
    id: String,
    /// Always `pending`.
    #[schema(value_type = String, example = "pending")]
    status: &'static str,
}

/// Send an event again
///
/// Makes the event due now, whatever its status.
#[utoipa::path(
    post, path = "/api/v1/webhooks/events/{id}/retry", tag = "webhooks",
    operation_id = "retry_webhook_event", security(("DPPRIVATEKEY" = [])),
    params(("id" = String, Path, description = "The event id (`evt_…`).")),
    responses(
        (status = 200, description = "Queued.", body = Success<Retried>),
        (status = 404, description = "No such event (`not_found`).", body = ErrorBody),
    )
)]
pub async fn retry(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if !app.store.retry_webhook_event(scope, &id).await? {
        return Err(ApiError::not_found("Webhook event"));
    }
    Ok(envelope::ok(
        "Webhook event queued for delivery",
        Retried {
            id,
            status: "pending",
        },
    ))
}
