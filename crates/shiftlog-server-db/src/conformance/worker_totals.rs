//! Summaries by worker pseudonym read running totals that triggers keep (`worker_totals`):
//! after any mix of new records, edits that move a record to another worker, kind, day or
//! area, tombstones, restores and purges, they say what the live records themselves say.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use shiftlog_wire::{RecordEnvelope, RecordResult, RecordStatus};
use uuid::Uuid;

use super::{device, unique};
use crate::{
    AggregateQuery, AggregateRow, DeviceAuth, Dimension, Facts, Groups, IngestDecision,
    IngestRecord, Period, RecordFilter, Storage, StoredHead,
};

const KINDS: [(&str, &str); 4] = [
    ("activity", "outreach_contact"),
    ("activity", "overdose_response"),
    ("activity", "systems_navigation"),
    ("shift", "shift"),
];
const AREAS: [Option<&str>; 3] = [Some("downtown"), Some("harbour"), None];

/// A small deterministic generator (xorshift64*), so a failure can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// What the test knows of one stored record.
#[derive(Debug, Clone)]
struct Known {
    version: u32,
    pseudonym: String,
    record_type: &'static str,
    kind: &'static str,
    facts: Facts,
    deleted: bool,
}

/// A random version of a record: its type and kind, day (November and December 2026), area
/// and figures.
fn random_version(rng: &mut Rng, pseudonym: &str, version: u32, deleted: bool) -> Known {
    let (record_type, kind) = KINDS[rng.below(KINDS.len())];
    let day =
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("date") + Duration::days(rng.below(45) as i64);
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let area = AREAS[rng.below(AREAS.len())].map(str::to_string);
    let shift = record_type == "shift";
    Known {
        version,
        pseudonym: pseudonym.to_string(),
        record_type,
        kind,
        facts: Facts {
            day: day.format("%Y-%m-%d").to_string(),
            week: monday.format("%Y-%m-%d").to_string(),
            month: day.format("%Y-%m").to_string(),
            area,
            role: Some(["outreach", "peer"][rng.below(2)].into()),
            on_shift: rng.below(2) == 0,
            minutes: if shift { 0 } else { rng.below(90) as i64 },
            people_reached: if shift { 0 } else { rng.below(6) as i64 },
            naloxone_doses: if kind == "overdose_response" {
                1 + rng.below(3) as i64
            } else {
                0
            },
            nav_task: (kind == "systems_navigation").then(|| "housing".into()),
            pay_type: shift.then(|| ["paid", "volunteer"][rng.below(2)].into()),
            shift_minutes: if shift { 30 + rng.below(480) as i64 } else { 0 },
            ..Facts::default()
        },
        deleted,
    }
}

/// The pushed record `id` for `k`.
fn envelope(id: Uuid, k: &Known) -> IngestRecord {
    let at = format!("{}T12:00:00-08:00", k.facts.day);
    let envelope: RecordEnvelope = serde_json::from_value(serde_json::json!({
        "id": id,
        "version": k.version,
        "record_type": k.record_type,
        "kind": k.kind,
        "occurred_at": at,
        "recorded_at": at,
        "deleted": k.deleted,
        "body": {"area": k.facts.area},
    }))
    .expect("envelope");
    IngestRecord {
        envelope,
        facts: k.facts.clone(),
    }
}

/// The summary by worker that the live records of `known` make for `q`, by (period, key).
fn expected(known: &HashMap<Uuid, Known>, q: &AggregateQuery) -> Vec<AggregateRow> {
    let f = &q.filter;
    let mut groups: BTreeMap<(String, String), AggregateRow> = BTreeMap::new();
    for k in known.values().filter(|k| !k.deleted) {
        let x = &k.facts;
        let keep = f.from.as_ref().is_none_or(|d| x.day >= *d)
            && f.to.as_ref().is_none_or(|d| x.day <= *d)
            && f.record_type.as_ref().is_none_or(|t| t == k.record_type)
            && f.kind.as_ref().is_none_or(|t| t == k.kind)
            && f.area.as_ref().is_none_or(|a| x.area.as_ref() == Some(a));
        if !keep {
            continue;
        }
        let period = match q.period {
            Period::Day => &x.day,
            Period::Week => &x.week,
            Period::Month => &x.month,
        };
        let g = groups
            .entry((period.clone(), k.pseudonym.clone()))
            .or_insert_with(|| AggregateRow {
                period: period.clone(),
                key: k.pseudonym.clone(),
                ..AggregateRow::default()
            });
        g.records += 1;
        g.people_reached += x.people_reached;
        g.naloxone_doses += x.naloxone_doses;
        g.minutes += x.minutes;
        g.shift_minutes += x.shift_minutes;
    }
    groups.into_values().collect()
}

/// The summaries compared after each step: every period, each filter a summary takes.
fn queries() -> Vec<AggregateQuery> {
    let q = |period, filter, groups| AggregateQuery {
        filter,
        period,
        dimension: Dimension::Worker,
        groups,
    };
    let f = RecordFilter::default;
    vec![
        q(Period::Month, f(), Groups::All),
        q(Period::Week, f(), Groups::All),
        q(Period::Day, f(), Groups::All),
        // By worker is never protected: any groups asked for are all of them.
        q(Period::Month, f(), Groups::Each(4)),
        q(
            Period::Day,
            RecordFilter {
                from: Some("2026-11-10".into()),
                to: Some("2026-12-02".into()),
                ..f()
            },
            Groups::All,
        ),
        q(
            Period::Month,
            RecordFilter {
                record_type: Some("activity".into()),
                kind: Some("overdose_response".into()),
                ..f()
            },
            Groups::All,
        ),
        q(
            Period::Week,
            RecordFilter {
                area: Some("harbour".into()),
                ..f()
            },
            Groups::All,
        ),
        q(
            Period::Month,
            RecordFilter {
                record_type: Some("shift".into()),
                ..f()
            },
            Groups::All,
        ),
    ]
}

