//! Records as the server stores, exports and pulls them.

use serde::{Deserialize, Serialize};
use shiftlog_wire::RecordEnvelope;
use uuid::Uuid;

use crate::StorageError;

/// Figures the server reads out of a record's body when it arrives, so summaries are plain
/// `GROUP BY`s. Made by `shiftlog_server::facts`, stored beside the body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Local day the record happened, `YYYY-MM-DD` (the device's offset).
    pub day: String,
    /// Monday of that day's ISO week, `YYYY-MM-DD`.
    pub week: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Area id.
    pub area: Option<String>,
    /// Role title id.
    pub role: Option<String>,
    /// False for work done off shift.
    pub on_shift: bool,
    /// Minutes spent (activities), 0 if unknown.
    pub minutes: i64,
    /// People reached.
    pub people_reached: i64,
    /// Naloxone doses given.
    pub naloxone_doses: i64,
    /// Systems navigation task.
    pub nav_task: Option<String>,
    /// Systems navigation outcome.
    pub nav_outcome: Option<String>,
    /// Shift pay type.
    pub pay_type: Option<String>,
    /// Length of an ended shift in minutes.
    pub shift_minutes: i64,
    /// Supplies handed out: (item, quantity).
    pub items: Vec<(String, i64)>,
}

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

/// True when an incoming version replaces the stored one: a later hybrid logical clock wins
/// (last writer wins across a worker's devices); between versions without clocks (older
/// clients), the higher version number wins. Anything else is `already_had`.
pub fn supersedes(
    incoming_hlc: Option<&str>,
    incoming_version: i64,
    have_hlc: Option<&str>,
    have_version: i64,
) -> bool {
    if incoming_hlc.is_some() || have_hlc.is_some() {
        shiftlog_wire::hlc::newer(incoming_hlc, have_hlc)
    } else {
        incoming_version > have_version
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn supersedes_table() {
        let h = |ms: u64| shiftlog_wire::hlc::format(ms, 0, 1);
        let (a, b) = (h(1_000), h(2_000));
        for (inc, iv, have, hv, want) in [
            (Some(b.as_str()), 2, Some(a.as_str()), 2, true), // later clock, same version
            (Some(a.as_str()), 9, Some(b.as_str()), 2, false), // earlier clock loses
            (Some(a.as_str()), 1, Some(a.as_str()), 1, false), // the same version again
            (Some(a.as_str()), 1, None, 5, true),             // a clock beats none
            (None, 5, Some(a.as_str()), 1, false),            // none never beats a clock
            (None, 2, None, 1, true),                         // old clients: by version
            (None, 1, None, 1, false),
        ] {
            assert_eq!(
                super::supersedes(inc, iv, have, hv),
                want,
                "{inc:?} {iv} {have:?} {hv}"
            );
        }
    }

}
