//! The statement's guarantees as table tests: every field tampered with is caught, and each
//! reason to refuse is told apart from the others.

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use shiftlog_model::error::Lang;

use crate::*;

fn key(n: u8) -> StatementKey {
    StatementKey::from_secret(&[n; 32])
}

fn statement() -> Statement {
    Statement {
        format: STATEMENT_FORMAT.into(),
        organization: Organization {
            id: "org-1".into(),
            name: "Harbour Peers".into(),
        },
        worker: Worker {
            id: "w-1".into(),
            pseudonym: "W-1A2B3C4D".into(),
        },
        period: Period {
            from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        },
        issued_at: Utc.with_ymd_and_hms(2026, 12, 2, 20, 0, 0).unwrap(),
        hours: vec![
            PayHours {
                pay_type: "paid".into(),
                label: Words::same("Paid"),
                shifts: 4,
                minutes: 960,
            },
            PayHours {
                pay_type: "unpaid".into(),
                label: Words::same("Unpaid"),
                shifts: 1,
                minutes: 120,
            },
        ],
        activities: vec![ActivityCount {
            kind: "overdose_response".into(),
            label: Words::same("Overdose response"),
            count: 3,
            off_shift: 1,
            minutes: 45,
        }],
        training: vec![TrainingCount {
            topic: "Naloxone".into(),
            count: 2,
            minutes: 90,
        }],
        roles: vec![RoleHeld {
            id: "outreach".into(),
            title: Words::same("Outreach worker"),
            description: Words::same("Walks the route and hands out supplies."),
            shifts: 5,
            minutes: 1080,
        }],
    }
}

fn published(k: &StatementKey, org: &str) -> PublishedKey {
    PublishedKey {
        key_id: k.key_id(),
        organization_id: org.into(),
        public_key: hex::encode(k.public_key()),
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        retired_at: None,
        revoked_at: None,
    }
}

fn trusted() -> KeySet {
    KeySet::new(vec![published(&key(1), "org-1")])
}

#[test]
fn a_signed_statement_verifies_and_survives_its_file() {
    let doc = sign(statement(), &key(1));
    let v = verify(&doc, &trusted()).unwrap();
    assert_eq!(v.statement, statement());
    assert_eq!(v.short_code, doc.short_code().unwrap());
    let back = parse_file(&doc.to_json()).unwrap();
    assert_eq!(back, vec![doc.clone()]);
    let file = serde_json::to_string(&StatementFile::new(vec![doc.clone(), doc])).unwrap();
    let results = verify_file(&file, &trusted()).unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.is_ok()));
}

#[test]
fn layout_and_key_order_do_not_matter() {
    let doc = sign(statement(), &key(1));
    let spaced = serde_json::to_string_pretty(&doc)
        .unwrap()
        .replace('\n', "\n\t  ");
    let again = parse_file(&spaced).unwrap();
    assert!(verify(&again[0], &trusted()).is_ok());
    let s = &doc.statement;
    let reordered = format!(
        r#"{{"signature":"{}","public_key":"{}","key_id":"{}","statement":{{"roles":{},"training":{},"activities":{},"hours":{},"issued_at":"2026-12-02T20:00:00Z","period":{{"to":"2026-11-30","from":"2026-11-01"}},"worker":{{"pseudonym":"W-1A2B3C4D","id":"w-1"}},"organization":{{"name":"Harbour Peers","id":"org-1"}},"format":"{}"}},"format":"{}"}}"#,
        doc.signature,
        doc.public_key,
        doc.key_id,
        serde_json::to_string(&s.roles).unwrap(),
        serde_json::to_string(&s.training).unwrap(),
        serde_json::to_string(&s.activities).unwrap(),
        serde_json::to_string(&s.hours).unwrap(),
        STATEMENT_FORMAT,
        document::SIGNED_FORMAT,
    );
    let again = parse_file(&reordered).unwrap();
    assert!(verify(&again[0], &trusted()).is_ok());
}

