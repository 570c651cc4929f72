//! `GET`/`PUT /api/v1/webhooks` (`{"url": …}` for the key's mode: live sets
//! `webhook_url`, test `webhook_sandbox_url`) and `POST
//! /api/v1/webhooks/rotate-secret`.

use axum::extract::State;
use axum::response::Response;
use kobo_store::WebhookEndpoint;
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::requests::WebhookUrlIn;
use crate::routes::customers::input::Form;
use crate::state::AppState;
use crate::webhooks::{address, signing};

#[derive(Serialize, ToSchema)]
pub struct WebhookEndpointOut {
    /// `test` or `live`.
    #[schema(value_type = String, example = "test")]
    pub mode: &'static str,
    pub url: Option<String>,
    /// `whsec_…`: verify `webhook-signature` with its decoded bytes and
    /// `x-kobo-signature` with the whole string.
    pub secret: String,
}

impl From<WebhookEndpoint> for WebhookEndpointOut {
    fn from(e: WebhookEndpoint) -> Self {
        WebhookEndpointOut {
            mode: e.mode.as_str(),
            url: e.url,
            secret: e.secret,
        }
    }
}

/// Webhook settings
///
/// The URL and signing secret of the key's mode (the secret is created on first use).
#[utoipa::path(
    get, path = "/api/v1/webhooks", tag = "webhooks",
    operation_id = "get_webhook_settings", security(("DPPRIVATEKEY" = [])),
    responses((status = 200, description = "The settings.", body = Success<WebhookEndpointOut>))
)]
pub async fn get(State(app): State<AppState>, Auth(scope): Auth) -> ApiResult<Response> {
    let endpoint = app
        .store
        .webhook_endpoint(scope, &signing::new_secret())
        .await?;
    Ok(envelope::ok(
        "Webhook settings retrieved",
        WebhookEndpointOut::from(endpoint),
    ))
}

/// Set the webhook URL
///
/// Sets (or, with `null`/`""`, clears) the URL of the key's mode.
#[utoipa::path(
    put, path = "/api/v1/webhooks", tag = "webhooks",
    operation_id = "set_webhook_url", security(("DPPRIVATEKEY" = [])),
    request_body = WebhookUrlIn,
    responses(
        (status = 200, description = "Saved.", body = Success<WebhookEndpointOut>),
        (status = 400, description = "A bad or private URL (`validation_failed`).", body = ErrorBody),
    )
)]
pub async fn put(
    State(app): State<AppState>,
    Auth(scope): Auth,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let allow_private = app.config.webhooks.allow_private;
    let mut form = Form::new(&body);
    let url = form.optional("url", |s| {
        if s.len() > 2048 {
            return Err("may not be longer than 2048 characters");
        }
        address::check_url(s, allow_private)
            .map(|u| u.to_string())
            .map_err(|_| "must be an http(s) URL that does not point to a private, loopback or link-local address")
    });
    let mut errors = form.finish();
    if !body.contains_key("url") {
        errors.insert(
            "url".into(),
            vec!["The url field is required (send null or \"\" to turn webhooks off).".into()],
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let endpoint = app
        .store
        .set_webhook_url(scope, url, &signing::new_secret())
        .await?;
    Ok(envelope::ok(
        "Webhook URL saved",
        WebhookEndpointOut::from(endpoint),
    ))
}

/// Rotate the webhook secret
///
/// Replaces the signing secret of the key's mode; later deliveries use the new one.
#[utoipa::path(
    post, path = "/api/v1/webhooks/rotate-secret", tag = "webhooks",
    operation_id = "rotate_webhook_secret", security(("DPPRIVATEKEY" = [])),
    responses((status = 200, description = "The new settings.", body = Success<WebhookEndpointOut>))
)]
pub async fn rotate_secret(State(app): State<AppState>, Auth(scope): Auth) -> ApiResult<Response> {
    let endpoint = app
        .store
        .rotate_webhook_secret(scope, &signing::new_secret())
        .await?;
    Ok(envelope::ok(
        "Webhook secret rotated",
        WebhookEndpointOut::from(endpoint),
    ))
}
