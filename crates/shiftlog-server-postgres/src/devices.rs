//! Enrollment codes, workers and devices.

use chrono::Utc;
use postgres::{Client, GenericClient};
use shiftlog_server_db::{
    sql, CodeCheck, DeviceAuth, DeviceInfo, NewCode, NewDevice, Redeemed, StorageError, StoredCode,
};
use uuid::Uuid;

use crate::{db, q, uuid};

/// See [`Storage::add_enrollment_code`](shiftlog_server_db::Storage::add_enrollment_code).
pub(crate) fn add_enrollment_code(conn: &mut Client, code: &NewCode) -> Result<(), StorageError> {
    conn.execute(
        q(&sql::INSERT_CODE),
        &[
            &code.code_hash,
            &code.org_id,
            &Utc::now().to_rfc3339(),
            &code.expires_at.to_rfc3339(),
            &code.worker_id.map(|w| w.to_string()),
            &code.created_by,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::worker_by_pseudonym`](shiftlog_server_db::Storage::worker_by_pseudonym).
pub(crate) fn worker_by_pseudonym(
    conn: &mut Client,
    org_id: &str,
    pseudonym: &str,
) -> Result<Option<Uuid>, StorageError> {
    conn.query_opt(q(&sql::WORKER_BY_PSEUDONYM), &[&org_id, &pseudonym])
        .map_err(db)?
        .map(|r| uuid(r.get(0)))
        .transpose()
}

/// See [`Storage::redeem_code`](shiftlog_server_db::Storage::redeem_code).
pub(crate) fn redeem_code(
    c: &mut Client,
    code_hash: &str,
    device: &NewDevice,
    usable: CodeCheck<'_>,
) -> Result<Redeemed, StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    let now = Utc::now();
    let row = tx
        .query_opt(q(&sql::CODE_FOR_REDEMPTION), &[&code_hash])
        .map_err(db)?;
    let Some(row) = row else {
        return Ok(Redeemed::Invalid);
    };
    let (org_id, expires_at, used_at, org_name, worker_id): (
        String,
        String,
        Option<String>,
        String,
        Option<String>,
    ) = (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
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
                .query_one(q(&sql::WORKER_PSEUDONYM), &[&w])
                .map_err(db)?
                .get(0);
            (w, p)
        }
        None => {
            let (id, p) = &device.new_worker;
            let n = tx
                .execute(
                    q(&sql::INSERT_WORKER),
                    &[&id.to_string(), &org_id, p, &now.to_rfc3339()],
                )
                .map_err(db)?;
            if n == 0 {
                return Ok(Redeemed::PseudonymTaken);
            }
            (id.to_string(), p.clone())
        }
    };
    tx.execute(q(&sql::MARK_CODE_USED), &[&code_hash, &now.to_rfc3339()])
        .map_err(db)?;
    tx.execute(
        q(&sql::INSERT_DEVICE),
        &[
            &device.device_id.to_string(),
            &org_id,
            &device.token_hash,
            &device.name,
            &now.to_rfc3339(),
            &worker_id,
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
    conn: &mut Client,
    token_hash: &str,
) -> Result<Option<DeviceAuth>, StorageError> {
    let row = conn
        .query_opt(q(&sql::DEVICE_BY_TOKEN), &[&token_hash])
        .map_err(db)?;
    row.map(|r| {
        Ok(DeviceAuth {
            device_id: uuid(r.get(0))?,
            org_id: r.get(1),
            revoked: r.get::<_, Option<String>>(2).is_some(),
            worker_id: uuid(r.get(3))?,
            pseudonym: r.get(4),
        })
    })
    .transpose()
}

/// See [`Storage::list_devices`](shiftlog_server_db::Storage::list_devices).
pub(crate) fn list_devices(
    conn: &mut Client,
    org_id: &str,
) -> Result<Vec<DeviceInfo>, StorageError> {
    conn.query(q(&sql::LIST_DEVICES), &[&org_id])
        .map_err(db)?
        .iter()
        .map(|r| {
            Ok(DeviceInfo {
                id: uuid(r.get(0))?,
                pseudonym: r.get(1),
                name: r.get(2),
                enrolled_at: r.get(3),
                revoked_at: r.get(4),
            })
        })
        .collect()
}

/// See [`Storage::revoke_device`](shiftlog_server_db::Storage::revoke_device).
pub(crate) fn revoke_device(
    conn: &mut Client,
    org_id: &str,
    device_id: Uuid,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&sql::REVOKE_DEVICE),
            &[&device_id.to_string(), &org_id, &Utc::now().to_rfc3339()],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("device {device_id}")));
    }
    Ok(())
}

/// `Ok` if `device_id` is enrolled and not revoked, else [`StorageError::DeviceRevoked`]: read
/// inside the caller's write transaction, the device's row locked `FOR SHARE` until its
/// commit. A revocation (an `UPDATE` of that row) committed before is seen; one in progress
/// is waited for, then seen (READ COMMITTED reads the row's newest version); one that comes
/// later waits for this transaction's commit.
pub(crate) fn still_enrolled(
    tx: &mut impl GenericClient,
    device_id: Uuid,
) -> Result<(), StorageError> {
    let row = tx
        .query_opt(q(&sql::DEVICE_STILL_ENROLLED), &[&device_id.to_string()])
        .map_err(db)?;
    match row.map(|r| r.get::<_, Option<String>>(0)) {
        Some(None) => Ok(()),
        _ => Err(StorageError::DeviceRevoked),
    }
}
