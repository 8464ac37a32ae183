//! Shifts: starting, ending, and the one open shift per organization.

use chrono::{DateTime, FixedOffset};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::rows::{derive_shift, row_to_record, RECORD_COLS};
use super::{json_of, not_future, now};
use crate::model::{PayType, Record, RecordSync, RecordType, ShiftBody};
use crate::{Core, CoreError, Result, ValidationError};

/// A shift as the worker sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Record id.
    pub id: Uuid,
    /// Organization.
    pub org_id: String,
    /// Details.
    #[serde(flatten)]
    pub body: ShiftBody,
    /// Version.
    pub version: u32,
    /// Sync state.
    pub sync: RecordSync,
}

/// Starting a shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StartShift {
    /// Organization (the first when `None`).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Role title id.
    #[serde(default)]
    pub role: Option<String>,
    /// Pay type (paid when `None`).
    #[serde(default)]
    pub pay_type: Option<PayType>,
    /// Area id.
    #[serde(default)]
    pub area: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Start (now when `None`).
    #[serde(default)]
    pub started_at: Option<DateTime<FixedOffset>>,
}

/// Ending a shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EndShift {
    /// Organization (the first when `None`).
    #[serde(default)]
    pub org_id: Option<String>,
    /// End (now when `None`).
    #[serde(default)]
    pub ended_at: Option<DateTime<FixedOffset>>,
}

impl Core {
    pub(super) fn validate_shift(&self, org_id: &str, body: Value) -> Result<ShiftBody> {
        let s = ShiftBody::parse(&body)?;
        s.validate(&*self.catalogue_arc(org_id)?)?;
        not_future(s.started_at)?;
        if let Some(end) = s.ended_at {
            not_future(end)?;
        }
        Ok(s)
    }

    /// Starts a shift. At most one shift is open per organization.
    pub fn start_shift(&self, start: StartShift) -> Result<Shift> {
        let org_id = self.resolve_org(start.org_id.as_deref())?;
        if self.open_shift(Some(&org_id))?.is_some() {
            return Err(ValidationError::ShiftAlreadyOpen.into());
        }
        let t = now();
        let body = ShiftBody {
            started_at: start.started_at.unwrap_or(t),
            ended_at: None,
            role: start.role,
            pay_type: start.pay_type.unwrap_or(PayType::Paid),
            area: start.area,
            note: start.note,
            extra: Default::default(),
        };
        let body = self.validate_shift(&org_id, json_of(&body))?;
        let rec = Record {
            id: Uuid::now_v7(),
            org_id,
            record_type: RecordType::Shift,
            kind: "shift".into(),
            occurred_at: body.started_at,
            recorded_at: t,
            version: 1,
            body: json_of(&body),
            sync: RecordSync::Waiting,
            hlc: Some(self.stamp()),
            unknown: Default::default(),
        };
        self.insert(&rec, &derive_shift(&body))?;
        shift_of(self.get_record(rec.id)?)
    }

    /// Ends the open shift of an organization; an error if none is open.
    pub fn end_shift(&self, end: EndShift) -> Result<Shift> {
        let org_id = self.resolve_org(end.org_id.as_deref())?;
        let Some(open) = self.open_shift(Some(&org_id))? else {
            return Err(ValidationError::NoOpenShift.into());
        };
        // The tally's counters become records in the transaction that ends the shift.
        shift_of(self.end_shift_rolling_tally(&open, end.ended_at.unwrap_or_else(now))?)
    }

    /// The open shift of an organization, if any.
    pub fn open_shift(&self, org_id: Option<&str>) -> Result<Option<Shift>> {
        let org_id = match org_id {
            Some(o) => o.to_string(),
            None => match self.resolve_org(None) {
                Ok(o) => o,
                Err(_) => return Ok(None),
            },
        };
        let rec = self
            .db()
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records r WHERE r.org_id = ?1
                 AND r.record_type = 'shift' AND r.ended_utc_ms IS NULL AND r.deleted = 0"
            ))?
            .query_row([&org_id], row_to_record)
            .optional()?;
        rec.map(shift_of).transpose()
    }
}

fn shift_of(rec: Record) -> Result<Shift> {
    let body: ShiftBody = serde_json::from_value(rec.body)
        .map_err(|e| CoreError::Storage(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
    Ok(Shift {
        id: rec.id,
        org_id: rec.org_id,
        body,
        version: rec.version,
        sync: rec.sync,
    })
}
