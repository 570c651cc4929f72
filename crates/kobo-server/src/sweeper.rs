//! Background work: marks pending one-time accounts EXPIRED once their time
//! has passed. Reads compute the same rule, so the sweeper only makes the
//! stored status catch up; running it on several nodes at once is harmless
//! (the update is idempotent).

use std::sync::Arc;
use std::time::Duration;

use kobo_store::Store;

/// Spawns the sweeper; it runs every `every` until the runtime stops.
pub fn spawn(store: Arc<dyn Store>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.expire_one_time_accounts(chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "one-time accounts expired"),
                Err(e) => tracing::warn!(error = %e, "one-time account sweep failed"),
            }
        }
    })
}
