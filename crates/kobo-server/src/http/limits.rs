//! Protection against load and abuse, each answering the JSON envelope:
//! a header size limit (431), a cap on requests in flight (503 +
//! `Retry-After`), a per-key token bucket (429 + `Retry-After`), and a
//! request timeout (504).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Limit settings (the binary reads them from flags, env and the config file).
#[derive(Clone, Debug)]
pub struct Limits {
    pub request_timeout: Duration,
    pub max_in_flight: usize,
    /// Requests per second per API key; 0 turns rate limiting off.
    pub rate_per_second: u32,
    pub burst: u32,
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(30),
            max_in_flight: 2048,
            rate_per_second: 0,
            burst: 0,
            max_header_bytes: 16 * 1024,
        }
    }
}

/// Runtime state of the limits: the in-flight semaphore and the buckets.
pub struct Guards {
    in_flight: Arc<Semaphore>,
    buckets: Mutex<HashMap<[u8; 16], Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Guards {
    pub fn new(limits: &Limits) -> Guards {
        Guards {
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`; `Err(seconds)` says when to retry.
    fn take(&self, key: [u8; 16], limits: &Limits) -> Result<(), u64> {
        let rate = limits.rate_per_second as f64;
        let burst = limits.burst.max(limits.rate_per_second).max(1) as f64;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget idle keys rather than grow without bound.
            buckets.retain(|_, b| now.duration_since(b.at) < Duration::from_secs(60));
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

fn with_retry_after(error: ApiError, seconds: u64) -> Response {
    let mut response = error.into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert("retry-after", v);
    }
    response
}

/// Header size, in-flight cap, per-key rate, then the timeout around the rest.
pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &app.config.limits;
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if header_bytes > limits.max_header_bytes {
        return ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!(
                "The request headers are larger than {} bytes.",
                limits.max_header_bytes
            ),
        )
        .into_response();
    }
    let Ok(_permit) = app.guards.in_flight.clone().try_acquire_owned() else {
        return with_retry_after(
            ApiError::new(
                ErrorCode::Overloaded,
                "Too many requests are in flight; retry shortly.",
            ),
            1,
        );
    };
    if limits.rate_per_second > 0 {
        if let Some(key) = request.headers().get(crate::http::auth::HEADER) {
            let digest = Sha256::digest(key.as_bytes());
            let mut short = [0u8; 16];
            short.copy_from_slice(&digest[..16]);
            if let Err(seconds) = app.guards.take(short, limits) {
                return with_retry_after(
                    ApiError::new(
                        ErrorCode::RateLimited,
                        "Too many requests for this key; slow down.",
                    ),
                    seconds,
                );
            }
        }
    }
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorCode::RequestTimeout,
            "The request took too long and was stopped.",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_and_refuse() {
        let limits = Limits {
            rate_per_second: 2,
            burst: 2,
            ..Limits::default()
        };
        let g = Guards::new(&limits);
        assert!(g.take([1; 16], &limits).is_ok());
        assert!(g.take([1; 16], &limits).is_ok());
        assert!(g.take([1; 16], &limits).is_err());
        assert!(
            g.take([2; 16], &limits).is_ok(),
            "keys have their own buckets"
        );
    }
}
