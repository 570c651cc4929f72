//! The connections: one writer thread that lets many writes share a commit,
//! and reader connections for everything else.
//!
//! **Writes.** Every write is a job sent to one thread that owns the only
//! writing connection. The thread takes every job waiting (up to
//! [`MAX_GROUP`]), opens `BEGIN IMMEDIATE`, runs each job inside a savepoint
//! of its own (a job that fails is rolled back alone), commits once, and only
//! then answers each job. A job whose caller has gone (its request timed out)
//! before its turn is skipped. So a write is acknowledged only after the commit
//! that made it durable, and a burst of writes pays for one `fsync` instead of
//! one each. Statements run on the thread itself through rusqlite's cached
//! prepared statements: no hop per statement.
//!
//! **Reads.** Idle reader connections wait in a small pool. A point lookup
//! (an indexed row or two: microseconds) runs right on the calling task
//! ([`Db::read_now`]); a scan that may take milliseconds runs on tokio's
//! blocking threads ([`Db::read`]), at most [`MAX_SCANS`] at once. WAL lets
//! readers run beside the writer and see only committed data; a thread of
//! its own copies the WAL into the database file (see [`checkpoint`]).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kobo_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{oneshot, Semaphore};

use crate::checkpoint::{self, Checkpointer};
use crate::error::{map, unavailable};

/// The most jobs that share one commit.
const MAX_GROUP: usize = 512;
/// The most scans that run at once on blocking threads.
const MAX_SCANS: usize = 4;
/// Idle reader connections kept open, per pool (point reads, scans).
const MAX_IDLE_READERS: usize = 4;
/// How long a statement waits for a lock held by another process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Page cache per connection, in KiB (SQLite's negative `cache_size`).
/// Point readers keep the hot index and table pages of many customers (a
/// fetch touches five or so pages at random); scans stream through pages they
/// will not need again, so a big cache would only hold memory.
const WRITER_CACHE_KIB: i64 = 8_000;
const POINT_READER_CACHE_KIB: i64 = 16_000;
const READER_CACHE_KIB: i64 = 2_000;

/// Both sides of the engine; cheap to clone.
#[derive(Clone)]
pub(crate) struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Message>>>,
    /// Idle readers for point reads (on the calling task) and for scans.
    idle_points: Mutex<Vec<Connection>>,
    idle_scans: Mutex<Vec<Connection>>,
    scans: Semaphore,
    checkpointer: Mutex<Option<Checkpointer>>,
}

enum Message {
    Job(Box<dyn Job>),
    Close(oneshot::Sender<()>),
}

impl Db {
    /// Opens the file at `path` (created if missing) and starts the writer.
    pub(crate) fn open(path: &Path) -> StoreResult<Db> {
        let writer = connect(path, WRITER_CACHE_KIB, false).map_err(map)?;
        writer
            .pragma_update(
                None,
                "wal_autocheckpoint",
                checkpoint::WRITER_BACKSTOP_PAGES,
            )
            .map_err(map)?;
        let reader = connect(path, POINT_READER_CACHE_KIB, true).map_err(map)?;
        let checkpointer = checkpoint::spawn(connect(path, READER_CACHE_KIB, false).map_err(map)?)
            .map_err(|e| StoreError::Internal(format!("cannot start the checkpointer: {e}")))?;
        let (send, receive) = mpsc::channel();
        std::thread::Builder::new()
            .name("kobo-sqlite-writer".into())
            .spawn(move || write_loop(writer, receive))
            .map_err(|e| StoreError::Internal(format!("cannot start the writer thread: {e}")))?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                jobs: Mutex::new(Some(send)),
                idle_points: Mutex::new(vec![reader]),
                idle_scans: Mutex::new(Vec::new()),
                scans: Semaphore::new(MAX_SCANS),
                checkpointer: Mutex::new(Some(checkpointer)),
            }),
        })
    }

    /// Runs `f` inside the writer's transaction and answers after the commit.
    /// If `f` fails, what it wrote is rolled back and its error is the answer;
    /// other jobs of the same commit are not affected.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Typed {
            work: Some(f),
            result: None,
            reply,
        });
        self.send(Message::Job(job))?;
        answer
            .await
            .map_err(|_| StoreError::Internal("the writer dropped a write".into()))?
    }

    /// Runs a short read (a few indexed rows) on the calling task.
    pub(crate) fn read_now<T>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.inner.with_reader(Pool::Points, f)
    }

    /// Runs a read that may scan many rows on a blocking thread.
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let _permit = self
            .inner
            .scans
            .acquire()
            .await
            .map_err(|_| unavailable("the store is closed"))?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.with_reader(Pool::Scans, f))
            .await
            .map_err(|e| StoreError::Internal(format!("a read panicked: {e}")))?
    }

    /// Writes a consistent copy of the database to `target` (`VACUUM INTO`,
    /// one read transaction) on a connection of its own.
    pub(crate) async fn vacuum_into(&self, target: String) -> StoreResult<()> {
        let path = self.inner.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = connect(&path, READER_CACHE_KIB, false).map_err(map)?;
            conn.execute("VACUUM INTO ?", [target]).map_err(map)?;
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Internal(format!("the backup panicked: {e}")))?
    }

    /// Finishes the writes already sent, stops the writer and drops idle
    /// readers. Later calls answer `Unavailable`.
    pub(crate) async fn close(&self) {
        let (done, finished) = oneshot::channel();
        let sender = self.inner.jobs.lock().map(|mut s| s.take()).ok().flatten();
        if let Some(sender) = sender {
            if sender.send(Message::Close(done)).is_ok() {
                let _ = finished.await;
            }
        }
        self.inner.scans.close();
        for idle in [&self.inner.idle_points, &self.inner.idle_scans] {
            if let Ok(mut idle) = idle.lock() {
                idle.clear();
            }
        }
        if let Ok(mut checkpointer) = self.inner.checkpointer.lock() {
            checkpointer.take();
        }
    }

    fn send(&self, message: Message) -> StoreResult<()> {
        let jobs = self
            .inner
            .jobs
            .lock()
            .map_err(|_| StoreError::Internal("writer queue poisoned".into()))?;
        match jobs.as_ref() {
            Some(sender) => sender
                .send(message)
                .map_err(|_| unavailable("the writer has stopped")),
            None => Err(unavailable("the store is closed")),
        }
    }
}

