//! Attacks on `verify`: every way we could think of to make it accept what it must refuse,
//! or refuse what it must accept, through the crate's public API only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use ed25519_dalek::Signer;
use serde_json::{json, Value};
use shiftlog_statement::canonical::{canonical_json, signed_bytes, DOMAIN};
use shiftlog_statement::*;

fn key(n: u8) -> StatementKey {
    StatementKey::from_secret(&[n; 32])
}

fn words(s: &str) -> Words {
    Words::same(s)
}

fn statement() -> Statement {
    Statement {
        format: STATEMENT_FORMAT.into(),
        organization: Organization {
            id: "org-1".into(),
            name: "Café Harbour Peers".into(),
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
                label: words("Paid"),
                shifts: 4,
                minutes: 960,
            },
            PayHours {
                pay_type: "unpaid".into(),
                label: words("Unpaid"),
                shifts: 1,
                minutes: 120,
            },
        ],
        activities: vec![ActivityCount {
            kind: "overdose_response".into(),
            label: words("Overdose response"),
            count: 3,
            off_shift: 0,
            minutes: 45,
        }],
        training: vec![TrainingCount {
            topic: "Naloxone".into(),
            count: 2,
            minutes: 90,
        }],
        roles: vec![RoleHeld {
            id: "outreach".into(),
            title: words("Outreach worker"),
            description: words("Walks the route and hands out supplies."),
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

fn signed() -> SignedStatement {
    sign(statement(), &key(1))
}

fn doc_value(doc: &SignedStatement) -> Value {
    serde_json::from_str(&doc.to_json()).unwrap()
}

/// Parses a file text and verifies its one statement.
fn verify_text(text: &str, keys: &KeySet) -> Result<Verified, VerifyError> {
    let docs = parse_file(text)?;
    assert_eq!(docs.len(), 1, "one statement expected");
    verify(&docs[0], keys)
}

/// Must be refused, or else verify to exactly what was signed (same content, same code).
fn refused_or_same(text: &str, what: &str) {
    if let Ok(v) = verify_text(text, &trusted()) {
        assert_eq!(v.statement, statement(), "{what}: verified other content");
        assert_eq!(
            Some(v.short_code),
            signed().short_code(),
            "{what}: other code"
        );
    }
}

fn must_refuse(text: &str, what: &str) -> VerifyError {
    match verify_text(text, &trusted()) {
        Ok(v) => panic!("{what}: accepted {:?}", v.statement),
        Err(e) => e,
    }
}

/// Every leaf of a value, as a JSON pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| leaves(v, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

/// Every object in a value, as a JSON pointer.
fn objects(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            m.iter()
                .for_each(|(k, v)| objects(v, format!("{at}/{k}"), out));
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| objects(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn the_untouched_statement_verifies() {
    let v = verify_text(&signed().to_json(), &trusted()).unwrap();
    assert_eq!(v.statement, statement());
    assert_eq!(Some(v.short_code.clone()), signed().short_code());
    assert_eq!(
        normalize_code(&v.short_code.to_lowercase()),
        Some(v.short_code)
    );
}

#[test]
fn every_leaf_of_the_content_altered_one_at_a_time_is_altered() {
    let base = doc_value(&signed());
    let mut ptrs = Vec::new();
    leaves(&base["statement"], "/statement".into(), &mut ptrs);
    assert!(ptrs.len() > 30, "{ptrs:?}");
    for ptr in ptrs {
        let old = base.pointer(&ptr).unwrap().clone();
        let news: Vec<Value> = match &old {
            Value::Number(n) => {
                let n = n.as_u64().unwrap();
                vec![
                    json!(n + 1),
                    json!(n.saturating_sub(1)),
                    json!(n * 60),
                    json!(u64::MAX),
                ]
            }
            Value::String(s) if ptr.ends_with("/from") || ptr.ends_with("/to") => {
                let d: NaiveDate = s.parse().unwrap();
                vec![
                    json!((d + Duration::days(1)).to_string()),
                    json!((d - Duration::days(1)).to_string()),
                ]
            }
            Value::String(s) if ptr.ends_with("/issued_at") => vec![
                json!("2026-12-02T20:00:01Z"),
                json!("2026-12-02T19:59:59Z"),
                json!("2025-12-02T20:00:00Z"),
                json!(s.replace("20:00:00", "20:00:60")),
            ],
            Value::String(s) => vec![
                json!(format!("{s}x")),
                json!(format!("{s} ")),
                json!(s.to_uppercase()),
                json!(s.chars().skip(1).collect::<String>()),
                json!(""),
            ],
            other => panic!("unexpected leaf {other}"),
        };
        for new in news {
            if new == old {
                continue;
            }
            let mut v = base.clone();
            *v.pointer_mut(&ptr).unwrap() = new.clone();
            let e = must_refuse(&v.to_string(), &format!("{ptr} = {new}"));
            // The format field is refused as malformed; a bad time may be too. Anything
            // else that still parses must be caught by the signature.
            if !ptr.ends_with("/format") && !ptr.ends_with("/issued_at") {
                assert_eq!(e, VerifyError::Altered, "{ptr} = {new}");
            }
        }
    }
}

#[test]
fn lists_reordered_shortened_or_lengthened_are_altered() {
    let base = doc_value(&signed());
    for list in ["hours", "activities", "training", "roles"] {
        let mut v = base.clone();
        let a = v["statement"][list].as_array_mut().unwrap();
        let first = a[0].clone();
        a.push(first);
        assert_eq!(
            must_refuse(&v.to_string(), list),
            VerifyError::Altered,
            "{list} doubled"
        );
        let mut v = base.clone();
        v["statement"][list] = json!([]);
        assert_eq!(
            must_refuse(&v.to_string(), list),
            VerifyError::Altered,
            "{list} emptied"
        );
    }
    let mut v = base.clone();
    v["statement"]["hours"].as_array_mut().unwrap().reverse();
    assert_eq!(must_refuse(&v.to_string(), "hours"), VerifyError::Altered);
}

#[test]
fn look_alike_text_nfd_and_homoglyphs_is_altered() {
    let text = signed().to_json();
    assert!(text.contains("Café"));
    for fake in [
        "Cafe\u{301}",
        "C\u{430}fé",
        "Caf\u{e9}\u{200b}",
        "Café\u{feff}",
    ] {
        let t = text.replace("Café", fake);
        assert_eq!(must_refuse(&t, fake), VerifyError::Altered, "{fake:?}");
    }
    // Injection through escaping: a name that looks like it closes the field.
    let t = text.replace("\"org-1\"", r#""org-1\",\"name\":\"x""#);
    must_refuse(&t, "injected id");
}

#[test]
fn other_json_spellings_of_the_same_content_still_verify() {
    let doc = signed();
    let compact = serde_json::to_string(&doc).unwrap();
    let pretty = doc.to_json();
    let spaced = compact.replace(",\"", " ,\n\t \"").replace("\":", "\" : ");
    let escaped = compact
        .replace("Caf\u{e9}", "Caf\\u00e9")
        .replace("Harbour", "\\u0048arbour")
        .replace("org-1", "org\\u002d1")
        .replace("/", "\\/");
    // Keys in reverse order at every level.
    fn reverse(v: &Value) -> String {
        match v {
            Value::Object(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .rev()
                    .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), reverse(v)))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            Value::Array(a) => format!("[{}]", a.iter().map(reverse).collect::<Vec<_>>().join(",")),
            other => other.to_string(),
        }
    }
    let reversed = reverse(&doc_value(&doc));
    let wrapped = serde_json::to_string(&StatementFile::new(vec![doc.clone()])).unwrap();
    for (what, t) in [
        ("compact", compact),
        ("pretty", pretty),
        ("spaced", spaced),
        ("escaped", escaped),
        ("reversed", reversed),
        ("in a file", wrapped),
    ] {
        let v = verify_text(&t, &trusted()).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_eq!(v.statement, statement(), "{what}");
    }
}

#[test]
fn numbers_in_other_spellings_never_verify_to_another_value() {
    let text = serde_json::to_string(&signed()).unwrap();
    assert!(text.contains("\"minutes\":960") && text.contains("\"off_shift\":0"));
    for (field, spellings) in [
        (
            "\"minutes\":960",
            &[
                "960.0",
                "9.6e2",
                "960e0",
                "0960",
                "+960",
                "\"960\"",
                "null",
                "960.0000000000001",
                "18446744073709551616",
                "-960",
            ][..],
        ),
        (
            "\"off_shift\":0",
            &[
                "-0", "0.0", "0e0", "-0.0", "00", "false", "null", "[]", "{}", "\"\"", "1e-400",
            ][..],
        ),
    ] {
        let name = field.split(':').next().unwrap();
        for s in spellings {
            let t = text.replacen(field, &format!("{name}:{s}"), 1);
            refused_or_same(&t, &format!("{name}:{s}"));
        }
    }
}

#[test]
fn unknown_fields_nulls_and_missing_fields_at_every_level_are_refused() {
    let base = doc_value(&signed());
    let mut objs = Vec::new();
    objects(&base, String::new(), &mut objs);
    assert!(objs.len() >= 15, "{objs:?}");
    for ptr in &objs {
        for extra in [json!(null), json!(1), json!("x"), json!({})] {
            let mut v = base.clone();
            v.pointer_mut(ptr)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert("extra".into(), extra);
            let e = must_refuse(&v.to_string(), &format!("{ptr}/extra"));
            assert_eq!(e.code(), "malformed", "{ptr}/extra");
        }
        let fields: Vec<String> = base
            .pointer(ptr)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for f in fields {
            let mut v = base.clone();
            v.pointer_mut(ptr)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(&f);
            must_refuse(&v.to_string(), &format!("{ptr}/{f} missing"));
            let mut v = base.clone();
            v.pointer_mut(ptr).unwrap()[&f] = Value::Null;
            must_refuse(&v.to_string(), &format!("{ptr}/{f} null"));
        }
    }
}

#[test]
fn a_field_written_twice_is_malformed_whichever_value_comes_first() {
    let compact = serde_json::to_string(&signed()).unwrap();
    let other = serde_json::to_string(&sign(statement(), &key(2))).unwrap();
    let sig = signed().signature;
    for (field, evil) in [
        ("\"name\":\"Café Harbour Peers\"", "\"name\":\"Evil\""),
        ("\"minutes\":960", "\"minutes\":9600"),
        ("\"from\":\"2026-11-01\"", "\"from\":\"2020-01-01\""),
        (
            "\"format\":\"shiftlog.signed-statement.v1\"",
            "\"format\":\"shiftlog.statements.v1\"",
        ),
        (&format!("\"signature\":\"{sig}\""), "\"signature\":\"00\""),
    ] {
        assert!(compact.contains(field), "{field}");
        for t in [
            compact.replacen(field, &format!("{evil},{field}"), 1),
            compact.replacen(field, &format!("{field},{evil}"), 1),
        ] {
            assert_eq!(must_refuse(&t, field).code(), "malformed", "{t}");
        }
    }
    // Two statements in one file is fine, but a file with its list twice is not.
    let file = format!(
        "{{\"format\":\"shiftlog.statements.v1\",\"statements\":[{other}],\"statements\":[{compact}]}}"
    );
    assert!(parse_file(&file).is_err());
}

#[test]
fn signatures_from_elsewhere_are_refused() {
    let doc = signed();
    let mut other = statement();
    other.worker.id = "w-2".into();
    let theirs = sign(other, &key(1));
    let mut d = doc.clone();
    d.signature = theirs.signature.clone();
    assert_eq!(verify(&d, &trusted()), Err(VerifyError::Altered));
    // The attacker's own key signs altered content and the file carries their key.
    let mut forged = statement();
    forged.hours[0].minutes = 9600;
    let evil = sign(forged.clone(), &key(9));
    assert_eq!(
        verify(&evil, &trusted()).unwrap_err().code(),
        "unknown_key",
        "a key nobody trusts"
    );
    // Their key with the trusted key's id: the id is not their key's.
    let mut d = evil.clone();
    d.key_id = key(1).key_id();
    assert_eq!(verify(&d, &trusted()).unwrap_err().code(), "malformed");
    // The trusted key and id, with their signature.
    let mut d = evil.clone();
    d.key_id = key(1).key_id();
    d.public_key = hex::encode(key(1).public_key());
    assert_eq!(verify(&d, &trusted()), Err(VerifyError::Altered));
    // A signature over the canonical JSON without the domain prefix, by the trusted key.
    let raw = ed25519_dalek::SigningKey::from_bytes(&key(1).secret());
    let mut d = doc.clone();
    d.signature = hex::encode(raw.sign(&canonical_json(&statement())).to_bytes());
    assert_eq!(verify(&d, &trusted()), Err(VerifyError::Altered));
    assert!(signed_bytes(&statement()).starts_with(DOMAIN));
    // And the right bytes signed directly verify (the prefix is what makes the difference).
    d.signature = hex::encode(raw.sign(&signed_bytes(&statement())).to_bytes());
    assert!(verify(&d, &trusted()).is_ok());
}

/// The identity point, a point of order 4 (y = 0) and other weak public keys: with the
/// signature R = identity, S = 0 a plain (non-strict) check accepts any message.
#[test]
fn weak_public_keys_are_refused_even_when_a_key_list_trusts_them() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut order2 = [0u8; 32]; // y = -1 (p - 1)
    order2[0] = 0xec;
    order2[1..31].fill(0xff);
    order2[31] = 0x7f;
    let mut noncanon_identity = [0xffu8; 32]; // y = p + 1: a non-canonical 1
    noncanon_identity[0] = 0xee;
    noncanon_identity[31] = 0x7f;
    for pk in [identity, [0u8; 32], order2, noncanon_identity, [0xff; 32]] {
        let mut keys = trusted();
        keys.keys.push(PublishedKey {
            key_id: key_id(&pk),
            organization_id: "org-1".into(),
            public_key: hex::encode(pk),
            ..published(&key(1), "org-1")
        });
        for sig in [
            [0u8; 64],
            {
                let mut s = [0u8; 64];
                s[..32].copy_from_slice(&identity);
                s
            },
            {
                let mut s = [0u8; 64];
                s[..32].copy_from_slice(&pk);
                s
            },
        ] {
            let mut d = signed();
            d.key_id = key_id(&pk);
            d.public_key = hex::encode(pk);
            d.signature = hex::encode(sig);
            assert!(
                verify(&d, &keys).is_err(),
                "key {} sig {}",
                hex::encode(pk),
                hex::encode(sig)
            );
            assert!(check_integrity(&d).is_err());
        }
    }
}

#[test]
fn a_non_canonical_s_gives_no_second_valid_signature_nor_second_code() {
    // L, the order of the group, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let doc = signed();
    let sig = doc.signature_bytes().unwrap();
    let mut s = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let t = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        s[i] = t as u8;
        carry = t >> 8;
    }
    assert_eq!(carry, 0);
    let mut bad = sig;
    bad[32..].copy_from_slice(&s);
    let mut d = doc.clone();
    d.signature = hex::encode(bad);
    assert!(verify(&d, &trusted()).is_err(), "S + L accepted");
    // Every single bit flipped anywhere in the signature or the key is refused.
    for i in 0..64 * 8 {
        let mut b = sig;
        b[i / 8] ^= 1 << (i % 8);
        let mut d = doc.clone();
        d.signature = hex::encode(b);
        assert!(verify(&d, &trusted()).is_err(), "signature bit {i}");
    }
}

#[test]
fn signature_and_key_encodings_other_than_hex_of_the_right_length_are_refused() {
    let doc = signed();
    let sig = doc.signature.clone();
    let pk = doc.public_key.clone();
    let b64 = "A".repeat(86) + "==";
    for bad in [
        String::new(),
        sig[..126].to_string(),
        sig[..127].to_string(),
        format!("{sig}00"),
        format!("{sig}0"),
        format!("0x{}", &sig[2..]),
        format!(" {sig}"),
        format!("{sig}\n"),
        b64,
        sig.replace(&sig[..1], "g"),
        "z".repeat(128),
    ] {
        let mut d = doc.clone();
        d.signature = bad.clone();
        assert_eq!(
            verify(&d, &trusted()).unwrap_err().code(),
            "malformed",
            "sig {bad:?}"
        );
    }
    for bad in [
        String::new(),
        pk[..62].to_string(),
        format!("{pk}00"),
        format!("{pk} "),
        pk[1..].to_string(),
    ] {
        let mut d = doc.clone();
        d.public_key = bad.clone();
        assert_eq!(
            verify(&d, &trusted()).unwrap_err().code(),
            "malformed",
            "pk {bad:?}"
        );
    }
    for bad in [
        doc.key_id.to_uppercase(),
        format!("{} ", doc.key_id),
        doc.key_id[..15].to_string(),
        hex::encode(key(1).public_key()),
    ] {
        let mut d = doc.clone();
        d.key_id = bad.clone();
        assert_eq!(
            verify(&d, &trusted()).unwrap_err().code(),
            "malformed",
            "id {bad:?}"
        );
    }
    // Capital hex is the same bytes: the same content and the same code, or refused.
    let mut d = doc.clone();
    d.signature = sig.to_uppercase();
    d.public_key = pk.to_uppercase();
    refused_or_same(&serde_json::to_string(&d).unwrap(), "capital hex");
}

fn with_dates(retired: Option<i64>, revoked: Option<i64>) -> KeySet {
    let issued = statement().issued_at;
    let mut k = published(&key(1), "org-1");
    k.retired_at = retired.map(|s| issued + Duration::seconds(s));
    k.revoked_at = revoked.map(|s| issued + Duration::seconds(s));
    KeySet::new(vec![k])
}

#[test]
fn revoked_keys_refuse_at_any_date_and_retired_keys_only_after() {
    for secs in [-86_400 * 400, -1, 0, 1, 86_400 * 400] {
        let e = verify(&signed(), &with_dates(None, Some(secs))).unwrap_err();
        assert_eq!(e.code(), "revoked_key", "revoked at {secs:+}s");
        let e = verify(&signed(), &with_dates(Some(secs), Some(secs))).unwrap_err();
        assert_eq!(e.code(), "revoked_key", "retired and revoked at {secs:+}s");
    }
    assert_eq!(
        verify(&signed(), &with_dates(Some(-1), None))
            .unwrap_err()
            .code(),
        "retired_key"
    );
    assert!(
        verify(&signed(), &with_dates(Some(0), None)).is_ok(),
        "retired the same second"
    );
    assert!(verify(&signed(), &with_dates(Some(1), None)).is_ok());
    // Moving issued_at before the retirement is an alteration.
    let mut d = signed();
    d.statement.issued_at -= Duration::seconds(10);
    assert_eq!(
        verify(&d, &with_dates(Some(-1), None)),
        Err(VerifyError::Altered)
    );
}

#[test]
fn unknown_keys_empty_lists_and_other_organizations() {
    assert_eq!(
        verify(&signed(), &KeySet::default()).unwrap_err().code(),
        "unknown_key"
    );
    assert_eq!(
        verify(&signed(), &KeySet::new(vec![])).unwrap_err().code(),
        "unknown_key"
    );
    assert_eq!(
        verify(&signed(), &KeySet::new(vec![published(&key(2), "org-1")]))
            .unwrap_err()
            .code(),
        "unknown_key"
    );
    // The right id with another public key in the list.
    let mut k = published(&key(1), "org-1");
    k.public_key = hex::encode(key(2).public_key());
    assert_eq!(
        verify(&signed(), &KeySet::new(vec![k])).unwrap_err().code(),
        "unknown_key"
    );
    for org in ["org-2", "ORG-1", "org-1 ", "", "org\u{2011}1"] {
        let e = verify(&signed(), &KeySet::new(vec![published(&key(1), org)])).unwrap_err();
        assert_eq!(e.code(), "wrong_organization", "{org:?}");
    }
    // Org 2's trusted key signing a statement in org 1's name.
    let mut keys = trusted();
    keys.keys.push(published(&key(2), "org-2"));
    assert_eq!(
        verify(&sign(statement(), &key(2)), &keys)
            .unwrap_err()
            .code(),
        "wrong_organization"
    );
}

/// A key list holding the same key twice (two lists put together by hand, or a server that
/// lists it again when revoking it) must not let the unrevoked entry hide the revocation.
#[test]
fn a_revocation_in_a_second_entry_for_the_same_key_is_not_ignored() {
    let mut revoked = published(&key(1), "org-1");
    revoked.revoked_at = Some(statement().issued_at);
    let keys = KeySet::new(vec![published(&key(1), "org-1"), revoked]);
    assert_eq!(verify(&signed(), &keys).unwrap_err().code(), "revoked_key");
}

/// A list entry that is not the key it names (its key_id is not its public key's) must not
/// hide the real key when merged in first.
#[test]
fn a_bogus_list_entry_merged_first_does_not_shadow_the_real_key() {
    let mut bogus = published(&key(1), "org-1");
    bogus.public_key = hex::encode(key(9).public_key());
    let mut keys = KeySet::new(vec![bogus]);
    keys.merge(trusted());
    assert!(
        verify(&signed(), &keys).is_ok(),
        "shadowed by an entry that is not the key"
    );
}

/// Nor revoke or retire it when merged in after.
#[test]
fn a_bogus_list_entry_merged_after_does_not_revoke_the_real_key() {
    let mut bogus = published(&key(1), "org-1");
    bogus.public_key = hex::encode(key(9).public_key());
    bogus.revoked_at = Some(statement().issued_at);
    bogus.retired_at = Some(statement().issued_at - Duration::days(30));
    let mut keys = trusted();
    keys.merge(KeySet::new(vec![bogus]));
    assert!(
        verify(&signed(), &keys).is_ok(),
        "revoked by an entry that is not the key"
    );
}

/// Another organization's list cannot revoke or retire a key it does not speak for.
#[test]
fn another_organizations_list_does_not_revoke_or_retire_my_key() {
    let mut other_org = published(&key(1), "org-2");
    other_org.revoked_at = Some(statement().issued_at);
    let mut keys = trusted();
    keys.merge(KeySet::new(vec![other_org.clone()]));
    assert!(
        verify(&signed(), &keys).is_ok(),
        "org-2's list revoked org-1's key"
    );
    other_org.revoked_at = None;
    other_org.retired_at = Some(statement().issued_at - Duration::days(30));
    let mut keys = trusted();
    keys.merge(KeySet::new(vec![other_org]));
    assert!(
        verify(&signed(), &keys).is_ok(),
        "org-2's list retired org-1's key"
    );
}

#[test]
fn a_revocation_survives_merging_in_either_order() {
    let mut revoked = published(&key(1), "org-1");
    revoked.revoked_at = Some(statement().issued_at + Duration::days(1));
    let list = KeySet::new(vec![revoked]);
    let mut a = trusted();
    a.merge(list.clone());
    let mut b = list;
    b.merge(trusted());
    for keys in [a, b] {
        assert_eq!(verify(&signed(), &keys).unwrap_err().code(), "revoked_key");
    }
}

#[test]
fn the_short_code_is_bound_to_what_was_signed() {
    let doc = signed();
    let code = doc.short_code().unwrap();
    assert_eq!(verify(&doc, &trusted()).unwrap().short_code, code);
    assert_eq!(
        sign(statement(), &key(1)).short_code(),
        Some(code.clone()),
        "deterministic"
    );
    assert_ne!(
        sign(statement(), &key(2)).short_code(),
        Some(code.clone()),
        "other key"
    );
    let mut codes = std::collections::HashSet::new();
    codes.insert(code.clone());
    for minutes in (0..300).filter(|m| *m != 120) {
        let mut s = statement();
        s.hours[1].minutes = minutes;
        let c = sign(s, &key(1)).short_code().unwrap();
        assert_eq!(normalize_code(&c), Some(c.clone()));
        assert!(codes.insert(c), "two statements with one code at {minutes}");
    }
    // Content changed under the old signature keeps the code but is refused.
    let mut d = doc.clone();
    d.statement.hours[1].minutes = 0;
    assert_eq!(d.short_code(), Some(code));
    assert_eq!(verify(&d, &trusted()), Err(VerifyError::Altered));
}

#[test]
fn malformed_documents_of_every_size_are_refused_without_panicking() {
    let full = signed().to_json();
    for n in 0..full.len() {
        if full.is_char_boundary(n) {
            assert!(verify_file(&full[..n], &trusted()).is_err(), "prefix {n}");
        }
    }
    let deep_arrays = "[".repeat(100_000);
    let deep_objects = "{\"a\":".repeat(100_000);
    let nested_statement = full.replacen(
        "\"hours\": [",
        &format!("\"hours\": [{}", "[".repeat(50_000)),
        1,
    );
    let huge = format!("{}{}", " ".repeat(MAX_FILE + 1 - full.len()), full);
    let many = serde_json::to_string(&StatementFile::new(vec![signed(); 65])).unwrap();
    let none = serde_json::to_string(&StatementFile::new(vec![])).unwrap();
    let long_name = full.replace("Café Harbour Peers", &"é".repeat(400_000));
    for (what, t) in [
        ("empty", String::new()),
        ("space", " ".into()),
        ("null", "null".into()),
        ("zero", "0".into()),
        ("array", "[]".into()),
        ("object", "{}".into()),
        ("string", "\"x\"".into()),
        ("bom", format!("\u{feff}{full}")),
        ("nul", format!("{full}\0")),
        ("two docs", format!("{full}{full}")),
        ("array of doc", format!("[{full}]")),
        ("deep arrays", deep_arrays),
        ("deep objects", deep_objects),
        ("deep in statement", nested_statement),
        ("over the limit", huge),
        ("65 statements", many),
        ("no statements", none),
        ("long name", long_name),
        (
            "file format only",
            "{\"format\":\"shiftlog.statements.v1\"}".into(),
        ),
    ] {
        let refused = match verify_file(&t, &trusted()) {
            Err(_) => true,
            Ok(all) => all.iter().all(Result::is_err),
        };
        assert!(refused, "{what} accepted");
    }
    // 64 statements just under the limit are all read and verified.
    let most = serde_json::to_string(&StatementFile::new(vec![signed(); 64])).unwrap();
    let all = verify_file(&most, &trusted()).unwrap();
    assert_eq!(all.len(), 64);
    assert!(all.iter().all(Result::is_ok));
}

const MAX_FILE: usize = shiftlog_statement::document::MAX_FILE_BYTES;

#[test]
fn one_bad_statement_in_a_file_does_not_spoil_or_bless_the_others() {
    let mut bad = signed();
    bad.statement.organization.name = "Evil".into();
    let file = serde_json::to_string(&StatementFile::new(vec![
        signed(),
        bad,
        sign(statement(), &key(9)),
    ]))
    .unwrap();
    let got = verify_file(&file, &trusted()).unwrap();
    assert!(got[0].is_ok());
    assert_eq!(got[1], Err(VerifyError::Altered));
    assert_eq!(got[2].as_ref().unwrap_err().code(), "unknown_key");
}
