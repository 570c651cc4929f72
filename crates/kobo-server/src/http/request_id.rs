//! A request id on every request: the caller's `x-request-id` when it is a
//! sane token (1–128 visible ASCII characters), else a new one. It is put on
//! the request before the trace span is made (so every log line of the request
//! carries it) and echoed on the response.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

fn acceptable(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b.len() <= 128 && b.iter().all(|c| (0x21..=0x7e).contains(c))
}

pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(HEADER) {
        Some(v) if acceptable(v) => v.clone(),
        _ => {
            let fresh = format!("req_{}", kobo_core::ids::random_alphanumeric(20));
            HeaderValue::from_str(&fresh).expect("alphanumeric is a valid header")
        }
    };
    request.headers_mut().insert(HEADER, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(HEADER, id);
    response
}
