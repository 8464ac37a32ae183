//! Writing, editing, deleting and listing records: activities, shifts, training and the
//! worker's private check-ins. Every write validates first and stores nothing on error.

use chrono::{DateTime, FixedOffset, Local, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::model::{
    self, ActivityBody, KindDetails, NewActivity, PayType, Record, RecordSync, RecordType,
    ShiftBody, TrainingBody, TrainingStatus,
};
use crate::{Core, CoreError, Result, ValidationError};

/// Columns read by [`row_to_record`], in order (table alias `r`).
pub(crate) const RECORD_COLS: &str = "r.id, r.org_id, r.record_type, r.kind, r.occurred_at,
    r.recorded_at, r.version, r.body, r.sync_change_counter, r.synced_at, r.rejected_reason,
    (SELECT o.server_url IS NULL FROM organizations o WHERE o.id = r.org_id), r.hlc, r.unknown";

fn conv_err<E: std::error::Error + Send + Sync + 'static>(col: usize, e: E) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

fn parse_time(s: String, col: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
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

/// Columns derived from a body for summaries.
#[derive(Default)]
struct Derived {
    area: Option<String>,
    on_shift: Option<bool>,
    minutes: Option<i64>,
    people_reached: Option<i64>,
    naloxone_doses: Option<i64>,
    outcome: Option<String>,
    pay_type: Option<String>,
    ended_utc_ms: Option<i64>,
}

fn derive_activity(b: &ActivityBody) -> Derived {
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

fn derive_shift(s: &ShiftBody) -> Derived {
    Derived {
        area: s.area.clone(),
        on_shift: Some(true),
        pay_type: Some(s.pay_type.as_str().into()),
        ended_utc_ms: s.ended_at.map(|t| t.timestamp_millis()),
        ..Derived::default()
    }
}

fn write_record(tx: &Transaction<'_>, rec: &Record, d: &Derived, new: bool) -> Result<()> {
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

fn not_future(t: DateTime<FixedOffset>) -> Result<(), ValidationError> {
    if t.with_timezone(&Utc)
        > Utc::now() + chrono::Duration::minutes(model::FUTURE_TOLERANCE_MINUTES)
    {
        return Err(ValidationError::InFuture);
    }
    Ok(())
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
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

/// Training received or wanted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewTraining {
    /// Organization (the first when `None`).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Topic.
    pub topic: String,
    /// Received or wanted.
    pub status: TrainingStatus,
    /// Minutes, if received.
    #[serde(default)]
    pub minutes: Option<i64>,
    /// When (now when `None`).
    #[serde(default)]
    pub occurred_at: Option<DateTime<FixedOffset>>,
}

/// A check-in: how the worker is doing, and whether they want a debrief. It stays on this
/// device; only the fact and time of a debrief request leave it, and only if the worker says so.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewCheckin {
    /// Organization to tell about a debrief request (the first when `None`).
    #[serde(default)]
    pub org_id: Option<String>,
    /// The activity it follows, e.g. an overdose response.
    #[serde(default)]
    pub after_record_id: Option<Uuid>,
    /// The worker asks for a debrief.
    #[serde(default)]
    pub debrief_requested: bool,
    /// 1 (struggling) to 5 (fine).
    #[serde(default)]
    pub wellbeing: Option<i64>,
    /// Private note; never leaves the device.
    #[serde(default)]
    pub private_note: Option<String>,
    /// Share with the organization that a debrief was asked for (fact and time only).
    #[serde(default)]
    pub share_debrief_request: bool,
}

/// A stored check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkin {
    /// Id.
    pub id: Uuid,
    /// Organization.
    pub org_id: Option<String>,
    /// When.
    pub created_at: DateTime<FixedOffset>,
    /// The activity it follows.
    pub after_record_id: Option<Uuid>,
    /// Debrief asked for.
    pub debrief_requested: bool,
    /// 1 to 5.
    pub wellbeing: Option<i64>,
    /// Private note.
    pub private_note: Option<String>,
    /// The shared debrief request record, if shared.
    pub shared_record_id: Option<Uuid>,
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

    /// Validates and saves a new activity durably, and queues it for sync.
    /// Invalid input returns [`CoreError::Invalid`] and stores nothing.
    ///
    /// If a shift is open for the organization and the body says nothing else, the activity
    /// is linked to it and takes its role and area; with no open shift it counts as off shift.
    pub fn log_activity(&self, new: NewActivity) -> Result<Record> {
        let (org_id, local) = self.resolve_org_local(new.org_id.as_deref())?;
        let catalogue = self.catalogue_arc(&org_id)?;
        let mut parsed = ActivityBody::parse(&new.kind, &new.body)?;
        let open = self.open_shift(Some(&org_id))?;
        let says_on_shift = new.body.get("on_shift").is_some_and(|v| !v.is_null());
        if let Some(shift) = &open {
            if parsed.common.shift_id.is_none() && (!says_on_shift || parsed.common.on_shift) {
                parsed.common.shift_id = Some(shift.id);
                parsed.common.on_shift = true;
                parsed.common.role = parsed.common.role.or(shift.body.role.clone());
                parsed.common.area = parsed.common.area.or(shift.body.area.clone());
            }
        } else if !says_on_shift && parsed.common.shift_id.is_none() {
            parsed.common.on_shift = false;
        }
        parsed.validate(&catalogue)?;
        let t = now();
        let occurred_at = new.occurred_at.unwrap_or(t);
        not_future(occurred_at)?;
        let rec = Record {
            id: Uuid::now_v7(),
            org_id,
            record_type: RecordType::Activity,
            kind: new.kind,
            occurred_at,
            recorded_at: t,
            version: 1,
            body: parsed.to_json(),
            sync: if local {
                RecordSync::Local
            } else {
                RecordSync::Waiting
            },
            hlc: Some(self.stamp()),
            unknown: Default::default(),
        };
        self.insert(&rec, &derive_activity(&parsed))?;
        Ok(rec)
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

    /// Edits a record: same id, version + 1, queued for sync again, and out of "needs
    /// attention". `body` replaces the old body and is validated like a new one.
    pub fn edit_record(
        &self,
        id: Uuid,
        occurred_at: Option<DateTime<FixedOffset>>,
        body: Value,
    ) -> Result<Record> {
        let old = self.get_record(id)?;
        let mut occurred_at = occurred_at.unwrap_or(old.occurred_at);
        not_future(occurred_at)?;
        let (body, derived) = match old.record_type {
            RecordType::Activity => {
                let parsed = ActivityBody::parse(&old.kind, &body)?;
                parsed.validate(&self.catalogue(Some(&old.org_id))?)?;
                (parsed.to_json(), derive_activity(&parsed))
            }
            RecordType::Shift => {
                let s = self.validate_shift(&old.org_id, body)?;
                // A shift happens when it starts: its time follows its start, whatever the
                // caller passed, so hours never come out negative.
                occurred_at = s.started_at;
                let d = derive_shift(&s);
                (json_of(&s), d)
            }
            RecordType::Training => {
                let t = validate_training(body)?;
                (json_of(&t), Derived::default())
            }
            RecordType::DebriefRequest => (json!({}), Derived::default()),
        };
        let rec = Record {
            occurred_at,
            version: old.version + 1,
            body,
            hlc: Some(self.stamp()),
            ..old
        };
        let mut db = self.db();
        let tx = db.transaction()?;
        write_record(&tx, &rec, &derived, false)?;
        tx.commit()?;
        drop(db);
        self.sync.wake();
        self.get_record(id)
    }

    /// Deletes a record: it disappears from lists at once and leaves a tombstone that is sent
    /// to the organization, then purged once the server confirms it.
    pub fn delete_record(&self, id: Uuid) -> Result<()> {
        let n = self.db().execute(
            "UPDATE records SET deleted = 1, version = version + 1, hlc = ?2,
                 sync_change_counter = sync_change_counter + 1, rejected_reason = NULL
             WHERE id = ?1 AND deleted = 0",
            params![id.to_string(), self.stamp()],
        )?;
        if n == 0 {
            return Err(ValidationError::NotFound(id.to_string()).into());
        }
        self.sync.wake();
        Ok(())
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

    fn validate_shift(&self, org_id: &str, body: Value) -> Result<ShiftBody> {
        let s: ShiftBody =
            serde_json::from_value(body).map_err(|e| ValidationError::Malformed(e.to_string()))?;
        let cat = self.catalogue(Some(org_id))?;
        if let Some(r) = &s.role {
            if !cat.has_role(r) {
                return Err(ValidationError::UnknownRole(r.clone()).into());
            }
        }
        if let Some(a) = &s.area {
            if !cat.has_area(a) {
                return Err(ValidationError::UnknownArea(a.clone()).into());
            }
        }
        model::note(s.note.as_deref())?;
        not_future(s.started_at)?;
        if let Some(end) = s.ended_at {
            not_future(end)?;
            let len = end.signed_duration_since(s.started_at);
            if len < chrono::Duration::zero()
                || len > chrono::Duration::hours(model::MAX_SHIFT_HOURS)
            {
                return Err(ValidationError::ShiftTimes.into());
            }
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
        let mut body = open.body.clone();
        body.ended_at = Some(end.ended_at.unwrap_or_else(now));
        shift_of(self.edit_record(open.id, None, json_of(&body))?)
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

    /// Records training received or wanted.
    pub fn log_training(&self, t: NewTraining) -> Result<Record> {
        let org_id = self.resolve_org(t.org_id.as_deref())?;
        let occurred_at = t.occurred_at.unwrap_or_else(now);
        not_future(occurred_at)?;
        let body = validate_training(json!({
            "topic": t.topic, "status": t.status, "minutes": t.minutes
        }))?;
        let rec = Record {
            id: Uuid::now_v7(),
            org_id,
            record_type: RecordType::Training,
            kind: "training".into(),
            occurred_at,
            recorded_at: now(),
            version: 1,
            body: json_of(&body),
            sync: RecordSync::Waiting,
            hlc: Some(self.stamp()),
            unknown: Default::default(),
        };
        self.insert(&rec, &Derived::default())?;
        self.get_record(rec.id)
    }

    /// Saves a private check-in. If the worker chose to share a debrief request, a
    /// `debrief_request` record with only the time is queued for the organization.
    pub fn record_checkin(&self, c: NewCheckin) -> Result<Checkin> {
        model::range("wellbeing", c.wellbeing, 1, 5)?;
        model::note(c.private_note.as_deref())?;
        let org_id = match &c.org_id {
            Some(o) => Some(self.resolve_org(Some(o))?),
            None => self.resolve_org(None).ok(),
        };
        let t = now();
        let id = Uuid::now_v7();
        self.db().execute(
            "INSERT INTO checkins (id, org_id, created_at, created_utc_ms, after_record_id,
                 debrief_requested, wellbeing, private_note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id.to_string(),
                org_id,
                t.to_rfc3339(),
                t.timestamp_millis(),
                c.after_record_id.map(|u| u.to_string()),
                c.debrief_requested,
                c.wellbeing,
                c.private_note
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty()),
            ],
        )?;
        if c.share_debrief_request && c.debrief_requested {
            self.share_debrief_request(id)?;
        }
        self.get_checkin(id)
    }

    /// Shares the fact and time of a check-in's debrief request with its organization.
    pub fn share_debrief_request(&self, checkin_id: Uuid) -> Result<Checkin> {
        let c = self.get_checkin(checkin_id)?;
        if let Some(_already) = c.shared_record_id {
            return Ok(c);
        }
        if !c.debrief_requested {
            return Err(ValidationError::Required("debrief_requested".into()).into());
        }
        let org_id = c
            .org_id
            .clone()
            .ok_or_else(|| ValidationError::UnknownOrganization(String::new()))?;
        let rec = Record {
            id: Uuid::now_v7(),
            org_id,
            record_type: RecordType::DebriefRequest,
            kind: "debrief_request".into(),
            occurred_at: c.created_at,
            recorded_at: now(),
            version: 1,
            body: json!({}),
            sync: RecordSync::Waiting,
            hlc: Some(self.stamp()),
            unknown: Default::default(),
        };
        {
            let mut db = self.db();
            let tx = db.transaction()?;
            write_record(&tx, &rec, &Derived::default(), true)?;
            tx.execute(
                "UPDATE checkins SET shared_record_id = ?2 WHERE id = ?1",
                params![checkin_id.to_string(), rec.id.to_string()],
            )?;
            tx.commit()?;
        }
        self.sync.wake();
        self.get_checkin(checkin_id)
    }

    /// One check-in.
    pub fn get_checkin(&self, id: Uuid) -> Result<Checkin> {
        self.db()
            .query_row(
                "SELECT id, org_id, created_at, after_record_id, debrief_requested, wellbeing,
                        private_note, shared_record_id FROM checkins WHERE id = ?1",
                [id.to_string()],
                row_to_checkin,
            )
            .optional()?
            .ok_or_else(|| ValidationError::NotFound(id.to_string()).into())
    }

    /// The worker's check-ins, newest first.
    pub fn list_checkins(&self) -> Result<Vec<Checkin>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT id, org_id, created_at, after_record_id, debrief_requested, wellbeing,
                    private_note, shared_record_id FROM checkins ORDER BY created_utc_ms DESC",
        )?;
        let rows = stmt.query_map([], row_to_checkin)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a check-in from the device (a shared debrief request stays shared).
    pub fn delete_checkin(&self, id: Uuid) -> Result<()> {
        let n = self
            .db()
            .execute("DELETE FROM checkins WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(ValidationError::NotFound(id.to_string()).into());
        }
        Ok(())
    }

    /// Removes records the organization no longer needs on this device: synced records older
    /// than its retention window, and synced tombstones. Records not confirmed by the server,
    /// records that need attention, open shifts and local-only organizations' records are
    /// never purged. Returns how many were removed.
    pub fn purge_expired(&self) -> Result<usize> {
        let orgs: Vec<String> = {
            let db = self.db();
            let mut stmt =
                db.prepare("SELECT id FROM organizations WHERE server_url IS NOT NULL")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut removed = 0;
        for org in orgs {
            let days = self.catalogue(Some(&org))?.retention_days;
            let cutoff = (Utc::now() - chrono::Duration::days(i64::from(days))).timestamp_millis();
            removed += self.db().execute(
                "DELETE FROM records WHERE org_id = ?1 AND sync_change_counter = 0
                   AND synced_at IS NOT NULL AND rejected_reason IS NULL
                   AND (deleted = 1 OR (occurred_utc_ms < ?2
                        AND NOT (record_type = 'shift' AND ended_utc_ms IS NULL)))",
                params![org, cutoff],
            )?;
        }
        Ok(removed)
    }
}

impl Core {
    /// Applies records pulled from the organization (the worker's other devices), and the
    /// new cursor, in one transaction. The higher clock wins; a local edit that loses is
    /// dropped everywhere the same way, so every device ends in the server's state.
    pub(crate) fn apply_pulled(
        &self,
        org_id: &str,
        records: &[shiftlog_wire::RecordEnvelope],
        next_cursor: u64,
    ) -> Result<usize> {
        for r in records {
            if let Some(h) = &r.hlc {
                self.observe_stamp(h);
            }
        }
        let mut db = self.db();
        let tx = db.transaction()?;
        let now = Utc::now().to_rfc3339();
        let mut applied = 0;
        for env in records {
            let Some(rt) = RecordType::parse(&env.record_type) else {
                continue; // a record type this version cannot show; the server keeps it
            };
            let d = match rt {
                RecordType::Activity => ActivityBody::parse(&env.kind, &env.body)
                    .map(|b| derive_activity(&b))
                    .unwrap_or_default(),
                RecordType::Shift => serde_json::from_value::<ShiftBody>(env.body.clone())
                    .map(|s| derive_shift(&s))
                    .unwrap_or_default(),
                _ => Derived::default(),
            };
            let local: Option<(Option<String>, u32)> = tx
                .prepare_cached("SELECT hlc, version FROM records WHERE id = ?1")?
                .query_row([env.id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let take = match &local {
                None => true,
                Some((lh, lv)) => {
                    shiftlog_wire::hlc::newer(env.hlc.as_deref(), lh.as_deref())
                        || (env.hlc.is_none() && lh.is_none() && env.version > *lv)
                }
            };
            if !take {
                continue;
            }
            let unknown =
                (!env.unknown.is_empty()).then(|| Value::Object(env.unknown.clone()).to_string());
            let body = if env.deleted {
                json!({})
            } else {
                env.body.clone()
            };
            // One upsert for both cases: a new record is inserted; a known one takes the
            // newer version (the summary triggers see an insert or an update accordingly).
            tx.prepare_cached(
                "INSERT INTO records (id, org_id, record_type, kind, occurred_at,
                     occurred_utc_ms, recorded_at, version, deleted, body, area, on_shift,
                     minutes, people_reached, naloxone_doses, outcome, pay_type,
                     ended_utc_ms, hlc, unknown, sync_change_counter, synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                         ?16, ?17, ?18, ?19, ?20, 0, ?21)
                 ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,
                     occurred_at = excluded.occurred_at,
                     occurred_utc_ms = excluded.occurred_utc_ms,
                     version = MAX(version, excluded.version), deleted = excluded.deleted,
                     body = excluded.body, area = excluded.area, on_shift = excluded.on_shift,
                     minutes = excluded.minutes, people_reached = excluded.people_reached,
                     naloxone_doses = excluded.naloxone_doses, outcome = excluded.outcome,
                     pay_type = excluded.pay_type, ended_utc_ms = excluded.ended_utc_ms,
                     hlc = excluded.hlc, unknown = excluded.unknown,
                     sync_change_counter = 0, synced_at = excluded.synced_at,
                     rejected_reason = NULL",
            )?
            .execute(params![
                env.id.to_string(),
                org_id,
                rt.as_str(),
                env.kind,
                env.occurred_at.to_rfc3339(),
                env.occurred_at.timestamp_millis(),
                env.recorded_at.to_rfc3339(),
                env.version,
                env.deleted,
                body.to_string(),
                d.area,
                d.on_shift,
                d.minutes,
                d.people_reached,
                d.naloxone_doses,
                d.outcome,
                d.pay_type,
                d.ended_utc_ms,
                env.hlc,
                unknown,
                now,
            ])?;
            applied += 1;
        }
        tx.execute(
            "INSERT INTO sync_state (org_id, pull_cursor) VALUES (?1, ?2)
             ON CONFLICT(org_id) DO UPDATE SET pull_cursor = MAX(pull_cursor, ?2)",
            params![org_id, next_cursor as i64],
        )?;
        tx.commit()?;
        Ok(applied)
    }

    pub(crate) fn pull_cursor(&self, org_id: &str) -> Result<u64> {
        let c: Option<i64> = self
            .db()
            .query_row(
                "SELECT pull_cursor FROM sync_state WHERE org_id = ?1",
                [org_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(c.unwrap_or(0).max(0) as u64)
    }
}

fn row_to_checkin(r: &rusqlite::Row<'_>) -> rusqlite::Result<Checkin> {
    let uuid = |s: Option<String>, col| {
        s.map(|s| Uuid::parse_str(&s).map_err(|e| conv_err(col, e)))
            .transpose()
    };
    Ok(Checkin {
        id: uuid(r.get(0)?, 0)?.unwrap_or_default(),
        org_id: r.get(1)?,
        created_at: parse_time(r.get(2)?, 2)?,
        after_record_id: uuid(r.get(3)?, 3)?,
        debrief_requested: r.get(4)?,
        wellbeing: r.get(5)?,
        private_note: r.get(6)?,
        shared_record_id: uuid(r.get(7)?, 7)?,
    })
}

fn json_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn validate_training(body: Value) -> Result<TrainingBody> {
    let t: TrainingBody =
        serde_json::from_value(body).map_err(|e| ValidationError::Malformed(e.to_string()))?;
    let topic = t.topic.trim();
    if topic.is_empty() {
        return Err(ValidationError::Required("topic".into()).into());
    }
    if topic.chars().count() > 120 {
        return Err(ValidationError::TooLong("topic".into()).into());
    }
    model::range("minutes", t.minutes, 0, model::MAX_MINUTES)?;
    Ok(TrainingBody {
        topic: topic.into(),
        ..t
    })
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

#[cfg(test)]
mod pull_tests {
    use super::*;
    use crate::{KdfParams, Unlock};

    fn core() -> (tempfile::TempDir, std::sync::Arc<Core>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let kdf = KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
        };
        let core = Core::open_with(dir.path(), &Unlock::Pin("2468".into()), kdf).expect("open");
        core.add_local_organization("Org").expect("org");
        (dir, core)
    }

    fn env(id: Uuid, hlc: &str, people: i64, deleted: bool) -> shiftlog_wire::RecordEnvelope {
        serde_json::from_value(json!({
            "id": id, "version": 1, "record_type": "activity", "kind": "outreach_contact",
            "occurred_at": "2026-11-20T10:00:00-08:00", "recorded_at": "2026-11-20T10:00:01-08:00",
            "deleted": deleted, "hlc": hlc, "body": {"people_reached": people},
            "from_the_future": {"x": 1}
        }))
        .expect("envelope")
    }

    #[test]
    fn last_writer_wins_by_clock_and_unknown_fields_pass_on() {
        let (_d, core) = core();
        let org = core.resolve_org(None).expect("org");
        let id = Uuid::now_v7();
        let h = |ms: u64| shiftlog_wire::hlc::format(ms, 0, 9);
        // New from another device: inserted, already synced.
        core.apply_pulled(&org, &[env(id, &h(1_000), 3, false)], 1)
            .expect("apply");
        let r = core.get_record(id).expect("get");
        assert_eq!(r.body["people_reached"], json!(3));
        assert!(matches!(
            r.sync,
            RecordSync::Local | RecordSync::Sent { .. }
        ));
        assert_eq!(
            r.to_envelope(false).unknown["from_the_future"],
            json!({"x": 1})
        );
        // An older version arriving late changes nothing.
        core.apply_pulled(&org, &[env(id, &h(500), 9, false)], 2)
            .expect("apply");
        assert_eq!(
            core.get_record(id).expect("get").body["people_reached"],
            json!(3)
        );
        // A local edit stamps later than anything seen, so it wins over what came before...
        let edited = core
            .edit_record(id, None, json!({"people_reached": 5}))
            .expect("edit");
        assert!(edited.hlc.as_deref() > Some(h(1_000).as_str()));
        core.apply_pulled(&org, &[env(id, &h(1_500), 7, false)], 3)
            .expect("apply");
        assert_eq!(
            core.get_record(id).expect("get").body["people_reached"],
            json!(5)
        );
        // ...and loses to a later one from elsewhere (a device whose clock runs ahead).
        let far = h(9_000_000_000_000);
        core.apply_pulled(&org, &[env(id, &far, 8, false)], 4)
            .expect("apply");
        let r = core.get_record(id).expect("get");
        assert_eq!(r.body["people_reached"], json!(8));
        // A later tombstone deletes it.
        let tomb = shiftlog_wire::hlc::format(9_000_000_000_001, 0, 9);
        core.apply_pulled(&org, &[env(id, &tomb, 0, true)], 5)
            .expect("apply");
        assert!(core.get_record(id).is_err());
        assert_eq!(core.pull_cursor(&org).expect("cursor"), 5);
    }
}
