//! Opening the pool: size, acquire timeout and a per-connection statement
//! timeout from [`PgOptions`]; TLS from the URL's `sslmode` (`disable`,
//! `prefer` (the default), `require`, `verify-ca`, `verify-full`, with
//! `sslrootcert=PATH` for a private CA; rustls with the webpki roots).

use std::str::FromStr;
use std::time::Duration;

use kobo_store::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};

/// Pool settings for one kobo node.
#[derive(Clone, Debug)]
pub struct PgOptions {
    /// Most connections this node holds open (the server's `max_connections`
    /// is shared by every node and every tool).
    pub max_connections: u32,
    /// Longest any one statement may run before the server cancels it (the
    /// call then fails as unavailable). Zero means no limit.
    pub statement_timeout: Duration,
    /// Longest a call waits for a free connection (or for a new one).
    pub acquire_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            max_connections: 10,
            statement_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

pub(crate) async fn pool(url: &str, options: &PgOptions) -> StoreResult<PgPool> {
    let connect = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?
        .application_name("kobo");
    let place = format!(
        "{}:{}/{}",
        connect.get_host(),
        connect.get_port(),
        connect.get_database().unwrap_or_default()
    );
    // One plain connection first: the pool would retry a refused connection
    // until its acquire timeout and then report only "pool timed out"; this
    // answers at once, with the driver's own reason.
    let unreachable =
        |why: String| StoreError::Unavailable(format!("cannot reach PostgreSQL at {place}: {why}"));
    match tokio::time::timeout(options.acquire_timeout, connect.connect()).await {
        Ok(Ok(probe)) => {
            let _ = probe.close().await;
        }
        Ok(Err(e)) => return Err(unreachable(one_line(&e))),
        Err(_) => {
            return Err(unreachable(format!(
                "no answer within {:?}",
                options.acquire_timeout
            )))
        }
    }
    let timeout_ms = options.statement_timeout.as_millis();
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.acquire_timeout)
        // No ping before every use (a round trip per call): a connection the
        // server dropped fails that one call as unavailable and is discarded.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(format!("SET statement_timeout = {timeout_ms}").as_str())
                    .await?;
                Ok(())
            })
        })
        .connect_with(connect)
        .await
        .map_err(|e| unreachable(one_line(&e)))?;
    Ok(pool)
}

/// The error on one line, whatever the driver put in it.
fn one_line(e: &sqlx::Error) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
