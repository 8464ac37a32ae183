//! Versions the worker saved that lost to another: a newer change made on another of their
//! devices, or a different change at the same version. The winner becomes the record (so this
//! device and the server agree) and the worker's own version is set aside here, shown in Needs
//! attention until the worker keeps it (saved again as a new version, which then wins) or lets
//! it go. Nothing the worker saved disappears without them being told.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::ValidationError;
use crate::{Core, Result};

/// Why a version was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetAsideStatus {
    /// A newer change (by clock) won.
    Superseded,
    /// Another change at the same version won.
    Conflict,
}

impl SetAsideStatus {
    fn as_str(self) -> &'static str {
        match self {
            SetAsideStatus::Superseded => "superseded",
            SetAsideStatus::Conflict => "conflict",
        }
    }
}

/// A version of a record that the worker saved and that lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetAside {
    /// Id of this entry.
    pub id: Uuid,
    /// The record it is a version of.
    pub record_id: Uuid,
    /// Organization.
    pub org_id: String,
    /// Record type.
    pub record_type: String,
    /// Kind.
    pub kind: String,
    /// When the worker said it happened.
    pub occurred_at: DateTime<FixedOffset>,
    /// The version number it had.
    pub version: u32,
    /// True if the worker's version was a deletion.
    pub deleted: bool,
    /// The worker's body.
    pub body: Value,
    /// Why it lost, in words the worker can act on.
    pub reason: String,
    /// Superseded or conflict.
    pub status: SetAsideStatus,
    /// When it was set aside.
    pub set_aside_at: DateTime<FixedOffset>,
}

/// Copies the local version of `record_id` aside, inside the caller's transaction, before a
/// winning version overwrites it. Returns false when there is no local row.
pub(crate) fn set_aside(
    tx: &Transaction<'_>,
    record_id: Uuid,
    status: SetAsideStatus,
    reason: &str,
) -> Result<bool> {
    let n = tx.execute(
        "INSERT INTO set_aside (id, record_id, org_id, record_type, kind, occurred_at, version,
             deleted, body, reason, status, set_aside_at)
         SELECT ?2, id, org_id, record_type, kind, occurred_at, version, deleted, body, ?3, ?4, ?5
         FROM records WHERE id = ?1",
        params![
            record_id.to_string(),
            Uuid::now_v7().to_string(),
            reason,
            status.as_str(),
            Utc::now().to_rfc3339()
        ],
    )?;
    Ok(n == 1)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SetAside> {
    let text = |i: usize| r.get::<_, String>(i);
    let conv = |i: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e)
    };
    let uuid = |i: usize| Uuid::parse_str(&text(i)?).map_err(|e| conv(i, Box::new(e)));
    let time = |i: usize| DateTime::parse_from_rfc3339(&text(i)?).map_err(|e| conv(i, Box::new(e)));
    Ok(SetAside {
        id: uuid(0)?,
        record_id: uuid(1)?,
        org_id: text(2)?,
        record_type: text(3)?,
        kind: text(4)?,
        occurred_at: time(5)?,
        version: r.get(6)?,
        deleted: r.get(7)?,
        body: serde_json::from_str(&text(8)?).map_err(|e| conv(8, Box::new(e)))?,
        reason: text(9)?,
        status: if text(10)? == "conflict" {
            SetAsideStatus::Conflict
        } else {
            SetAsideStatus::Superseded
        },
        set_aside_at: time(11)?,
    })
}

const COLS: &str = "id, record_id, org_id, record_type, kind, occurred_at, version, deleted, body,
    reason, status, set_aside_at";

impl Core {
    /// The worker's versions that lost to another, newest first.
    pub fn set_aside_versions(&self) -> Result<Vec<SetAside>> {
        let db = self.db();
        let mut stmt = db.prepare(&format!(
            "SELECT {COLS} FROM set_aside ORDER BY set_aside_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_aside_entry(&self, id: Uuid) -> Result<SetAside> {
        self.db()
            .query_row(
                &format!("SELECT {COLS} FROM set_aside WHERE id = ?1"),
                [id.to_string()],
                row,
            )
            .optional()?
            .ok_or_else(|| ValidationError::NotFound(id.to_string()).into())
    }

    /// Keeps the worker's version: it is saved again as a new version of the record (a new
    /// clock stamp, so it wins on the server and on the worker's other devices), and the entry
    /// goes.
    pub fn keep_set_aside(&self, id: Uuid) -> Result<()> {
        let entry = self.set_aside_entry(id)?;
        if entry.deleted {
            match self.delete_record(entry.record_id) {
                Ok(()) => {}
                // Already deleted by the winning version: nothing more to do.
                Err(crate::CoreError::Invalid(ValidationError::NotFound(_))) => {}
                Err(e) => return Err(e),
            }
        } else {
            // A record the winner deleted comes back, with the worker's body; if that body
            // no longer passes the rules, the record stays deleted as the winner left it.
            let revived = self.db().execute(
                "UPDATE records SET deleted = 0 WHERE id = ?1 AND deleted = 1",
                [entry.record_id.to_string()],
            )?;
            if let Err(e) = self.edit_record(entry.record_id, Some(entry.occurred_at), entry.body) {
                if revived == 1 {
                    self.db().execute(
                        "UPDATE records SET deleted = 1 WHERE id = ?1",
                        [entry.record_id.to_string()],
                    )?;
                }
                return Err(e);
            }
        }
        self.dismiss_set_aside(id)
    }

    /// Lets the worker's version go: the record stays as the winner left it.
    pub fn dismiss_set_aside(&self, id: Uuid) -> Result<()> {
        let n = self
            .db()
            .execute("DELETE FROM set_aside WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(ValidationError::NotFound(id.to_string()).into());
        }
        Ok(())
    }
}
