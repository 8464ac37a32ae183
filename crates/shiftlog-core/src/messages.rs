//! Messages and alerts from an organization to its devices (toxic-drug alerts, closures,
//! shift notes): kept in the encrypted database so they can be read offline, listed for Home
//! (unread first, alerts first), marked read, and dropped once expired or withdrawn.
//!
//! The server's words are outside data: a message with an unusable id, time or text is not
//! stored, and its text is shown as plain text only.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use shiftlog_model::check::plain_text;
use shiftlog_wire::DeviceMessage;

pub use shiftlog_wire::Urgency;

use crate::{Core, CoreError, Result};

/// Longest message text kept (the record model's limit).
pub const MAX_TEXT_CHARS: usize = shiftlog_model::limits::MAX_MESSAGE_CHARS;
/// Most messages kept per organization; a server listing more is cut to its first ones
/// (the newest, as it lists them).
pub const MAX_PER_ORG: usize = 200;
const MAX_ID_CHARS: usize = 64;
const MAX_ROLE_CHARS: usize = 80;

/// A message as the worker sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The organization it came from (this device's id for it).
    pub org_id: String,
    /// That organization's name.
    pub org_name: String,
    /// The server's id for the message.
    pub id: String,
    /// Alert or notice.
    pub urgency: Urgency,
    /// Plain text.
    pub text: String,
    /// The role it was sent to, if not to everyone.
    pub role: Option<String>,
    /// When it was posted (RFC 3339, UTC).
    pub posted_at: String,
    /// When the device drops it (RFC 3339, UTC).
    pub expires_at: String,
    /// When the worker marked it read, if they did.
    pub read_at: Option<String>,
}

/// What storing a server's list did.
pub(crate) struct Stored {
    /// Messages this device had not held before.
    pub(crate) new: u32,
    /// Every message now held for the organization (reported back as received).
    pub(crate) ids: Vec<String>,
}

/// A message from the server checked for storage: its expiry in milliseconds, or why not.
fn usable(m: &DeviceMessage, now: DateTime<Utc>) -> Option<i64> {
    let id_ok = !m.id.is_empty()
        && m.id.chars().count() <= MAX_ID_CHARS
        && plain_text("id", &m.id, false).is_ok();
    let text_ok = !m.text.trim().is_empty()
        && m.text.chars().count() <= MAX_TEXT_CHARS
        && plain_text("text", &m.text, true).is_ok();
    let role_ok = m.role.as_ref().is_none_or(|r| {
        r.chars().count() <= MAX_ROLE_CHARS && plain_text("role", r, false).is_ok()
    });
    DateTime::parse_from_rfc3339(&m.posted_at).ok()?;
    let expires = DateTime::parse_from_rfc3339(&m.expires_at).ok()?;
    (id_ok && text_ok && role_ok && expires > now).then(|| expires.timestamp_millis())
}

