//! What a readiness probe (`/readyz`) learns from a backend: that the database answered now,
//! and at which schema version, beside the version this server's migrations reach.

/// The database answered; its schema version and the one this server expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// The schema version the database is at.
    pub schema: u32,
    /// The version this server's migrations bring it to.
    pub expected: u32,
}

impl Readiness {
    /// The database is at exactly the version this server's migrations reach.
    pub fn current(&self) -> bool {
        self.schema == self.expected
    }
}

/// A new random data epoch (32 hex digits).
pub fn fresh_data_epoch() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
