//! `GET`/`PUT /api/v1/webhooks` (`{"url": …}` for the key's mode: live sets
//! `webhook_url`, test `webhook_sandbox_url`) and `POST
//! /api/v1/webhooks/rotate-secret`.

use axum::extract::State;
use axum::response::Response;
use kobo_store::WebhookEndpoint;
use serde::Serialize;

use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::routes::customers::input::Form;
use crate::state::AppState;
use crate::webhooks::{address, signing};

#[derive(Serialize)]
pub struct WebhookEndpointOut {
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

pub async fn get(State(app): State<AppState>, Auth(scope): Auth) -> ApiResult<Response> {
    let endpoint = app.store.webhook_endpoint(scope, &signing::new_secret()).await?;
    Ok(envelope::ok("Webhook settings retrieved", WebhookEndpointOut::from(endpoint)))
}

/// Sets (or, with `null`/`""`, clears) the URL of the key's mode.
pub async fn put(State(app): State<AppState>, Auth(scope): Auth, JsonObject(body): JsonObject) -> ApiResult<Response> {
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
    let errors = form.finish();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let endpoint = app.store.set_webhook_url(scope, url, &signing::new_secret()).await?;
    Ok(envelope::ok("Webhook URL saved", WebhookEndpointOut::from(endpoint)))
}

pub async fn rotate_secret(State(app): State<AppState>, Auth(scope): Auth) -> ApiResult<Response> {
    let endpoint = app.store.rotate_webhook_secret(scope, &signing::new_secret()).await?;
    Ok(envelope::ok("Webhook secret rotated", WebhookEndpointOut::from(endpoint)))
}
