//! What can go wrong in a storage backend.

/// Errors from a storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database failed (connection, SQL, constraint other than the ones below).
    #[error("database: {0}")]
    Backend(String),
    /// A stored value could not be read back.
    #[error("corrupt value: {0}")]
    Corrupt(String),
    /// The named thing does not exist (in this organization).
    #[error("{0} not found")]
    NotFound(String),
    /// A unique name is taken.
    #[error("{0} exists already")]
    Conflict(String),
    /// Schema in the database is newer than this server.
    #[error("database schema {found} is newer than this server ({supported})")]
    TooNew {
        /// In the database.
        found: u32,
        /// Known here.
        supported: u32,
    },
    /// The device is revoked (or no longer enrolled), as read inside the transaction that
    /// would have written for it; nothing was written.
    #[error("device revoked")]
    DeviceRevoked,
    /// A file operation failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
