//! Enrollment codes, workers and devices.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use shiftlog_server_db::{
    sql, CodeCheck, DeviceAuth, DeviceInfo, NewCode, NewDevice, Redeemed, StorageError, StoredCode,
};
use uuid::Uuid;

use crate::{db, q, uuid};

/// An enrollment code as read back: org, expiry, used at, org name, worker.
type CodeRow = (String, String, Option<String>, String, Option<String>);

/// See [`Storage::add_enrollment_code`](shiftlog_server_db::Storage::add_enrollment_code).
pub(crate) fn add_enrollment_code(conn: &Connection, code: &NewCode) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_CODE),
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
        .query_row(q(&sql::WORKER_BY_PSEUDONYM), [org_id, pseudonym], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?;
    id.as_deref().map(uuid).transpose()
}

/// See [`Storage::redeem_code`](shiftlog_server_db::Storage::redeem_code).
pub(crate) fn redeem_code(
    conn: &mut Connection,
    code_hash: &str,
    device: &NewDevice,
    usable: CodeCheck<'_>,
) -> Result<Redeemed, StorageError> {
    let tx = conn.transaction().map_err(db)?;
    let now = Utc::now();
    let row: Option<CodeRow> = tx
        .query_row(q(&sql::CODE_FOR_REDEMPTION), [code_hash], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .map_err(db)?;
    let Some((org_id, expires_at, used_at, org_name, worker_id)) = row else {
        return Ok(Redeemed::Invalid);
    };
    let stored = StoredCode {
        org_id: org_id.clone(),
        worker_id: worker_id.as_deref().map(uuid).transpose()?,
        expires_at,
        used_at,
    };
    if !usable(&stored) {
        return Ok(Redeemed::Invalid);
    }
    let (worker_id, pseudonym) = match worker_id {
        Some(w) => {
            let p: String = tx
                .query_row(q(&sql::WORKER_PSEUDONYM), [&w], |r| r.get(0))
                .map_err(db)?;
            (w, p)
        }
        None => {
            let (id, p) = &device.new_worker;
            let n = tx
                .execute(
                    q(&sql::INSERT_WORKER),
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
        q(&sql::MARK_CODE_USED),
        params![code_hash, now.to_rfc3339()],
    )
    .map_err(db)?;
    tx.execute(
        q(&sql::INSERT_DEVICE),
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
        .query_row(q(&sql::DEVICE_BY_TOKEN), [token_hash], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
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
    let mut stmt = conn.prepare(q(&sql::LIST_DEVICES)).map_err(db)?;
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
            q(&sql::REVOKE_DEVICE),
            params![device_id.to_string(), org_id, Utc::now().to_rfc3339()],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("device {device_id}")));
    }
    Ok(())
}

/// `Ok` if `device_id` is enrolled and not revoked, else [`StorageError::DeviceRevoked`]: read
/// inside the caller's write transaction (`IMMEDIATE`, so no revocation commits between this
/// read and the writes after it).
pub(crate) fn still_enrolled(conn: &Connection, device_id: Uuid) -> Result<(), StorageError> {
    let revoked_at: Option<Option<String>> = conn
        .prepare_cached(q(&sql::DEVICE_STILL_ENROLLED))
        .map_err(db)?
        .query_row([device_id.to_string()], |r| r.get(0))
        .optional()
        .map_err(db)?;
    match revoked_at {
        Some(None) => Ok(()),
        _ => Err(StorageError::DeviceRevoked),
    }
}
