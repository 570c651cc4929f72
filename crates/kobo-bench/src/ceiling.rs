//! The database ceiling, whichever the engine: what the same transactions
//! cost with no HTTP, no JSON and no kobo in between.

use std::sync::Arc;
use std::time::Duration;

use crate::ceiling_postgres::PgCeiling;
use crate::ceiling_sqlite::SqliteCeiling;
use crate::ids::Sessions;
use crate::measure::{self, Outcome};

/// Creation time of seeded rows.
pub const NOW: &str = "2026-01-01T00:00:00.000000Z";

/// kobo's time format: RFC 3339 UTC with microseconds.
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A customer's wallet and the virtual account inflows arrive at.
#[derive(Clone)]
pub struct Wallet {
    pub customer_id: i64,
    pub account_id: i64,
    pub virtual_account_id: i64,
    pub account_number: String,
}

pub enum Ceiling {
    Sqlite(SqliteCeiling),
    Postgres(PgCeiling),
}

impl Ceiling {
    pub async fn prepare(
        url: &str,
        customers: i64,
        spare: i64,
        sessions: Arc<Sessions>,
    ) -> anyhow::Result<Ceiling> {
        Ok(if url.starts_with("sqlite://") {
            Ceiling::Sqlite(SqliteCeiling::prepare(url, customers, spare, sessions).await?)
        } else {
            Ceiling::Postgres(PgCeiling::prepare(url, customers, spare, sessions).await?)
        })
    }

    /// `workers` closed-loop inflows, into one wallet (`hot`) or spread.
    pub async fn inflows(
        &self,
        workers: usize,
        hot: bool,
        warmup: Duration,
        duration: Duration,
    ) -> Outcome {
        match self {
            Ceiling::Sqlite(c) => {
                measure::closed(c.inflow_ops(workers, hot), warmup, duration).await
            }
            Ceiling::Postgres(c) => {
                measure::closed(c.inflow_ops(workers, hot), warmup, duration).await
            }
        }
    }

    /// `workers` closed-loop one-row creates.
    pub async fn creates(&self, workers: usize, warmup: Duration, duration: Duration) -> Outcome {
        match self {
            Ceiling::Sqlite(c) => measure::closed(c.create_ops(workers), warmup, duration).await,
            Ceiling::Postgres(c) => measure::closed(c.create_ops(workers), warmup, duration).await,
        }
    }

    pub async fn close(&self) {
        match self {
            Ceiling::Sqlite(c) => c.close().await,
            Ceiling::Postgres(c) => c.close().await,
        }
    }
}
