//! Staff tokens, accounts, dashboard sessions and the audit log.

use chrono::Utc;
use postgres::Client;
use shiftlog_server_db::{sql, AuditEntry, Role, Session, StaffAccount, StorageError};
use uuid::Uuid;

use crate::{db, q, uuid};

fn staff_account(r: &postgres::Row, at: usize) -> Result<StaffAccount, StorageError> {
    let role: String = r.get(at + 4);
    Ok(StaffAccount {
        id: uuid(r.get(at))?,
        org_id: r.get(at + 1),
        username: r.get(at + 2),
        password_hash: r.get(at + 3),
        role: Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?,
        disabled: r.get(at + 5),
    })
}

/// See [`Storage::create_staff`](shiftlog_server_db::Storage::create_staff).
pub(crate) fn create_staff(conn: &mut Client, a: &StaffAccount) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_STAFF),
        &[
            &a.id.to_string(),
            &a.org_id,
            &a.username,
            &a.password_hash,
            &a.role.as_str(),
            &Utc::now().to_rfc3339(),
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::staff_by_username`](shiftlog_server_db::Storage::staff_by_username).
pub(crate) fn staff_by_username(
    conn: &mut Client,
    username: &str,
) -> Result<Vec<StaffAccount>, StorageError> {
    conn.query(q(&sql::STAFF_BY_USERNAME), &[&username])
        .map_err(db)?
        .iter()
        .map(|r| staff_account(r, 0))
        .collect()
}

/// See [`Storage::list_staff`](shiftlog_server_db::Storage::list_staff).
pub(crate) fn list_staff(
    conn: &mut Client,
    org_id: &str,
) -> Result<Vec<StaffAccount>, StorageError> {
    conn.query(q(&sql::LIST_STAFF), &[&org_id])
        .map_err(db)?
        .iter()
        .map(|r| staff_account(r, 0))
        .collect()
}

/// See [`Storage::set_staff_role`](shiftlog_server_db::Storage::set_staff_role).
pub(crate) fn set_staff_role(
    conn: &mut Client,
    org_id: &str,
    staff_id: Uuid,
    role: Role,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::SET_STAFF_ROLE),
            &[&staff_id.to_string(), &org_id, &role.as_str()],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("staff member {staff_id}")));
    }
    Ok(())
}

/// See [`Storage::create_session`](shiftlog_server_db::Storage::create_session).
pub(crate) fn create_session(conn: &mut Client, s: &Session) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_SESSION),
        &[
            &s.token_hash,
            &s.csrf_hash,
            &s.staff_id.to_string(),
            &Utc::now().to_rfc3339(),
            &s.expires_at.to_rfc3339(),
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::session`](shiftlog_server_db::Storage::session).
pub(crate) fn session(
    conn: &mut Client,
    token_hash: &str,
) -> Result<Option<(Session, StaffAccount)>, StorageError> {
    let Some(r) = conn
        .query_opt(q(&sql::SESSION), &[&token_hash])
        .map_err(db)?
    else {
        return Ok(None);
    };
    let account = staff_account(&r, 2)?;
    let expires_at = chrono::DateTime::parse_from_rfc3339(r.get(1))
        .map_err(|e| StorageError::Corrupt(e.to_string()))?
        .with_timezone(&Utc);
    let last_used_at = chrono::DateTime::parse_from_rfc3339(r.get(8))
        .map_err(|e| StorageError::Corrupt(e.to_string()))?
        .with_timezone(&Utc);
    Ok(Some((
        Session {
            token_hash: token_hash.to_string(),
            csrf_hash: r.get(0),
            staff_id: account.id,
            expires_at,
            last_used_at,
        },
        account,
    )))
}

/// See [`Storage::touch_session`](shiftlog_server_db::Storage::touch_session).
pub(crate) fn touch_session(
    conn: &mut Client,
    token_hash: &str,
    at: chrono::DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute(q(&sql::TOUCH_SESSION), &[&token_hash, &at.to_rfc3339()])
        .map_err(db)?;
    Ok(())
}

/// See [`Storage::delete_session`](shiftlog_server_db::Storage::delete_session).
pub(crate) fn delete_session(conn: &mut Client, token_hash: &str) -> Result<(), StorageError> {
    conn.execute(q(&sql::DELETE_SESSION), &[&token_hash])
        .map_err(db)?;
    Ok(())
}

/// See [`Storage::audit`](shiftlog_server_db::Storage::audit).
pub(crate) fn audit(conn: &mut Client, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_AUDIT),
        &[&org_id, &e.at, &e.actor, &e.action, &e.detail.to_string()],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::audit_log`](shiftlog_server_db::Storage::audit_log).
pub(crate) fn audit_log(
    conn: &mut Client,
    org_id: &str,
    limit: u32,
) -> Result<Vec<AuditEntry>, StorageError> {
    conn.query(q(&sql::AUDIT_LOG), &[&org_id, &(limit as i64)])
        .map_err(db)?
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                at: r.get(0),
                actor: r.get(1),
                action: r.get(2),
                detail: serde_json::from_str(r.get(3))
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?,
            })
        })
        .collect()
}

fn one_row(n: u64, staff_id: Uuid) -> Result<(), StorageError> {
    if n == 0 {
        return Err(StorageError::NotFound(format!("staff member {staff_id}")));
    }
    Ok(())
}

/// See [`Storage::set_staff_disabled`](shiftlog_server_db::Storage::set_staff_disabled).
pub(crate) fn set_staff_disabled(
    conn: &mut Client,
    org_id: &str,
    staff_id: Uuid,
    disabled: bool,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::SET_STAFF_DISABLED),
            &[&staff_id.to_string(), &org_id, &disabled],
        )
        .map_err(db)?;
    one_row(n, staff_id)
}

/// See [`Storage::set_staff_password`](shiftlog_server_db::Storage::set_staff_password).
pub(crate) fn set_staff_password(
    conn: &mut Client,
    org_id: &str,
    staff_id: Uuid,
    password_hash: &str,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::SET_STAFF_PASSWORD),
            &[&staff_id.to_string(), &org_id, &password_hash],
        )
        .map_err(db)?;
    one_row(n, staff_id)
}

/// See [`Storage::remove_staff`](shiftlog_server_db::Storage::remove_staff).
pub(crate) fn remove_staff(
    conn: &mut Client,
    org_id: &str,
    staff_id: Uuid,
) -> Result<(), StorageError> {
    let mut tx = conn.transaction().map_err(db)?;
    let id = staff_id.to_string();
    tx.execute(q(&sql::DELETE_ORG_STAFF_SESSIONS), &[&id, &org_id])
        .map_err(db)?;
    let n = tx
        .execute(q(&sql::DELETE_STAFF), &[&id, &org_id])
        .map_err(db)?;
    one_row(n, staff_id)?;
    tx.commit().map_err(db)
}

/// See [`Storage::end_staff_sessions`](shiftlog_server_db::Storage::end_staff_sessions).
pub(crate) fn end_staff_sessions(
    conn: &mut Client,
    staff_id: Uuid,
    keep: Option<&str>,
) -> Result<u64, StorageError> {
    conn.execute(
        q(&sql::DELETE_STAFF_SESSIONS),
        &[&staff_id.to_string(), &keep.unwrap_or("")],
    )
    .map_err(db)
}