impl Inner {
    fn with_reader<T>(
        &self,
        pool: Pool,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        if self.scans.is_closed() {
            return Err(unavailable("the store is closed"));
        }
        let (idle, cache_kib) = match pool {
            Pool::Points => (&self.idle_points, POINT_READER_CACHE_KIB),
            Pool::Scans => (&self.idle_scans, READER_CACHE_KIB),
        };
        let conn = idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match conn {
            Some(conn) => conn,
            None => connect(&self.path, cache_kib, true).map_err(map)?,
        };
        let result = f(&conn);
        // A read that left its transaction open would pin an old snapshot
        // for every later read on this connection: such a connection is closed.
        if conn.is_autocommit() {
            if let Ok(mut idle) = idle.lock() {
                if idle.len() < MAX_IDLE_READERS && !self.scans.is_closed() {
                    idle.push(conn);
                }
            }
        }
        result
    }
}

/// Which idle readers a read takes from.
#[derive(Clone, Copy)]
enum Pool {
    Points,
    Scans,
}

/// One connection with kobo's settings: WAL, `synchronous=FULL`, foreign
/// keys on. Readers are also `query_only`, so a read can never write.
fn connect(path: &Path, cache_kib: i64, reader: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    if reader {
        conn.pragma_update(None, "query_only", true)?;
    }
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// A write waiting for its turn: run inside the transaction, answered after it.
trait Job: Send {
    /// Runs the work; true when it succeeded (its savepoint is released).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the commit's outcome is known.
    fn finish(self: Box<Self>, commit: Result<(), &StoreError>);
}

struct Typed<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> StoreResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        // The caller gave up (its request timed out) before the job's turn
        // came: nothing is written on behalf of a request that was answered.
        if self.reply.is_closed() {
            self.result = Some(Err(StoreError::Unavailable(
                "abandoned by its caller".into(),
            )));
            return false;
        }
        let result = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(StoreError::Internal("a write panicked".into())));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), &StoreError>) {
        let answer = match (self.result, commit) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (_, Err(e)) => Err(copy(e)),
            (None, Ok(())) => Err(StoreError::Internal("a write was never run".into())),
        };
        let _ = self.reply.send(answer);
    }
}

fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        other => StoreError::Internal(other.to_string()),
    }
}

fn write_loop(conn: Connection, jobs: mpsc::Receiver<Message>) {
    let mut close = None;
    while close.is_none() {
        let Ok(first) = jobs.recv() else { break };
        let mut group = Vec::new();
        match first {
            Message::Job(job) => group.push(job),
            Message::Close(done) => close = Some(done),
        }
        while close.is_none() && group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(Message::Job(job)) => group.push(job),
                Ok(Message::Close(done)) => close = Some(done),
                Err(_) => break,
            }
        }
        if !group.is_empty() {
            commit_group(&conn, group);
        }
    }
    drop(conn);
    if let Some(done) = close {
        let _ = done.send(());
    }
}

/// One transaction for `group`, each job in its own savepoint.
fn commit_group(conn: &Connection, mut group: Vec<Box<dyn Job>>) {
    let outcome = run_group(conn, &mut group);
    if outcome.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for job in group {
        job.finish(outcome.as_ref().map(|_| ()));
    }
}

