//! Answers every operation can get from the layers around the handlers (auth,
//! idempotency, body limit, load guards), added to each operation in one place
//! so no handler can forget them. Descriptions list the codes of
//! [`ErrorCode::ALL`] that go with each status, so they cannot drift.

use serde_json::json;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Required, Response};
use utoipa::{Modify, ToSchema};

use super::envelopes::ErrorBody;
use crate::error::ErrorCode;

/// Adds the shared error responses and the `Idempotency-Key` header.
pub struct CommonResponses;

/// (status, component name, what it means).
const SHARED: [(u16, &str, &str); 12] = [
    (
        400,
        "BadRequest",
        "The request is malformed or breaks a rule; `errors` names every bad field.",
    ),
    (
        401,
        "Unauthorized",
        "No valid private key in `DPPRIVATEKEY` (or no valid provider signature).",
    ),
    (
        404,
        "NotFound",
        "No such object for this business and mode.",
    ),
    (
        409,
        "Conflict",
        "A duplicate, or a request with this Idempotency-Key still in flight.",
    ),
    (413, "PayloadTooLarge", "The body is over 64 KiB."),
    (
        415,
        "UnsupportedMediaType",
        "A body was sent with a content type other than JSON.",
    ),
    (
        422,
        "IdempotencyKeyReused",
        "The Idempotency-Key was used with another body.",
    ),
    (
        429,
        "TooManyRequests",
        "Too many requests for this key; see `Retry-After`.",
    ),
    (431, "HeadersTooLarge", "The request headers are too large."),
    (
        500,
        "InternalError",
        "A bug: logged with its cause, never detailed in the answer.",
    ),
    (
        503,
        "ServiceUnavailable",
        "Overloaded or the database is unreachable; see `Retry-After`.",
    ),
    (
        504,
        "GatewayTimeout",
        "The request took too long and was stopped.",
    ),
];

fn codes_for(status: u16) -> Vec<ErrorCode> {
    ErrorCode::ALL
        .into_iter()
        .filter(|c| c.status().as_u16() == status)
        .collect()
}

fn shared_response(status: u16, what: &str) -> Response {
    let codes = codes_for(status);
    let listed: Vec<String> = codes.iter().map(|c| format!("`{}`", c.as_str())).collect();
    let example = codes.first().map(|c| {
        json!({
            "success": false, "status": false, "message": what,
            "type": c.kind(), "code": c.as_str(), "errors": {}
        })
    });
    let mut builder = ResponseBuilder::new()
        .description(format!("{what} Codes: {}.", listed.join(", ")))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                .example(example)
                .build(),
        );
    if matches!(status, 429 | 503) {
        builder = builder.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("Seconds to wait before retrying."))
                .build(),
        );
    }
    builder.build()
}

fn idempotency_key() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the write safe to retry: the same key and body within 24 h replays the stored \
             answer with `Idempotent-Replayed: true`. 1-255 visible ASCII characters; scoped to \
             business and mode.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some(r"^[\x21-\x7E]+$")),
        ))
        .build()
}

fn add(op: &mut Operation, status: u16) {
    let name = SHARED
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, name, _)| *name)
        .expect("a shared response");
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
}

/// Appends `also` to the operation's own response for `status`, when it has one.
fn mention(op: &mut Operation, status: u16, also: &str) {
    if let Some(RefOr::T(response)) = op.responses.responses.get_mut(&status.to_string()) {
        if !response.description.contains(also) {
            response.description = format!("{} {also}", response.description);
        }
    }
}

/// kobo reads an empty query value (`?type=`) as an absent one; OpenAPI says so
/// with `allowEmptyValue`, which utoipa does not model, hence the extension map.
fn allow_empty_query_values(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        if p.parameter_in == ParameterIn::Query {
            p.extensions
                .get_or_insert_with(Default::default)
                .insert("allowEmptyValue".into(), json!(true));
        }
    }
}

impl Modify for CommonResponses {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (status, name, what) in SHARED {
            components
                .responses
                .insert(name.to_string(), RefOr::T(shared_response(status, what)));
        }
        for item in doc.paths.paths.values_mut() {
            let writes = [&mut item.post, &mut item.put, &mut item.patch];
            for op in writes.into_iter().flatten() {
                mention(
                    op,
                    400,
                    "Also a body that is not a JSON object (`invalid_json`).",
                );
                add(op, 400);
                add(op, 415);
                if op.security.is_some() {
                    mention(
                        op,
                        400,
                        "Also a malformed Idempotency-Key (`invalid_idempotency_key`).",
                    );
                    mention(
                        op,
                        409,
                        "Also a request with this Idempotency-Key still running \
                         (`idempotency_key_in_flight`).",
                    );
                    add(op, 409);
                    add(op, 422);
                    op.parameters
                        .get_or_insert_with(Vec::new)
                        .push(idempotency_key());
                }
            }
            let all = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
            ];
            for op in all.into_iter().flatten() {
                allow_empty_query_values(op);
                if op.security.is_some() {
                    add(op, 401);
                }
                for status in [413, 429, 431, 500, 503, 504] {
                    add(op, status);
                }
            }
        }
    }
}
