//! Staff tokens, accounts, dashboard sessions and the audit log.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use shiftlog_server_db::{sql, AuditEntry, Role, Session, StaffAccount, StorageError};
use uuid::Uuid;

use crate::{db, q, uuid};

type StaffRow = (String, String, String, String, String, bool);

fn staff_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<StaffRow> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
        r.get(at + 5)?,
    ))
}

fn staff_account(
    (id, org_id, username, password_hash, role, disabled): StaffRow,
) -> Result<StaffAccount, StorageError> {
    Ok(StaffAccount {
        id: uuid(&id)?,
        org_id,
        username,
        password_hash,
        role: Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?,
        disabled,
    })
}

/// See [`Storage::create_staff`](shiftlog_server_db::Storage::create_staff).
pub(crate) fn create_staff(conn: &Connection, a: &StaffAccount) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_STAFF),
        params![
            a.id.to_string(),
            a.org_id,
            a.username,
            a.password_hash,
            a.role.as_str(),
            Utc::now().to_rfc3339()
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::staff_by_username`](shiftlog_server_db::Storage::staff_by_username).
pub(crate) fn staff_by_username(
    conn: &Connection,
    username: &str,
) -> Result<Vec<StaffAccount>, StorageError> {
    let mut stmt = conn.prepare(q(&sql::STAFF_BY_USERNAME)).map_err(db)?;
    let rows = stmt
        .query_map([username], |r| staff_row(r, 0))
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(staff_account(row.map_err(db)?)?);
    }
    Ok(out)
}

/// See [`Storage::list_staff`](shiftlog_server_db::Storage::list_staff).
pub(crate) fn list_staff(
    conn: &Connection,
    org_id: &str,
) -> Result<Vec<StaffAccount>, StorageError> {
    let mut stmt = conn.prepare(q(&sql::LIST_STAFF)).map_err(db)?;
    let rows = stmt.query_map([org_id], |r| staff_row(r, 0)).map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(staff_account(row.map_err(db)?)?);
    }
    Ok(out)
}

/// See [`Storage::set_staff_role`](shiftlog_server_db::Storage::set_staff_role).
pub(crate) fn set_staff_role(
    conn: &Connection,
    org_id: &str,
    staff_id: Uuid,
    role: Role,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::SET_STAFF_ROLE),
            params![staff_id.to_string(), org_id, role.as_str()],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("staff member {staff_id}")));
    }
    Ok(())
}

/// See [`Storage::create_session`](shiftlog_server_db::Storage::create_session).
pub(crate) fn create_session(conn: &Connection, s: &Session) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_SESSION),
        params![
            s.token_hash,
            s.csrf_hash,
            s.staff_id.to_string(),
            Utc::now().to_rfc3339(),
            s.expires_at.to_rfc3339()
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::session`](shiftlog_server_db::Storage::session).
pub(crate) fn session(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<(Session, StaffAccount)>, StorageError> {
    let row = conn
        .query_row(q(&sql::SESSION), [token_hash], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                staff_row(r, 2)?,
                r.get::<_, String>(8)?,
            ))
        })
        .optional()
        .map_err(db)?;
    let Some((csrf_hash, expires_at, staff, last_used_at)) = row else {
        return Ok(None);
    };
    let account = staff_account(staff)?;
    let expires_at = chrono::DateTime::parse_from_rfc3339(&expires_at)
        .map_err(|e| StorageError::Corrupt(e.to_string()))?
        .with_timezone(&Utc);
    let last_used_at = chrono::DateTime::parse_from_rfc3339(&last_used_at)
        .map_err(|e| StorageError::Corrupt(e.to_string()))?
        .with_timezone(&Utc);
    Ok(Some((
        Session {
            token_hash: token_hash.to_string(),
            csrf_hash,
            staff_id: account.id,
            expires_at,
            last_used_at,
        },
        account,
    )))
}

/// See [`Storage::touch_session`](shiftlog_server_db::Storage::touch_session).
pub(crate) fn touch_session(
    conn: &Connection,
    token_hash: &str,
    at: chrono::DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute(q(&sql::TOUCH_SESSION), params![token_hash, at.to_rfc3339()])
        .map_err(db)?;
    Ok(())
}

/// See [`Storage::delete_session`](shiftlog_server_db::Storage::delete_session).
pub(crate) fn delete_session(conn: &Connection, token_hash: &str) -> Result<(), StorageError> {
    conn.execute(q(&sql::DELETE_SESSION), [token_hash])
        .map_err(db)?;
    Ok(())
}

/// See [`Storage::audit`](shiftlog_server_db::Storage::audit).
pub(crate) fn audit(conn: &Connection, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_AUDIT),
        params![org_id, e.at, e.actor, e.action, e.detail.to_string()],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::audit_log`](shiftlog_server_db::Storage::audit_log).
pub(crate) fn audit_log(
    conn: &Connection,
    org_id: &str,
    limit: u32,
) -> Result<Vec<AuditEntry>, StorageError> {
    let mut stmt = conn.prepare(q(&sql::AUDIT_LOG)).map_err(db)?;
    let rows = stmt
        .query_map(params![org_id, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (at, actor, action, detail) = row.map_err(db)?;
        out.push(AuditEntry {
            at,
            actor,
            action,
            detail: serde_json::from_str(&detail)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?,
        });
    }
    Ok(out)
}

fn one_row(n: usize, staff_id: Uuid) -> Result<(), StorageError> {
    if n == 0 {
        return Err(StorageError::NotFound(format!("staff member {staff_id}")));
    }
    Ok(())
}

/// See [`Storage::set_staff_disabled`](shiftlog_server_db::Storage::set_staff_disabled).
pub(crate) fn set_staff_disabled(
    conn: &Connection,
    org_id: &str,
    staff_id: Uuid,
    disabled: bool,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::SET_STAFF_DISABLED),
            params![staff_id.to_string(), org_id, disabled],
        )
        .map_err(db)?;
    one_row(n, staff_id)
}

/// See [`Storage::set_staff_password`](shiftlog_server_db::Storage::set_staff_password).
pub(crate) fn set_staff_password(
    conn: &Connection,
    org_id: &str,
    staff_id: Uuid,
    password_hash: &str,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::SET_STAFF_PASSWORD),
            params![staff_id.to_string(), org_id, password_hash],
        )
        .map_err(db)?;
    one_row(n, staff_id)
}

/// See [`Storage::remove_staff`](shiftlog_server_db::Storage::remove_staff).
pub(crate) fn remove_staff(
    conn: &Connection,
    org_id: &str,
    staff_id: Uuid,
) -> Result<(), StorageError> {
    let tx = conn.unchecked_transaction().map_err(db)?;
    let id = staff_id.to_string();
    tx.execute(q(&sql::DELETE_ORG_STAFF_SESSIONS), params![id, org_id])
        .map_err(db)?;
    let n = tx
        .execute(q(&sql::DELETE_STAFF), params![id, org_id])
        .map_err(db)?;
    one_row(n, staff_id)?;
    tx.commit().map_err(db)
}

/// See [`Storage::end_staff_sessions`](shiftlog_server_db::Storage::end_staff_sessions).
pub(crate) fn end_staff_sessions(
    conn: &Connection,
    staff_id: Uuid,
    keep: Option<&str>,
) -> Result<u64, StorageError> {
    let n = conn
        .execute(
            q(&sql::DELETE_STAFF_SESSIONS),
            params![staff_id.to_string(), keep.unwrap_or("")],
        )
        .map_err(db)?;
    Ok(n as u64)
}
