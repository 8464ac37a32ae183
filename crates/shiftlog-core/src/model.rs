//! The records a worker keeps, as this device holds them. The record model itself (bodies,
//! limits, validation, facts, clocks) is `shiftlog-model`, re-exported here so the core, its
//! shells and its tests name one definition; what is added here is only the device's view of a
//! record (its sync state) and of an organization.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub use shiftlog_model::body::*;
pub use shiftlog_model::limits::*;

/// What the worker asks to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewActivity {
    /// Organization; defaults to the worker's first organization.
    #[serde(default)]
    pub org_id: Option<String>,
    /// When it happened; defaults to now with the device's offset.
    #[serde(default)]
    pub occurred_at: Option<DateTime<FixedOffset>>,
    /// Activity kind id.
    pub kind: String,
    /// Body as in docs/records.md.
    pub body: Value,
}

/// Where a record stands with its organization's server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RecordSync {
    /// On this device only, waiting to be sent.
    Waiting,
    /// The server confirmed it.
    Sent {
        /// When the confirmation came.
        at: DateTime<FixedOffset>,
    },
    /// The server refused it; it stays here until the worker fixes it.
    NeedsAttention {
        /// The server's reason.
        reason: String,
    },
    /// Kept on this device only (an organization without a server).
    Local,
}

/// A stored record of any type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// UUIDv7 made on this device.
    pub id: Uuid,
    /// Organization it belongs to.
    pub org_id: String,
    /// Record type.
    pub record_type: RecordType,
    /// Kind (activity kind; the record type for others).
    pub kind: String,
    /// When it happened (a shift's start).
    pub occurred_at: DateTime<FixedOffset>,
    /// When this device saved it.
    pub recorded_at: DateTime<FixedOffset>,
    /// Goes up with each edit.
    pub version: u32,
    /// Body as in docs/records.md.
    pub body: Value,
    /// Sync state.
    pub sync: RecordSync,
    /// Hybrid logical clock of this version (orders edits made on several devices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hlc: Option<String>,
    /// Envelope fields from a newer app version, passed on unchanged.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

/// An activity is a record of type `activity`.
pub type Activity = Record;

impl Record {
    /// The record as it travels to the server.
    pub fn to_envelope(&self, deleted: bool) -> shiftlog_wire::RecordEnvelope {
        shiftlog_wire::RecordEnvelope {
            id: self.id,
            version: self.version,
            record_type: self.record_type.as_str().into(),
            kind: self.kind.clone(),
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
            deleted,
            hlc: self.hlc.clone(),
            body: if deleted {
                Value::Object(Map::new())
            } else {
                self.body.clone()
            },
            unknown: self.unknown.clone(),
        }
    }
}

/// An organization the worker belongs to, as the device knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Server base URL, if enrolled.
    pub server_url: Option<String>,
}
