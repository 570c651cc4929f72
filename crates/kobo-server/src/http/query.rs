//! Query strings, parsed by hand so a bad parameter answers the envelope.

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;

use crate::error::{ApiError, ErrorCode, FieldErrors};

/// The query string as name → value (the last value of a repeated name wins).
pub struct QueryParams(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::new(ErrorCode::InvalidQuery, "The query string is malformed.")
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
            .map_err(|_| {
                ApiError::new(ErrorCode::InvalidQuery, "The query string is malformed.")
            })?;
        Ok(QueryParams(pairs))
    }
}

impl QueryParams {
    /// The value of `name`, with empty values treated as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// An integer parameter within `min..=max`, or `default` when absent.
    pub fn int(
        &self,
        name: &str,
        default: u64,
        min: u64,
        max: u64,
        errors: &mut FieldErrors,
    ) -> u64 {
        match self.get(name) {
            None => default,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.entry(name.to_string()).or_default().push(format!(
                        "The {name} must be a whole number from {min} to {max}."
                    ));
                    default
                }
            },
        }
    }
}
