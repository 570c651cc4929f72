//! WAL checkpoints off the commit path.
//!
//! By default SQLite checkpoints inside the commit that pushes the WAL past
//! 1,000 pages, so every few thousand writes one of them waits for the copy
//! into the database file and its `fsync`. kobo's writer instead checkpoints
//! only as a backstop ([`WRITER_BACKSTOP_PAGES`]); this thread, on a
//! connection of its own, runs a `PASSIVE` checkpoint every
//! [`INTERVAL`], which copies what it can without taking the write lock. The
//! writer restarts the WAL from its start once everything in it has been
//! copied, so the file stays small.

use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;

/// How often the WAL is copied into the database file.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);
/// The writer still checkpoints by itself past this many WAL pages (about
/// 40 MiB), should this thread ever fall behind.
pub(crate) const WRITER_BACKSTOP_PAGES: i64 = 10_000;

/// The running checkpointer; dropping it stops the thread.
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

/// Starts checkpointing `conn`'s database every [`INTERVAL`].
pub(crate) fn spawn(conn: Connection) -> std::io::Result<Checkpointer> {
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("kobo-sqlite-checkpoint".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                if let Err(e) = checkpoint(&conn) {
                    tracing::warn!(error = %e, "WAL checkpoint failed; the writer's backstop takes over");
                }
            }
        })?;
    Ok(Checkpointer { _stop: stop })
}

fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}
