//! The kind definitions agree with the rules.

use super::*;
use crate::body::ActivityBody;

/// A body built from nothing but the definitions' defaults passes the rules (except the
/// fields that must be given), so forms and the command line start from valid values.
#[test]
fn defaults_make_valid_bodies() {
    let cat = Catalogue::default_catalogue();
    for def in kind_definitions(&cat)
        .iter()
        .filter(|d| d.record_type == "activity")
    {
        let mut body = json!({});
        for f in &def.fields {
            if let Some(d) = &f.default {
                set_path(&mut body, &f.id, d.clone());
            }
        }
        if def.id == "supplies_distributed" {
            set_path(
                &mut body,
                "items",
                json!([{"item": "syringes", "quantity": 1}]),
            );
        }
        // A referral is only there when it has a destination.
        if let Some(r) = body.get_mut("referral") {
            *r = Value::Null;
        }
        let parsed = ActivityBody::parse(&def.id, &body).expect(&def.id);
        parsed.validate(&cat).expect(&def.id);
        assert!(parsed.extra.is_empty(), "{}: {:?}", def.id, parsed.extra);
    }
}

#[test]
fn every_choice_field_lists_exactly_what_the_rules_accept() {
    let cat = Catalogue::default_catalogue();
    let defs = kind_definitions(&cat);
    let od = defs
        .iter()
        .find(|d| d.id == "overdose_response")
        .expect("od");
    let Some(FieldDef {
        kind: FieldKind::Choice { options },
        ..
    }) = od.field("called_911")
    else {
        panic!("called_911 is a choice")
    };
    let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["yes", "no", "unknown"]);
    assert_eq!(od.default_of("called_911"), Some(&json!("unknown")));
    let nav = defs
        .iter()
        .find(|d| d.id == "systems_navigation")
        .expect("nav");
    assert_eq!(
        nav.default_of("contact_type"),
        Some(&json!("accompaniment"))
    );
    assert_eq!(nav.default_of("referral.type"), Some(&json!("passive")));
}
