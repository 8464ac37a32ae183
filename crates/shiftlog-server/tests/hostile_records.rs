//! A corpus of hostile records, as a modified or buggy device would send them, pushed to a real
//! server on SQLite and on PostgreSQL. Every one is refused per record with a reason (English or
//! French, as the push asks) and a stable code; the valid records of the same batch are stored;
//! nothing already stored changes; no answer is a 5xx. Then the conflict rules: the same
//! version with another body is a conflict, an edit that loses to a newer clock is superseded,
//! and both answers carry the server's version.

mod common;

use common::*;
use serde_json::{json, Value};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn stamp(ms: i64) -> String {
    format!("{ms:013}-0000-0000abcd")
}

fn base(id: &str) -> Value {
    json!({
        "id": id, "version": 1, "record_type": "activity", "kind": "outreach_contact",
        "occurred_at": "2026-11-20T10:42:00-08:00", "recorded_at": "2026-11-20T10:42:05-08:00",
        "hlc": stamp(now_ms() - 60_000),
        "body": {"people_reached": 3, "minutes": 20, "area": "downtown"}
    })
}

/// `base` with `path` (dotted, into the envelope) set to `value`.
fn with(id: &str, path: &str, value: Value) -> Value {
    let mut r = base(id);
    let mut cur = &mut r;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        cur = cur
            .as_object_mut()
            .expect("object")
            .entry(p.to_string())
            .or_insert_with(|| json!({}));
    }
    cur.as_object_mut()
        .expect("object")
        .insert(parts[parts.len() - 1].to_string(), value);
    r
}

fn kind(id: &str, record_type: &str, kind: &str, body: Value) -> Value {
    let mut r = base(id);
    r["record_type"] = json!(record_type);
    r["kind"] = json!(kind);
    r["body"] = body;
    r
}

