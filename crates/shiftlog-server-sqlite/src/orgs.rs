//! Organizations: creation, names, the retention window.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use shiftlog_server_db::{sql, StorageError};

use crate::{db, q};

/// See [`Storage::ensure_organization`](shiftlog_server_db::Storage::ensure_organization).
pub(crate) fn ensure_organization(
    conn: &Connection,
    id: &str,
    name: &str,
) -> Result<bool, StorageError> {
    let n = conn
        .execute(
            q(&sql::INSERT_ORGANIZATION),
            params![id, name, Utc::now().to_rfc3339()],
        )
        .map_err(db)?;
    Ok(n == 1)
}

/// See [`Storage::organization_name`](shiftlog_server_db::Storage::organization_name).
pub(crate) fn organization_name(
    conn: &Connection,
    id: &str,
) -> Result<Option<String>, StorageError> {
    conn.query_row(q(&sql::ORGANIZATION_NAME), [id], |r| r.get(0))
        .optional()
        .map_err(db)
}

/// See [`Storage::retention_days`](shiftlog_server_db::Storage::retention_days).
pub(crate) fn retention_days(conn: &Connection, org_id: &str) -> Result<u32, StorageError> {
    conn.query_row(q(&sql::RETENTION_DAYS), [org_id], |r| r.get(0))
        .optional()
        .map_err(db)?
        .ok_or_else(|| StorageError::NotFound(format!("organization {org_id}")))
}

/// See [`Storage::set_retention_days`](shiftlog_server_db::Storage::set_retention_days).
pub(crate) fn set_retention_days(
    conn: &Connection,
    org_id: &str,
    days: u32,
) -> Result<(), StorageError> {
    let n = conn
        .execute(q(&sql::SET_RETENTION_DAYS), params![org_id, days])
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("organization {org_id}")));
    }
    Ok(())
}