type Tamper = (&'static str, fn(&mut Statement));

/// Every field of the content, changed one at a time after signing.
const TAMPERS: &[Tamper] = &[
    ("organization.id", |s| s.organization.id = "org-2".into()),
    ("organization.name", |s| s.organization.name += "!"),
    ("worker.id", |s| s.worker.id = "w-2".into()),
    ("worker.pseudonym", |s| {
        s.worker.pseudonym = "W-OTHER".into()
    }),
    ("period.from", |s| {
        s.period.from = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
    }),
    ("period.to", |s| {
        s.period.to = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
    }),
    ("issued_at", |s| {
        s.issued_at += chrono::TimeDelta::seconds(1)
    }),
    ("hours.pay_type", |s| s.hours[1].pay_type = "paid".into()),
    ("hours.label.en", |s| {
        s.hours[0].label.en = "Salaried".into()
    }),
    ("hours.label.fr", |s| s.hours[0].label.fr = "Salarié".into()),
    ("hours.shifts", |s| s.hours[0].shifts += 1),
    ("hours.minutes", |s| s.hours[0].minutes += 60),
    ("hours removed", |s| {
        s.hours.pop();
    }),
    ("hours reordered", |s| s.hours.reverse()),
    ("activities.kind", |s| {
        s.activities[0].kind = "meal_service".into()
    }),
    ("activities.label", |s| {
        s.activities[0].label.en = "x".into()
    }),
    ("activities.count", |s| s.activities[0].count = 30),
    ("activities.off_shift", |s| s.activities[0].off_shift = 0),
    ("activities.minutes", |s| s.activities[0].minutes = 450),
    ("activities added", |s| {
        let extra = s.activities[0].clone();
        s.activities.push(extra)
    }),
    ("training.topic", |s| {
        s.training[0].topic = "First aid".into()
    }),
    ("training.count", |s| s.training[0].count = 20),
    ("training.minutes", |s| s.training[0].minutes = 900),
    ("training removed", |s| s.training.clear()),
    ("roles.id", |s| s.roles[0].id = "coordinator".into()),
    ("roles.title.en", |s| {
        s.roles[0].title.en = "Coordinator".into()
    }),
    ("roles.title.fr", |s| {
        s.roles[0].title.fr = "Coordonnatrice".into()
    }),
    ("roles.description.en", |s| {
        s.roles[0].description.en = "Runs the site.".into()
    }),
    ("roles.description.fr", |s| {
        s.roles[0].description.fr = "Dirige le site.".into()
    }),
    ("roles.shifts", |s| s.roles[0].shifts = 50),
    ("roles.minutes", |s| s.roles[0].minutes = 10_800),
];

#[test]
fn every_field_tampered_with_is_altered() {
    let doc = sign(statement(), &key(1));
    for (what, tamper) in TAMPERS {
        let mut bad = doc.clone();
        tamper(&mut bad.statement);
        assert_ne!(bad.statement, doc.statement, "{what} changed nothing");
        assert_eq!(
            verify(&bad, &trusted()),
            Err(VerifyError::Altered),
            "{what}"
        );
        assert_eq!(check_integrity(&bad), Err(VerifyError::Altered), "{what}");
        // Through the file too: what is read is what was checked.
        let read = parse_file(&bad.to_json()).unwrap();
        assert_eq!(
            verify(&read[0], &trusted()),
            Err(VerifyError::Altered),
            "{what}"
        );
    }
}

#[test]
fn tampered_envelope_fields_are_refused() {
    let doc = sign(statement(), &key(1));
    let malformed =
        |d: &SignedStatement| matches!(verify(d, &trusted()), Err(VerifyError::Malformed(_)));

    let mut bad = doc.clone();
    bad.format = "shiftlog.signed-statement.v2".into();
    assert!(malformed(&bad), "format");
    let mut bad = doc.clone();
    bad.statement.format = "shiftlog.statement.v0".into();
    assert!(malformed(&bad), "statement.format");
    let mut bad = doc.clone();
    bad.key_id = key(2).key_id();
    assert!(malformed(&bad), "key_id");
    let mut bad = doc.clone();
    bad.public_key = "zz".into();
    assert!(malformed(&bad), "public_key hex");
    let mut bad = doc.clone();
    bad.signature.truncate(100);
    assert!(malformed(&bad), "signature length");

    // Another key's public half with its own id: the signature no longer holds.
    let mut bad = doc.clone();
    bad.public_key = hex::encode(key(2).public_key());
    bad.key_id = key(2).key_id();
    assert_eq!(verify(&bad, &trusted()), Err(VerifyError::Altered));
    // One bit of the signature.
    let mut bad = doc.clone();
    let mut sig = doc.signature_bytes().unwrap();
    sig[10] ^= 1;
    bad.signature = hex::encode(sig);
    assert_eq!(verify(&bad, &trusted()), Err(VerifyError::Altered));
}

#[test]
fn fields_added_or_doubled_in_the_file_are_malformed() {
    let doc = sign(statement(), &key(1));
    let text = serde_json::to_string(&doc).unwrap();
    let added = text.replacen("\"worker\":{", "\"worker\":{\"legal_name\":\"Jo\",", 1);
    assert!(matches!(parse_file(&added), Err(VerifyError::Malformed(_))));
    let added_top = text.replacen("{", "{\"note\":\"x\",", 1);
    assert!(matches!(
        parse_file(&added_top),
        Err(VerifyError::Malformed(_))
    ));
    let doubled = text.replacen("\"worker\":{", "\"worker\":{\"id\":\"w-9\",", 1);
    assert!(matches!(
        parse_file(&doubled),
        Err(VerifyError::Malformed(_))
    ));
    let float = text.replacen("\"shifts\":4", "\"shifts\":4.0", 1);
    assert!(matches!(parse_file(&float), Err(VerifyError::Malformed(_))));
    let issued = text.replacen("2026-12-02T20:00:00Z", "2026-12-02T20:00:00+00:00", 1);
    assert!(matches!(
        parse_file(&issued),
        Err(VerifyError::Malformed(_))
    ));
    assert!(matches!(parse_file("[]"), Err(VerifyError::Malformed(_))));
    assert!(matches!(parse_file("{"), Err(VerifyError::Malformed(_))));
    let empty = serde_json::to_string(&StatementFile::new(vec![])).unwrap();
    assert!(matches!(parse_file(&empty), Err(VerifyError::Malformed(_))));
    let big = " ".repeat(document::MAX_FILE_BYTES + 1);
    assert!(matches!(parse_file(&big), Err(VerifyError::Malformed(_))));
}

#[test]
fn an_unknown_key_is_told_from_an_altered_statement() {
    let doc = sign(statement(), &key(2));
    assert_eq!(check_integrity(&doc), Ok(()));
    assert_eq!(
        verify(&doc, &trusted()),
        Err(VerifyError::UnknownKey {
            key_id: key(2).key_id()
        })
    );
    assert_eq!(
        verify(&doc, &KeySet::default()),
        Err(VerifyError::UnknownKey {
            key_id: key(2).key_id()
        })
    );
    // A trusted entry with this id but another public key does not make it trusted.
    let mut lying = published(&key(1), "org-1");
    lying.key_id = key(2).key_id();
    assert!(matches!(
        verify(&doc, &KeySet::new(vec![lying])),
        Err(VerifyError::UnknownKey { .. })
    ));
}

#[test]
fn a_key_speaks_only_for_its_organization() {
    let doc = sign(statement(), &key(1));
    let other = KeySet::new(vec![published(&key(1), "org-2")]);
    assert_eq!(
        verify(&doc, &other),
        Err(VerifyError::WrongOrganization {
            key_id: key(1).key_id(),
            key_org: "org-2".into(),
            statement_org: "org-1".into(),
        })
    );
}

#[test]
fn a_revoked_key_refuses_statements_dated_before_and_after() {
    let doc = sign(statement(), &key(1));
    let issued = doc.statement.issued_at;
    for revoked_at in [
        issued - chrono::TimeDelta::days(30),
        issued + chrono::TimeDelta::days(30),
    ] {
        let mut k = published(&key(1), "org-1");
        k.revoked_at = Some(revoked_at);
        assert_eq!(
            verify(&doc, &KeySet::new(vec![k])),
            Err(VerifyError::RevokedKey {
                key_id: key(1).key_id(),
                revoked_at,
                issued_at: issued,
            })
        );
    }
}

#[test]
fn a_retired_key_verifies_what_it_signed_before_rotation_only() {
    let doc = sign(statement(), &key(1));
    let issued = doc.statement.issued_at;
    let mut k = published(&key(1), "org-1");
    k.retired_at = Some(issued + chrono::TimeDelta::days(1));
    assert!(verify(&doc, &KeySet::new(vec![k.clone()])).is_ok());
    k.retired_at = Some(issued - chrono::TimeDelta::days(1));
    assert!(matches!(
        verify(&doc, &KeySet::new(vec![k])),
        Err(VerifyError::RetiredKey { .. })
    ));
}

#[test]
fn merging_key_lists_never_forgets_a_revocation() {
    let mut mine = trusted();
    let mut theirs = trusted();
    theirs.keys[0].revoked_at = Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap());
    theirs.keys.push(published(&key(3), "org-1"));
    mine.merge(theirs);
    assert_eq!(mine.keys.len(), 2);
    assert!(mine.keys[0].revoked_at.is_some());
    mine.merge(trusted());
    assert!(mine.keys[0].revoked_at.is_some());
}

