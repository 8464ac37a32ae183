//! Staff API tokens: named, scoped, expiring, listed and revoked. Only the token's hash is
//! stored; [`StaffToken`] never carries the secret or its hash, so a listing cannot leak it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::StorageError;

/// What a staff API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read-only: protected summaries and summary exports.
    Summary,
    /// What a coordinator may do.
    Coordinator,
}

impl TokenScope {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Summary => "summary",
            TokenScope::Coordinator => "coordinator",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "summary" => Some(TokenScope::Summary),
            "coordinator" => Some(TokenScope::Coordinator),
            _ => None,
        }
    }
}

/// A staff API token as stored, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffToken {
    /// Id (shown in listings and audit lines; not a secret).
    pub id: Uuid,
    /// Organization.
    #[serde(skip)]
    pub org_id: String,
    /// Name given when it was made.
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Stops working at.
    pub expires_at: DateTime<Utc>,
    /// Who made it: a username, `cli` or `migration`.
    pub created_by: String,
    /// Last used at (written at most once a minute), if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Reads a stored RFC 3339 time.
pub fn stored_time(s: &str) -> Result<DateTime<Utc>, StorageError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StorageError::Corrupt(format!("time {s}: {e}")))
}

/// A stored token row: id, org, name, scope, created, expires, created by, last used (the
/// columns of `sql::STAFF_TOKEN` and `sql::STAFF_TOKENS`).
pub type TokenRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// A [`StaffToken`] from its stored row.
pub fn token_from_row(
    (id, org_id, name, scope, created_at, expires_at, created_by, last_used_at): TokenRow,
) -> Result<StaffToken, StorageError> {
    Ok(StaffToken {
        id: Uuid::parse_str(&id).map_err(|e| StorageError::Corrupt(format!("{id}: {e}")))?,
        org_id,
        name,
        scope: TokenScope::parse(&scope)
            .ok_or_else(|| StorageError::Corrupt(format!("scope {scope}")))?,
        created_at: stored_time(&created_at)?,
        expires_at: stored_time(&expires_at)?,
        created_by,
        last_used_at: last_used_at.as_deref().map(stored_time).transpose()?,
    })
}
