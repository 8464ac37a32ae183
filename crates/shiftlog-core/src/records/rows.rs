//! Rows of the `records` table: reading a [`Record`] back, the columns derived from a body
//! for summaries, and writing a record.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, Transaction};
use shiftlog_wire::RecordEnvelope;
use uuid::Uuid;

use crate::model::{ActivityBody, KindDetails, Record, RecordSync, RecordType, ShiftBody};
use crate::{CoreError, Result, ValidationError};

/// Columns read by [`row_to_record`], in order (table alias `r`).
pub(crate) const RECORD_COLS: &str = "r.id, r.org_id, r.record_type, r.kind, r.occurred_at,
    r.recorded_at, r.version, r.body, r.sync_change_counter, r.synced_at, r.rejected_reason,
    (SELECT o.server_url IS NULL FROM organizations o WHERE o.id = r.org_id), r.hlc, r.unknown";

pub(super) fn conv_err<E: std::error::Error + Send + Sync + 'static>(
    col: usize,
    e: E,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

pub(super) fn parse_time(s: String, col: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(&s).map_err(|e| conv_err(col, e))
}

/// Reads a record from a row selected with [`RECORD_COLS`].
pub(crate) fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let id: String = r.get(0)?;
    let rt: String = r.get(2)?;
    let body: String = r.get(7)?;
    let counter: i64 = r.get(8)?;
    let synced_at: Option<String> = r.get(9)?;
    let rejected: Option<String> = r.get(10)?;
    let local: Option<bool> = r.get(11)?;
    let sync = match (rejected, counter, synced_at, local) {
        (_, _, _, Some(true)) => RecordSync::Local,
        (Some(reason), _, _, _) => RecordSync::NeedsAttention { reason },
        (None, 0, Some(at), _) => RecordSync::Sent {
            at: parse_time(at, 9)?,
        },
        _ => RecordSync::Waiting,
    };
    Ok(Record {
        id: Uuid::parse_str(&id).map_err(|e| conv_err(0, e))?,
        org_id: r.get(1)?,
        record_type: RecordType::parse(&rt).ok_or_else(|| {
            conv_err(
                2,
                std::io::Error::other(format!("unknown record type {rt}")),
            )
        })?,
        kind: r.get(3)?,
        occurred_at: parse_time(r.get(4)?, 4)?,
        recorded_at: parse_time(r.get(5)?, 5)?,
        version: r.get(6)?,
        body: serde_json::from_str(&body).map_err(|e| conv_err(7, e))?,
        sync,
        hlc: r.get(12)?,
        unknown: r
            .get::<_, Option<String>>(13)?
            .and_then(|u| serde_json::from_str(&u).ok())
            .unwrap_or_default(),
    })
}

/// Columns read by [`row_to_envelope`], in order (table alias `r`): what a push sends, and
/// nothing the device shows (no sync state, no organization lookup).
pub(crate) const ENVELOPE_COLS: &str = "r.id, r.record_type, r.kind, r.occurred_at,
    r.recorded_at, r.version, r.deleted, r.body, r.hlc, r.unknown";

