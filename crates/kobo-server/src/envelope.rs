//! The success envelope `{success, status, message, data}` and paginated lists.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Serializes `body` as the response, with the JSON content type.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "response serialization failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "serialization failed").into_response()
        }
    }
}

#[derive(Serialize)]
struct Success<'a, T: Serialize> {
    success: bool,
    status: bool,
    message: &'a str,
    data: T,
}

/// 200 with `data`.
pub fn ok<T: Serialize>(message: &str, data: T) -> Response {
    respond(StatusCode::OK, message, data)
}

/// 201 with `data`.
pub fn created<T: Serialize>(message: &str, data: T) -> Response {
    respond(StatusCode::CREATED, message, data)
}

fn respond<T: Serialize>(status: StatusCode, message: &str, data: T) -> Response {
    json_response(
        status,
        &Success {
            success: true,
            status: true,
            message,
            data,
        },
    )
}

/// Laravel paginator fields, sent both inside `data` and as `meta`.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PageMeta {
    /// `null` when the page was chosen by `starting_after`.
    pub current_page: Option<u64>,
    pub per_page: u32,
    pub total: u64,
    pub last_page: Option<u64>,
    pub from: Option<u64>,
    pub to: Option<u64>,
    /// Pass as `starting_after` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl PageMeta {
    /// Works out the fields for a page of `count` rows.
    pub fn new(
        page: Option<u64>,
        per_page: u32,
        total: u64,
        count: usize,
        next_cursor: Option<String>,
    ) -> PageMeta {
        let last_page = total.div_ceil(per_page as u64).max(1);
        let (from, to) = match page {
            Some(p) if count > 0 => {
                let from = (p - 1) * per_page as u64 + 1;
                (Some(from), Some(from + count as u64 - 1))
            }
            _ => (None, None),
        };
        PageMeta {
            current_page: page,
            per_page,
            total,
            last_page: page.map(|_| last_page),
            from,
            to,
            next_cursor,
        }
    }
}

#[derive(Serialize)]
struct PageData<T: Serialize> {
    #[serde(flatten)]
    meta: PageMeta,
    data: Vec<T>,
}

#[derive(Serialize)]
struct PageEnvelope<'a, T: Serialize> {
    success: bool,
    status: bool,
    message: &'a str,
    data: PageData<T>,
    meta: PageMeta,
}

/// 200 with a paginated list.
pub fn page<T: Serialize>(message: &str, items: Vec<T>, meta: PageMeta) -> Response {
    json_response(
        StatusCode::OK,
        &PageEnvelope {
            success: true,
            status: true,
            message,
            data: PageData {
                meta: meta.clone(),
                data: items,
            },
            meta,
        },
    )
}
