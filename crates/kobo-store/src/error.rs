/// What can go wrong in a store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique rule was broken; `field` names the request field it maps to.
    #[error("{field} already exists")]
    Conflict { field: &'static str },
    /// The row to change does not exist (in this business and mode).
    #[error("not found")]
    NotFound,
    /// A business rule refused the change.
    #[error("{0:?}")]
    Refused(Refusal),
    /// The database cannot be reached or is busy past its timeout.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a corrupted database.
    #[error("storage error: {0}")]
    Internal(String),
}

/// Business rules a store enforces inside its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The customer already holds the most virtual accounts allowed.
    VirtualAccountLimit { max: u32 },
    /// Inactive customers get no new accounts.
    CustomerInactive,
}
