//! Applying records pulled from the organization, and the pull cursor.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::rows::{derive_activity, derive_shift, Derived};
use crate::conflicts::{set_aside, SetAsideStatus};
use crate::model::{ActivityBody, RecordType, ShiftBody};
use crate::{Core, Result};
use shiftlog_model::lww::{self, Version};

/// What a pulled page did on this device.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PullApplied {
    /// Versions written (new records, or newer versions of this organization's).
    pub(crate) applied: usize,
    /// Envelopes refused because their id is a record of another organization on this device:
    /// a server only ever changes records of its own organization.
    pub(crate) refused: usize,
}

impl Core {
    /// Applies records pulled from the organization (the worker's other devices), and the
    /// new cursor, in one transaction. The higher clock wins; a local edit that loses is
    /// dropped everywhere the same way, so every device ends in the server's state. A record
    /// id that belongs to another organization here is refused and counted, never applied.
    pub(crate) fn apply_pulled(
        &self,
        org_id: &str,
        records: &[shiftlog_wire::RecordEnvelope],
        next_cursor: u64,
    ) -> Result<PullApplied> {
        for r in records {
            if let Some(h) = &r.hlc {
                self.observe_stamp(h);
            }
        }
        let mut db = self.db();
        let tx = db.transaction()?;
        let now = Utc::now().to_rfc3339();
        let now_ms = Utc::now().timestamp_millis();
        let mut done = PullApplied::default();
        for env in records {
            // (clock, version, not yet on the server: unsent, or refused and shown to the
            // worker in Needs attention, organization)
            let local: Option<(Option<String>, u32, bool, String)> = tx
                .prepare_cached(
                    "SELECT hlc, version,
                         sync_change_counter > 0 OR rejected_reason IS NOT NULL, org_id
                     FROM records WHERE id = ?1",
                )?
                .query_row([env.id.to_string()], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })
                .optional()?;
            if local.as_ref().is_some_and(|l| l.3 != org_id) {
                done.refused += 1;
                continue;
            }
            let take = match &local {
                None => true,
                Some((lh, lv, _, _)) => lww::newer(
                    Version {
                        version: env.version,
                        hlc: env.hlc.as_deref(),
                    },
                    Version {
                        version: *lv,
                        hlc: lh.as_deref(),
                    },
                    now_ms,
                ),
            };
            if !take {
                continue;
            }
            if let Some((_, _, unsent, _)) = local {
                if unsent {
                    // The worker changed this record here and the change is not on the server
                    // (not sent yet, or refused): a newer one from another device wins, and
                    // theirs is kept to look at.
                    set_aside(
                        &tx,
                        env.id,
                        SetAsideStatus::Superseded,
                        "A newer change to this record came from another of your devices. Your version is kept here.",
                    )?;
                }
            }
            if apply_envelope(&tx, org_id, env, &now)? {
                done.applied += 1;
            }
        }
        tx.execute(
            "INSERT INTO sync_state (org_id, pull_cursor) VALUES (?1, ?2)
             ON CONFLICT(org_id) DO UPDATE SET pull_cursor = MAX(pull_cursor, ?2)",
            params![org_id, next_cursor as i64],
        )?;
        tx.commit()?;
        Ok(done)
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

/// Writes a version that won (pulled, or the server's answer to a push) over the local row,
/// inside the caller's transaction, marked as on the server. False for a record type this
/// version cannot show, and for an id that is a record of another organization (the upsert's
/// `WHERE` leaves it untouched: a server never changes another organization's records).
pub(crate) fn apply_envelope(
    tx: &rusqlite::Transaction<'_>,
    org_id: &str,
    env: &shiftlog_wire::RecordEnvelope,
    now: &str,
) -> Result<bool> {
    let Some(rt) = RecordType::parse(&env.record_type) else {
        return Ok(false); // a record type this version cannot show; the server keeps it
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
    let unknown = (!env.unknown.is_empty()).then(|| Value::Object(env.unknown.clone()).to_string());
    let body = if env.deleted {
        json!({})
    } else {
        env.body.clone()
    };
    // One upsert for both cases: a new record is inserted; a known one takes the
    // newer version (the summary triggers see an insert or an update accordingly).
    let changed = tx
        .prepare_cached(
            "INSERT INTO records (id, org_id, record_type, kind, occurred_at,
                 occurred_utc_ms, recorded_at, version, deleted, body, area, on_shift,
                 minutes, people_reached, naloxone_doses, outcome, pay_type,
                 ended_utc_ms, hlc, unknown, sync_change_counter, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                     ?16, ?17, ?18, ?19, ?20, 0, ?21)
             ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,
                 occurred_at = excluded.occurred_at,
                 occurred_utc_ms = excluded.occurred_utc_ms,
                 version = excluded.version, deleted = excluded.deleted,
                 body = excluded.body, area = excluded.area, on_shift = excluded.on_shift,
                 minutes = excluded.minutes, people_reached = excluded.people_reached,
                 naloxone_doses = excluded.naloxone_doses, outcome = excluded.outcome,
                 pay_type = excluded.pay_type, ended_utc_ms = excluded.ended_utc_ms,
                 hlc = excluded.hlc, unknown = excluded.unknown,
                 sync_change_counter = 0, synced_at = excluded.synced_at,
                 rejected_reason = NULL
             WHERE records.org_id = excluded.org_id",
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
    Ok(changed > 0)
}

#[cfg(test)]
mod pull_tests {
    use super::*;
    use crate::model::RecordSync;
    use crate::{KdfParams, Unlock};
    use uuid::Uuid;

    fn core() -> (tempfile::TempDir, std::sync::Arc<Core>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let kdf = KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
        };
        let opts = crate::OpenOptions {
            kdf,
            ..Default::default()
        };
        let core = Core::open(dir.path(), Unlock::Pin("246813".into()), &opts).expect("open");
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
        // Stamps an hour ago, so the ones "from elsewhere" below are real, bounded clocks.
        let base = Utc::now().timestamp_millis() as u64 - 3_600_000;
        let h = |ms: u64| shiftlog_model::hlc::format(base + ms, 0, 9);
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
        // ...and loses to a later one from elsewhere (a device whose clock runs ahead, within
        // the drift bound); the worker's unsent edit is set aside, not dropped.
        let far = h(3_600_000 * 20);
        core.apply_pulled(&org, &[env(id, &far, 8, false)], 4)
            .expect("apply");
        let r = core.get_record(id).expect("get");
        assert_eq!(r.body["people_reached"], json!(8));
        let aside = core.set_aside_versions().expect("set aside");
        assert_eq!(aside.len(), 1);
        assert_eq!(aside[0].body["people_reached"], json!(5));
        // A clock centuries ahead is not trusted: it does not win.
        let centuries = shiftlog_model::hlc::format(base * 5, 0, 9);
        core.apply_pulled(&org, &[env(id, &centuries, 99, false)], 4)
            .expect("apply");
        assert_eq!(
            core.get_record(id).expect("get").body["people_reached"],
            json!(8)
        );
        // Keeping the worker's version saves it again, as a newer version.
        core.keep_set_aside(aside[0].id).expect("keep");
        assert_eq!(
            core.get_record(id).expect("get").body["people_reached"],
            json!(5)
        );
        assert!(core.set_aside_versions().expect("list").is_empty());
        // A later tombstone deletes it.
        let tomb = h(3_600_000 * 22);
        core.apply_pulled(&org, &[env(id, &tomb, 0, true)], 5)
            .expect("apply");
        assert!(core.get_record(id).is_err());
        assert_eq!(core.pull_cursor(&org).expect("cursor"), 5);
    }

    #[test]
    fn a_newer_devices_body_fields_survive_a_local_edit() {
        let (_d, core) = core();
        let org = core.resolve_org(None).expect("org");
        let id = Uuid::now_v7();
        let stamp = shiftlog_model::hlc::format(Utc::now().timestamp_millis() as u64 - 1000, 0, 9);
        let mut e = env(id, &stamp, 3, false);
        e.body["future_field"] = json!({"kept": [1, 2]});
        core.apply_pulled(&org, &[e], 1).expect("apply");
        let edited = core
            .edit_record(id, None, json!({"people_reached": 4}))
            .expect("edit");
        assert_eq!(edited.body["people_reached"], json!(4));
        let sent = edited.to_envelope(false);
        assert_eq!(sent.body["future_field"], json!({"kept": [1, 2]}));
        assert_eq!(sent.unknown["from_the_future"], json!({"x": 1}));
    }

    /// Keeping a version whose area the organization has since removed fails with a reason,
    /// and the record stays as the winner (a deletion) left it: nothing stored is altered.
    #[test]
    fn keeping_a_version_the_rules_now_refuse_changes_nothing() {
        let (_d, core) = core();
        let org = core.resolve_org(None).expect("org");
        let base = Utc::now().timestamp_millis() as u64 - 3_600_000;
        let h = |ms: u64| shiftlog_model::hlc::format(base + ms, 0, 9);
        let id = Uuid::now_v7();
        core.apply_pulled(&org, &[env(id, &h(0), 3, false)], 1)
            .expect("apply");
        core.edit_record(id, None, json!({"people_reached": 4, "area": "downtown"}))
            .expect("edit");
        // Another device deletes it later; the unsent edit is set aside.
        core.apply_pulled(&org, &[env(id, &h(3_600_000 * 2), 0, true)], 2)
            .expect("apply");
        assert!(core.get_record(id).is_err());
        let aside = core.set_aside_versions().expect("aside");
        assert_eq!(aside.len(), 1);
        // The organization takes "downtown" off its list.
        let mut cat = core.catalogue(Some(&org)).expect("catalogue");
        cat.areas.retain(|a| a.id != "downtown");
        core.set_catalogue(&org, &cat).expect("set");
        assert!(core.keep_set_aside(aside[0].id).is_err());
        assert!(
            core.get_record(id).is_err(),
            "a refused keep must not bring the deleted record back"
        );
        assert_eq!(core.set_aside_versions().expect("aside").len(), 1);
    }
}
