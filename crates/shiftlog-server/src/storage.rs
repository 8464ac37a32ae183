//! What the server needs from a database, as a trait, so SQLite (default) and PostgreSQL
//! backends can sit behind the same handlers.

use shiftlog_wire::{RecordEnvelope, RecordResult};
use uuid::Uuid;

/// Errors from a storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value could not be read back.
    #[error("corrupt value: {0}")]
    Corrupt(String),
    /// The named thing does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// Schema in the database is newer than this server.
    #[error("database schema {found} is newer than this server ({supported})")]
    TooNew {
        /// In the file.
        found: u32,
        /// Known here.
        supported: u32,
    },
    /// A file operation failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// Who a device token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceAuth {
    /// Device id.
    pub device_id: Uuid,
    /// Organization.
    pub org_id: String,
    /// True once revoked.
    pub revoked: bool,
}

/// Outcome of redeeming an enrollment code.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeemed {
    /// Device created.
    Enrolled {
        /// Org id.
        org_id: String,
        /// Org name.
        org_name: String,
    },
    /// Unknown, already used or expired.
    Invalid,
}

/// One exported activity row.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// Record id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Occurred at (device offset).
    pub occurred_at: String,
    /// Recorded at on the device.
    pub recorded_at: String,
    /// Received at by the server.
    pub received_at: String,
    /// Version.
    pub version: i64,
    /// Device id (a pseudonym, never a person's name).
    pub device_id: String,
    /// Details JSON.
    pub body: String,
}

/// The server's storage.
pub trait Storage: Send + Sync + 'static {
    /// Creates an organization if missing; returns true if it was created.
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError>;
    /// Stores a new enrollment code hash valid until `expires_at`.
    fn add_enrollment_code(
        &self,
        org_id: &str,
        code_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError>;
    /// Redeems a code once, creating the device with `token_hash`.
    fn redeem_code(
        &self,
        code_hash: &str,
        device_id: Uuid,
        device_name: &str,
        token_hash: &str,
    ) -> Result<Redeemed, StorageError>;
    /// Looks up a device by token hash.
    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError>;
    /// Marks a device revoked.
    fn revoke_device(&self, device_id: Uuid) -> Result<(), StorageError>;
    /// Stores a staff token hash for `org_id`.
    fn add_staff_token(
        &self,
        org_id: &str,
        token_hash: &str,
        label: &str,
    ) -> Result<(), StorageError>;
    /// The organization a staff token belongs to.
    fn staff_org(&self, token_hash: &str) -> Result<Option<String>, StorageError>;
    /// Stores records from one device, idempotently by (id, version), in one transaction.
    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[RecordEnvelope],
    ) -> Result<Vec<RecordResult>, StorageError>;
    /// Calls `each` for every activity of `org_id`, oldest first.
    fn export_activities(
        &self,
        org_id: &str,
        each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
    ) -> Result<(), StorageError>;
    /// Number of activities stored for `org_id`.
    fn count_activities(&self, org_id: &str) -> Result<u64, StorageError>;
}
