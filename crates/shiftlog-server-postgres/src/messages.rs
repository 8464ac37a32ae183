//! Messages to devices and their receipts.

use chrono::{DateTime, Utc};
use postgres::Client;
use shiftlog_server_db::messages::{self, message_from_row, message_time, MessageRow};
use shiftlog_server_db::{DeviceAuth, Message, MessageCount, StorageError};
use uuid::Uuid;

use crate::devices::still_enrolled;
use crate::{db, q};

fn row(r: &postgres::Row) -> MessageRow {
    (
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
    )
}

/// See [`Storage::add_message`](shiftlog_server_db::Storage::add_message).
pub(crate) fn add_message(conn: &mut Client, m: &Message) -> Result<(), StorageError> {
    conn.execute(
        q(&messages::INSERT_MESSAGE),
        &[
            &m.id.to_string(),
            &m.org_id,
            &m.urgency,
            &m.text,
            &m.role,
            &message_time(m.posted_at),
            &message_time(m.expires_at),
            &m.posted_by,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// See [`Storage::messages`](shiftlog_server_db::Storage::messages).
pub(crate) fn list(
    conn: &mut Client,
    org_id: &str,
    limit: u32,
) -> Result<Vec<MessageCount>, StorageError> {
    conn.query(q(&messages::MESSAGES), &[&org_id, &i64::from(limit)])
        .map_err(db)?
        .iter()
        .map(|r| {
            let n: i64 = r.get(9);
            Ok(MessageCount {
                message: message_from_row(row(r))?,
                delivered: u64::try_from(n).map_err(|_| StorageError::Corrupt("count".into()))?,
            })
        })
        .collect()
}

/// See [`Storage::withdraw_message`](shiftlog_server_db::Storage::withdraw_message).
pub(crate) fn withdraw(
    conn: &mut Client,
    org_id: &str,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    let n = conn
        .execute(
            q(&messages::WITHDRAW_MESSAGE),
            &[&org_id, &id.to_string(), &message_time(at)],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StorageError::NotFound(format!("message {id}")));
    }
    Ok(())
}

/// See [`Storage::messages_for_device`](shiftlog_server_db::Storage::messages_for_device).
pub(crate) fn for_device(
    conn: &mut Client,
    device: &DeviceAuth,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Message>, StorageError> {
    conn.query(
        q(&messages::DEVICE_MESSAGES),
        &[
            &device.org_id,
            &device.worker_id.to_string(),
            &message_time(now),
            &i64::from(limit),
        ],
    )
    .map_err(db)?
    .iter()
    .map(|r| message_from_row(row(r)))
    .collect()
}

/// See [`Storage::add_message_receipts`](shiftlog_server_db::Storage::add_message_receipts).
pub(crate) fn add_receipts(
    conn: &mut Client,
    device_id: Uuid,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut tx = conn.transaction().map_err(db)?;
    still_enrolled(&mut tx, device_id)?;
    let (device, at) = (device_id.to_string(), message_time(at));
    for id in ids {
        tx.execute(
            q(&messages::INSERT_RECEIPT),
            &[&id.to_string(), &device, &at],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}
