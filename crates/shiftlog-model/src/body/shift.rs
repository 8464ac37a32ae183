//! A shift's body.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::choices::PayType;
use super::{extra_fields, note, object, with_extra};
use crate::catalogue::Catalogue;
use crate::check::plain_text;
use crate::error::ValidationError;
use crate::limits::MAX_SHIFT_HOURS;

/// A shift's body (docs/records.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftBody {
    /// Start.
    pub started_at: DateTime<FixedOffset>,
    /// End; none while open.
    #[serde(default)]
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// Role title id.
    #[serde(default)]
    pub role: Option<String>,
    /// Pay type.
    pub pay_type: PayType,
    /// Area id.
    #[serde(default)]
    pub area: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Fields this version does not define (from a newer peer), kept verbatim.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// The body fields a shift defines.
pub const SHIFT_FIELDS: &[&str] = &["started_at", "ended_at", "role", "pay_type", "area", "note"];

impl ShiftBody {
    /// Parses a shift body.
    pub fn parse(body: &Value) -> Result<ShiftBody, ValidationError> {
        let map = object(body)?;
        let mut s: ShiftBody = super::read(body)?;
        s.extra = extra_fields(map, SHIFT_FIELDS);
        Ok(s)
    }

    /// The body as JSON, with the fields kept from a newer peer.
    pub fn to_json(&self) -> Value {
        with_extra(
            serde_json::to_value(self).unwrap_or(Value::Null),
            &self.extra,
        )
    }

    /// Checks the fields against the rules and the catalogue (times against a clock are
    /// checked by [`crate::check`]).
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ValidationError> {
        if let Some(r) = &self.role {
            plain_text("role", r, false)?;
            if !catalogue.has_role(r) {
                return Err(ValidationError::UnknownRole(r.clone()));
            }
        }
        if let Some(a) = &self.area {
            plain_text("area", a, false)?;
            if !catalogue.has_area(a) {
                return Err(ValidationError::UnknownArea(a.clone()));
            }
        }
        note(self.note.as_deref())?;
        if let Some(end) = self.ended_at {
            let len = end.signed_duration_since(self.started_at);
            if len < chrono::Duration::zero() || len > chrono::Duration::hours(MAX_SHIFT_HOURS) {
                return Err(ValidationError::ShiftTimes);
            }
        }
        Ok(())
    }

    /// Minutes of an ended shift; 0 while open.
    pub fn minutes(&self) -> i64 {
        self.ended_at
            .map(|e| {
                e.signed_duration_since(self.started_at)
                    .num_minutes()
                    .max(0)
            })
            .unwrap_or(0)
    }
}
