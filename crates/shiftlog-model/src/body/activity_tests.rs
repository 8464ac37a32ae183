//! Table tests of activity bodies: what the rules accept and refuse.

use super::*;
use crate::catalogue::Catalogue;
use crate::error::ValidationError;
use serde_json::json;

fn check(kind: &str, body: Value) -> Result<(), ValidationError> {
    let cat = Catalogue::default_catalogue();
    ActivityBody::parse(kind, &body)?.validate(&cat)
}

#[test]
fn validation_table() {
    let od =
        |naloxone: Value| json!({"called_911": "yes", "naloxone": naloxone, "outcome": "survived"});
    let cases: Vec<(&str, Value, Result<(), ValidationError>)> = vec![
        (
            "supplies_distributed",
            json!({"items": [{"item": "naloxone_kit", "quantity": 2}]}),
            Ok(()),
        ),
        (
            "supplies_distributed",
            json!({"items": []}),
            Err(ValidationError::NoItems),
        ),
        (
            "supplies_distributed",
            json!({"items": [{"item": "naloxone_kit", "quantity": 0}]}),
            Err(ValidationError::OutOfRange {
                field: "quantity".into(),
                got: 0,
                min: 1,
                max: MAX_QUANTITY,
            }),
        ),
        (
            "supplies_distributed",
            json!({"items": [{"item": "naloxone_kit", "quantity": 10001}]}),
            Err(ValidationError::OutOfRange {
                field: "quantity".into(),
                got: 10001,
                min: 1,
                max: MAX_QUANTITY,
            }),
        ),
        (
            "supplies_distributed",
            json!({"items": [{"item": "bananas", "quantity": 1}]}),
            Err(ValidationError::UnknownItem("bananas".into())),
        ),
        (
            "overdose_response",
            od(json!({"doses": 2, "route": "intranasal"})),
            Ok(()),
        ),
        (
            "overdose_response",
            od(json!({"doses": 20, "route": "intramuscular"})),
            Ok(()),
        ),
        (
            "overdose_response",
            od(json!({"doses": 21, "route": "intranasal"})),
            Err(ValidationError::OutOfRange {
                field: "naloxone_doses".into(),
                got: 21,
                min: 0,
                max: 20,
            }),
        ),
        ("overdose_response", od(Value::Null), Ok(())),
        (
            "outreach_contact",
            json!({"people_reached": 4, "minutes": 30}),
            Ok(()),
        ),
        (
            "meal_service",
            json!({"minutes": 1441}),
            Err(ValidationError::OutOfRange {
                field: "minutes".into(),
                got: 1441,
                min: 0,
                max: MAX_MINUTES,
            }),
        ),
        (
            "emotional_support",
            json!({"people_reached": -1}),
            Err(ValidationError::OutOfRange {
                field: "people_reached".into(),
                got: -1,
                min: 0,
                max: MAX_PEOPLE,
            }),
        ),
        (
            "peer_education",
            json!({"note": "x".repeat(281)}),
            Err(ValidationError::NoteTooLong),
        ),
        (
            "peer_education",
            json!({"area": "moon"}),
            Err(ValidationError::UnknownArea("moon".into())),
        ),
        ("peer_education", json!({"area": "downtown"}), Ok(())),
        (
            "made_up_kind",
            json!({}),
            Err(ValidationError::UnknownKind("made_up_kind".into())),
        ),
        (
            "systems_navigation",
            json!({"task": "housing", "contact_type": "accompaniment", "travel_minutes": 40,
                   "barriers": ["no ID"], "referral": {"destination": "Housing office", "type": "warm_handoff"},
                   "outcome": "pending", "follow_up_date": "2026-12-01", "out_of_pocket_cents": 350}),
            Ok(()),
        ),
    ];
    for (kind, body, want) in cases {
        assert_eq!(check(kind, body.clone()), want, "{kind} {body}");
    }
}

#[test]
fn malformed_bodies_say_what_is_wrong() {
    for (kind, body) in [
        (
            "overdose_response",
            json!({"called_911": "maybe", "outcome": "survived"}),
        ),
        ("overdose_response", json!({"called_911": "yes"})),
        ("systems_navigation", json!({"task": "housing"})),
        ("supplies_distributed", json!({"items": "lots"})),
        ("outreach_contact", json!([])),
    ] {
        assert!(matches!(
            check(kind, body),
            Err(ValidationError::Malformed(_))
        ));
    }
}

#[test]
fn body_round_trips_normalized() {
    let body = json!({"called_911": "yes", "naloxone": {"doses": 2, "route": "intranasal"}, "outcome": "survived"});
    let parsed = ActivityBody::parse("overdose_response", &body).expect("parse");
    assert_eq!(parsed.naloxone_doses(), 2);
    let again = ActivityBody::parse("overdose_response", &parsed.to_json()).expect("reparse");
    assert_eq!(again, parsed);
    assert_eq!(parsed.to_json()["on_shift"], json!(true));
}
