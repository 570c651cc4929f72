//! Group commit for inflows: one task takes every inflow waiting in its queue
//! (up to `MAX_BATCH`), posts them in one database transaction (a savepoint
//! each), and answers each request only after that commit. Under load many
//! inflows share one fsync; alone, an inflow commits at once.

use std::sync::Arc;

use kobo_store::{InflowOutcome, InflowRequest, Store, StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 256;
const QUEUE: usize = 8192;

type Job = (InflowRequest, oneshot::Sender<StoreResult<InflowOutcome>>);

#[derive(Clone)]
pub struct InflowWriter {
    queue: mpsc::Sender<Job>,
}

impl InflowWriter {
    /// Spawns the writer task.
    pub fn start(store: Arc<dyn Store>) -> InflowWriter {
        let (queue, mut jobs) = mpsc::channel::<Job>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (requests, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
                match store.post_inflows(requests).await {
                    Ok(results) => {
                        for (result, reply) in results.into_iter().zip(replies) {
                            let _ = reply.send(result);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "inflow batch did not commit");
                        let why = e.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(StoreError::Unavailable(why.clone())));
                        }
                    }
                }
            }
        });
        InflowWriter { queue }
    }

    /// Posts one inflow; resolves after its batch has committed.
    pub async fn post(&self, request: InflowRequest) -> StoreResult<InflowOutcome> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((request, reply))
            .await
            .map_err(|_| StoreError::Unavailable("the inflow writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the inflow writer has stopped".into()))?
    }
}
