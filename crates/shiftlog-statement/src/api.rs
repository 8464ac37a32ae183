//! How a device and a verifier reach an organization's server for statements: the paths and
//! the request body (the answer to a request is a [`crate::SignedStatement`], the key list a
//! [`crate::KeySet`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `POST`, device token: sign a statement of the device's worker for a period
/// ([`StatementRequest`] in, [`crate::SignedStatement`] out).
pub const STATEMENTS: &str = "/api/v1/statements";
/// `GET`, public: an organization's statement keys with their retired and revoked dates
/// (`/api/v1/statement-keys/{org_id}`, a [`crate::KeySet`]).
pub const STATEMENT_KEYS: &str = "/api/v1/statement-keys/{org_id}";
/// `POST`, public: verify a signed statement or a file of them against this server's keys.
pub const VERIFY_API: &str = "/api/v1/statements/verify";
/// `GET` (`?code=`) and `POST` (a form with `document`), public: the verify page.
pub const VERIFY_PAGE: &str = "/verify";

/// The path of an organization's key list.
pub fn statement_keys_path(org_id: &str) -> String {
    STATEMENT_KEYS.replace("{org_id}", org_id)
}

/// The longest period one statement covers, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// What a device asks for: its worker's work from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}
