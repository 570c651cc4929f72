//! Rows of the webhook outbox: endpoints, events and delivery attempts.

use chrono::{DateTime, Utc};
use kobo_core::Mode;

/// Where a business's events of one mode go, and the secret they are signed with.
#[derive(Clone, Debug)]
pub struct WebhookEndpoint {
    pub mode: Mode,
    pub url: Option<String>,
    pub secret: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventStatus {
    Pending,
    Delivered,
    Failed,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Pending => "pending",
            EventStatus::Delivered => "delivered",
            EventStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<EventStatus> {
        match s {
            "pending" => Some(EventStatus::Pending),
            "delivered" => Some(EventStatus::Delivered),
            "failed" => Some(EventStatus::Failed),
            _ => None,
        }
    }
}

/// An event as stored. `subject_id` names the row the event is about (a
/// customer, virtual account, inflow or one-time account's virtual account);
/// the payload is rendered from it at the first delivery and then frozen, so
/// every retry sends the same bytes.
#[derive(Clone, Debug)]
pub struct WebhookEvent {
    pub id: i64,
    pub public_id: String,
    pub business_id: i64,
    pub mode: Mode,
    pub event_type: String,
    pub subject_id: i64,
    pub payload: Option<String>,
    pub status: EventStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct WebhookAttempt {
    pub attempted_at: DateTime<Utc>,
    pub url: Option<String>,
    pub http_status: Option<u16>,
    pub latency_ms: i64,
    /// First 1 KiB of the response body.
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

/// The error recorded when an event is written while its mode has no
/// webhook URL: such an event is failed at once, in the transaction that
/// wrote it, and waits for a retry.
pub const NO_URL_ERROR: &str = "no webhook URL is configured for this mode";

/// What an attempt decided for its event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(DateTime<Utc>),
    Failed,
}

#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    pub status: Option<EventStatus>,
    pub offset: u64,
    pub limit: u32,
    pub starting_after: Option<i64>,
}