fn run_group(conn: &Connection, group: &mut [Box<dyn Job>]) -> StoreResult<()> {
    exec(conn, "BEGIN IMMEDIATE")?;
    for job in group.iter_mut() {
        exec(conn, "SAVEPOINT job")?;
        if !job.run(conn) {
            exec(conn, "ROLLBACK TO job")?;
        }
        exec(conn, "RELEASE job")?;
    }
    exec(conn, "COMMIT")
}

/// Runs one statement that returns no rows, prepared once per connection
/// (transaction control runs several times per commit).
pub(crate) fn exec(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute([]))
        .map(|_| ())
        .map_err(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::params;

    fn temp_db() -> (Db, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "kobo-db-test-{}",
            kobo_core::ids::random_alphanumeric(12)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = Db::open(&dir.join("t.db")).expect("open");
        (db, dir)
    }

    async fn rows(db: &Db) -> Vec<i64> {
        db.read(|c| {
            let mut s = c.prepare("SELECT v FROM t ORDER BY v").map_err(map)?;
            let v = s.query_map([], |r| r.get(0)).map_err(map)?;
            v.collect::<Result<_, _>>().map_err(map)
        })
        .await
        .expect("read")
    }

    #[tokio::test]
    async fn a_failing_or_panicking_job_is_rolled_back_alone() {
        let (db, dir) = temp_db();
        db.write(|c| {
            c.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
                .map_err(map)
        })
        .await
        .expect("create");
        // Many writes at once so they share commits; every third fails after
        // writing, one panics.
        let mut tasks = Vec::new();
        for v in 0..60_i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.write(move |c| {
                    c.execute("INSERT INTO t (v) VALUES (?)", [v])
                        .map_err(map)?;
                    if v == 31 {
                        panic!("a bug in one job");
                    }
                    if v % 3 == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(v)
                })
                .await
            }));
        }
        let mut acknowledged = Vec::new();
        for task in tasks {
            if let Ok(v) = task.await.expect("join") {
                acknowledged.push(v);
            }
        }
        let expected: Vec<i64> = (0..60).filter(|v| v % 3 != 0 && *v != 31).collect();
        acknowledged.sort_unstable();
        assert_eq!(acknowledged, expected);
        // Acknowledged means committed: a reader sees exactly those rows.
        assert_eq!(rows(&db).await, expected);
        db.close().await;
        assert!(matches!(
            db.write(|_| Ok(())).await,
            Err(StoreError::Unavailable(_))
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_read_that_leaves_its_transaction_open_never_serves_an_old_snapshot() {
        let (db, dir) = temp_db();
        db.write(|c| {
            c.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)")
                .map_err(map)
        })
        .await
        .expect("create");
        let count = |c: &Connection| -> StoreResult<i64> {
            c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .map_err(map)
        };
        // A read that forgets to end its transaction (a bug, or an error
        // between BEGIN and COMMIT) holds a snapshot with one row.
        let leaked = db.read_now(|c| {
            exec(c, "BEGIN")?;
            count(c)
        });
        assert_eq!(leaked.expect("read"), 1);
        db.write(|c| c.execute("INSERT INTO t VALUES (2)", []).map_err(map))
            .await
            .expect("insert");
        // Every later point read sees the write: the leaked connection was
        // closed, not returned to the pool.
        for _ in 0..3 {
            assert_eq!(db.read_now(count).expect("read"), 2);
        }
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_wal_is_copied_into_the_database_file_off_the_commit_path() {
        let (db, dir) = temp_db();
        let file = dir.join("t.db");
        db.write(|c| {
            c.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY, pad TEXT)")
                .map_err(map)
        })
        .await
        .expect("create");
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let before = size();
        // ~2 MiB of rows: far below the writer's own backstop (~40 MiB), so
        // only the checkpointer thread can move them into the file.
        for v in 0..200_i64 {
            db.write(move |c| {
                c.execute(
                    "INSERT INTO t VALUES (?, ?)",
                    params![v, "x".repeat(10_000)],
                )
                .map_err(map)
                .map(|_| ())
            })
            .await
            .expect("insert");
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size() < before + 1_000_000 && std::time::Instant::now() < deadline {
            tokio::time::sleep(checkpoint::INTERVAL).await;
        }
        assert!(
            size() >= before + 1_000_000,
            "file {} bytes, was {before}",
            size()
        );
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_reader_cannot_write() {
        let (db, dir) = temp_db();
        let err = db
            .read_now(|c| c.execute_batch("CREATE TABLE x (v)").map_err(map))
            .expect_err("query_only");
        assert!(matches!(err, StoreError::Internal(_)), "{err:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
