//! The shift's tally (issue 14): every tap saved at once, never below 0, rolled into ordinary
//! records once when the shift ends; aggregate entries for a past period.

mod common;

use chrono::{Duration, Local};
use serde_json::json;
use shiftlog_core::model::NewActivity;
use shiftlog_core::{
    CoreError, EndShift, Lang, RecordQuery, RecordType, StartShift, SummaryQuery, ValidationError,
};

fn start(core: &shiftlog_core::Core) {
    core.start_shift(StartShift {
        started_at: Some(Local::now().fixed_offset() - Duration::hours(2)),
        ..StartShift::default()
    })
    .expect("start");
}

/// The record model's code behind a refusal.
fn why(e: CoreError) -> &'static str {
    match e {
        CoreError::Invalid(v) => v.code(),
        other => panic!("not a refusal: {other:?}"),
    }
}

fn count(core: &shiftlog_core::Core, key: &str) -> i64 {
    core.tally(None)
        .expect("tally")
        .counters
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.count)
        .expect("counter")
}

#[test]
fn a_tally_needs_an_open_shift_and_offers_items_and_contact_kinds() {
    let (_dir, core) = common::profile();
    let e = core.tally(None).expect_err("no shift");
    assert!(
        matches!(e, CoreError::Invalid(ValidationError::NoOpenShift)),
        "{e:?}"
    );
    let e = core
        .tally_change(None, "naloxone_kit", 1)
        .expect_err("no shift");
    assert!(
        e.message(Lang::Fr).contains("quart"),
        "{}",
        e.message(Lang::Fr)
    );
    start(&core);
    let t = core.tally(None).expect("tally");
    let keys: Vec<&str> = t.counters.iter().map(|c| c.key.as_str()).collect();
    assert!(keys.contains(&"people:outreach_contact"), "{keys:?}");
    assert!(keys.contains(&"people:meal_service"), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("item:")), "{keys:?}");
    assert!(t.counters.iter().all(|c| c.count == 0));
    let e = core
        .tally_change(None, "plutonium", 1)
        .expect_err("unknown");
    assert_eq!(why(e), "unknown_item");
}

#[test]
fn every_tap_is_saved_at_once_and_never_goes_below_zero() {
    let (dir, core) = common::profile();
    start(&core);
    let item = core.tally(None).expect("tally").counters[0].key.clone();
    for _ in 0..7 {
        core.tally_change(None, &item, 1).expect("tap");
    }
    core.tally_change(None, &item, -1).expect("tap");
    core.tally_change(None, "outreach_contact", 3)
        .expect("bare kind id");
    core.tally_change(None, "people:peer_education", -1)
        .expect("at 0");
    assert_eq!(count(&core, &item), 6);
    assert_eq!(count(&core, "people:outreach_contact"), 3);
    assert_eq!(count(&core, "people:peer_education"), 0);
    let e = core
        .tally_change(None, &item, 10_000)
        .expect_err("over the limit");
    assert_eq!(why(e), "out_of_range");
    assert_eq!(count(&core, &item), 6, "a refused tap changes nothing");
    // Reopened (the process could have died right after the last tap): all there.
    drop(core);
    let core = common::open(dir.path()).expect("reopen");
    assert_eq!(count(&core, &item), 6);
    assert_eq!(count(&core, "people:outreach_contact"), 3);
}

#[test]
fn ending_the_shift_rolls_the_tally_into_records_once() {
    let (dir, core) = common::profile();
    start(&core);
    let items: Vec<String> = core
        .tally(None)
        .expect("tally")
        .counters
        .iter()
        .filter(|c| c.key.starts_with("item:"))
        .map(|c| c.id.clone())
        .take(2)
        .collect();
    core.tally_change(None, &items[0], 40).expect("tap");
    core.tally_change(None, &items[1], 2).expect("tap");
    core.tally_change(None, &items[1], -2).expect("back to 0");
    core.tally_change(None, "people:outreach_contact", 25)
        .expect("tap");
    core.tally_change(None, "people:meal_service", 12)
        .expect("tap");
    let shift = core.end_shift(EndShift::default()).expect("end");
    let acts = core
        .list_records(&RecordQuery {
            record_type: Some(RecordType::Activity),
            ..RecordQuery::default()
        })
        .expect("list");
    assert_eq!(acts.len(), 3, "{acts:#?}");
    for r in &acts {
        assert_eq!(r.body["source"], "tally");
        assert_eq!(r.body["shift_id"], json!(shift.id));
        assert_eq!(r.body["on_shift"], true);
    }
    let supplies = acts
        .iter()
        .find(|r| r.kind == "supplies_distributed")
        .expect("supplies");
    assert_eq!(
        supplies.body["items"],
        json!([{"item": items[0], "quantity": 40}]),
        "a line per item above 0"
    );
    let people = |k: &str| {
        acts.iter()
            .find(|r| r.kind == k)
            .map(|r| r.body["people_reached"].clone())
    };
    assert_eq!(people("outreach_contact"), Some(json!(25)));
    assert_eq!(people("meal_service"), Some(json!(12)));
    assert_eq!(people("peer_education"), None);
    // Summaries see them as records.
    let now = Local::now().fixed_offset();
    let s = core
        .summary(&SummaryQuery {
            from: now - Duration::days(1),
            to: now + Duration::days(1),
            org_id: None,
        })
        .expect("summary");
    assert_eq!(s.total.people_reached, 37);
    assert_eq!(s.total.supplies_by_item.get(&items[0]), Some(&40));
    assert_eq!(s.total.activities, 3);
    // Ending again, or reopening, rolls nothing up again.
    assert!(core.end_shift(EndShift::default()).is_err());
    drop(core);
    let core = common::open(dir.path()).expect("reopen");
    assert!(core.end_shift(EndShift::default()).is_err());
    start(&core);
    assert!(core
        .tally(None)
        .expect("tally")
        .counters
        .iter()
        .all(|c| c.count == 0));
    core.end_shift(EndShift::default())
        .expect("end the empty one");
    let n = core
        .list_records(&RecordQuery {
            record_type: Some(RecordType::Activity),
            ..RecordQuery::default()
        })
        .expect("list")
        .len();
    assert_eq!(
        n, 3,
        "an empty tally makes no records, and none is made twice"
    );
}

#[test]
fn an_aggregate_entry_for_a_past_period_is_marked_and_checked() {
    let (_dir, core) = common::profile();
    start(&core);
    let today = Local::now().date_naive();
    let week = json!({"from": today - Duration::days(6), "to": today});
    let rec = core
        .log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: "outreach_contact".into(),
            body: json!({"people_reached": 25, "period": week}),
        })
        .expect("a week");
    assert_eq!(rec.body["period"], week);
    assert!(
        rec.body["shift_id"].is_null(),
        "past days are not the open shift's"
    );
    let quarter = json!({"from": today - Duration::days(92), "to": today});
    for period in [
        quarter,
        json!({"from": today, "to": today - Duration::days(1)}),
        json!({"from": today, "to": today + Duration::days(1)}),
    ] {
        let e = core
            .log_activity(NewActivity {
                org_id: None,
                occurred_at: None,
                kind: "outreach_contact".into(),
                body: json!({"people_reached": 25, "period": period}),
            })
            .expect_err("refused");
        assert!(e.message(Lang::Fr).contains("92 jours"), "{e:?}");
        assert_eq!(why(e), "bad_period", "{period}");
    }
}
