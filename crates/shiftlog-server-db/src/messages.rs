//! Messages from an organization to its devices (alerts and notices) and the receipts that
//! count their delivery. Which messages a device is offered, which receipts count and who may
//! post are the service's (`messages`); storage keeps what it is told and counts.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::sql::Statement;
use crate::{stored_time, StorageError};

/// A message as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// Organization.
    pub org_id: String,
    /// `alert` or `notice`.
    pub urgency: String,
    /// Plain text.
    pub text: String,
    /// The catalogue role it is sent to; `None`: every device.
    pub role: Option<String>,
    /// Posted at.
    pub posted_at: DateTime<Utc>,
    /// Devices drop it after this.
    pub expires_at: DateTime<Utc>,
    /// Who posted it (audit actor).
    pub posted_by: String,
    /// Withdrawn at, if it was.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A message with how many devices (not revoked) have stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageCount {
    /// The message.
    pub message: Message,
    /// Distinct devices, not revoked, with a receipt.
    pub delivered: u64,
}

/// Times are stored as RFC 3339 UTC with seconds and `Z`, so text order is time order.
pub fn message_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A stored message row: id, org, urgency, text, role, posted, expires, by, withdrawn.
pub type MessageRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

/// A [`Message`] from its stored row.
pub fn message_from_row(
    (id, org_id, urgency, text, role, posted_at, expires_at, posted_by, withdrawn_at): MessageRow,
) -> Result<Message, StorageError> {
    Ok(Message {
        id: Uuid::parse_str(&id).map_err(|e| StorageError::Corrupt(format!("{id}: {e}")))?,
        org_id,
        urgency,
        text,
        role,
        posted_at: stored_time(&posted_at)?,
        expires_at: stored_time(&expires_at)?,
        posted_by,
        withdrawn_at: withdrawn_at.as_deref().map(stored_time).transpose()?,
    })
}

/// Stores a message: id, org, urgency, text, role, posted, expires, by.
pub static INSERT_MESSAGE: Statement = Statement::new(
    "INSERT INTO messages (id, org_id, urgency, text, role, posted_at, expires_at, posted_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
);
/// An organization's newest messages with their delivered counts: org, limit. Columns as
/// [`MessageRow`], then the count.
pub static MESSAGES: Statement = Statement::new(
    "SELECT m.id, m.org_id, m.urgency, m.text, m.role, m.posted_at, m.expires_at, m.posted_by,
            m.withdrawn_at,
       (SELECT count(*) FROM message_receipts r JOIN devices d ON d.id = r.device_id
         WHERE r.message_id = m.id AND d.revoked_at IS NULL)
     FROM messages m WHERE m.org_id = $1 ORDER BY m.posted_at DESC, m.id DESC LIMIT $2",
);
/// Marks a message withdrawn (the first time only): org, id, at.
pub static WITHDRAW_MESSAGE: Statement = Statement::new(
    "UPDATE messages SET withdrawn_at = coalesce(withdrawn_at, $3) WHERE org_id = $1 AND id = $2",
);
/// The messages a worker's device is offered at a time: org, worker, now, limit. Neither
/// withdrawn nor expired; a role's messages only if the worker has a live shift in that role.
pub static DEVICE_MESSAGES: Statement = Statement::new(
    "SELECT m.id, m.org_id, m.urgency, m.text, m.role, m.posted_at, m.expires_at, m.posted_by,
            m.withdrawn_at
     FROM messages m
     WHERE m.org_id = $1 AND m.withdrawn_at IS NULL AND m.expires_at > $3
       AND (m.role IS NULL OR EXISTS (
         SELECT 1 FROM records s WHERE s.org_id = m.org_id AND s.worker_id = $2
           AND s.record_type = 'shift' AND s.role = m.role AND NOT s.deleted))
     ORDER BY m.posted_at DESC, m.id DESC LIMIT $4",
);
/// Notes that a device stored a message, once: message, device, at.
pub static INSERT_RECEIPT: Statement = Statement::new(
    "INSERT INTO message_receipts (message_id, device_id, received_at) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING",
);
