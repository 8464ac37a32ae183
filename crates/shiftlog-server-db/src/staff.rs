//! Staff accounts, dashboard sessions and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Staff roles, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including unsuppressed summaries and staff accounts.
    Admin,
    /// Enrollment, devices, catalogue, suppressed summaries and record exports.
    Coordinator,
    /// Suppressed summaries only.
    Viewer,
}

impl Role {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffAccount {
    /// Id.
    pub id: Uuid,
    /// Organization.
    pub org_id: String,
    /// Login name, unique within its organization.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Disabled: cannot sign in (re-enabled by an admin).
    pub disabled: bool,
}

/// A dashboard session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the cookie value.
    pub token_hash: String,
    /// SHA-256 of the CSRF token.
    pub csrf_hash: String,
    /// Staff member.
    pub staff_id: Uuid,
    /// Ends at.
    pub expires_at: DateTime<Utc>,
    /// Last used at (when made, at first).
    pub last_used_at: DateTime<Utc>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// When.
    pub at: String,
    /// Who: a staff username, `cli`, or `token:<label>`.
    pub actor: String,
    /// What, e.g. `export`, `enrollment_code`, `revoke_device`, `role_change`.
    pub action: String,
    /// Details (filters, ids), JSON.
    pub detail: serde_json::Value,
}
