//! What a statement counts, from one worker's records over the period: shift time by pay
//! type, activities by kind, training taken by topic, and the roles held with what the
//! catalogue says each is for. Nothing else is read: not people reached, naloxone doses,
//! outcomes, areas, notes, debrief requests or payments, so nothing about the people served
//! (or what the worker was paid) can reach a statement.

use std::collections::BTreeMap;

use shiftlog_model::body::{topic_key, TrainingBody, TrainingStatus};
use shiftlog_model::kinds::builtin_label;
use shiftlog_server_db::WorkRow;
use shiftlog_statement::{ActivityCount, PayHours, RoleHeld, TrainingCount, Words};
use shiftlog_wire::CatalogueResponse;

/// The counted parts of a statement.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Counts {
    pub hours: Vec<PayHours>,
    pub activities: Vec<ActivityCount>,
    pub training: Vec<TrainingCount>,
    pub roles: Vec<RoleHeld>,
}

fn minutes(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn words_of(id: &str, section: &[shiftlog_wire::CatalogueEntryWire]) -> Words {
    if let Some(l) = builtin_label(id) {
        return Words { en: l.en, fr: l.fr };
    }
    match section.iter().find(|e| e.id == id) {
        Some(e) => Words::same(&e.label),
        None => Words::same(id),
    }
}

/// Counts `rows` (one worker's live records) with the words of `catalogue`.
pub(crate) fn count(rows: &[WorkRow], catalogue: &CatalogueResponse) -> Counts {
    let mut hours: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    let mut topics: BTreeMap<String, (String, u64, u64)> = BTreeMap::new();
    let mut roles: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in rows {
        match row.record_type.as_str() {
            "shift" => {
                let m = minutes(row.shift_minutes);
                if let Some(pay) = &row.pay_type {
                    let h = hours.entry(pay.clone()).or_default();
                    h.0 += 1;
                    h.1 += m;
                }
                if let Some(role) = &row.role {
                    let r = roles.entry(role.clone()).or_default();
                    r.0 += 1;
                    r.1 += m;
                }
            }
            "activity" => {
                let k = kinds.entry(row.kind.clone()).or_default();
                k.0 += 1;
                k.1 += u64::from(!row.on_shift);
                k.2 += minutes(row.minutes);
                // A role used on an activity is a role held, even with no shift logged in it.
                if let Some(role) = &row.role {
                    roles.entry(role.clone()).or_default();
                }
            }
            "training" => {
                let Some(body) = row.body.as_deref() else {
                    continue;
                };
                let Ok(value) = serde_json::from_str(body) else {
                    continue;
                };
                let Ok(t) = TrainingBody::parse(&value) else {
                    continue;
                };
                if t.status != TrainingStatus::Received {
                    continue;
                }
                let e = topics
                    .entry(topic_key(&t.topic))
                    .or_insert_with(|| (t.topic.clone(), 0, 0));
                e.1 += 1;
                e.2 += minutes(t.minutes.unwrap_or(0));
            }
            // Debrief requests are the worker's; payments are never counted here.
            _ => {}
        }
    }
    Counts {
        hours: hours
            .into_iter()
            .map(|(pay_type, (shifts, minutes))| PayHours {
                label: words_of(&pay_type, &[]),
                pay_type,
                shifts,
                minutes,
            })
            .collect(),
        activities: kinds
            .into_iter()
            .map(|(kind, (count, off_shift, minutes))| ActivityCount {
                label: words_of(&kind, &catalogue.activity_kinds),
                kind,
                count,
                off_shift,
                minutes,
            })
            .collect(),
        training: topics
            .into_values()
            .map(|(topic, count, minutes)| TrainingCount {
                topic,
                count,
                minutes,
            })
            .collect(),
        roles: roles
            .into_iter()
            .map(|(id, (shifts, minutes))| {
                let entry = catalogue.roles.iter().find(|r| r.id == id);
                RoleHeld {
                    title: Words::same(entry.map_or(id.as_str(), |e| e.label.as_str())),
                    description: Words::same(entry.map_or("", |e| e.description.as_str())),
                    id,
                    shifts,
                    minutes,
                }
            })
            .collect(),
    }
}
