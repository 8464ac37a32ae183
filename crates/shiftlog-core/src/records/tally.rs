//! The open shift's tally: large counters per supply item and per contact kind, each tap one
//! durable write; when the shift ends they become ordinary records (one supplies record with a
//! line per item, one record per contact kind with its people reached), marked
//! `"source": "tally"`, in the same transaction that ends the shift, so they roll up once.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::rows::{derive_activity, derive_shift, write_record};
use super::{now, Shift};
use crate::catalogue::Catalogue;
use crate::model::{
    ActivityBody, Record, RecordSync, RecordType, ShiftBody, CONTACT_KINDS, MAX_TALLY,
};
use crate::{Core, Result, ValidationError};
use shiftlog_model::catalogue::Label;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TallyGroup {
    /// A supply item handed out (its quantity).
    Item,
    /// People reached by a contact kind (outreach contact, peer education, …).
    People,
}

impl TallyGroup {
    fn prefix(self) -> &'static str {
        match self {
            TallyGroup::Item => "item",
            TallyGroup::People => "people",
        }
    }
}

/// One counter of the tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TallyCounter {
    /// `item:<item id>` or `people:<kind id>`: what `Core::tally_change` takes.
    pub key: String,
    /// What it counts.
    pub group: TallyGroup,
    /// The catalogue item or activity kind.
    pub id: String,
    /// Its words.
    pub label: Label,
    /// The count so far (never below 0).
    pub count: i64,
}

/// The open shift's tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// The organization.
    pub org_id: String,
    /// The open shift the tally belongs to.
    pub shift_id: Uuid,
    /// Items first, in catalogue order, then contact kinds.
    pub counters: Vec<TallyCounter>,
}

/// Every counter the catalogue offers, at 0.
fn counters_of(cat: &Catalogue) -> Vec<TallyCounter> {
    let mut out = Vec::new();
    if cat.kind_enabled("supplies_distributed") {
        for item in &cat.items {
            out.push(TallyCounter {
                key: format!("item:{}", item.id),
                group: TallyGroup::Item,
                id: item.id.clone(),
                label: item.label.clone(),
                count: 0,
            });
        }
    }
    for k in CONTACT_KINDS.iter().filter(|k| cat.kind_enabled(k)) {
        out.push(TallyCounter {
            key: format!("people:{k}"),
            group: TallyGroup::People,
            id: k.to_string(),
            label: shiftlog_model::kinds::builtin_label(k).unwrap_or_else(|| Label::new(k, k)),
            count: 0,
        });
    }
    out
}

/// The counter `key` names: `item:x`, `people:k`, or a bare item or kind id.
fn find(counters: &[TallyCounter], key: &str) -> Option<usize> {
    counters
        .iter()
        .position(|c| c.key == key)
        .or_else(|| counters.iter().position(|c| c.id == key))
}

impl Core {
    fn open_for_tally(&self, org_id: Option<&str>) -> Result<(Shift, Vec<TallyCounter>)> {
        let org_id = self.resolve_org(org_id)?;
        let shift = self
            .open_shift(Some(&org_id))?
            .ok_or(ValidationError::NoOpenShift)?;
        let counters = counters_of(&*self.catalogue_arc(&org_id)?);
        Ok((shift, counters))
    }

