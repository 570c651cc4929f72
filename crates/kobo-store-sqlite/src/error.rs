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
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => unavailable(e),
        other => StoreError::Internal(other.to_string()),
    }
}

/// The database cannot be reached.
pub(crate) fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}
