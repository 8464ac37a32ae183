//! Writing, editing, deleting and listing records: activities, shifts, training and the
//! worker's private check-ins. Every write validates first and stores nothing on error.

mod activities;
mod checkins;
mod edits;
mod pay;
mod pulled;
mod purge;
mod rows;
mod shifts;
mod tally;
mod training;

use chrono::{DateTime, FixedOffset, Local, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::model::{Record, RecordType};
use crate::{Core, Result, ValidationError};

pub use checkins::{Checkin, NewCheckin};
pub use pay::{NewPayment, Payment};
pub(crate) use pulled::apply_envelope;
pub(crate) use rows::{row_to_envelope, row_to_record, ENVELOPE_COLS, RECORD_COLS};
pub use shifts::{EndShift, Shift, StartShift};
pub use tally::{Tally, TallyCounter, TallyGroup};
pub use training::NewTraining;

use rows::{write_record, Derived};

/// A time the worker gives: not before 2000, not past ten minutes ahead of this device's
/// clock (the record model's rule, `shiftlog_model::check::check_time`).
fn not_future(t: DateTime<FixedOffset>) -> Result<(), ValidationError> {
    shiftlog_model::check::check_time(t, Utc::now(), shiftlog_model::Side::Device)
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// Noon of `day` in this device's time zone.
fn local_noon(day: chrono::NaiveDate) -> Option<DateTime<FixedOffset>> {
    day.and_hms_opt(12, 0, 0)?
        .and_local_timezone(Local)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// Which records to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordQuery {
    /// Only this type (all types when `None`).
    #[serde(default)]
    pub record_type: Option<RecordType>,
    /// Only this organization.
    #[serde(default)]
    pub org_id: Option<String>,
    /// Only those that happened at or after this time.
    #[serde(default)]
    pub since: Option<DateTime<FixedOffset>>,
    /// Only those that happened before this time.
    #[serde(default)]
    pub until: Option<DateTime<FixedOffset>>,
    /// Only records the server refused.
    #[serde(default)]
    pub needs_attention: bool,
    /// At most this many.
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Core {
    pub(crate) fn resolve_org(&self, wanted: Option<&str>) -> Result<String> {
        self.resolve_org_local(wanted).map(|(id, _)| id)
    }

    /// The organization meant (the first when `None`), and whether it is local-only.
    fn resolve_org_local(&self, wanted: Option<&str>) -> Result<(String, bool)> {
        let db = self.db();
        let found: Option<(String, bool)> = db
            .prepare_cached(
                "SELECT id, server_url IS NULL FROM organizations WHERE ?1 IS NULL OR id = ?1
                 ORDER BY joined_at, id LIMIT 1",
            )?
            .query_row([wanted], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        found.ok_or_else(|| {
            ValidationError::UnknownOrganization(wanted.unwrap_or("").to_string()).into()
        })
    }

    fn insert(&self, rec: &Record, d: &Derived) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        write_record(&tx, rec, d, true)?;
        tx.commit()?;
        drop(db);
        self.sync.wake();
        Ok(())
    }

    /// One record by id (tombstones excluded).
    pub fn get_record(&self, id: Uuid) -> Result<Record> {
        self.db()
            .query_row(
                &format!("SELECT {RECORD_COLS} FROM records r WHERE r.id = ?1 AND r.deleted = 0"),
                [id.to_string()],
                row_to_record,
            )
            .optional()?
            .ok_or_else(|| ValidationError::NotFound(id.to_string()).into())
    }

    /// Records, newest first.
    pub fn list_records(&self, q: &RecordQuery) -> Result<Vec<Record>> {
        let db = self.db();
        let mut stmt = db.prepare(&format!(
            "SELECT {RECORD_COLS} FROM records r
             WHERE r.deleted = 0 AND r.occurred_utc_ms >= ?1 AND r.occurred_utc_ms < ?2
               AND (?3 IS NULL OR r.record_type = ?3) AND (?4 IS NULL OR r.org_id = ?4)
               AND (?5 = 0 OR r.rejected_reason IS NOT NULL)
             ORDER BY r.occurred_utc_ms DESC, r.id DESC LIMIT ?6"
        ))?;
        let rows = stmt.query_map(
            params![
                q.since.map(|t| t.timestamp_millis()).unwrap_or(i64::MIN),
                q.until.map(|t| t.timestamp_millis()).unwrap_or(i64::MAX),
                q.record_type.map(|t| t.as_str()),
                q.org_id,
                q.needs_attention,
                q.limit.map(i64::from).unwrap_or(i64::MAX),
            ],
            row_to_record,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Activities that happened today, in the device's time zone, newest first.
    pub fn todays_activities(&self) -> Result<Vec<Record>> {
        let midnight = Local::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(Local).earliest())
            .map(|t| t.fixed_offset());
        self.list_records(&RecordQuery {
            record_type: Some(RecordType::Activity),
            since: midnight,
            ..RecordQuery::default()
        })
    }
}

fn json_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
