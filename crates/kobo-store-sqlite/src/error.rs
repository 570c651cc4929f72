//! Maps sqlx errors to [`StoreError`].

use kobo_store::StoreError;

/// Any sqlx error, with unique violations turned into conflicts on the field they guard.
pub(crate) fn map(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let msg = db.message();
            for (needle, field) in [
                ("reference", "reference"),
                ("email_lower", "email"),
                ("bvn_hash", "bvn"),
                ("nin_hash", "nin"),
                ("customer.code", "code"),
                ("idem_key", "idempotency_key"),
            ] {
                if msg.contains(needle) {
                    return StoreError::Conflict { field };
                }
            }
            return StoreError::Conflict { field: "unknown" };
        }
    }
    if let sqlx::Error::Database(db) = &e {
        // SQLITE_BUSY and its extended codes: another writer held the lock
        // past the busy timeout. Temporary: answer 503, the caller retries.
        let busy = db
            .code()
            .is_some_and(|c| c == "5" || c.parse::<i32>().is_ok_and(|n| n & 0xff == 5));
        if busy || db.message().contains("database is locked") {
            return unavailable(e);
        }
    }
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => unavailable(e),
        other => StoreError::Internal(other.to_string()),
    }
}

/// The database cannot be reached.
pub(crate) fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}