/// Reads a record as it goes in a push from a row selected with [`ENVELOPE_COLS`]: the same
/// envelope as [`row_to_record`] and `Record::to_envelope` give, without the record's sync
/// state, and with no body for a tombstone.
pub(crate) fn row_to_envelope(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordEnvelope> {
    let id: String = r.get(0)?;
    let rt: String = r.get(1)?;
    let record_type = RecordType::parse(&rt).ok_or_else(|| {
        conv_err(
            1,
            std::io::Error::other(format!("unknown record type {rt}")),
        )
    })?;
    let deleted: bool = r.get(6)?;
    let body = if deleted {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        let text: String = r.get(7)?;
        serde_json::from_str(&text).map_err(|e| conv_err(7, e))?
    };
    Ok(RecordEnvelope {
        id: Uuid::parse_str(&id).map_err(|e| conv_err(0, e))?,
        version: r.get(5)?,
        record_type: record_type.as_str().into(),
        kind: r.get(2)?,
        occurred_at: parse_time(r.get(3)?, 3)?,
        recorded_at: parse_time(r.get(4)?, 4)?,
        deleted,
        hlc: r.get(8)?,
        body,
        unknown: r
            .get::<_, Option<String>>(9)?
            .and_then(|u| serde_json::from_str(&u).ok())
            .unwrap_or_default(),
    })
}

/// Columns derived from a body for summaries.
#[derive(Default)]
pub(super) struct Derived {
    pub(super) area: Option<String>,
    pub(super) on_shift: Option<bool>,
    pub(super) minutes: Option<i64>,
    pub(super) people_reached: Option<i64>,
    pub(super) naloxone_doses: Option<i64>,
    pub(super) outcome: Option<String>,
    pub(super) pay_type: Option<String>,
    pub(super) ended_utc_ms: Option<i64>,
}

pub(super) fn derive_activity(b: &ActivityBody) -> Derived {
    let mut d = Derived {
        area: b.common.area.clone(),
        on_shift: Some(b.common.on_shift),
        minutes: b.common.minutes,
        people_reached: b.common.people_reached,
        naloxone_doses: Some(b.naloxone_doses()),
        ..Derived::default()
    };
    if let KindDetails::SystemsNavigation(n) = &b.details {
        d.outcome = Some(n.outcome.as_str().into());
        d.minutes = Some(b.common.minutes.unwrap_or(0) + n.travel_minutes.unwrap_or(0));
    }
    d
}

pub(super) fn derive_shift(s: &ShiftBody) -> Derived {
    Derived {
        area: s.area.clone(),
        on_shift: Some(true),
        pay_type: Some(s.pay_type.as_str().into()),
        ended_utc_ms: s.ended_at.map(|t| t.timestamp_millis()),
        ..Derived::default()
    }
}

pub(super) fn write_record(
    tx: &Transaction<'_>,
    rec: &Record,
    d: &Derived,
    new: bool,
) -> Result<()> {
    let id = rec.id.to_string();
    if new {
        tx.execute(
            "INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms,
                 recorded_at, version, body, area, on_shift, minutes, people_reached,
                 naloxone_doses, outcome, pay_type, ended_utc_ms, hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            params![
                id,
                rec.org_id,
                rec.record_type.as_str(),
                rec.kind,
                rec.occurred_at.to_rfc3339(),
                rec.occurred_at.timestamp_millis(),
                rec.recorded_at.to_rfc3339(),
                rec.version,
                rec.body.to_string(),
                d.area,
                d.on_shift,
                d.minutes,
                d.people_reached,
                d.naloxone_doses,
                d.outcome,
                d.pay_type,
                d.ended_utc_ms,
                rec.hlc,
            ],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation
                    && rec.record_type == RecordType::Shift =>
            {
                CoreError::Invalid(ValidationError::ShiftAlreadyOpen)
            }
            e => e.into(),
        })?;
    } else {
        tx.execute(
            "UPDATE records SET occurred_at = ?2, occurred_utc_ms = ?3, version = ?4, body = ?5,
                 area = ?6, on_shift = ?7, minutes = ?8, people_reached = ?9,
                 naloxone_doses = ?10, outcome = ?11, pay_type = ?12, ended_utc_ms = ?13,
                 hlc = ?14, sync_change_counter = sync_change_counter + 1, rejected_reason = NULL
             WHERE id = ?1",
            params![
                id,
                rec.occurred_at.to_rfc3339(),
                rec.occurred_at.timestamp_millis(),
                rec.version,
                rec.body.to_string(),
                d.area,
                d.on_shift,
                d.minutes,
                d.people_reached,
                d.naloxone_doses,
                d.outcome,
                d.pay_type,
                d.ended_utc_ms,
                rec.hlc,
            ],
        )?;
    }
    Ok(())
}
