//! Records as the server stores, exports and pulls them.

use serde::{Deserialize, Serialize};
use shiftlog_wire::RecordEnvelope;
use uuid::Uuid;

use crate::StorageError;

/// Figures the server reads out of a record's body when it arrives, so summaries are plain
/// `GROUP BY`s: defined by the record model, stored beside the body.
pub use shiftlog_model::Facts;

/// A record with its facts, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestRecord {
    /// As received.
    pub envelope: RecordEnvelope,
    /// As read by the server.
    pub facts: Facts,
}

/// Which records an export or summary covers. Days are the records' local days, inclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordFilter {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Record type, e.g. `activity`.
    pub record_type: Option<String>,
    /// Activity kind.
    pub kind: Option<String>,
    /// Area id.
    pub area: Option<String>,
}

/// One exported record.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// Record id.
    pub id: String,
    /// `activity`, `shift`, `debrief_request`, `training`.
    pub record_type: String,
    /// Kind.
    pub kind: String,
    /// Occurred at (device offset).
    pub occurred_at: String,
    /// Recorded at on the device.
    pub recorded_at: String,
    /// Received at by the server.
    pub received_at: String,
    /// Version.
    pub version: i64,
    /// Device id.
    pub device_id: String,
    /// Worker pseudonym (never a person's name).
    pub pseudonym: String,
    /// Area id.
    pub area: Option<String>,
    /// Role id.
    pub role: Option<String>,
    /// Details JSON.
    pub body: String,
}

/// A pulled record, from the columns every backend selects for a pull.
#[allow(clippy::too_many_arguments)]
pub fn pulled_envelope(
    id: &str,
    version: i64,
    record_type: String,
    kind: String,
    occurred_at: &str,
    recorded_at: &str,
    deleted: bool,
    hlc: Option<String>,
    body: &str,
    unknown: Option<&str>,
) -> Result<RecordEnvelope, StorageError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| StorageError::Corrupt(format!("{what}: {e}"));
    Ok(RecordEnvelope {
        id: Uuid::parse_str(id).map_err(|e| bad("id", &e))?,
        version: u32::try_from(version).map_err(|e| bad("version", &e))?,
        record_type,
        kind,
        occurred_at: chrono::DateTime::parse_from_rfc3339(occurred_at)
            .map_err(|e| bad("occurred_at", &e))?,
        recorded_at: chrono::DateTime::parse_from_rfc3339(recorded_at)
            .map_err(|e| bad("recorded_at", &e))?,
        deleted,
        hlc,
        body: serde_json::from_str(body).map_err(|e| bad("body", &e))?,
        unknown: unknown
            .and_then(|u| serde_json::from_str(u).ok())
            .unwrap_or_default(),
    })
}
