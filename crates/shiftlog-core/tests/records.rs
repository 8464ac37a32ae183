//! Every record a worker keeps, through the core API, against a real encrypted SQLite file.

mod common;

use chrono::{Duration, Local};
use serde_json::json;
use shiftlog_core::{
    CoreError, EndShift, NewActivity, NewCheckin, NewTraining, PayType, RecordQuery, RecordType,
    StartShift, SummaryQuery, TrainingStatus, ValidationError,
};

fn activity(kind: &str, body: serde_json::Value) -> NewActivity {
    NewActivity {
        org_id: None,
        occurred_at: None,
        kind: kind.into(),
        body,
    }
}

fn overdose() -> serde_json::Value {
    json!({"called_911": "yes", "ems_arrived": true,
           "naloxone": {"doses": 2, "route": "intranasal"}, "outcome": "survived"})
}

#[test]
fn the_outreach_shift_from_the_brief() {
    let (_d, core) = common::profile();
    let shift = core
        .start_shift(StartShift {
            role: Some("outreach".into()),
            pay_type: Some(PayType::Paid),
            area: Some("downtown".into()),
            ..StartShift::default()
        })
        .expect("start");
    assert!(matches!(
        core.start_shift(StartShift::default()),
        Err(CoreError::Invalid(ValidationError::ShiftAlreadyOpen))
    ));
    for q in [2, 5] {
        core.log_activity(activity(
            "supplies_distributed",
            json!({"items": [{"item": "naloxone_kit", "quantity": q}]}),
        ))
        .expect("supplies");
    }
    let od = core
        .log_activity(activity("overdose_response", overdose()))
        .expect("od");
    assert_eq!(od.body["shift_id"], json!(shift.id));
    assert_eq!(od.body["on_shift"], json!(true));
    assert_eq!(od.body["role"], json!("outreach"), "takes the shift's role");
    assert_eq!(od.body["area"], json!("downtown"), "and its area");
    let c = core
        .record_checkin(NewCheckin {
            after_record_id: Some(od.id),
            debrief_requested: true,
            wellbeing: Some(2),
            private_note: Some("rough one".into()),
            share_debrief_request: true,
            ..NewCheckin::default()
        })
        .expect("checkin");
    assert!(c.shared_record_id.is_some());
    let ended = core.end_shift(EndShift::default()).expect("end");
    assert!(ended.body.ended_at.is_some());
    assert_eq!(ended.version, 2, "ending is an edit");
    assert!(matches!(
        core.end_shift(EndShift::default()),
        Err(CoreError::Invalid(ValidationError::NoOpenShift))
    ));

    // The debrief request that is shared carries nothing but its time.
    let shared = core
        .list_records(&RecordQuery {
            record_type: Some(RecordType::DebriefRequest),
            ..RecordQuery::default()
        })
        .expect("list");
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].body, json!({}));
    assert!(!serde_json::to_string(&shared)
        .expect("json")
        .contains("rough one"));

    let now = Local::now().fixed_offset();
    let s = core
        .summary(&SummaryQuery {
            from: now - Duration::days(1),
            to: now + Duration::days(1),
            org_id: None,
        })
        .expect("summary");
    assert_eq!(s.total.activities, 3);
    assert_eq!(s.total.activities_by_kind["supplies_distributed"], 2);
    assert_eq!(s.total.supplies_by_item["naloxone_kit"], 7);
    assert_eq!(s.total.naloxone_doses, 2);
    assert_eq!(s.total.debriefs_requested, 1);
    assert_eq!(s.total.off_shift_activities, 0);
    assert!(s.total.hours_by_pay_type.contains_key("paid"));
}

#[test]
fn off_shift_work_counts_as_such_and_hours_add_up() {
    let (_d, core) = common::profile();
    let now = Local::now().fixed_offset();
    core.start_shift(StartShift {
        pay_type: Some(PayType::Volunteer),
        started_at: Some(now - Duration::hours(5)),
        ..StartShift::default()
    })
    .expect("start");
    core.end_shift(EndShift {
        ended_at: Some(now - Duration::hours(2)),
        ..EndShift::default()
    })
    .expect("end");
    core.start_shift(StartShift {
        pay_type: Some(PayType::Paid),
        started_at: Some(now - Duration::hours(2)),
        ..StartShift::default()
    })
    .expect("start");
    core.end_shift(EndShift {
        ended_at: Some(now - Duration::minutes(30)),
        ..EndShift::default()
    })
    .expect("end");
    // No open shift: an off-duty overdose response counts as work, off shift.
    let od = core
        .log_activity(activity("overdose_response", overdose()))
        .expect("od");
    assert_eq!(od.body["on_shift"], json!(false));
    core.log_activity(activity(
        "systems_navigation",
        json!({"task": "housing", "contact_type": "accompaniment", "minutes": 60,
               "travel_minutes": 30, "outcome": "pending"}),
    ))
    .expect("nav");
    let s = core
        .summary(&SummaryQuery {
            from: now - Duration::days(1),
            to: now + Duration::days(1),
            org_id: None,
        })
        .expect("summary");
    assert!((s.total.unpaid_hours - 3.0).abs() < 1e-6, "{s:?}");
    assert!((s.total.paid_hours - 1.5).abs() < 1e-6, "{s:?}");
    assert_eq!(s.total.off_shift_activities, 2);
    assert!(
        (s.total.off_shift_hours - 1.5).abs() < 1e-6,
        "travel included"
    );
    assert_eq!(s.total.navigation_by_outcome["pending"], 1);
    let csv = s.to_csv(
        &shiftlog_core::Catalogue::default_catalogue(),
        shiftlog_core::Lang::En,
    );
    assert!(csv.starts_with("organization,section,measure,value\r\n"));
    assert!(csv.contains("Unpaid hours (shifts),3.00"), "{csv}");
    let html = s.to_html(
        &shiftlog_core::Catalogue::default_catalogue(),
        shiftlog_core::Lang::Fr,
    );
    assert!(html.contains("Heures non payées"));
    assert!(html.contains("@media print"));
}