fn check(s: &dyn Storage, org: &str, known: &HashMap<Uuid, Known>, step: &str) {
    for q in queries() {
        let mut got = s.aggregate(org, &q).expect("aggregate");
        got.sort_by(|a, b| (&a.period, &a.key).cmp(&(&b.period, &b.key)));
        assert_eq!(got, expected(known, &q), "{step}: {q:?}");
    }
}

/// Replaces whatever is stored; never inserts (every id here is known to be stored).
fn replace(r: &IngestRecord, h: Option<&StoredHead>) -> IngestDecision {
    match h {
        Some(_) => IngestDecision::Replace,
        None => IngestDecision::Answer(RecordResult::plain(
            r.envelope.id,
            r.envelope.version,
            RecordStatus::AlreadyHad,
        )),
    }
}

/// Random pushes from four devices of three workers (two devices share one), checked against
/// the records after every step. `purge` removes a record's row outright, as a retention
/// purge would (the backend's own SQL: storage has no purge of its own).
pub fn worker_summaries_match_the_records(s: &dyn Storage, purge: &dyn Fn(&str)) {
    let org = format!("w{}", &unique()[..8]);
    let first = device(s, &org, None);
    let devices: Vec<DeviceAuth> = vec![
        first.clone(),
        device(s, &org, None),
        device(s, &org, None),
        device(s, &org, Some(first.worker_id)),
    ];
    assert_eq!(devices[3].pseudonym, first.pseudonym);
    for seed in [0x9e37_79b9_7f4a_7c15_u64, 0x0123_4567_89ab_cdef] {
        let mut rng = Rng(seed);
        let mut known: HashMap<Uuid, Known> = HashMap::new();
        let mut ids: Vec<Uuid> = Vec::new();
        for step in 0..40 {
            let dev = &devices[rng.below(devices.len())];
            let mut push: Vec<IngestRecord> = Vec::new();
            let mut new: Vec<IngestRecord> = Vec::new();
            let mut touched: Vec<Uuid> = Vec::new();
            for _ in 0..1 + rng.below(8) {
                let pick = (!ids.is_empty()).then(|| ids[rng.below(ids.len())]);
                match (rng.below(10), pick) {
                    (0..=3, _) | (_, None) => {
                        let id = Uuid::now_v7();
                        let k = random_version(&mut rng, &dev.pseudonym, 1, false);
                        new.push(envelope(id, &k));
                        known.insert(id, k);
                        ids.push(id);
                    }
                    (_, Some(id)) if touched.contains(&id) => {}
                    (choice, Some(id)) => {
                        let old = &known[&id];
                        // 4–6 an edit (to this device's worker, any kind, day, area,
                        // figures), 7–8 a tombstone, 9 a restore of a tombstone.
                        let deleted = match choice {
                            7 | 8 => true,
                            9 if old.deleted => false,
                            9 => continue,
                            _ => old.deleted,
                        };
                        let mut k =
                            random_version(&mut rng, &dev.pseudonym, old.version + 1, deleted);
                        if deleted && !old.deleted && choice != 9 {
                            // A tombstone keeps what it deletes.
                            k = Known {
                                version: old.version + 1,
                                pseudonym: dev.pseudonym.clone(),
                                deleted: true,
                                ..old.clone()
                            };
                        }
                        push.push(envelope(id, &k));
                        known.insert(id, k);
                        touched.push(id);
                    }
                }
            }
            let insert = |_: &IngestRecord, _: Option<&StoredHead>| IngestDecision::Insert;
            let insert: crate::Decide<'_> = &insert;
            for (batch, decide) in [(&new, insert), (&push, &replace as crate::Decide<'_>)] {
                let results = s.ingest(dev, batch, decide).expect("ingest");
                assert!(
                    results.iter().all(|r| r.status == RecordStatus::Accepted),
                    "step {step}: {results:?}"
                );
            }
            if rng.below(5) == 0 && !ids.is_empty() {
                let id = ids.swap_remove(rng.below(ids.len()));
                purge(&id.to_string());
                known.remove(&id);
            }
            check(s, &org, &known, &format!("seed {seed:x}, step {step}"));
        }
        let live = known.values().filter(|k| !k.deleted).count();
        assert!(live > 20, "the mix keeps records alive ({live})");
        // The next seed starts from nothing: every record tombstoned.
        let gone: Vec<IngestRecord> = known
            .iter()
            .filter(|(_, k)| !k.deleted)
            .map(|(id, k)| {
                envelope(
                    *id,
                    &Known {
                        version: k.version + 1,
                        deleted: true,
                        ..k.clone()
                    },
                )
            })
            .collect();
        s.ingest(&devices[0], &gone, &replace).expect("tombstones");
        known.values_mut().for_each(|k| k.deleted = true);
        check(s, &org, &known, "all tombstoned");
        assert!(s
            .aggregate(&org, &queries()[0])
            .expect("aggregate")
            .is_empty());
    }
}
