//! Outgoing webhooks. Events are written by the store in the same transaction
//! as their cause (the outbox); `worker` leases due events, renders their
//! payload once (`payload`), signs it (`signing`), refuses private
//! destinations (`address`) and retries on `schedule`.

pub mod address;
pub mod freezer;
pub mod payload;
pub mod schedule;
pub mod signing;
pub mod worker;

use std::time::Duration;

/// Delivery settings.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Allow destinations on private, loopback and link-local addresses (tests, on-premise receivers).
    pub allow_private: bool,
    /// Delay before each retry; when it runs out, the event is failed.
    pub schedule: Vec<Duration>,
    /// Time allowed for one delivery.
    pub timeout: Duration,
    /// How often the worker looks for due events when idle.
    pub poll_interval: Duration,
    /// Events leased per round.
    pub batch: u32,
    /// How long a worker holds an event while sending it (at least the
    /// timeout plus [`LEASE_MARGIN`]); an event whose worker died mid-send
    /// is sent again once this runs out.
    pub lease: Duration,
}

/// Added to the timeout for the shortest lease: time to render and record.
pub const LEASE_MARGIN: Duration = Duration::from_secs(5);

impl WebhookConfig {
    /// The lease actually taken: `lease`, but never shorter than one send.
    pub fn effective_lease(&self) -> Duration {
        self.lease.max(self.timeout + LEASE_MARGIN)
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private: false,
            schedule: schedule::default_schedule(),
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(500),
            batch: 32,
            lease: Duration::from_secs(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_outlives_one_send() {
        let short = WebhookConfig {
            lease: Duration::from_secs(1),
            ..WebhookConfig::default()
        };
        assert_eq!(short.effective_lease(), Duration::from_secs(15));
        assert_eq!(
            WebhookConfig::default().effective_lease(),
            Duration::from_secs(60)
        );
    }
}