impl Core {
    /// Messages that have not expired, from every organization: unread before read, alerts
    /// before notices, newest first. `now` is a `DateTime<Utc>` or a `SystemTime` (so a
    /// shell needs no time crate).
    pub fn messages(&self, now: impl Into<DateTime<Utc>>) -> Result<Vec<Message>> {
        let now: DateTime<Utc> = now.into();
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT m.org_id, o.name, m.id, m.urgency, m.text, m.role, m.posted_at,
                    m.expires_at, m.read_at
             FROM messages m JOIN organizations o ON o.id = m.org_id
             WHERE m.expires_utc_ms > ?1
             ORDER BY m.read_at IS NOT NULL, m.urgency <> 'alert', m.posted_at DESC, m.id",
        )?;
        let rows = stmt.query_map([now.timestamp_millis()], |r| {
            let urgency: String = r.get(3)?;
            Ok(Message {
                org_id: r.get(0)?,
                org_name: r.get(1)?,
                id: r.get(2)?,
                urgency: Urgency::parse(&urgency).unwrap_or(Urgency::Notice),
                text: r.get(4)?,
                role: r.get(5)?,
                posted_at: r.get(6)?,
                expires_at: r.get(7)?,
                read_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a message read: an alert then leaves the top of Home. Marking it again keeps
    /// the first time.
    pub fn mark_message_read(&self, org_id: &str, id: &str) -> Result<()> {
        let n = self.db().execute(
            "UPDATE messages SET read_at = COALESCE(read_at, ?3) WHERE org_id = ?1 AND id = ?2",
            params![org_id, id, Utc::now().to_rfc3339()],
        )?;
        if n == 0 {
            return Err(CoreError::MessageNotFound(id.into()));
        }
        Ok(())
    }

    /// Drops messages past their expiry. Returns how many.
    pub(crate) fn purge_expired_messages(&self, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.db().execute(
            "DELETE FROM messages WHERE expires_utc_ms <= ?1",
            [now.timestamp_millis()],
        )?)
    }

    /// Replaces what the device holds for `org_id` with the server's current list: new ones
    /// are stored, changed ones updated (keeping whether they were read), ones it no longer
    /// lists (withdrawn or expired) dropped. Unusable entries are skipped.
    pub(crate) fn store_messages(
        &self,
        org_id: &str,
        listed: &[DeviceMessage],
        now: DateTime<Utc>,
    ) -> Result<Stored> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let mut ids = Vec::new();
        let mut new = 0u32;
        for m in listed {
            if ids.len() >= MAX_PER_ORG {
                break;
            }
            let Some(expires_ms) = usable(m, now) else {
                continue;
            };
            if ids.contains(&m.id) {
                continue;
            }
            let had: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM messages WHERE org_id = ?1 AND id = ?2",
                    params![org_id, m.id],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO messages (org_id, id, urgency, text, role, posted_at, expires_at,
                        expires_utc_ms, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(org_id, id) DO UPDATE SET urgency = ?3, text = ?4, role = ?5,
                        posted_at = ?6, expires_at = ?7, expires_utc_ms = ?8",
                params![
                    org_id,
                    m.id,
                    m.urgency.as_str(),
                    m.text,
                    m.role,
                    m.posted_at,
                    m.expires_at,
                    expires_ms,
                    now.to_rfc3339()
                ],
            )?;
            new += u32::from(had.is_none());
            ids.push(m.id.clone());
        }
        let held: Vec<String> = {
            let mut stmt = tx.prepare("SELECT id FROM messages WHERE org_id = ?1")?;
            let rows = stmt.query_map([org_id], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for gone in held.iter().filter(|h| !ids.contains(h)) {
            tx.execute(
                "DELETE FROM messages WHERE org_id = ?1 AND id = ?2",
                params![org_id, gone],
            )?;
        }
        tx.commit()?;
        Ok(Stored { new, ids })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn msg(id: &str, text: &str, expires_at: &str) -> DeviceMessage {
        DeviceMessage {
            id: id.into(),
            urgency: Urgency::Alert,
            text: text.into(),
            posted_at: "2026-12-02T17:00:00Z".into(),
            expires_at: expires_at.into(),
            role: None,
            unknown: Map::new(),
        }
    }

    #[test]
    fn only_usable_messages_are_kept() {
        let now: DateTime<Utc> = "2026-12-02T18:00:00Z".parse().expect("now");
        let later = "2026-12-03T18:00:00Z";
        assert!(usable(&msg("a", "Strong batch downtown", later), now).is_some());
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let cases = [
            msg("", "text", later),
            msg("a", "", later),
            msg("a", "   ", later),
            msg("a", &long, later),
            msg("a", "bad \u{1b}[31m escape", later),
            msg("a", "turned \u{202e} around", later),
            msg("a\nb", "text", later),
            msg("a", "text", "2026-12-02T17:59:59Z"),
            msg("a", "text", "tomorrow"),
        ];
        for m in cases {
            assert!(usable(&m, now).is_none(), "{m:?}");
        }
        let mut with_lines = msg("a", "Line one\nLine two", later);
        assert!(usable(&with_lines, now).is_some());
        with_lines.role = Some("r".repeat(MAX_ROLE_CHARS + 1));
        assert!(usable(&with_lines, now).is_none());
    }
}
