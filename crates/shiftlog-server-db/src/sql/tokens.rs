//! Staff API token statements.

use super::Statement;

/// Stores a staff token: id, hash, org, name, scope, created at, expires at, created by.
pub static INSERT_STAFF_TOKEN: Statement = Statement::new(
    "INSERT INTO staff_tokens
       (id, token_hash, org_id, name, scope, created_at, expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
);
/// A staff token by hash. Columns: id, org, name, scope, created at, expires at, created by,
/// last used at.
pub static STAFF_TOKEN: Statement = Statement::new(
    "SELECT id, org_id, name, scope, created_at, expires_at, created_by, last_used_at
     FROM staff_tokens WHERE token_hash = $1",
);
/// An organization's staff tokens, newest first (columns as [`STAFF_TOKEN`]): org.
pub static STAFF_TOKENS: Statement = Statement::new(
    "SELECT id, org_id, name, scope, created_at, expires_at, created_by, last_used_at
     FROM staff_tokens WHERE org_id = $1 ORDER BY created_at DESC, id",
);
/// Removes a staff token of an organization: org, id.
pub static DELETE_STAFF_TOKEN: Statement =
    Statement::new("DELETE FROM staff_tokens WHERE org_id = $1 AND id = $2");
/// Writes down a staff token's last use: id, at.
pub static TOUCH_STAFF_TOKEN: Statement =
    Statement::new("UPDATE staff_tokens SET last_used_at = $2 WHERE id = $1");
