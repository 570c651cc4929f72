//! kobo's HTTP API. `router` builds the axum app; `serve` runs it until the
//! shutdown future resolves, draining in-flight requests.
//!
//! Folders: `http/` holds the plumbing every request passes through (body
//! limit, auth, idempotency, extractors); `routes/` holds one folder or file per
//! resource, one action per file.

pub mod envelope;
pub mod error;
pub mod http;
pub mod inflow_writer;
pub mod metrics;
pub mod openapi;
pub mod provision;
pub mod routes;
pub mod state;
pub mod sweeper;
pub mod webhooks;

use std::future::Future;

use axum::extract::Request;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use state::AppState;

use crate::error::ApiError;

/// The whole application, before trailing-slash normalization.
pub fn router(state: AppState) -> Router {
    let private = routes::private_routes()
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            http::idempotency::idempotency,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            http::auth::require_private_key,
        ));
    routes::public_routes()
        .merge(private)
        .fallback(http::fallback::not_found)
        .method_not_allowed_fallback(http::fallback::method_not_allowed)
        .layer(middleware::from_fn(http::path::require_utf8))
        .layer(middleware::from_fn(http::body::limit_body))
        .layer(middleware::from_fn_with_state(state.clone(), http::limits::guard))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(
            // Method, path and status only: headers carry keys, bodies carry BVNs.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get(http::request_id::HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(middleware::from_fn(http::request_id::request_id))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler", "panicked").into_response()
}

/// Serves the API on `listener` until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = [
        webhooks::freezer::spawn(state.clone()),
        webhooks::worker::spawn(state.clone()),
        sweeper::spawn(state.store.clone(), state.config.sweep_interval),
    ];
    let app = NormalizePathLayer::trim_trailing_slash().layer(router(state));
    let served = axum::serve(
        listener,
        axum::ServiceExt::<Request>::into_make_service(app),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    // Background work stops with the server; a lease or a due row left
    // behind is picked up by the next start (or another node).
    for task in background {
        task.abort();
    }
    served
}
