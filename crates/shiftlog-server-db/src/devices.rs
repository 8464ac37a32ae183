//! Organizations' devices and their enrollment: the types the backends store and return.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who a device token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceAuth {
    /// Device id.
    pub device_id: Uuid,
    /// Organization.
    pub org_id: String,
    /// The worker this device belongs to.
    pub worker_id: Uuid,
    /// The worker's pseudonym, e.g. `W-7F3K`.
    pub pseudonym: String,
    /// True once revoked.
    pub revoked: bool,
}

/// A one-time enrollment code to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCode {
    /// SHA-256 of the normalized code.
    pub code_hash: String,
    /// Organization.
    pub org_id: String,
    /// Set when the code adds a device to an existing worker.
    pub worker_id: Option<Uuid>,
    /// Staff member who made it, for the audit trail.
    pub created_by: String,
    /// Valid until.
    pub expires_at: DateTime<Utc>,
}

/// What a redeemed code creates.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDevice {
    /// Device id.
    pub device_id: Uuid,
    /// Name the worker gave it.
    pub name: String,
    /// SHA-256 of the bearer token.
    pub token_hash: String,
    /// Used when the code does not name a worker: a new worker with this id and pseudonym.
    pub new_worker: (Uuid, String),
}

/// An enrollment code as stored, for the service to judge whether it may still be used.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCode {
    /// Organization.
    pub org_id: String,
    /// Set when the code adds a device to an existing worker.
    pub worker_id: Option<Uuid>,
    /// Valid until, RFC 3339 as stored.
    pub expires_at: String,
    /// When it was used, RFC 3339 as stored.
    pub used_at: Option<String>,
}

/// The service's judgement of a stored code: true if it may be redeemed now. Storage asks it
/// inside the redemption's transaction, with the code's row locked.
pub type CodeCheck<'a> = &'a (dyn Fn(&StoredCode) -> bool + Sync);

/// Outcome of redeeming an enrollment code.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeemed {
    /// Device created.
    Enrolled {
        /// Org id.
        org_id: String,
        /// Org name.
        org_name: String,
        /// Worker pseudonym.
        pseudonym: String,
    },
    /// The proposed new pseudonym is taken in this organization; try another.
    PseudonymTaken,
    /// Unknown, or refused by the service's [`CodeCheck`] (used, expired).
    Invalid,
}

/// A device as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    /// Device id.
    pub id: Uuid,
    /// Worker pseudonym.
    pub pseudonym: String,
    /// Name the worker gave the device.
    pub name: String,
    /// When it joined.
    pub enrolled_at: String,
    /// When it was removed, if it was.
    pub revoked_at: Option<String>,
}
