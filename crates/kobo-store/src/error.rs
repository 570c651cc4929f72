/// What can go wrong in a store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique rule was broken; `field` names the request field it maps to.
    #[error("{field} already exists")]
    Conflict { field: &'static str },
    /// The row to change does not exist (in this business and mode).
    #[error("not found")]
    NotFound,
    /// The database cannot be reached or is busy past its timeout.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a corrupted database.
    #[error("storage error: {0}")]
    Internal(String),
}