/// (what it tries, the record). Each must be refused.
fn corpus(next_id: &mut impl FnMut() -> String) -> Vec<(String, Value)> {
    let mut c: Vec<(String, Value)> = Vec::new();
    let mut add = |what: &str, r: Value| c.push((what.to_string(), r));
    let ms = now_ms();
    let day = 86_400_000;
    // Record types and kinds that do not exist.
    for t in [
        "client",
        "Activity",
        "activity ",
        "",
        "activity\0",
        "x".repeat(200).as_str(),
    ] {
        add(
            &format!("record_type {t:?}"),
            with(&next_id(), "record_type", json!(t)),
        );
    }
    for k in [
        "teleportation",
        "",
        "overdose_response\0",
        "outreach\u{1b}[31m",
        &"k".repeat(65),
        "OVERDOSE_RESPONSE",
        "shift",
    ] {
        add(&format!("kind {k:?}"), with(&next_id(), "kind", json!(k)));
    }
    add(
        "shift with an activity kind",
        kind(
            &next_id(),
            "shift",
            "overdose_response",
            json!({"started_at": "2026-11-20T10:00:00Z", "pay_type": "paid"}),
        ),
    );
    add(
        "training with a made-up kind",
        kind(
            &next_id(),
            "training",
            "juggling",
            json!({"topic": "naloxone", "status": "wanted"}),
        ),
    );
    // Supplies that are not on the list, or malformed lines.
    for (what, items) in [
        ("plutonium", json!([{"item": "plutonium", "quantity": 1}])),
        ("empty item", json!([{"item": "", "quantity": 1}])),
        (
            "item with NUL",
            json!([{"item": "naloxone_kit\u{0}", "quantity": 1}]),
        ),
        ("no lines", json!([])),
        ("not a list", json!("lots")),
        ("quantity 0", json!([{"item": "syringes", "quantity": 0}])),
        (
            "quantity 10001",
            json!([{"item": "syringes", "quantity": 10001}]),
        ),
        (
            "negative quantity",
            json!([{"item": "syringes", "quantity": -5}]),
        ),
        (
            "fractional quantity",
            json!([{"item": "syringes", "quantity": 1.5}]),
        ),
        (
            "quantity as text",
            json!([{"item": "syringes", "quantity": "2"}]),
        ),
        (
            "a line naming a person",
            json!([{"item": "syringes", "quantity": 1, "client": "Sam"}]),
        ),
        (
            "51 lines",
            json!((0..51)
                .map(|_| json!({"item": "syringes", "quantity": 1}))
                .collect::<Vec<_>>()),
        ),
    ] {
        add(
            &format!("supplies: {what}"),
            kind(
                &next_id(),
                "activity",
                "supplies_distributed",
                json!({"items": items}),
            ),
        );
    }
    // Replacement reasons and returns (issue 15): only naloxone kits handed out have a
    // reason, never for more kits than were handed out; returns are lines of their own.
    let kit = json!([{"item": "naloxone_kit_nasal", "quantity": 1}]);
    let why = |item: &str, q: Value, reason: Value| json!([{"item": item, "quantity": q, "reason": reason}]);
    for (what, items, replaced, returned) in [
        (
            "reason on syringes",
            json!([{"item": "syringes", "quantity": 2}]),
            why("syringes", json!(1), json!("used")),
            json!([]),
        ),
        (
            "reason on a single dose",
            json!([{"item": "naloxone_dose_nasal", "quantity": 2}]),
            why("naloxone_dose_nasal", json!(1), json!("used")),
            json!([]),
        ),
        (
            "more kits replaced than handed out",
            kit.clone(),
            why("naloxone_kit_nasal", json!(2), json!("used")),
            json!([]),
        ),
        (
            "a kit replaced but none handed out",
            json!([]),
            why("naloxone_kit_injectable", json!(1), json!("lost")),
            json!([{"item": "syringes", "quantity": 1}]),
        ),
        (
            "a reason not on the list",
            kit.clone(),
            why("naloxone_kit_nasal", json!(1), json!("police")),
            json!([]),
        ),
        (
            "a reason naming a person",
            kit.clone(),
            json!([{"item": "naloxone_kit_nasal", "quantity": 1, "reason": "used", "for": "Sam"}]),
            json!([]),
        ),
        (
            "a replaced kit of no quantity",
            kit.clone(),
            why("naloxone_kit_nasal", json!(0), json!("used")),
            json!([]),
        ),
        ("replaced not a list", kit.clone(), json!("used"), json!([])),
        (
            "returns not on the list",
            json!([]),
            json!([]),
            json!([{"item": "plutonium", "quantity": 1}]),
        ),
        (
            "returns with a reason",
            json!([]),
            json!([]),
            json!([{"item": "syringes", "quantity": 1, "reason": "used"}]),
        ),
        (
            "returns of -40",
            json!([]),
            json!([]),
            json!([{"item": "syringes", "quantity": -40}]),
        ),
        (
            "51 returned lines",
            json!([]),
            json!([]),
            json!((0..51)
                .map(|_| json!({"item": "syringes", "quantity": 1}))
                .collect::<Vec<_>>()),
        ),
        (
            "nothing out and nothing back",
            json!([]),
            json!([]),
            json!([]),
        ),
    ] {
        add(
            &format!("supplies: {what}"),
            kind(
                &next_id(),
                "activity",
                "supplies_distributed",
                json!({"items": items, "replaced": replaced, "returned": returned}),
            ),
        );
    }
    // Areas and roles not on the organization's lists.
    for a in ["moon", "downtown\u{202e}", "", "DOWNTOWN", "downtown "] {
        add(
            &format!("area {a:?}"),
            with(&next_id(), "body.area", json!(a)),
        );
    }
    add("area as a number", with(&next_id(), "body.area", json!(5)));
    for r in ["boss", "outreach\0"] {
        add(
            &format!("role {r:?}"),
            with(&next_id(), "body.role", json!(r)),
        );
    }
    // Ids that are not UUIDv7.
    for id in [
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "c232ab00-9414-11ec-b3c8-9f6bdeced846",
        "1ec9414c-232a-6b00-b3c8-9f6bdeced846",
        "01936d5e-8f7a-8cc0-8a5e-4b1f0f9b2c11",
        "01936d5e-8f7a-7cc0-0a5e-4b1f0f9b2c11",
    ] {
        add(&format!("id {id}"), base(id));
    }
    // Versions out of range.
    for v in [0u64, 1_000_001, u32::MAX as u64] {
        add(
            &format!("version {v}"),
            with(&next_id(), "version", json!(v)),
        );
    }
    // Times out of range.
    for (what, t) in [
        ("year 0001", "0001-01-01T00:00:00Z"),
        ("year 9999", "9999-12-31T23:59:59Z"),
        ("1999", "1999-12-31T23:59:59Z"),
        (
            "three days ahead",
            &(chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339(),
        ),
    ] {
        add(
            &format!("occurred_at {what}"),
            with(&next_id(), "occurred_at", json!(t)),
        );
        add(
            &format!("recorded_at {what}"),
            with(&next_id(), "recorded_at", json!(t)),
        );
    }
    // Clocks that cannot be read, or that run ahead.
    for (what, h) in [
        ("nonsense", "nonsense".to_string()),
        ("empty", String::new()),
        ("300 years ahead", stamp(ms + 300 * 365 * day)),
        ("two days ahead", stamp(ms + 2 * day)),
        ("before 2000", stamp(1_000)),
        ("upper-case node", format!("{ms:013}-0000-0000ABCD")),
        ("NUL inside", format!("{ms:013}-0000-0000ab\0d")),
        (
            "a sign",
            format!("+{:012}-0000-0000abcd", ms % 1_000_000_000_000),
        ),
        ("one character more", format!("{ms:013}-0000-0000abcde")),
        ("escape sequence", format!("{ms:013}-0000-\u{1b}[2Jabc")),
    ] {
        add(&format!("hlc {what}"), with(&next_id(), "hlc", json!(h)));
    }
    // Notes: control characters, direction overrides, too long.
    for (what, n) in [
        ("NUL", "ok\0".to_string()),
        ("ANSI escape", "\u{1b}[31mred\u{1b}[0m".to_string()),
        ("bell", "ring\u{7}".to_string()),
        ("right-to-left override", "abc\u{202e}fed".to_string()),
        ("carriage return", "line\rover".to_string()),
        ("281 characters", "x".repeat(281)),
        ("a number", "5".to_string()),
    ] {
        let v = if what == "a number" {
            json!(5)
        } else {
            json!(n)
        };
        add(&format!("note {what}"), with(&next_id(), "body.note", v));
    }
    // Fields that no protocol defines (names, GPS...), at the top, nested, or on the envelope.
    for f in ["client_name", "gps", "lat", "birth_date", "health_number"] {
        add(
            &format!("body field {f}"),
            with(&next_id(), &format!("body.{f}"), json!("x")),
        );
    }
    add(
        "envelope field",
        with(&next_id(), "gps", json!([49.28, -123.1])),
    );
    // Numbers out of range or of the wrong type.
    for (field, v) in [
        ("people_reached", json!("many")),
        ("people_reached", json!(-1)),
        ("people_reached", json!(10_001)),
        ("people_reached", json!(1e30)),
        ("minutes", json!(1441)),
        ("minutes", json!(2.5)),
        ("on_shift", json!("yes")),
        ("shift_id", json!("nope")),
        ("shift_id", json!("0f8fad5b-d9cb-469f-a165-70867728950e")),
    ] {
        add(
            &format!("{field} = {v}"),
            with(&next_id(), &format!("body.{field}"), v),
        );
    }
    // Overdose responses.
    let od = |extra: Value| {
        let mut b = json!({"called_911": "yes", "outcome": "survived"});
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    for (what, body) in [
        (
            "21 doses",
            od(json!({"naloxone": {"doses": 21, "route": "intranasal"}})),
        ),
        (
            "negative doses",
            od(json!({"naloxone": {"doses": -1, "route": "intranasal"}})),
        ),
        (
            "oral route",
            od(json!({"naloxone": {"doses": 1, "route": "oral"}})),
        ),
        (
            "naloxone with a name",
            od(json!({"naloxone": {"doses": 1, "route": "intranasal", "given_to": "Sam"}})),
        ),
        ("911 maybe", od(json!({"called_911": "maybe"}))),
        ("outcome fine", od(json!({"outcome": "fine"}))),
        ("no outcome", json!({"called_911": "yes"})),
        ("ems as text", od(json!({"ems_arrived": "yes"}))),
        ("body an array", json!([1, 2])),
        ("body a string", json!("overdose")),
        ("body null", Value::Null),
    ] {
        add(
            &format!("overdose: {what}"),
            kind(&next_id(), "activity", "overdose_response", body),
        );
    }
    // Systems navigation.
    let nav = |extra: Value| {
        let mut b = json!({"task": "housing", "contact_type": "phone", "outcome": "pending"});
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    for (what, body) in [
        ("task spying", nav(json!({"task": "spying"}))),
        (
            "contact telepathy",
            nav(json!({"contact_type": "telepathy"})),
        ),
        (
            "referral type",
            nav(json!({"referral": {"destination": "Clinic", "type": "forced"}})),
        ),
        (
            "referral 121 characters",
            nav(json!({"referral": {"destination": "d".repeat(121), "type": "active"}})),
        ),
        (
            "referral empty",
            nav(json!({"referral": {"destination": " ", "type": "active"}})),
        ),
        (
            "referral with a phone number",
            nav(json!({"referral": {"destination": "Clinic", "type": "active", "phone": "555"}})),
        ),
        (
            "referral with NUL",
            nav(json!({"referral": {"destination": "Clinic\0", "type": "active"}})),
        ),
        ("21 barriers", nav(json!({"barriers": vec!["b"; 21]}))),
        (
            "a barrier of 81 characters",
            nav(json!({"barriers": ["b".repeat(81)]})),
        ),
        (
            "a barrier with an escape",
            nav(json!({"barriers": ["\u{1b}]0;title\u{7}"]})),
        ),
        (
            "follow-up tomorrow",
            nav(json!({"follow_up_date": "tomorrow"})),
        ),
        (
            "follow-up in 9999",
            nav(json!({"follow_up_date": "9999-01-01"})),
        ),
        (
            "follow-up in 0001",
            nav(json!({"follow_up_date": "0001-01-01"})),
        ),
        ("cost negative", nav(json!({"out_of_pocket_cents": -1}))),
        (
            "cost above the cap",
            nav(json!({"out_of_pocket_cents": 10_000_001})),
        ),
        ("travel 1441", nav(json!({"travel_minutes": 1441}))),
    ] {
        add(
            &format!("navigation: {what}"),
            kind(&next_id(), "activity", "systems_navigation", body),
        );
    }
    // Shifts.
    for (what, body) in [
        (
            "pay cash",
            json!({"started_at": "2026-11-20T10:00:00Z", "pay_type": "cash"}),
        ),
        (
            "ends before it starts",
            json!({"started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T09:00:00Z", "pay_type": "paid"}),
        ),
        (
            "37 hours",
            json!({"started_at": "2026-11-18T10:00:00Z", "ended_at": "2026-11-19T23:00:00Z", "pay_type": "paid"}),
        ),
        (
            "starts in 9999",
            json!({"started_at": "9999-01-01T00:00:00Z", "pay_type": "paid"}),
        ),
        ("no start", json!({"pay_type": "paid"})),
        (
            "GPS on a shift",
            json!({"started_at": "2026-11-20T10:00:00Z", "pay_type": "paid", "gps": "49,-123"}),
        ),
    ] {
        add(
            &format!("shift: {what}"),
            kind(&next_id(), "shift", "shift", body),
        );
    }
    // Training.
    for (what, body) in [
        ("no topic", json!({"topic": " ", "status": "wanted"})),
        (
            "topic 121 characters",
            json!({"topic": "t".repeat(121), "status": "wanted"}),
        ),
        (
            "status maybe",
            json!({"topic": "naloxone", "status": "maybe"}),
        ),
        (
            "minutes 1441",
            json!({"topic": "naloxone", "status": "received", "minutes": 1441}),
        ),
    ] {
        add(
            &format!("training: {what}"),
            kind(&next_id(), "training", "training", body),
        );
    }
    // Aggregate entries and tally roll-ups (issue 14): the period must make sense, and the
    // markers hold nothing else.
    for (what, body) in [
        (
            "period backwards",
            json!({"people_reached": 3, "period": {"from": "2026-11-20", "to": "2026-11-13"}}),
        ),
        (
            "period of 93 days",
            json!({"people_reached": 3, "period": {"from": "2026-08-20", "to": "2026-11-20"}}),
        ),
        (
            "period ending after the record",
            json!({"people_reached": 3, "period": {"from": "2026-11-20", "to": "2026-11-21"}}),
        ),
        (
            "period in the future",
            json!({"people_reached": 3, "period": {"from": "2026-11-20", "to": "2099-01-01"}}),
        ),
        (
            "period not dates",
            json!({"people_reached": 3, "period": {"from": "last week", "to": "2026-11-20"}}),
        ),
        (
            "period without an end",
            json!({"people_reached": 3, "period": {"from": "2026-11-13"}}),
        ),
        (
            "period with a name",
            json!({"people_reached": 3, "period": {"from": "2026-11-13", "to": "2026-11-20", "who": "Sam"}}),
        ),
        (
            "period a string",
            json!({"people_reached": 3, "period": "2026-Q4"}),
        ),
        (
            "source unknown",
            json!({"people_reached": 3, "source": "scraped"}),
        ),
        (
            "source an object",
            json!({"people_reached": 3, "source": {"tally": true}}),
        ),
        (
            "tally of 10001",
            json!({"people_reached": 10001, "source": "tally"}),
        ),
    ] {
        add(
            &format!("aggregate: {what}"),
            with(&next_id(), "body", body),
        );
    }
    // A debrief request carries no content; a tombstone no body.
    add(
        "debrief with content",
        kind(
            &next_id(),
            "debrief_request",
            "debrief_request",
            json!({"note": "I saw Sam"}),
        ),
    );
    let mut tomb = base(&next_id());
    tomb["deleted"] = json!(true);
    add("tombstone with a body", tomb);
    c
}

async fn push_v2(r: &Running, token: &str, records: Vec<Value>, lang: &str) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/api/v1/push", r.base))
        .bearer_auth(token)
        .json(&json!({"protocol": 2, "lang": lang, "records": records}))
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_record_is_refused_with_a_reason_and_the_rest_are_stored() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let mut n = 0x1000u32;
        let mut next_id = || {
            n += 1;
            rid(n)
        };
        let stored_ids: Vec<String> = (0..5).map(|_| next_id()).collect();
        let (s, _) = push_v2(
            &r,
            &token,
            stored_ids.iter().map(|i| base(i)).collect(),
            "en",
        )
        .await;
        assert_eq!(s, 200);
        let before = export(&r, "demo").await;

        let corpus = corpus(&mut next_id);
        assert!(corpus.len() >= 100, "{} hostile records", corpus.len());
        eprintln!("{b:?}: {} hostile records", corpus.len());
        // Valid records between the hostile ones, in the same batch.
        let mut batch = Vec::new();
        let mut valid = Vec::new();
        for (i, (_, rec)) in corpus.iter().enumerate() {
            batch.push(rec.clone());
            if i % 10 == 0 {
                let id = next_id();
                valid.push(id.clone());
                batch.push(base(&id));
            }
        }
        for lang in ["en", "fr"] {
            let (s, answer) = push_v2(&r, &token, batch.clone(), lang).await;
            assert_eq!(s, 200, "{b:?} {lang}: {answer}");
            let results = answer["results"].as_array().expect("results");
            assert_eq!(results.len(), batch.len());
            let mut k = 0;
            for (i, (what, _)) in corpus.iter().enumerate() {
                let res = &results[k];
                k += 1;
                assert_eq!(
                    res["status"], "rejected",
                    "{b:?}: {what} was not refused: {res}"
                );
                let reason = res["reason"].as_str().unwrap_or_default();
                assert!(reason.len() > 12, "{b:?}: {what}: reason {reason:?}");
                assert!(
                    !reason.chars().any(|c| c.is_control()),
                    "{b:?}: {what}: the reason echoes a control character: {reason:?}"
                );
                assert!(res["reason_code"].is_string(), "{b:?}: {what}: {res}");
                if i % 10 == 0 {
                    let ok = &results[k];
                    k += 1;
                    let want = if lang == "en" {
                        "accepted"
                    } else {
                        "already_had"
                    };
                    assert_eq!(
                        ok["status"], want,
                        "{b:?}: the valid record after {what}: {ok}"
                    );
                }
            }
            if lang == "fr" {
                let reason = results[0]["reason"].as_str().unwrap_or_default();
                assert!(
                    reason.contains("serveur") || reason.contains("enregistrement"),
                    "a French reason: {reason}"
                );
            }
        }
        // Hostile edits of stored records change nothing.
        let edits: Vec<Value> = corpus
            .iter()
            .enumerate()
            .filter(|(_, (what, _))| !what.starts_with("id ") && !what.starts_with("version "))
            .map(|(i, (_, rec))| {
                let mut e = rec.clone();
                e["id"] = json!(stored_ids[i % stored_ids.len()]);
                e["version"] = json!(2);
                e
            })
            .collect();
        let (s, answer) = push_v2(&r, &token, edits, "en").await;
        assert_eq!(s, 200);
        for res in answer["results"].as_array().expect("results") {
            assert_eq!(res["status"], "rejected", "{b:?}: {res}");
        }
        let after = export(&r, "demo").await;
        let stored_part: Vec<&str> = after
            .lines()
            .filter(|l| stored_ids.iter().any(|i| l.contains(i.as_str())))
            .collect();
        let stored_before: Vec<&str> = before.lines().skip(1).collect();
        assert_eq!(stored_part, stored_before, "{b:?}: a stored record changed");
        for id in &valid {
            assert!(
                after.contains(id.as_str()),
                "{b:?}: valid record {id} not stored"
            );
        }
        assert_eq!(
            after.lines().count(),
            1 + stored_ids.len() + valid.len(),
            "{b:?}: a hostile record was stored"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_losing_edit_is_superseded_and_a_different_body_at_the_same_version_is_a_conflict() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let id = rid(0x77);
        let t = now_ms();
        let v = |version: u32, ms: i64, people: i64| {
            let mut x = base(&id);
            x["version"] = json!(version);
            x["hlc"] = json!(stamp(ms));
            x["body"]["people_reached"] = json!(people);
            x
        };
        let (_, a) = push_v2(&r, &token, vec![v(2, t - 1_000, 5)], "en").await;
        assert_eq!(a["results"][0]["status"], "accepted");
        // The same version again: a retry.
        let (_, a) = push_v2(&r, &token, vec![v(2, t - 1_000, 5)], "en").await;
        assert_eq!(a["results"][0]["status"], "already_had");
        // The same version with another body: a conflict, with the server's version.
        let (_, a) = push_v2(&r, &token, vec![v(2, t - 500, 9)], "en").await;
        let res = &a["results"][0];
        assert_eq!(res["status"], "conflict", "{b:?}: {res}");
        assert_eq!(res["current"]["body"]["people_reached"], 5);
        assert!(res["reason"]
            .as_str()
            .is_some_and(|s| s.contains("two ways")));
        // An older clock with a higher version: superseded, with the winner.
        let (_, a) = push_v2(&r, &token, vec![v(3, t - 5_000, 7)], "en").await;
        let res = &a["results"][0];
        assert_eq!(res["status"], "superseded", "{b:?}: {res}");
        assert_eq!(res["current"]["version"], 2);
        // A protocol-1 device cannot read those answers: it is told `rejected`, never
        // `already_had`.
        let (_, a) = push(&r, &token, vec![v(3, t - 5_000, 7)]).await;
        assert_eq!(a["results"][0]["status"], "rejected", "{b:?}");
        // A later clock wins.
        let (_, a) = push_v2(&r, &token, vec![v(3, t, 8)], "en").await;
        assert_eq!(a["results"][0]["status"], "accepted");
        let csv = export(&r, "demo").await;
        assert_eq!(csv.lines().count(), 2, "{csv}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aggregate_entry_and_a_tally_roll_up_are_accepted() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let week = with(
            &rid(0x91),
            "body",
            json!({"people_reached": 25, "period": {"from": "2026-11-14", "to": "2026-11-20"}}),
        );
        let quarter = with(
            &rid(0x92),
            "body",
            json!({"people_reached": 25, "period": {"from": "2026-08-21", "to": "2026-11-20"}}),
        );
        let tally = with(
            &rid(0x93),
            "body",
            json!({"people_reached": 12, "source": "tally"}),
        );
        let (s, a) = push_v2(&r, &token, vec![week, quarter, tally], "en").await;
        assert_eq!(s, 200);
        for res in a["results"].as_array().expect("results") {
            assert_eq!(res["status"], "accepted", "{b:?}: {res}");
        }
    }
}
