//! Editing and deleting a record of any type.

use chrono::{DateTime, FixedOffset};
use rusqlite::params;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::not_future;
use super::rows::{derive_activity, derive_shift, write_record, Derived};
use super::training::validate_training;
use crate::model::{ActivityBody, PaymentBody, Record, RecordType, ShiftBody, TrainingBody};
use crate::{Core, Result, ValidationError};

impl Core {
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
        // Fields a newer device put in the body, which this version does not know, are kept
        // verbatim and sent back: the worker's edit changes only what they can see.
        let kept = stored_extra(&old);
        let (body, derived) = match old.record_type {
            RecordType::Activity => {
                let mut parsed = ActivityBody::parse(&old.kind, &body)?;
                keep(&mut parsed.extra, kept);
                parsed.validate(&self.catalogue(Some(&old.org_id))?)?;
                (parsed.to_json(), derive_activity(&parsed))
            }
            RecordType::Shift => {
                let mut s = self.validate_shift(&old.org_id, body)?;
                keep(&mut s.extra, kept);
                // A shift happens when it starts: its time follows its start, whatever the
                // caller passed, so hours never come out negative.
                occurred_at = s.started_at;
                let d = derive_shift(&s);
                (s.to_json(), d)
            }
            RecordType::Training => {
                let mut t = validate_training(body)?;
                keep(&mut t.extra, kept);
                (t.to_json(), Derived::default())
            }
            // Defines no field: whatever a newer device put there is kept, nothing else.
            RecordType::DebriefRequest => (Value::Object(kept), Derived::default()),
            // A shared pay line (the ledger edits it through `Core::edit_payment`).
            RecordType::Payment => {
                let mut p = PaymentBody::parse(&body)?;
                keep(&mut p.extra, kept);
                p.validate()?;
                (p.to_json(), Derived::default())
            }
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
    /// to the organization, and purged with the other synced records past the retention
    /// window (so it can be sent again to a restored server).
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
        // A shared pay line whose record is deleted is no longer shared (docs/pay.md).
        self.db().execute(
            "UPDATE payments SET shared_record_id = NULL WHERE shared_record_id = ?1",
            [id.to_string()],
        )?;
        self.sync.wake();
        Ok(())
    }
}

/// The stored body's fields this version does not define, as the record model reads them.
/// A stored body this version cannot read at all (a newer device changed a field's form)
/// gives all its fields: merged under the edited body, which the model writes with every
/// field it defines, only the ones it does not define come back.
fn stored_extra(old: &Record) -> Map<String, Value> {
    let known = match old.record_type {
        RecordType::Activity => ActivityBody::parse(&old.kind, &old.body)
            .ok()
            .map(|b| b.extra),
        RecordType::Shift => ShiftBody::parse(&old.body).ok().map(|s| s.extra),
        RecordType::Training => TrainingBody::parse(&old.body).ok().map(|t| t.extra),
        RecordType::DebriefRequest => None,
        RecordType::Payment => PaymentBody::parse(&old.body).ok().map(|p| p.extra),
    };
    known.unwrap_or_else(|| old.body.as_object().cloned().unwrap_or_default())
}

/// Adds the kept fields the edited body does not have; the edited body's own win.
fn keep(extra: &mut Map<String, Value>, kept: Map<String, Value>) {
    for (k, v) in kept {
        extra.entry(k).or_insert(v);
    }
}
