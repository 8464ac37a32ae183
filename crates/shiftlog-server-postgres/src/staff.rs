//! Staff tokens, accounts, dashboard sessions and the audit log.

use chrono::Utc;
use postgres::Client;
use shiftlog_server_db::{AuditEntry, Role, Session, StaffAccount, StorageError};
use uuid::Uuid;

use crate::{db, uuid};

fn staff_account(r: &postgres::Row, at: usize) -> Result<StaffAccount, StorageError> {
    let role: String = r.get(at + 4);
    Ok(StaffAccount {
        id: uuid(r.get(at))?,
        org_id: r.get(at + 1),
        username: r.get(at + 2),
        password_hash: r.get(at + 3),
        role: Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?,
    })
}

/// See [`Storage::add_staff_token`](shiftlog_server_db::Storage::add_staff_token).
pub(crate) fn add_staff_token(
    conn: &mut Client,
    org_id: &str,
    token_hash: &str,
    label: &str,
) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO staff_tokens (token_hash, org_id, label, created_at) VALUES ($1, $2, $3, $4)",
        &[&token_hash, &org_id, &label, &Utc::now().to_rfc3339()],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::staff_token`](shiftlog_server_db::Storage::staff_token).
pub(crate) fn staff_token(
    conn: &mut Client,
    token_hash: &str,
) -> Result<Option<(String, String)>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT org_id, label FROM staff_tokens WHERE token_hash = $1",
            &[&token_hash],
        )
        .map_err(db)?
        .map(|r| (r.get(0), r.get(1))))
}

/// See [`Storage::create_staff`](shiftlog_server_db::Storage::create_staff).
pub(crate) fn create_staff(conn: &mut Client, a: &StaffAccount) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO staff (id, org_id, username, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
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
) -> Result<Option<StaffAccount>, StorageError> {
    conn.query_opt(
        "SELECT id, org_id, username, password_hash, role FROM staff WHERE username = $1",
        &[&username],
    )
    .map_err(db)?
    .map(|r| staff_account(&r, 0))
    .transpose()
}

/// See [`Storage::list_staff`](shiftlog_server_db::Storage::list_staff).
pub(crate) fn list_staff(
    conn: &mut Client,
    org_id: &str,
) -> Result<Vec<StaffAccount>, StorageError> {
    conn.query(
        "SELECT id, org_id, username, password_hash, role FROM staff
         WHERE org_id = $1 ORDER BY username",
        &[&org_id],
    )
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
            "UPDATE staff SET role = $3 WHERE id = $1 AND org_id = $2",
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
        "INSERT INTO sessions (token_hash, csrf_hash, staff_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
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
    .query_opt(
        "SELECT s.csrf_hash, s.expires_at, st.id, st.org_id, st.username, st.password_hash, st.role
         FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1",
        &[&token_hash],
    )
    .map_err(db)?
else {
    return Ok(None);
};
    let account = staff_account(&r, 2)?;
    let expires_at = chrono::DateTime::parse_from_rfc3339(r.get(1))
        .map_err(|e| StorageError::Corrupt(e.to_string()))?
        .with_timezone(&Utc);
    Ok(Some((
        Session {
            token_hash: token_hash.to_string(),
            csrf_hash: r.get(0),
            staff_id: account.id,
            expires_at,
        },
        account,
    )))
}

/// See [`Storage::delete_session`](shiftlog_server_db::Storage::delete_session).
pub(crate) fn delete_session(conn: &mut Client, token_hash: &str) -> Result<(), StorageError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
        .map_err(db)?;
    Ok(())
}

/// See [`Storage::audit`](shiftlog_server_db::Storage::audit).
pub(crate) fn audit(conn: &mut Client, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO audit_log (org_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)",
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
    conn.query(
        "SELECT at, actor, action, detail FROM audit_log WHERE org_id = $1
         ORDER BY seq DESC LIMIT $2",
        &[&org_id, &(limit as i64)],
    )
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
