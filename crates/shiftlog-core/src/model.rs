//! The records a worker keeps, and the rules they obey. No field here may hold a client's
//! identity: people served are counts, places are coarse areas.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalogue::Catalogue;
use crate::error::ValidationError;

/// Largest quantity on one supply line; more than this in one hand-out is a typo.
pub const MAX_QUANTITY: i64 = 10_000;
/// How far in the future an activity time may be (clock drift between devices).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;

/// One line of a supplies hand-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyLine {
    /// Item id from the organization's catalogue, e.g. `naloxone_kit`.
    pub item: String,
    /// How many were given.
    pub quantity: i64,
}

/// Kind-specific details of an activity. Serialized as `{"kind": …, "body": {…}}`; the
/// `body` part is what travels in [`shiftlog_wire::RecordEnvelope::body`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum ActivityDetails {
    /// Supplies distributed: item and quantity lines.
    SuppliesDistributed {
        /// The lines, at least one.
        items: Vec<SupplyLine>,
    },
}

impl ActivityDetails {
    /// The kind's stable id.
    pub fn kind(&self) -> &'static str {
        match self {
            ActivityDetails::SuppliesDistributed { .. } => "supplies_distributed",
        }
    }

    /// The body as JSON, without the kind tag.
    pub fn body(&self) -> serde_json::Value {
        match self {
            ActivityDetails::SuppliesDistributed { items } => {
                serde_json::json!({ "items": items })
            }
        }
    }

    /// Rebuilds details from a stored kind and body.
    pub fn from_parts(kind: &str, body: serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "body": body }))
    }

    /// Checks every field against the rules and the organization's catalogue.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ValidationError> {
        match self {
            ActivityDetails::SuppliesDistributed { items } => {
                if items.is_empty() {
                    return Err(ValidationError::NoItems);
                }
                for line in items {
                    if !catalogue.has_item(&line.item) {
                        return Err(ValidationError::UnknownItem(line.item.clone()));
                    }
                    if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                        return Err(ValidationError::QuantityOutOfRange {
                            got: line.quantity,
                            min: 1,
                            max: MAX_QUANTITY,
                        });
                    }
                }
                Ok(())
            }
        }
    }
}

/// What the worker asks to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewActivity {
    /// Organization; defaults to the worker's only (or first) organization.
    #[serde(default)]
    pub org_id: Option<String>,
    /// When it happened; defaults to now with the device's offset.
    #[serde(default)]
    pub occurred_at: Option<DateTime<FixedOffset>>,
    /// What was done.
    #[serde(flatten)]
    pub details: ActivityDetails,
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
}

/// A stored activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// UUIDv7 made on this device.
    pub id: Uuid,
    /// Organization it belongs to.
    pub org_id: String,
    /// When it happened.
    pub occurred_at: DateTime<FixedOffset>,
    /// When this device saved it.
    pub recorded_at: DateTime<FixedOffset>,
    /// Goes up with each edit.
    pub version: u32,
    /// What was done.
    #[serde(flatten)]
    pub details: ActivityDetails,
    /// Sync state.
    pub sync: RecordSync,
}

impl Activity {
    /// The record as it travels to the server.
    pub fn to_envelope(&self) -> shiftlog_wire::RecordEnvelope {
        shiftlog_wire::RecordEnvelope {
            id: self.id,
            version: self.version,
            record_type: "activity".into(),
            kind: self.details.kind().into(),
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
            deleted: false,
            body: self.details.body(),
            unknown: Default::default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn supplies(lines: &[(&str, i64)]) -> ActivityDetails {
        ActivityDetails::SuppliesDistributed {
            items: lines
                .iter()
                .map(|(i, q)| SupplyLine {
                    item: (*i).into(),
                    quantity: *q,
                })
                .collect(),
        }
    }

    #[test]
    fn supplies_validation_table() {
        let cat = Catalogue::default_catalogue();
        type Case<'a> = (&'a [(&'a str, i64)], Option<ValidationError>);
        let cases: &[Case] = &[
            (&[("naloxone_kit", 2)], None),
            (&[("naloxone_kit", 1), ("syringes", 100)], None),
            (&[], Some(ValidationError::NoItems)),
            (
                &[("naloxone_kit", 0)],
                Some(ValidationError::QuantityOutOfRange {
                    got: 0,
                    min: 1,
                    max: MAX_QUANTITY,
                }),
            ),
            (
                &[("naloxone_kit", MAX_QUANTITY + 1)],
                Some(ValidationError::QuantityOutOfRange {
                    got: MAX_QUANTITY + 1,
                    min: 1,
                    max: MAX_QUANTITY,
                }),
            ),
            (
                &[("bananas", 1)],
                Some(ValidationError::UnknownItem("bananas".into())),
            ),
        ];
        for (lines, want) in cases {
            assert_eq!(supplies(lines).validate(&cat).err(), *want, "{lines:?}");
        }
    }

    #[test]
    fn details_round_trip_through_kind_and_body() {
        let d = supplies(&[("pipes", 3)]);
        let back = ActivityDetails::from_parts(d.kind(), d.body()).expect("parse");
        assert_eq!(back, d);
    }
}
