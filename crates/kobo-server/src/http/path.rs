//! Paths whose percent-decoding is not UTF-8 (`/api/v1/customers/%FF`) or
//! holds a NUL (`%00`) can name nothing kobo stores. axum's `Path<String>`
//! would refuse the first with a plain-text 400, and PostgreSQL refuses a NUL
//! in any text parameter (a 500); this answers the envelope's 404
//! `not_found` for both, the same as any other unknown identifier.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorCode};

/// The bytes `path` percent-decodes to (a `%` not followed by two hex digits stays as is).
fn percent_decode(path: &str) -> Vec<u8> {
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub async fn require_utf8(request: Request, next: Next) -> Response {
    let decoded = percent_decode(request.uri().path());
    if decoded.contains(&0) || std::str::from_utf8(&decoded).is_err() {
        return ApiError::new(
            ErrorCode::NotFound,
            "Nothing is named by a path that is not valid UTF-8 or holds a NUL.",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_like_axum() {
        assert_eq!(percent_decode("/a%20b"), b"/a b");
        assert_eq!(percent_decode("/%C3%A9"), "/é".as_bytes());
        assert_eq!(percent_decode("/%FF"), b"/\xff");
        assert_eq!(percent_decode("/%zz%4"), b"/%zz%4");
        assert_eq!(percent_decode("%"), b"%");
        assert_eq!(percent_decode("%4"), b"%4");
        assert_eq!(percent_decode("%41"), b"A");
    }
}
