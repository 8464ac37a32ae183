//! Messages to devices and their receipts.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, TransactionBehavior};
use shiftlog_server_db::messages::{self, message_from_row, message_time, MessageRow};
use shiftlog_server_db::{DeviceAuth, Message, MessageCount, StorageError};
use uuid::Uuid;

use crate::devices::still_enrolled;
use crate::{db, q};

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

/// See [`Storage::add_message`](shiftlog_server_db::Storage::add_message).
pub(crate) fn add_message(conn: &Connection, m: &Message) -> Result<(), StorageError> {
    conn.execute(
        q(&messages::INSERT_MESSAGE),
        params![
            m.id.to_string(),
            m.org_id,
            m.urgency,
            m.text,
            m.role,
            message_time(m.posted_at),
            message_time(m.expires_at),
            m.posted_by,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::messages`](shiftlog_server_db::Storage::messages).
pub(crate) fn list(
    conn: &Connection,
    org_id: &str,
    limit: u32,
) -> Result<Vec<MessageCount>, StorageError> {
    let mut stmt = conn.prepare(q(&messages::MESSAGES)).map_err(db)?;
    let rows = stmt
        .query_map(params![org_id, limit], |r| {
            Ok((row(r)?, r.get::<_, i64>(9)?))
        })
        .map_err(db)?;
    rows.map(|r| {
        let (m, n) = r.map_err(db)?;
        Ok(MessageCount {
            message: message_from_row(m)?,
            delivered: u64::try_from(n).map_err(|_| StorageError::Corrupt("count".into()))?,
        })
    })
    .collect()
}

/// See [`Storage::withdraw_message`](shiftlog_server_db::Storage::withdraw_message).
pub(crate) fn withdraw(
    conn: &Connection,
    org_id: &str,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&messages::WITHDRAW_MESSAGE),
            params![org_id, id.to_string(), message_time(at)],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("message {id}")));
    }
    Ok(())
}

/// See [`Storage::messages_for_device`](shiftlog_server_db::Storage::messages_for_device).
pub(crate) fn for_device(
    conn: &Connection,
    device: &DeviceAuth,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Message>, StorageError> {
    let mut stmt = conn.prepare(q(&messages::DEVICE_MESSAGES)).map_err(db)?;
    let rows = stmt
        .query_map(
            params![
                device.org_id,
                device.worker_id.to_string(),
                message_time(now),
                limit
            ],
            row,
        )
        .map_err(db)?;
    rows.map(|r| message_from_row(r.map_err(db)?)).collect()
}

/// See [`Storage::add_message_receipts`](shiftlog_server_db::Storage::add_message_receipts).
pub(crate) fn add_receipts(
    conn: &mut Connection,
    device_id: Uuid,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    // IMMEDIATE: the device read is the one the receipts commit over.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    still_enrolled(&tx, device_id)?;
    for id in ids {
        tx.execute(
            q(&messages::INSERT_RECEIPT),
            params![id.to_string(), device_id.to_string(), message_time(at)],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}
