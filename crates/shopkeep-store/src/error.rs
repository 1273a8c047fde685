use shopkeep_core::conversation::TransitionError;
use thiserror::Error;

/// What a store operation can fail with. Backends convert their own errors
/// into this once, at the boundary.
#[derive(Debug, Error, Clone)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Rule(#[from] TransitionError),
    /// A limit on how many of something may exist was reached.
    #[error("limit reached: {0}")]
    Limit(String),
    #[error("the store is shutting down")]
    ShuttingDown,
    /// Any other backend failure, with its message (cloneable so one failed
    /// group commit can be reported to every writer in the group).
    #[error("storage failure: {0}")]
    Backend(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
