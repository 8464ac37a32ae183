//! The worker's summary is kept as running totals by database triggers; these tests check the
//! totals against a recount from the records themselves after many edits and deletes.

mod common;

use chrono::{Duration, Local};
use serde_json::json;
use shiftlog_core::{NewActivity, RecordQuery, RecordType, SummaryQuery};
use std::collections::BTreeMap;

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn body(rng: &mut Lcg) -> (String, serde_json::Value) {
    match rng.next(4) {
        0 => {
            let item = ["naloxone_kit", "syringes", "pipes"][rng.next(3) as usize];
            (
                "supplies_distributed".into(),
                json!({"items": [{"item": item, "quantity": 1 + rng.next(20)},
                             {"item": "test_strips", "quantity": 1 + rng.next(5)}]}),
            )
        }
        1 => (
            "overdose_response".into(),
            json!({"called_911": "yes", "naloxone": {"doses": rng.next(4), "route": "intranasal"}, "outcome": "survived",
                   "on_shift": rng.next(2) == 0, "minutes": rng.next(60)}),
        ),
        2 => {
            let outcome = ["completed", "pending", "declined"][rng.next(3) as usize];
            (
                "systems_navigation".into(),
                json!({"task": "housing", "contact_type": "phone", "outcome": outcome,
                   "minutes": rng.next(90), "travel_minutes": rng.next(30), "on_shift": rng.next(2) == 0}),
            )
        }
        _ => (
            "meal_service".into(),
            json!({"people_reached": rng.next(40), "on_shift": rng.next(2) == 0}),
        ),
    }
}

#[test]
fn running_totals_match_a_recount_after_random_edits_and_deletes() {
    let (_d, core) = common::profile();
    let mut rng = Lcg(42);
    let mut ids = Vec::new();
    let now = Local::now().fixed_offset();
    for _ in 0..300 {
        match rng.next(5) {
            0..=2 => {
                let (kind, b) = body(&mut rng);
                let at = now - Duration::hours(rng.next(24 * 20) as i64);
                let r = core
                    .log_activity(NewActivity {
                        org_id: None,
                        occurred_at: Some(at),
                        kind,
                        body: b,
                    })
                    .expect("log");
                ids.push(r.id);
            }
            3 if !ids.is_empty() => {
                let id = ids[rng.next(ids.len() as u64) as usize];
                if let Ok(old) = core.get_record(id) {
                    // Keep the kind; draw bodies until one of that kind comes up.
                    let b = loop {
                        let (k, nb) = body(&mut rng);
                        if k == old.kind {
                            break nb;
                        }
                    };
                    let at = now - Duration::hours(rng.next(24 * 20) as i64);
                    core.edit_record(id, Some(at), b).expect("edit");
                }
            }
            _ if !ids.is_empty() => {
                let id = ids.swap_remove(rng.next(ids.len() as u64) as usize);
                core.delete_record(id).expect("delete");
            }
            _ => {}
        }
    }
    let s = core
        .summary(&SummaryQuery {
            from: now - Duration::days(30),
            to: now + Duration::days(1),
            org_id: None,
        })
        .expect("summary");

    // Recount from the records themselves.
    let recs = core
        .list_records(&RecordQuery {
            record_type: Some(RecordType::Activity),
            ..RecordQuery::default()
        })
        .expect("list");
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut supplies: BTreeMap<String, i64> = BTreeMap::new();
    let mut doses = 0;
    let mut off = 0;
    let mut off_minutes = 0;
    let mut people = 0;
    let mut nav: BTreeMap<String, u64> = BTreeMap::new();
    for r in &recs {
        *by_kind.entry(r.kind.clone()).or_default() += 1;
        if let Some(items) = r.body["items"].as_array() {
            for l in items {
                *supplies
                    .entry(l["item"].as_str().expect("item").into())
                    .or_default() += l["quantity"].as_i64().expect("q");
            }
        }
        doses += r.body["naloxone"]["doses"].as_i64().unwrap_or(0);
        people += r.body["people_reached"].as_i64().unwrap_or(0);
        if r.body["on_shift"] == json!(false) {
            off += 1;
            off_minutes += r.body["minutes"].as_i64().unwrap_or(0)
                + r.body["travel_minutes"].as_i64().unwrap_or(0);
        }
        if let Some(o) = r.body["outcome"]
            .as_str()
            .filter(|_| r.kind == "systems_navigation")
        {
            *nav.entry(o.into()).or_default() += 1;
        }
    }
    assert!(
        recs.len() > 50,
        "the test must exercise something: {}",
        recs.len()
    );
    assert_eq!(s.total.activities, recs.len() as u64);
    assert_eq!(s.total.activities_by_kind, by_kind);
    assert_eq!(s.total.supplies_by_item, supplies);
    assert_eq!(s.total.naloxone_doses, doses);
    assert_eq!(s.total.people_reached, people);
    assert_eq!(s.total.off_shift_activities, off);
    assert!((s.total.off_shift_hours - off_minutes as f64 / 60.0).abs() < 1e-9);
    assert_eq!(s.total.navigation_by_outcome, nav);
}

#[test]
fn a_record_counts_on_the_local_day_it_happened() {
    let (_d, core) = common::profile();
    let late = chrono::DateTime::parse_from_rfc3339("2026-11-01T23:30:00-08:00").expect("t");
    core.log_activity(NewActivity {
        org_id: None,
        occurred_at: Some(late),
        kind: "meal_service".into(),
        body: json!({}),
    })
    .expect("log");
    let day =
        |d: &str| chrono::DateTime::parse_from_rfc3339(&format!("{d}T00:00:00-08:00")).expect("t");
    let nov1 = core
        .summary(&SummaryQuery {
            from: day("2026-11-01"),
            to: day("2026-11-02"),
            org_id: None,
        })
        .expect("s");
    let nov2 = core
        .summary(&SummaryQuery {
            from: day("2026-11-02"),
            to: day("2026-11-03"),
            org_id: None,
        })
        .expect("s");
    assert_eq!((nov1.total.activities, nov2.total.activities), (1, 0));
}
