//! The one API error type. Every 4xx names what is wrong in the JSON error
//! envelope `{success, status, message, type, code, errors}`; a 5xx is logged
//! here with its cause and answers an opaque message.
//!
//! Every error code kobo can answer is a variant of [`ErrorCode`]; the README's
//! table is generated from the same list (see `ErrorCode::ALL`).

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kobo_store::{Refusal, StoreError};
use serde::Serialize;

/// Stable machine codes, with their HTTP status and category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationFailed,
    InvalidJson,
    InvalidQuery,
    PageTooDeep,
    InvalidIdempotencyKey,
    MissingApiKey,
    InvalidApiKey,
    PublicKeyNotAllowed,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    AlreadyExists,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    PayloadTooLarge,
    UnsupportedMediaType,
    CustomerInactive,
    VirtualAccountLimit,
    WrongMode,
    InvalidSignature,
    SessionConflict,
    RateLimited,
    HeadersTooLarge,
    Overloaded,
    RequestTimeout,
    ServiceUnavailable,
    InternalError,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 27] = [
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidQuery,
        ErrorCode::PageTooDeep,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::MissingApiKey,
        ErrorCode::InvalidApiKey,
        ErrorCode::PublicKeyNotAllowed,
        ErrorCode::NotFound,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::AlreadyExists,
        ErrorCode::IdempotencyKeyInFlight,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::CustomerInactive,
        ErrorCode::VirtualAccountLimit,
        ErrorCode::WrongMode,
        ErrorCode::InvalidSignature,
        ErrorCode::SessionConflict,
        ErrorCode::RateLimited,
        ErrorCode::HeadersTooLarge,
        ErrorCode::Overloaded,
        ErrorCode::RequestTimeout,
        ErrorCode::ServiceUnavailable,
        ErrorCode::InternalError,
    ];

    /// The snake_case code sent as `code`.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ValidationFailed => "validation_failed",
            InvalidJson => "invalid_json",
            InvalidQuery => "invalid_query",
            PageTooDeep => "page_too_deep",
            InvalidIdempotencyKey => "invalid_idempotency_key",
            MissingApiKey => "missing_api_key",
            InvalidApiKey => "invalid_api_key",
            PublicKeyNotAllowed => "public_key_not_allowed",
            NotFound => "not_found",
            RouteNotFound => "route_not_found",
            MethodNotAllowed => "method_not_allowed",
            AlreadyExists => "already_exists",
            IdempotencyKeyInFlight => "idempotency_key_in_flight",
            IdempotencyKeyReused => "idempotency_key_reused",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            CustomerInactive => "customer_inactive",
            VirtualAccountLimit => "virtual_account_limit",
            WrongMode => "wrong_mode",
            InvalidSignature => "invalid_signature",
            SessionConflict => "session_conflict",
            RateLimited => "rate_limited",
            HeadersTooLarge => "headers_too_large",
            Overloaded => "overloaded",
            RequestTimeout => "request_timeout",
            ServiceUnavailable => "service_unavailable",
            InternalError => "internal_error",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            ValidationFailed
            | InvalidJson
            | InvalidQuery
            | PageTooDeep
            | InvalidIdempotencyKey
            | CustomerInactive
            | VirtualAccountLimit => StatusCode::BAD_REQUEST,
            MissingApiKey | InvalidApiKey | PublicKeyNotAllowed | InvalidSignature => {
                StatusCode::UNAUTHORIZED
            }
            WrongMode => StatusCode::FORBIDDEN,
            NotFound | RouteNotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AlreadyExists | IdempotencyKeyInFlight | SessionConflict => StatusCode::CONFLICT,
            IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Overloaded | ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            RequestTimeout => StatusCode::GATEWAY_TIMEOUT,
            InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The category sent as `type` (the names Dotapay's docs use).
    pub fn kind(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ValidationFailed | InvalidJson | InvalidQuery | PageTooDeep | InvalidIdempotencyKey => {
                "validation_error"
            }
            ServiceUnavailable | InternalError | Overloaded | RequestTimeout => "processor_error",
            _ => "api_error",
        }
    }
}

/// Field name → rule messages, as Laravel reports them.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub errors: FieldErrors,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            errors: FieldErrors::new(),
        }
    }

    /// A 400 naming every bad field.
    pub fn validation(errors: FieldErrors) -> ApiError {
        let message = errors
            .values()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_else(|| "The given data was invalid.".into());
        let more = errors
            .values()
            .map(Vec::len)
            .sum::<usize>()
            .saturating_sub(1);
        let message = if more > 0 {
            format!(
                "{message} (and {more} more error{})",
                if more == 1 { "" } else { "s" }
            )
        } else {
            message
        };
        ApiError {
            code: ErrorCode::ValidationFailed,
            message,
            errors,
        }
    }

    /// A 400 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message.into()]);
        ApiError::validation(errors)
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found."))
    }

    pub fn internal(context: &str, cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(context, %cause, "internal error");
        ApiError::new(
            ErrorCode::InternalError,
            "Something went wrong on our side; it has been logged.",
        )
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    success: bool,
    status: bool,
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    code: &'a str,
    errors: &'a FieldErrors,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            success: false,
            status: false,
            message: &self.message,
            kind: self.code.kind(),
            code: self.code.as_str(),
            errors: &self.errors,
        };
        let mut response = crate::envelope::json_response(self.code.status(), &body);
        if self.code == ErrorCode::ServiceUnavailable {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict { field } => {
                let mut errors = FieldErrors::new();
                let message = format!("A customer with this {field} already exists.");
                errors.insert(
                    field.to_string(),
                    vec![format!("The {field} has already been taken.")],
                );
                ApiError {
                    code: ErrorCode::AlreadyExists,
                    message,
                    errors,
                }
            }
            StoreError::NotFound => ApiError::not_found("Resource"),
            StoreError::Refused(Refusal::CustomerInactive) => ApiError::new(
                ErrorCode::CustomerInactive,
                "This customer is INACTIVE; activate it before issuing accounts.",
            ),
            StoreError::Refused(Refusal::VirtualAccountLimit { max }) => ApiError::new(
                ErrorCode::VirtualAccountLimit,
                format!("This customer already holds the maximum of {max} virtual accounts."),
            ),
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::new(
                    ErrorCode::ServiceUnavailable,
                    "The service is busy; retry shortly.",
                )
            }
            StoreError::Internal(cause) => ApiError::internal("store", cause),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()));
            assert!(code
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn in_flight_message_never_reads_as_a_duplicate() {
        // The SDK reads "already exists" as a duplicate customer.
        let e = crate::http::idempotency::in_flight();
        assert!(!e.message.contains("already exists"));
    }
}
