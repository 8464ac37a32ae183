//! Table tests of supplies bodies: naloxone kits apart from doses, replacement reasons only on
//! kits handed out, returns as their own lines, and bodies from older devices.

use super::*;
use crate::body::{ActivityBody, KindDetails};
use crate::catalogue::{Catalogue, NaloxoneItem};
use crate::check::{check_record, Context, Side};
use crate::error::ValidationError;
use crate::facts::facts;
use serde_json::{json, Value};

fn check(body: Value) -> Result<(), ValidationError> {
    let cat = Catalogue::default_catalogue();
    ActivityBody::parse("supplies_distributed", &body)?.validate(&cat)
}

fn kit(q: i64) -> Value {
    json!({"item": "naloxone_kit_nasal", "quantity": q})
}

#[test]
fn the_default_catalogue_keeps_kits_doses_and_routes_apart() {
    let cat = Catalogue::default_catalogue();
    let n = |id: &str| cat.naloxone(id);
    use crate::body::{NaloxoneForm::*, SupplyRoute::*};
    let item = |form, route| {
        Some(NaloxoneItem {
            form,
            route: Some(route),
        })
    };
    assert_eq!(n("naloxone_kit_nasal"), item(Kit, Nasal));
    assert_eq!(n("naloxone_kit_injectable"), item(Kit, Injectable));
    assert_eq!(n("naloxone_dose_nasal"), item(Dose, Nasal));
    assert_eq!(n("naloxone_dose_injectable"), item(Dose, Injectable));
    assert_eq!(n("syringes"), None);
    // A catalogue saved before items had attributes still reads.
    let mut old = serde_json::to_value(&cat).expect("ser");
    for i in old["items"].as_array_mut().expect("items") {
        i.as_object_mut().expect("item").remove("naloxone");
    }
    let back: Catalogue = serde_json::from_value(old).expect("old catalogue");
    assert_eq!(back.naloxone("naloxone_kit_nasal"), None);
}

#[test]
fn replacement_and_return_rules() {
    let used = |item: &str, q: i64| json!({"item": item, "quantity": q, "reason": "used"});
    let cases: Vec<(Value, Result<(), ValidationError>)> = vec![
        // An older device's body.
        (json!({"items": [kit(2)]}), Ok(())),
        (
            json!({"items": [kit(2)], "replaced": [used("naloxone_kit_nasal", 2)]}),
            Ok(()),
        ),
        (
            json!({"items": [kit(1), kit(1)], "replaced": [used("naloxone_kit_nasal", 1),
                {"item": "naloxone_kit_nasal", "quantity": 1, "reason": "lost"}]}),
            Ok(()),
        ),
        (
            json!({"items": [kit(1)], "replaced": [used("naloxone_kit_nasal", 2)]}),
            Err(ValidationError::ReplacedMoreThanGiven(
                "naloxone_kit_nasal".into(),
            )),
        ),
        (
            json!({"items": [kit(1)], "replaced": [used("naloxone_kit_injectable", 1)]}),
            Err(ValidationError::ReplacedMoreThanGiven(
                "naloxone_kit_injectable".into(),
            )),
        ),
        // Only kits: not single doses, not other supplies.
        (
            json!({"items": [{"item": "naloxone_dose_nasal", "quantity": 3}],
                "replaced": [used("naloxone_dose_nasal", 1)]}),
            Err(ValidationError::NotAKit("naloxone_dose_nasal".into())),
        ),
        (
            json!({"items": [{"item": "syringes", "quantity": 3}], "replaced": [used("syringes", 1)]}),
            Err(ValidationError::NotAKit("syringes".into())),
        ),
        (
            json!({"items": [kit(1)], "replaced": [{"item": "naloxone_kit_nasal", "quantity": 1, "reason": "sold"}]}),
            Err(ValidationError::Malformed(String::new())),
        ),
        (
            json!({"items": [kit(1)], "replaced": [used("naloxone_kit_nasal", 0)]}),
            Err(ValidationError::OutOfRange {
                field: "quantity".into(),
                got: 0,
                min: 1,
                max: MAX_QUANTITY,
            }),
        ),
        // Returns alone are a record; nothing at all is not.
        (
            json!({"items": [], "returned": [{"item": "syringes", "quantity": 40}]}),
            Ok(()),
        ),
        (
            json!({"items": [], "returned": []}),
            Err(ValidationError::NoItems),
        ),
        (
            json!({"items": [], "returned": [{"item": "bananas", "quantity": 1}]}),
            Err(ValidationError::UnknownItem("bananas".into())),
        ),
        (
            json!({"items": [], "returned": [{"item": "syringes", "quantity": 1, "reason": "used"}]}),
            Err(ValidationError::Malformed(String::new())),
        ),
    ];
    for (body, want) in cases {
        let got = check(body.clone());
        match (&got, &want) {
            (Err(ValidationError::Malformed(_)), Err(ValidationError::Malformed(_))) => {}
            _ => assert_eq!(got, want, "{body}"),
        }
    }
}