    /// The open shift's tally, every counter the catalogue offers with its count.
    pub fn tally(&self, org_id: Option<&str>) -> Result<Tally> {
        let (shift, mut counters) = self.open_for_tally(org_id)?;
        let db = self.db();
        let mut stmt =
            db.prepare_cached("SELECT counter, count FROM tallies WHERE shift_id = ?1")?;
        let rows = stmt.query_map([shift.id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (key, count) = row?;
            if let Some(c) = counters.iter_mut().find(|c| c.key == key) {
                c.count = count;
            }
        }
        Ok(Tally {
            org_id: shift.org_id,
            shift_id: shift.id,
            counters,
        })
    }

    /// One tap: adds `delta` (+1, −1, or a few at once) to a counter of the open shift's
    /// tally, never below 0, and saves it durably before returning.
    pub fn tally_change(
        &self,
        org_id: Option<&str>,
        key: &str,
        delta: i64,
    ) -> Result<TallyCounter> {
        let (shift, counters) = self.open_for_tally(org_id)?;
        let Some(i) = find(&counters, key) else {
            return Err(ValidationError::UnknownItem(key.to_string()).into());
        };
        let mut counter = counters[i].clone();
        if !(-MAX_TALLY..=MAX_TALLY).contains(&delta) {
            return Err(out_of_range(&counter, delta).into());
        }
        let mut db = self.db();
        let tx = db.transaction()?;
        let had: i64 = tx
            .query_row(
                "SELECT count FROM tallies WHERE shift_id = ?1 AND counter = ?2",
                params![shift.id.to_string(), counter.key],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let count = (had + delta).max(0);
        if count > MAX_TALLY {
            return Err(out_of_range(&counter, count).into());
        }
        tx.execute(
            "INSERT INTO tallies (shift_id, counter, count, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (shift_id, counter) DO UPDATE SET count = ?3, updated_at = ?4",
            params![shift.id.to_string(), counter.key, count, now().to_rfc3339()],
        )?;
        tx.commit()?;
        counter.count = count;
        Ok(counter)
    }

    /// Ends `open` at `ended_at`, and rolls its tally into records, all in one transaction.
    pub(super) fn end_shift_rolling_tally(
        &self,
        open: &Shift,
        ended_at: DateTime<FixedOffset>,
    ) -> Result<Record> {
        let (_, local) = self.resolve_org_local(Some(&open.org_id))?;
        let old = self.get_record(open.id)?;
        let mut parsed = ShiftBody::parse(&old.body)?;
        parsed.ended_at = Some(ended_at);
        let body = self.validate_shift(&open.org_id, parsed.to_json())?;
        let shift = Record {
            occurred_at: body.started_at,
            version: old.version + 1,
            body: body.to_json(),
            hlc: Some(self.stamp()),
            ..old
        };
        let catalogue = self.catalogue_arc(&open.org_id)?;
        let mut db = self.db();
        let tx = db.transaction()?;
        write_record(&tx, &shift, &derive_shift(&body), false)?;
        let counts = counts_of_shift(&tx, open.id)?;
        let roll = RollUp {
            shift: &body,
            shift_id: open.id,
            catalogue: &catalogue,
        };
        let (bodies, rolled) = roll.bodies(&counts);
        // Only what became records leaves the table: a counter whose item or kind the
        // organization has since taken off its list stays, never silently dropped.
        for key in rolled
            .iter()
            .chain(counts.iter().filter(|(_, n)| *n == 0).map(|(k, _)| k))
        {
            tx.execute(
                "DELETE FROM tallies WHERE shift_id = ?1 AND counter = ?2",
                params![open.id.to_string(), key],
            )?;
        }
        for (kind, activity) in bodies {
            let parsed = ActivityBody::parse(kind, &activity)?;
            parsed.validate(&catalogue)?;
            let rec = Record {
                id: Uuid::now_v7(),
                org_id: open.org_id.clone(),
                record_type: RecordType::Activity,
                kind: kind.to_string(),
                occurred_at: ended_at,
                recorded_at: now(),
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
            write_record(&tx, &rec, &derive_activity(&parsed), true)?;
        }
        tx.commit()?;
        drop(db);
        self.sync.wake();
        self.get_record(open.id)
    }
}

fn out_of_range(c: &TallyCounter, got: i64) -> ValidationError {
    ValidationError::OutOfRange {
        field: match c.group {
            TallyGroup::Item => "quantity".into(),
            TallyGroup::People => "people_reached".into(),
        },
        got,
        min: 0,
        max: MAX_TALLY,
    }
}

/// The shift's counters (inside the ending transaction).
fn counts_of_shift(tx: &Transaction<'_>, shift_id: Uuid) -> Result<Vec<(String, i64)>> {
    let mut stmt =
        tx.prepare("SELECT counter, count FROM tallies WHERE shift_id = ?1 ORDER BY counter")?;
    let counts = stmt
        .query_map([shift_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, i64)>>>()?;
    Ok(counts)
}

struct RollUp<'a> {
    shift: &'a ShiftBody,
    shift_id: Uuid,
    catalogue: &'a Catalogue,
}

impl RollUp<'_> {
    /// The activity bodies a tally becomes, by kind (supplies first, items in catalogue order,
    /// then one per contact kind), and the counter keys they took up. Counters at 0, and
    /// those of an item or kind the catalogue no longer has, make no record.
    fn bodies(&self, counts: &[(String, i64)]) -> (Vec<(&'static str, Value)>, Vec<String>) {
        let base = || {
            json!({
                "shift_id": self.shift_id, "on_shift": true, "area": self.shift.area,
                "role": self.shift.role, "source": "tally",
            })
        };
        let mut rolled = Vec::new();
        let mut count_of = |g: TallyGroup, id: &str| {
            let key = format!("{}:{id}", g.prefix());
            let n = counts
                .iter()
                .find(|(k, n)| *k == key && *n > 0)
                .map(|(_, n)| *n);
            if n.is_some() {
                rolled.push(key);
            }
            n
        };
        let mut out = Vec::new();
        let mut lines = Vec::new();
        if self.catalogue.kind_enabled("supplies_distributed") {
            for i in &self.catalogue.items {
                if let Some(n) = count_of(TallyGroup::Item, &i.id) {
                    lines.push(json!({"item": i.id, "quantity": n}));
                }
            }
        }
        if !lines.is_empty() {
            let mut b = base();
            b["items"] = Value::Array(lines);
            out.push(("supplies_distributed", b));
        }
        for k in CONTACT_KINDS
            .iter()
            .filter(|k| self.catalogue.kind_enabled(k))
        {
            if let Some(n) = count_of(TallyGroup::People, k) {
                let mut b = base();
                b["people_reached"] = json!(n);
                out.push((*k, b));
            }
        }
        (out, rolled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PayType;

    #[test]
    fn counters_off_the_list_or_at_zero_make_no_record_and_are_not_taken() {
        let mut cat = Catalogue::default_catalogue();
        let item = cat.items[0].id.clone();
        let shift = ShiftBody {
            started_at: now(),
            ended_at: Some(now()),
            role: None,
            pay_type: PayType::Paid,
            area: None,
            note: None,
            extra: Default::default(),
        };
        let counts = vec![
            (format!("item:{item}"), 3),
            ("item:gone".to_string(), 2),
            ("people:outreach_contact".to_string(), 0),
            ("people:meal_service".to_string(), 4),
        ];
        let roll = |cat: &Catalogue| {
            RollUp {
                shift: &shift,
                shift_id: Uuid::now_v7(),
                catalogue: cat,
            }
            .bodies(&counts)
        };
        let (bodies, rolled) = roll(&cat);
        let kinds: Vec<&str> = bodies.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, ["supplies_distributed", "meal_service"]);
        assert_eq!(bodies[0].1["items"], json!([{"item": item, "quantity": 3}]));
        assert_eq!(
            rolled,
            [format!("item:{item}"), "people:meal_service".to_string()]
        );
        // The organization stopped counting meals: that counter waits, it is not dropped.
        cat.kinds.retain(|k| k != "meal_service");
        let (bodies, rolled) = roll(&cat);
        assert_eq!(bodies.len(), 1);
        assert_eq!(rolled, [format!("item:{item}")]);
    }
}
