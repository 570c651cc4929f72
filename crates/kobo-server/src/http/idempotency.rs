//! `Idempotency-Key` on POST, PUT and PATCH, with Stripe's semantics: the same
//! key and body within 24 h replays the stored answer (`Idempotent-Replayed:
//! true`); the same key with another body is 422; the same key while the first
//! request still runs is 409. 5xx answers are not stored, so they can be retried.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kobo_store::{IdempotencyBegin, Scope, StoredResponse};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::http::body::MAX_BODY_BYTES;
use crate::state::AppState;

const HEADER: &str = "idempotency-key";
/// Stored answers larger than this are not kept (lists are never idempotent writes).
const MAX_STORED_RESPONSE: usize = 1024 * 1024;

pub fn in_flight() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyKeyInFlight,
        "A request with this Idempotency-Key is still being processed; retry it shortly.",
    )
}

pub async fn idempotency(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    ) {
        return next.run(request).await;
    }
    let Some(raw_key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match raw_key
        .to_str()
        .ok()
        .map(kobo_core::validate::idempotency_key)
    {
        Some(Ok(k)) => k,
        _ => {
            return ApiError::field(
                "Idempotency-Key",
                "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
            )
            .into_response()
        }
    };
    let Some(scope) = request.extensions().get::<Scope>().copied() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
            .into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.path().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());

    match app.store.begin_idempotent(scope, &key, &request_hash).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(IdempotencyBegin::InFlight) => in_flight().into_response(),
        Ok(IdempotencyBegin::Mismatch) => ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "This Idempotency-Key was already used with a different request body.",
        )
        .into_response(),
        Ok(IdempotencyBegin::Replay(stored)) => replay(stored),
        Ok(IdempotencyBegin::Claimed) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            record(&app, scope, &key, response).await
        }
    }
}

async fn record(app: &AppState, scope: Scope, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_STORED_RESPONSE).await {
        Ok(b) => b,
        Err(e) => {
            let _ = app.store.abandon_idempotent(scope, key).await;
            return ApiError::internal("idempotency: response body", e).into_response();
        }
    };
    let outcome = if parts.status.is_server_error() {
        app.store.abandon_idempotent(scope, key).await
    } else {
        let stored = StoredResponse {
            status: parts.status.as_u16(),
            body: bytes.to_vec(),
        };
        app.store.finish_idempotent(scope, key, &stored).await
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not record an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
