//! Errors of the server API. The HTTP layer turns each into a status and a stable code.

use shiftlog_server_db::StorageError;

/// Errors of the server API.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Storage failed.
    #[error(transparent)]
    Storage(StorageError),
    /// Unknown, used or expired enrollment code.
    #[error("invalid enrollment code")]
    InvalidCode,
    /// No valid token or session.
    #[error("unauthorized")]
    Unauthorized,
    /// Device revoked.
    #[error("device revoked")]
    DeviceRevoked,
    /// A staff API token past its expiry.
    #[error("staff token expired")]
    TokenExpired,
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing dashboard request without its CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Too many requests; retry after this many seconds.
    #[error("too many requests; retry in {0} s")]
    RateLimited(u64),
    /// The named thing does not exist in the caller's organization.
    #[error("{0} not found")]
    NotFound(String),
    /// A name is taken.
    #[error("{0}")]
    Conflict(String),
    /// Bad input.
    #[error("{0}")]
    BadRequest(String),
    /// Bad input with a code of its own (a 400 whose `code` says which rule).
    #[error("{1}")]
    Invalid(&'static str, String),
}

impl From<StorageError> for ServiceError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => ServiceError::NotFound(what),
            StorageError::Conflict(_) => ServiceError::Conflict("That name is taken.".into()),
            // Storage found the device revoked inside the write: the extractor's refusal.
            StorageError::DeviceRevoked => ServiceError::DeviceRevoked,
            other => ServiceError::Storage(other),
        }
    }
}

impl From<std::io::Error> for ServiceError {
    fn from(e: std::io::Error) -> Self {
        ServiceError::Storage(StorageError::Io(e))
    }
}
