//! The delivery loop: lease due events, send each (concurrently, up to
//! `batch` at a time), record the attempt, and schedule the next one. Leases outlive the send timeout, so an
//! event is never sent by two workers at once; a worker that dies mid-send
//! leaves a lease that expires, and the event is sent again (receivers
//! de-duplicate on `webhook-id`).

use std::time::Instant;

use chrono::Utc;
use kobo_store::{AttemptOutcome, Scope, WebhookAttempt, WebhookEvent};
use tokio::task::JoinSet;

use super::{address, payload, signing, WebhookConfig};
use crate::state::AppState;

const EXCERPT: usize = 1024;

/// Runs until the task is aborted.
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let config = app.config.webhooks.clone();
        let client = match reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(address::GuardedResolver {
                allow_private: config.allow_private,
            }))
            .user_agent(concat!("kobo-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook client could not be built; webhooks are not delivered");
                return;
            }
        };
        // Up to `batch` sends in flight at once, claimed as slots free up: a
        // receiver that hangs holds its own slot, not the whole worker.
        let slots = config.batch.max(1) as usize;
        let mut sends = JoinSet::new();
        loop {
            while sends.try_join_next().is_some() {}
            let free = slots.saturating_sub(sends.len());
            if free == 0 {
                sends.join_next().await;
                continue;
            }
            let now = Utc::now();
            let lease =
                now + chrono::Duration::from_std(config.effective_lease()).unwrap_or_default();
            match app
                .store
                .claim_webhook_events(now, lease, free as u32)
                .await
            {
                Ok(events) if !events.is_empty() => {
                    for event in events {
                        sends.spawn(deliver(app.clone(), client.clone(), config.clone(), event));
                    }
                }
                Ok(_) => tokio::time::sleep(config.poll_interval).await,
                Err(e) => {
                    tracing::warn!(error = %e, "could not lease webhook events");
                    tokio::time::sleep(config.poll_interval).await;
                }
            }
        }
    })
}

async fn deliver(
    app: AppState,
    client: reqwest::Client,
    config: WebhookConfig,
    event: WebhookEvent,
) {
    let started = Instant::now();
    let result = attempt(&app, &client, &config, &event).await;
    let (attempt, delivered) = match result {
        Ok((attempt, ok)) => (attempt, ok),
        Err(error) => (
            WebhookAttempt {
                attempted_at: Utc::now(),
                url: None,
                http_status: None,
                latency_ms: started.elapsed().as_millis() as i64,
                response_excerpt: None,
                error: Some(error),
            },
            false,
        ),
    };
    let outcome = if delivered {
        AttemptOutcome::Delivered
    } else if attempt.error.as_deref() == Some(NO_URL) {
        AttemptOutcome::Failed
    } else {
        match config.schedule.get(event.attempts.max(0) as usize) {
            Some(delay) => AttemptOutcome::RetryAt(
                Utc::now() + chrono::Duration::from_std(*delay).unwrap_or_default(),
            ),
            None => AttemptOutcome::Failed,
        }
    };
    tracing::info!(
        event = %event.public_id, kind = %event.event_type, status = ?attempt.http_status,
        error = attempt.error.as_deref().unwrap_or("-"), outcome = ?outcome, "webhook attempt"
    );
    if let Err(e) = app
        .store
        .record_webhook_attempt(event.id, &attempt, outcome)
        .await
    {
        tracing::error!(error = %e, event = %event.public_id, "could not record a webhook attempt");
    }
}

const NO_URL: &str = kobo_store::NO_URL_ERROR;

/// One send; `Ok((attempt, delivered))`, or `Err(reason)` before any request was made.
async fn attempt(
    app: &AppState,
    client: &reqwest::Client,
    config: &WebhookConfig,
    event: &WebhookEvent,
) -> Result<(WebhookAttempt, bool), String> {
    let scope = Scope {
        business_id: event.business_id,
        mode: event.mode,
    };
    let endpoint = app
        .store
        .webhook_endpoint(scope, &signing::new_secret())
        .await
        .map_err(|e| e.to_string())?;
    let Some(url) = endpoint.url.clone() else {
        return Err(NO_URL.to_string());
    };
    let url = address::check_url(&url, config.allow_private)
        .map_err(|why| format!("destination refused: {why}"))?;
    let body = match &event.payload {
        Some(p) => p.clone(),
        None => {
            let rendered = payload::render(app, event)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "the event's subject no longer exists".to_string())?;
            app.store
                .freeze_webhook_payload(event.id, &rendered)
                .await
                .map_err(|e| e.to_string())?
        }
    };
    let now = Utc::now();
    let signed = signing::sign(&endpoint.secret, &event.public_id, now.timestamp(), &body);
    let started = Instant::now();
    let sent = client
        .post(url.clone())
        .header("content-type", "application/json")
        .header("webhook-id", &signed.webhook_id)
        .header("webhook-timestamp", &signed.timestamp)
        .header("webhook-signature", &signed.webhook_signature)
        .header("x-kobo-signature", &signed.kobo_signature)
        .body(body)
        .send()
        .await;
    let mut attempt = WebhookAttempt {
        attempted_at: now,
        url: Some(url.to_string()),
        http_status: None,
        latency_ms: 0,
        response_excerpt: None,
        error: None,
    };
    let delivered = match sent {
        Ok(mut response) => {
            attempt.http_status = Some(response.status().as_u16());
            let mut excerpt = Vec::new();
            while excerpt.len() < EXCERPT {
                match response.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            excerpt.truncate(EXCERPT);
            attempt.response_excerpt = Some(String::from_utf8_lossy(&excerpt).into_owned());
            response.status().is_success()
        }
        Err(e) => {
            attempt.error = Some(describe(&e));
            false
        }
    };
    attempt.latency_ms = started.elapsed().as_millis() as i64;
    Ok((attempt, delivered))
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text
    } else {
        e.to_string()
    }
}