#[test]
fn each_refusal_has_its_own_code_and_words_in_both_languages() {
    let t = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let all = [
        VerifyError::Malformed("x".into()),
        VerifyError::Altered,
        VerifyError::UnknownKey { key_id: "k".into() },
        VerifyError::WrongOrganization {
            key_id: "k".into(),
            key_org: "a".into(),
            statement_org: "b".into(),
        },
        VerifyError::RevokedKey {
            key_id: "k".into(),
            revoked_at: t,
            issued_at: t,
        },
        VerifyError::RetiredKey {
            key_id: "k".into(),
            retired_at: t,
        },
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), all.len());
    for e in &all {
        let (en, fr) = (e.message(Lang::En), e.message(Lang::Fr));
        assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{e:?}");
    }
}

#[test]
fn key_ids_are_sixteen_hex_digits_and_keys_reload_from_their_secret() {
    let k = key(9);
    assert_eq!(k.key_id().len(), 16);
    assert!(k.key_id().chars().all(|c| c.is_ascii_hexdigit()));
    let again = StatementKey::from_secret(&k.secret());
    assert_eq!(again.public_key(), k.public_key());
    assert_ne!(key(8).key_id(), k.key_id());
}

#[test]
fn signing_cuts_the_time_to_whole_seconds() {
    let mut s = statement();
    s.issued_at += chrono::TimeDelta::milliseconds(250);
    let doc = sign(s, &key(1));
    assert_eq!(doc.statement.issued_at, statement().issued_at);
    let read = parse_file(&doc.to_json()).unwrap();
    assert!(verify(&read[0], &trusted()).is_ok());
}
