//! Liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

/// Liveness
///
/// The process is up (it does not touch the database).
#[utoipa::path(
    get, path = "/healthz", tag = "service", operation_id = "healthz",
    responses((status = 200, description = "Up.", body = Object, example = json!({"status": "ok"})))
)]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness
///
/// The database answers and its migrations are current; 503 otherwise.
#[utoipa::path(
    get, path = "/readyz", tag = "service", operation_id = "readyz",
    responses(
        (status = 200, description = "Ready.", body = Object, example = json!({"status": "ready"})),
        (status = 503, description = "Not ready, with the reason.", body = Object,
            headers(("Retry-After" = u32, description = "Seconds to wait.")),
            example = json!({"status": "not_ready", "reason": "the database is unreachable"})),
    )
)]
pub async fn readyz(State(app): State<AppState>) -> Response {
    match app.store.migrations_current().await {
        Ok(true) => Json(json!({"status": "ready"})).into_response(),
        Ok(false) => not_ready("migrations are not current; run `kobo migrate`"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            not_ready("the database is unreachable")
        }
    }
}

fn not_ready(why: &str) -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "not_ready", "reason": why})),
    )
        .into_response();
    response
        .headers_mut()
        .insert("retry-after", HeaderValue::from_static("5"));
    response
}

/// Metrics
///
/// Prometheus text: the process's series plus ledger totals read now.
#[utoipa::path(
    get, path = "/metrics", tag = "service", operation_id = "metrics",
    responses((status = 200, description = "Prometheus text format 0.0.4.", body = String,
        content_type = "text/plain; version=0.0.4"))
)]
pub async fn metrics(State(app): State<AppState>) -> Response {
    let mut text = app.metrics.render();
    match app.store.ledger_totals().await {
        Ok(totals) => {
            text.push_str(
                "# HELP kobo_ledger_balance_kobo Sum of balances by account kind and mode.\n",
            );
            text.push_str("# TYPE kobo_ledger_balance_kobo gauge\n");
            for t in totals {
                text.push_str(&format!(
                    "kobo_ledger_balance_kobo{{kind=\"{}\",mode=\"{}\"}} {}\n",
                    t.kind, t.mode, t.balance.0
                ));
            }
        }
        Err(e) => tracing::warn!(error = %e, "ledger totals unavailable for metrics"),
    }
    match app.store.webhook_backlog().await {
        Ok(n) => text.push_str(&format!(
            "# HELP kobo_webhook_backlog Webhook events waiting for delivery.\n# TYPE kobo_webhook_backlog gauge\nkobo_webhook_backlog {n}\n"
        )),
        Err(e) => tracing::warn!(error = %e, "webhook backlog unavailable for metrics"),
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
