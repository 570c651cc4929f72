//! `JsonObject`: the request body as a JSON object, with every failure in the
//! project's envelope (415 wrong type, 400 malformed or not an object). An
//! empty body is an empty object, so `POST …/virtual-accounts` may send none.
//! Fields stay as `serde_json::Value` so validation can report every bad field
//! at once, including ones of the wrong JSON type.

use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::http::body::MAX_BODY_BYTES;

pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase());
        let bytes = to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
            })?;
        parse(content_type.as_deref(), &bytes).map(JsonObject)
    }
}

/// Checks the content type and parses `bytes` as a JSON object.
pub fn parse(content_type: Option<&str>, bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if let Some(ct) = content_type {
        let essence = ct.split(';').next().unwrap_or("").trim();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::new(
            ErrorCode::InvalidJson,
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::new(
            ErrorCode::InvalidJson,
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_shapes() {
        assert!(parse(Some("application/json; charset=utf-8"), b"{}").is_ok());
        assert!(parse(None, b"{\"a\":1}").is_ok());
        assert!(parse(Some("text/plain"), b"").unwrap().is_empty());
        assert_eq!(
            parse(Some("text/plain"), b"{}").unwrap_err().code,
            ErrorCode::UnsupportedMediaType
        );
        assert_eq!(parse(None, b"{").unwrap_err().code, ErrorCode::InvalidJson);
        assert_eq!(
            parse(None, b"[1]").unwrap_err().code,
            ErrorCode::InvalidJson
        );
        assert_eq!(
            parse(None, b"\xff").unwrap_err().code,
            ErrorCode::InvalidJson
        );
    }
}
