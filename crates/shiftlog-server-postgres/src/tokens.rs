//! Staff API tokens.

use chrono::{DateTime, Utc};
use postgres::Client;
use shiftlog_server_db::{sql, token_from_row, StaffToken, StorageError, TokenRow};
use uuid::Uuid;

use crate::{db, q};

fn row(r: &postgres::Row) -> TokenRow {
    (
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
    )
}

/// See [`Storage::add_staff_token`](shiftlog_server_db::Storage::add_staff_token).
pub(crate) fn add_staff_token(
    conn: &mut Client,
    t: &StaffToken,
    token_hash: &str,
) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_STAFF_TOKEN),
        &[
            &t.id.to_string(),
            &token_hash,
            &t.org_id,
            &t.name,
            &t.scope.as_str(),
            &t.created_at.to_rfc3339(),
            &t.expires_at.to_rfc3339(),
            &t.created_by,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::staff_token`](shiftlog_server_db::Storage::staff_token).
pub(crate) fn staff_token(
    conn: &mut Client,
    token_hash: &str,
) -> Result<Option<StaffToken>, StorageError> {
    conn.query_opt(q(&sql::STAFF_TOKEN), &[&token_hash])
        .map_err(db)?
        .map(|r| token_from_row(row(&r)))
        .transpose()
}

/// See [`Storage::staff_tokens`](shiftlog_server_db::Storage::staff_tokens).
pub(crate) fn staff_tokens(
    conn: &mut Client,
    org_id: &str,
) -> Result<Vec<StaffToken>, StorageError> {
    conn.query(q(&sql::STAFF_TOKENS), &[&org_id])
        .map_err(db)?
        .iter()
        .map(|r| token_from_row(row(r)))
        .collect()
}

/// See [`Storage::delete_staff_token`](shiftlog_server_db::Storage::delete_staff_token).
pub(crate) fn delete_staff_token(
    conn: &mut Client,
    org_id: &str,
    id: Uuid,
) -> Result<(), StorageError> {
    let n = conn
        .execute(q(&sql::DELETE_STAFF_TOKEN), &[&org_id, &id.to_string()])
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("staff token {id}")));
    }
    Ok(())
}

/// See [`Storage::touch_staff_token`](shiftlog_server_db::Storage::touch_staff_token).
pub(crate) fn touch_staff_token(
    conn: &mut Client,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::TOUCH_STAFF_TOKEN),
        &[&id.to_string(), &at.to_rfc3339()],
    )
    .map_err(db)?;
    Ok(())
}
