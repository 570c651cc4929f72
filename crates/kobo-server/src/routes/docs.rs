//! The contract, served: `GET /api/v1/openapi.json` (the document) and the
//! interactive page `GET /docs`, whose Swagger UI files come from the
//! `utoipa-swagger-ui` crate (vendored at build time, no CDN) under
//! `GET /docs/{file}`. All public.

use std::sync::{Arc, OnceLock};

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_swagger_ui::Config;

use crate::error::{ApiError, ErrorCode};

const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

fn with_type(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

/// The OpenAPI 3.1 document
///
/// Generated from the code; the same bytes as `docs/openapi.json` in the repository.
#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "service", operation_id = "openapi_document",
    responses((status = 200, description = "This document.", body = Object))
)]
pub async fn openapi_json() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let text = JSON.get_or_init(crate::openapi::pretty_json);
    with_type(
        StatusCode::OK,
        "application/json",
        text.clone().into_bytes(),
    )
}

fn config() -> Arc<Config<'static>> {
    static CONFIG: OnceLock<Arc<Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            // No validator badge: it would call validator.swagger.io.
            Arc::new(
                Config::new([DOCUMENT_PATH])
                    .validator_url("none")
                    .persist_authorization(true),
            )
        })
        .clone()
}

/// The interactive docs page (Swagger UI)
///
/// Works with no internet: every script and style is served by kobo under `/docs/`.
#[utoipa::path(
    get, path = "/docs", tag = "service", operation_id = "docs_page",
    responses((status = 200, description = "The page.", body = String, content_type = "text/html"))
)]
pub async fn page() -> Response {
    match utoipa_swagger_ui::serve("index.html", config()) {
        Ok(Some(file)) => {
            // The page lives at /docs (kobo trims trailing slashes), so its
            // relative links need a base to reach /docs/{file}.
            let html = String::from_utf8_lossy(&file.bytes)
                .replacen("<head>", "<head>\n    <base href=\"/docs/\">", 1)
                .replacen("<title>Swagger UI</title>", "<title>kobo API</title>", 1);
            with_type(
                StatusCode::OK,
                "text/html; charset=utf-8",
                html.into_bytes(),
            )
        }
        Ok(None) => ApiError::internal("docs page", "index.html missing").into_response(),
        Err(e) => ApiError::internal("docs page", e).into_response(),
    }
}

/// A file of the docs page (script, style, icon)
#[utoipa::path(
    get, path = "/docs/{file}", tag = "service", operation_id = "docs_asset",
    params(("file" = String, Path, description = "A Swagger UI file, e.g. `swagger-ui-bundle.js`.")),
    responses(
        (status = 200, description = "The file.", content(
            ("text/javascript"), ("application/javascript"), ("text/css"), ("text/html"),
            ("image/png"), ("application/json")
        )),
        (status = 404, description = "No such file.", body = crate::openapi::envelopes::ErrorBody),
    )
)]
pub async fn asset(Path(file): Path<String>) -> Response {
    match utoipa_swagger_ui::serve(&file, config()) {
        Ok(Some(found)) => with_type(
            StatusCode::OK,
            &found.content_type,
            found.bytes.into_owned(),
        ),
        Ok(None) => {
            ApiError::new(ErrorCode::RouteNotFound, format!("No docs file {file}.")).into_response()
        }
        Err(e) => ApiError::internal("docs asset", e).into_response(),
    }
}
