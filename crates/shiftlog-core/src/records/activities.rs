//! Logging an activity, linked to the open shift when there is one.

use uuid::Uuid;

use super::rows::derive_activity;
use super::{not_future, now};
use crate::model::{ActivityBody, NewActivity, Record, RecordSync, RecordType};
use crate::{Core, Result};

impl Core {
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
        // An aggregate entry stands for past days, not for the shift open now.
        let aggregate = parsed.common.period.is_some();
        if let (Some(shift), false) = (&open, aggregate) {
            if parsed.common.shift_id.is_none() && (!says_on_shift || parsed.common.on_shift) {
                parsed.common.shift_id = Some(shift.id);
                parsed.common.on_shift = true;
                parsed.common.role = parsed.common.role.or(shift.body.role.clone());
                parsed.common.area = parsed.common.area.or(shift.body.area.clone());
            }
        } else if !aggregate && !says_on_shift && parsed.common.shift_id.is_none() {
            parsed.common.on_shift = false;
        }
        parsed.validate(&catalogue)?;
        let t = now();
        // An aggregate entry for days that are over happens, unless the worker says, at noon
        // of its last day, so a summary by day puts it inside its period.
        let period_end = parsed
            .common
            .period
            .map(|p| p.to)
            .filter(|to| *to < t.date_naive());
        let occurred_at = match (new.occurred_at, period_end) {
            (Some(at), _) => at,
            (None, Some(to)) => super::local_noon(to).unwrap_or(t),
            (None, None) => t,
        };
        not_future(occurred_at)?;
        if let Some(p) = &parsed.common.period {
            p.check(occurred_at)?;
        }
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
}
