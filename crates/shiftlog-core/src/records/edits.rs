//! Editing and deleting a record of any type.

use chrono::{DateTime, FixedOffset};
use rusqlite::params;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::not_future;
use super::rows::{derive_activity, derive_shift, write_record, Derived};
use super::training::validate_training;
use crate::model::{ActivityBody, Record, RecordType, ShiftBody, TrainingBody};
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
        let kept = |extra: &mut serde_json::Map<String, Value>, old_extra: Map<String, Value>| {
            for (k, v) in old_extra {
                extra.entry(k).or_insert(v);
            }
        };
        let (body, derived) = match old.record_type {
            RecordType::Activity => {
                let mut parsed = ActivityBody::parse(&old.kind, &body)?;
                if let Ok(before) = ActivityBody::parse(&old.kind, &old.body) {
                    kept(&mut parsed.extra, before.extra);
                }
                parsed.validate(&self.catalogue(Some(&old.org_id))?)?;
                (parsed.to_json(), derive_activity(&parsed))
            }
            RecordType::Shift => {
                let mut s = self.validate_shift(&old.org_id, body)?;
                if let Ok(before) = ShiftBody::parse(&old.body) {
                    kept(&mut s.extra, before.extra);
                }
                // A shift happens when it starts: its time follows its start, whatever the
                // caller passed, so hours never come out negative.
                occurred_at = s.started_at;
                let d = derive_shift(&s);
                (s.to_json(), d)
            }
            RecordType::Training => {
                let mut t = validate_training(body)?;
                if let Ok(before) = TrainingBody::parse(&old.body) {
                    kept(&mut t.extra, before.extra);
                }
                (t.to_json(), Derived::default())
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
}
