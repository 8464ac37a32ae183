//! Enrollment codes, workers and devices.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use shiftlog_server_db::{DeviceAuth, DeviceInfo, NewCode, NewDevice, Redeemed, StorageError};
use uuid::Uuid;

use crate::{db, uuid};

/// An enrollment code as read back: org, expiry, used at, org name, worker.
type CodeRow = (String, String, Option<String>, String, Option<String>);

/// See [`Storage::add_enrollment_code`](shiftlog_server_db::Storage::add_enrollment_code).
pub(crate) fn add_enrollment_code(conn: &Connection, code: &NewCode) -> Result<(), StorageError> {
    conn
    .execute(
        "INSERT INTO enrollment_codes (code_hash, org_id, created_at, expires_at, worker_id, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            code.code_hash,
            code.org_id,
            Utc::now().to_rfc3339(),
            code.expires_at.to_rfc3339(),
            code.worker_id.map(|w| w.to_string()),
            code.created_by,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::worker_by_pseudonym`](shiftlog_server_db::Storage::worker_by_pseudonym).
pub(crate) fn worker_by_pseudonym(
    conn: &Connection,
    org_id: &str,
    pseudonym: &str,
) -> Result<Option<Uuid>, StorageError> {
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM workers WHERE org_id = ?1 AND pseudonym = ?2",
            [org_id, pseudonym],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    id.as_deref().map(uuid).transpose()
}

/// See [`Storage::redeem_code`](shiftlog_server_db::Storage::redeem_code).
pub(crate) fn redeem_code(
    conn: &mut Connection,
    code_hash: &str,
    device: &NewDevice,
) -> Result<Redeemed, StorageError> {
    let tx = conn.transaction().map_err(db)?;
    let now = Utc::now();
    let row: Option<CodeRow> = tx
        .query_row(
            "SELECT c.org_id, c.expires_at, c.used_at, o.name, c.worker_id
         FROM enrollment_codes c JOIN organizations o ON o.id = c.org_id
         WHERE c.code_hash = ?1",
            [code_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .map_err(db)?;
    let Some((org_id, expires_at, used_at, org_name, worker_id)) = row else {
        return Ok(Redeemed::Invalid);
    };
    let expired = chrono::DateTime::parse_from_rfc3339(&expires_at)
        .map(|t| t < now)
        .unwrap_or(true);
    if used_at.is_some() || expired {
        return Ok(Redeemed::Invalid);
    }
    let (worker_id, pseudonym) = match worker_id {
        Some(w) => {
            let p: String = tx
                .query_row("SELECT pseudonym FROM workers WHERE id = ?1", [&w], |r| {
                    r.get(0)
                })
                .map_err(db)?;
            (w, p)
        }
        None => {
            let (id, p) = &device.new_worker;
            let n = tx
            .execute(
                "INSERT INTO workers (id, org_id, pseudonym, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(org_id, pseudonym) DO NOTHING",
                params![id.to_string(), org_id, p, now.to_rfc3339()],
            )
            .map_err(db)?;
            if n == 0 {
                return Ok(Redeemed::PseudonymTaken);
            }
            (id.to_string(), p.clone())
        }
    };
    tx.execute(
        "UPDATE enrollment_codes SET used_at = ?2 WHERE code_hash = ?1",
        params![code_hash, now.to_rfc3339()],
    )
    .map_err(db)?;
    tx.execute(
        "INSERT INTO devices (id, org_id, token_hash, name, enrolled_at, worker_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            device.device_id.to_string(),
            org_id,
            device.token_hash,
            device.name,
            now.to_rfc3339(),
            worker_id
        ],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(Redeemed::Enrolled {
        org_id,
        org_name,
        pseudonym,
    })
}

/// See [`Storage::device_by_token`](shiftlog_server_db::Storage::device_by_token).
pub(crate) fn device_by_token(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<DeviceAuth>, StorageError> {
    let row: Option<(String, String, Option<String>, String, String)> = conn
        .query_row(
            "SELECT d.id, d.org_id, d.revoked_at, w.id, w.pseudonym
         FROM devices d JOIN workers w ON w.id = d.worker_id WHERE d.token_hash = ?1",
            [token_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .map_err(db)?;
    row.map(|(id, org_id, revoked, worker, pseudonym)| {
        Ok(DeviceAuth {
            device_id: uuid(&id)?,
            org_id,
            worker_id: uuid(&worker)?,
            pseudonym,
            revoked: revoked.is_some(),
        })
    })
    .transpose()
}

/// See [`Storage::list_devices`](shiftlog_server_db::Storage::list_devices).
pub(crate) fn list_devices(
    conn: &Connection,
    org_id: &str,
) -> Result<Vec<DeviceInfo>, StorageError> {
    let mut stmt = conn
        .prepare(
            "SELECT d.id, w.pseudonym, d.name, d.enrolled_at, d.revoked_at
         FROM devices d JOIN workers w ON w.id = d.worker_id
         WHERE d.org_id = ?1 ORDER BY d.enrolled_at DESC, d.id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([org_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (id, pseudonym, name, enrolled_at, revoked_at) = row.map_err(db)?;
        out.push(DeviceInfo {
            id: uuid(&id)?,
            pseudonym,
            name,
            enrolled_at,
            revoked_at,
        });
    }
    Ok(out)
}

/// See [`Storage::revoke_device`](shiftlog_server_db::Storage::revoke_device).
pub(crate) fn revoke_device(
    conn: &Connection,
    org_id: &str,
    device_id: Uuid,
) -> Result<(), StorageError> {
    let n = conn
    .execute(
        "UPDATE devices SET revoked_at = ?3 WHERE id = ?1 AND org_id = ?2 AND revoked_at IS NULL",
        params![device_id.to_string(), org_id, Utc::now().to_rfc3339()],
    )
    .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("device {device_id}")));
    }
    Ok(())
}
