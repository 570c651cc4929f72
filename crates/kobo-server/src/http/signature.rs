//! The partner bank's door: `X-Provider-Signature` is the hex HMAC-SHA512 of
//! the raw body, keyed with `KOBO_PROVIDER_SECRET`, checked in constant time
//! before the body is parsed.

use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha512;

use crate::error::{ApiError, ErrorCode};
use crate::http::body::MAX_BODY_BYTES;
use crate::state::AppState;

pub const HEADER: &str = "x-provider-signature";

/// A JSON object whose signature was valid.
pub struct SignedJson(pub Map<String, Value>);

impl FromRequest<AppState> for SignedJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let invalid = |why: &str| ApiError::new(ErrorCode::InvalidSignature, why.to_string());
        let Some(secret) = state.config.provider_secret.as_deref() else {
            tracing::warn!("provider call refused: KOBO_PROVIDER_SECRET is not set");
            return Err(invalid(
                "The provider door is closed: no provider secret is configured.",
            ));
        };
        let signature = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| hex::decode(v.trim()).ok());
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase());
        let bytes = to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
            })?;
        let Some(signature) = signature else {
            return Err(invalid("Missing or malformed X-Provider-Signature header."));
        };
        let mut mac =
            <Hmac<Sha512> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(&bytes);
        if mac.verify_slice(&signature).is_err() {
            return Err(invalid("The X-Provider-Signature does not match the body."));
        }
        crate::http::json::parse(content_type.as_deref(), &bytes).map(SignedJson)
    }
}

/// Signs `body` as the partner bank does (for tests and tools).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}