#[test]
fn editing_a_shift_start_moves_the_shift_and_keeps_hours_right() {
    let (_d, core) = common::profile();
    let now = Local::now().fixed_offset();
    let s = core
        .start_shift(StartShift {
            started_at: Some(now - Duration::hours(2)),
            ..StartShift::default()
        })
        .expect("start");
    core.end_shift(EndShift {
        ended_at: Some(now - Duration::hours(1)),
        ..EndShift::default()
    })
    .expect("end");
    let mut body = core.get_record(s.id).expect("get").body;
    body["started_at"] = json!((now - Duration::hours(4)).to_rfc3339());
    let edited = core.edit_record(s.id, None, body).expect("edit start");
    assert_eq!(edited.occurred_at, now - Duration::hours(4));
    let sum = core
        .summary(&SummaryQuery {
            from: now - Duration::days(1),
            to: now + Duration::days(1),
            org_id: None,
        })
        .expect("summary");
    assert!((sum.total.paid_hours - 3.0).abs() < 1e-6, "{:?}", sum.total);
}

#[test]
fn edits_keep_the_id_and_bump_the_version_deletes_leave_tombstones() {
    let (_d, core) = common::profile();
    let a = core
        .log_activity(activity("outreach_contact", json!({"people_reached": 3})))
        .expect("log");
    let edited = core
        .edit_record(a.id, None, json!({"people_reached": 4, "minutes": 20}))
        .expect("edit");
    assert_eq!((edited.id, edited.version), (a.id, 2));
    assert_eq!(edited.body["people_reached"], json!(4));
    // An invalid edit changes nothing.
    let err = core
        .edit_record(a.id, None, json!({"people_reached": -3}))
        .expect_err("invalid");
    assert_eq!(err.code(), "invalid");
    assert_eq!(core.get_record(a.id).expect("get"), edited);
    core.delete_record(a.id).expect("delete");
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
    assert!(matches!(
        core.delete_record(a.id),
        Err(CoreError::Invalid(ValidationError::NotFound(_)))
    ));
}

#[test]
fn invalid_input_stores_nothing_and_says_so_in_both_languages() {
    let (_d, core) = common::profile();
    let bad = [
        activity(
            "overdose_response",
            json!({"called_911": "yes", "naloxone": {"doses": 25, "route": "intranasal"}, "outcome": "survived"}),
        ),
        activity("supplies_distributed", json!({"items": []})),
        activity("meal_service", json!({"minutes": 5000})),
        activity("nonsense", json!({})),
        NewActivity {
            occurred_at: Some(Local::now().fixed_offset() + Duration::days(2)),
            ..activity("meal_service", json!({}))
        },
    ];
    for a in bad {
        let e = core.log_activity(a).expect_err("invalid");
        assert_eq!(e.code(), "invalid");
        let en = e.message(shiftlog_core::Lang::En);
        let fr = e.message(shiftlog_core::Lang::Fr);
        assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{en} / {fr}");
    }
    let e = core
        .log_training(NewTraining {
            org_id: None,
            topic: "  ".into(),
            status: TrainingStatus::Wanted,
            minutes: None,
            occurred_at: None,
        })
        .expect_err("topic needed");
    assert_eq!(e.code(), "invalid");
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
    let t = core
        .log_training(NewTraining {
            org_id: None,
            topic: "Naloxone refresher".into(),
            status: TrainingStatus::Received,
            minutes: Some(90),
            occurred_at: None,
        })
        .expect("training");
    assert_eq!(t.record_type, RecordType::Training);
}

#[test]
fn checkins_stay_private_unless_shared() {
    let (_d, core) = common::profile();
    let c = core
        .record_checkin(NewCheckin {
            debrief_requested: true,
            private_note: Some("private words".into()),
            ..NewCheckin::default()
        })
        .expect("checkin");
    assert!(c.shared_record_id.is_none());
    assert!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .is_empty(),
        "nothing queued"
    );
    let shared = core.share_debrief_request(c.id).expect("share");
    let rec = core
        .get_record(shared.shared_record_id.expect("shared"))
        .expect("rec");
    assert_eq!(rec.body, json!({}));
    assert_eq!(
        core.list_checkins().expect("list")[0]
            .private_note
            .as_deref(),
        Some("private words")
    );
    assert!(matches!(
        core.record_checkin(NewCheckin {
            wellbeing: Some(9),
            ..NewCheckin::default()
        }),
        Err(CoreError::Invalid(ValidationError::OutOfRange { .. }))
    ));
}
