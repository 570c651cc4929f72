//! Maps sqlx errors to [`StoreError`]: unique violations become conflicts on
//! the request field their constraint guards (by constraint name), and
//! everything that means "the database cannot serve this now" (connection
//! lost, pool exhausted, statement timeout, deadlock) becomes `Unavailable`.

use kobo_store::StoreError;

/// Prefix of the `Unavailable` message for a deadlock or serialization
/// failure: the work may simply be run again (see `inflows::post_batch`).
const CONTENTION: &str = "write contention (deadlock or serialization failure)";

/// Unique constraints and the request field each one guards. Any other
/// unique violation is a conflict on `unknown`, as in the SQLite engine.
const CONSTRAINT_FIELDS: &[(&str, &str)] = &[
    ("customer_reference", "reference"),
    ("customer_email", "email"),
    ("customer_bvn", "bvn"),
    ("customer_nin", "nin"),
    ("customer_code", "code"),
    ("idempotency_key_pkey", "idempotency_key"),
    ("one_time_account_reference", "reference"),
];

/// SQLSTATE of a unique violation.
pub(crate) const UNIQUE_VIOLATION: &str = "23505";
/// SQLSTATE of a foreign-key violation.
pub(crate) const FOREIGN_KEY_VIOLATION: &str = "23503";

/// Any sqlx error, with unique violations turned into conflicts on the field they guard.
pub(crate) fn map(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        if code == UNIQUE_VIOLATION {
            let name = db.constraint().unwrap_or_default();
            let field = CONSTRAINT_FIELDS
                .iter()
                .find(|(constraint, _)| *constraint == name)
                .map_or("unknown", |(_, field)| *field);
            return StoreError::Conflict { field };
        }
        if code == "40001" || code == "40P01" {
            return StoreError::Unavailable(format!("{CONTENTION}: {}", db.message()));
        }
        if is_unavailable_code(&code) {
            return StoreError::Unavailable(db.message().to_string());
        }
    }
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => unavailable(e),
        other => StoreError::Internal(other.to_string()),
    }
}

/// Connection exceptions (class 08), statement timeout, lock timeout, too
/// many connections and server shutdown.
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57014" | "55P03" | "57P01" | "57P02" | "57P03")
}

/// The database cannot be reached.
pub(crate) fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// True for a deadlock or serialization failure, which a retry may clear.
pub(crate) fn is_contention(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable(msg) if is_contention_message(msg))
}

/// True for the message of an `Unavailable` made from a deadlock or
/// serialization failure.
pub(crate) fn is_contention_message(msg: &str) -> bool {
    msg.starts_with(CONTENTION)
}

/// The SQLSTATE and constraint of a database error, if it is one.
pub(crate) fn db_code(e: &sqlx::Error) -> Option<(String, Option<String>)> {
    match e {
        sqlx::Error::Database(db) => Some((
            db.code().map(|c| c.into_owned()).unwrap_or_default(),
            db.constraint().map(str::to_string),
        )),
        _ => None,
    }
}
