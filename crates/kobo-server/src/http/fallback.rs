//! Answers for unknown routes (404) and wrong methods (405), in the envelope.

use axum::http::{Method, Uri};

use crate::error::{ApiError, ErrorCode};

pub async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        ErrorCode::RouteNotFound,
        format!("No route for {method} {}.", uri.path()),
    )
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {}.", uri.path()),
    )
}
