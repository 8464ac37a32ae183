//! Organizations: creation, names, the retention window.

use chrono::Utc;
use postgres::Client;
use shiftlog_server_db::{sql, StorageError};

use crate::{db, q};

/// See [`Storage::ensure_organization`](shiftlog_server_db::Storage::ensure_organization).
pub(crate) fn ensure_organization(
    conn: &mut Client,
    id: &str,
    name: &str,
) -> Result<bool, StorageError> {
    let n = conn
        .execute(
            q(&sql::INSERT_ORGANIZATION),
            &[&id, &name, &Utc::now().to_rfc3339()],
        )
        .map_err(db)?;
    Ok(n == 1)
}

/// See [`Storage::organization_name`](shiftlog_server_db::Storage::organization_name).
pub(crate) fn organization_name(
    conn: &mut Client,
    id: &str,
) -> Result<Option<String>, StorageError> {
    Ok(conn
        .query_opt(q(&sql::ORGANIZATION_NAME), &[&id])
        .map_err(db)?
        .map(|r| r.get(0)))
}

/// See [`Storage::retention_days`](shiftlog_server_db::Storage::retention_days).
pub(crate) fn retention_days(conn: &mut Client, org_id: &str) -> Result<u32, StorageError> {
    let d: i32 = conn
        .query_opt(q(&sql::RETENTION_DAYS), &[&org_id])
        .map_err(db)?
        .ok_or_else(|| StorageError::NotFound(format!("organization {org_id}")))?
        .get(0);
    Ok(d.max(0) as u32)
}

/// See [`Storage::set_retention_days`](shiftlog_server_db::Storage::set_retention_days).
pub(crate) fn set_retention_days(
    conn: &mut Client,
    org_id: &str,
    days: u32,
) -> Result<(), StorageError> {
    let d = i32::try_from(days).map_err(|_| StorageError::Backend("retention too long".into()))?;
    let n = conn
        .execute(q(&sql::SET_RETENTION_DAYS), &[&org_id, &d])
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("organization {org_id}")));
    }
    Ok(())
}
