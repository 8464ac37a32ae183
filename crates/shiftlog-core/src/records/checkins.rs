//! The worker's private check-ins, and the debrief request they may choose to share.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::now;
use super::rows::{conv_err, parse_time, write_record, Derived};
use crate::model::{self, Record, RecordSync, RecordType};
use crate::{Core, Result, ValidationError};

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

/// Setting holding how long check-ins stay on this device: a number of days, or `keep`.
const CHECKIN_RETENTION_SETTING: &str = "checkin_retention_days";

impl Core {
    /// The periods a worker may keep their check-ins for, in days (or until they delete them:
    /// `None` in [`Core::set_checkin_retention_days`]).
    pub const CHECKIN_RETENTION_CHOICES: [u32; 4] = [7, 30, 90, 365];
    /// How long check-ins stay when the worker never chose.
    pub const DEFAULT_CHECKIN_RETENTION_DAYS: u32 = 30;

    /// How long the worker keeps their check-ins on this device: days, or `None` for "until I
    /// delete them". A check-in older than that is removed when the profile opens and after
    /// each sync.
    pub fn checkin_retention_days(&self) -> Result<Option<u32>> {
        Ok(match self.setting(CHECKIN_RETENTION_SETTING)?.as_deref() {
            Some("keep") => None,
            Some(d) => Some(
                d.parse::<u32>()
                    .ok()
                    .filter(|d| Self::CHECKIN_RETENTION_CHOICES.contains(d))
                    .unwrap_or(Self::DEFAULT_CHECKIN_RETENTION_DAYS),
            ),
            None => Some(Self::DEFAULT_CHECKIN_RETENTION_DAYS),
        })
    }

    /// Chooses how long check-ins stay (one of [`Core::CHECKIN_RETENTION_CHOICES`], or `None`
    /// to keep them until deleted). Check-ins already older than a shorter period go now.
    pub fn set_checkin_retention_days(&self, days: Option<u32>) -> Result<()> {
        let value = match days {
            None => "keep".to_string(),
            Some(d) if Self::CHECKIN_RETENTION_CHOICES.contains(&d) => d.to_string(),
            Some(_) => {
                return Err(ValidationError::Malformed("checkin_retention_days".into()).into())
            }
        };
        self.set_setting(CHECKIN_RETENTION_SETTING, &value)?;
        self.purge_expired_checkins()?;
        Ok(())
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
