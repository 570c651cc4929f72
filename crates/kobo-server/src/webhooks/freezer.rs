//! Renders each event's payload right after its change commits (within tens
//! of milliseconds) and freezes it, so the body describes the subject as it
//! was then — not as it is when a backlog or a missing URL finally lets the
//! event go out. The worker renders any event this loop has not reached yet.
//! Several nodes may render the same event; the first freeze wins.

use std::time::Duration;

use super::payload;
use crate::state::AppState;

const BATCH: u32 = 64;
const IDLE: Duration = Duration::from_millis(50);

/// Runs until the task is aborted.
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let events = match app.store.unrendered_webhook_events(BATCH).await {
                Ok(events) => events,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read events to render");
                    Vec::new()
                }
            };
            let mut rendered_any = false;
            for event in &events {
                match payload::render(&app, event).await {
                    Ok(Some(body)) => {
                        rendered_any = true;
                        if let Err(e) = app.store.freeze_webhook_payload(event.id, &body).await {
                            tracing::warn!(error = %e, event = %event.public_id, "could not freeze a payload");
                        }
                    }
                    // The subject is gone: the worker records that as the attempt's error.
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, event = %event.public_id, "could not render a payload")
                    }
                }
            }
            if !rendered_any {
                tokio::time::sleep(IDLE).await;
            }
        }
    })
}
