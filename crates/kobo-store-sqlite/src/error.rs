//! Maps rusqlite errors to [`StoreError`].

use kobo_store::StoreError;
use rusqlite::ErrorCode;

/// Any rusqlite error, with unique violations turned into conflicts on the field they guard.
pub(crate) fn map(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, message) = &e {
        let msg = message.as_deref().unwrap_or("");
        if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        {
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
        // SQLITE_BUSY / SQLITE_LOCKED: another writer (another process, or a
        // `kobo` command beside the server) held the lock past the busy
        // timeout. Temporary: answer 503, the caller retries.
        if matches!(
            failure.code,
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen
        ) {
            return StoreError::Unavailable(e.to_string());
        }
    }
    StoreError::Internal(e.to_string())
}

/// The database cannot be reached or the engine has stopped.
pub(crate) fn unavailable(what: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(what.to_string())
}