#[test]
fn flows_keep_returns_and_reasons_apart_and_add_up() {
    let body = json!({
        "items": [kit(3), {"item": "syringes", "quantity": 10}],
        "replaced": [{"item": "naloxone_kit_nasal", "quantity": 2, "reason": "used"}],
        "returned": [{"item": "syringes", "quantity": 40}],
    });
    let a = ActivityBody::parse("supplies_distributed", &body).expect("parse");
    let KindDetails::SuppliesDistributed(s) = &a.details else {
        panic!("supplies")
    };
    let flow = |item: &str, returned, reason: Option<&'static str>, quantity| SupplyFlow {
        item: item.into(),
        returned,
        reason,
        quantity,
    };
    assert_eq!(
        s.flows(),
        vec![
            flow("naloxone_kit_nasal", false, None, 1),
            flow("syringes", false, None, 10),
            flow("naloxone_kit_nasal", false, Some("used"), 2),
            flow("syringes", true, None, 40),
        ]
    );
    // The body goes back out as it came, and an older body gains no new fields.
    assert_eq!(a.to_json()["returned"], body["returned"]);
    let old =
        ActivityBody::parse("supplies_distributed", &json!({"items": [kit(1)]})).expect("old body");
    assert_eq!(
        old.to_json(),
        json!({"items": [kit(1)], "on_shift": true, "shift_id": null,
        "area": null, "role": null, "minutes": null, "people_reached": null, "note": null})
    );
}

/// The server checks the same rules, and counts returns apart from what was handed out.
#[test]
fn the_server_checks_the_same_rules() {
    let cat = Catalogue::default_catalogue();
    let now = chrono::Utc::now();
    let env = |body: Value| -> shiftlog_wire::RecordEnvelope {
        serde_json::from_value(json!({
            "id": uuid::Uuid::now_v7(), "version": 1, "record_type": "activity",
            "kind": "supplies_distributed", "occurred_at": now.to_rfc3339(),
            "recorded_at": now.to_rfc3339(), "deleted": false, "body": body,
        }))
        .expect("envelope")
    };
    for side in [Side::Device, Side::Server] {
        let ctx = Context {
            catalogue: &cat,
            now,
            side,
        };
        let bad = env(json!({"items": [{"item": "syringes", "quantity": 1}],
            "replaced": [{"item": "syringes", "quantity": 1, "reason": "lost"}]}));
        assert_eq!(
            check_record(&bad, &ctx).map(|_| ()),
            Err(ValidationError::NotAKit("syringes".into())),
            "{side:?}"
        );
        let good = env(json!({"items": [], "returned": [{"item": "syringes", "quantity": 40}]}));
        let checked = check_record(&good, &ctx).expect("returns only");
        let f = facts(&good, &checked);
        assert!(f.items.is_empty(), "a return is not handed out");
        assert_eq!(f.supplies.len(), 1);
        assert!(f.supplies[0].returned);
    }
}
