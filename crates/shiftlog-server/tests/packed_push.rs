//! Packed pushes (protocol 3, `shiftlog_wire::packed`) on SQLite and PostgreSQL: the same
//! records pushed as JSON to one server and packed to another get the same answers and are
//! stored the same; a packed body that cannot be read is a 400 with a sentence and stores
//! nothing; the batch limit holds for packed bodies too.

mod common;

use common::*;
use serde_json::{json, Value};
use shiftlog_wire::packed::{self, CONTENT_TYPE};
use shiftlog_wire::{PushRequest, RecordEnvelope};

fn stamp(ms: i64) -> String {
    format!("{ms:013}-0000-0000abcd")
}

/// Good records of several kinds and hostile ones that are still well-formed envelopes.
fn batch() -> Vec<Value> {
    let now = chrono::Utc::now();
    let ms = now.timestamp_millis();
    let at = (now - chrono::Duration::hours(2)).to_rfc3339();
    let base = |n: u32, kind: &str, body: Value| {
        json!({
            "id": rid(0x5000 + n), "version": 1, "record_type": "activity", "kind": kind,
            "occurred_at": at, "recorded_at": at, "hlc": stamp(ms - 60_000 + i64::from(n)),
            "body": body
        })
    };
    let mut v = vec![
        base(
            1,
            "outreach_contact",
            json!({"people_reached": 3, "minutes": 20, "area": "downtown"}),
        ),
        base(
            2,
            "supplies_distributed",
            json!({"items": [{"item": "naloxone_kit", "quantity": 2}]}),
        ),
        base(
            3,
            "meal_service",
            json!({"people_reached": 30, "minutes": 120}),
        ),
        // Refused: a made-up kind, a made-up item, an unknown body field, a NUL in text.
        base(4, "teleportation", json!({})),
        base(
            5,
            "supplies_distributed",
            json!({"items": [{"item": "gold", "quantity": 2}]}),
        ),
        base(
            6,
            "outreach_contact",
            json!({"people_reached": 3, "minutes": 20, "x": 1}),
        ),
        base(
            7,
            "outreach_contact",
            json!({"people_reached": 3, "minutes": 20, "area": "a\u{0}b"}),
        ),
    ];
    // A clock three days ahead, a clock that is not one, version 0, a field the server does
    // not define, three days in the future, a tombstone, a shift.
    v.push(base(
        8,
        "meal_service",
        json!({"people_reached": 1, "minutes": 5}),
    ));
    v[7]["hlc"] = json!(stamp(ms + 3 * 86_400_000));
    v.push(base(
        9,
        "meal_service",
        json!({"people_reached": 1, "minutes": 5}),
    ));
    v[8]["hlc"] = json!("nonsense");
    v.push(base(
        10,
        "meal_service",
        json!({"people_reached": 1, "minutes": 5}),
    ));
    v[9]["version"] = json!(0);
    v.push(base(
        11,
        "meal_service",
        json!({"people_reached": 1, "minutes": 5}),
    ));
    v[10]["future_field"] = json!({"nested": true});
    v.push(base(
        12,
        "meal_service",
        json!({"people_reached": 1, "minutes": 5}),
    ));
    v[11]["occurred_at"] = json!((now + chrono::Duration::days(3)).to_rfc3339());
    v.push(base(13, "meal_service", json!({})));
    v[12]["deleted"] = json!(true);
    v.push(base(
        14,
        "",
        json!({"role": "outreach", "pay_type": "paid"}),
    ));
    v[13]["record_type"] = json!("shift");
    v[13]["body"]["ended_at"] = json!(now.to_rfc3339());
    v
}

fn request(records: &[Value], lang: &str) -> PushRequest {
    PushRequest {
        protocol: 3,
        lang: Some(lang.into()),
        records: records
            .iter()
            .map(|r| serde_json::from_value::<RecordEnvelope>(r.clone()).expect("envelope"))
            .collect(),
    }
}

async fn push_packed(r: &Running, token: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/api/v1/push", r.base))
        .bearer_auth(token)
        .header("content-type", CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

async fn push_json(r: &Running, token: &str, req: &PushRequest) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/api/v1/push", r.base))
        .bearer_auth(token)
        .json(req)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

/// The export's id, kind, times and version (the columns before `details`, whose text holds
/// commas; received_at differs between two servers and is left out).
async fn stored(r: &Running) -> Vec<String> {
    export(r, "demo")
        .await
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').take(6).collect();
            [cells[0], cells[1], cells[2], cells[3], cells[5]].join(",")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packed_push_is_answered_and_stored_exactly_like_the_same_json() {
    for b in BACKENDS {
        let (as_json, as_packed) = (start(b).await, start(b).await);
        let (t1, t2) = (
            enrolled(&as_json, "demo").await,
            enrolled(&as_packed, "demo").await,
        );
        let info: Value = client()
            .get(format!("{}/api/v1/info", as_packed.base))
            .send()
            .await
            .expect("info")
            .json()
            .await
            .expect("json");
        assert!(info["protocol_versions"]
            .as_array()
            .expect("versions")
            .contains(&json!(packed::PROTOCOL)));
        let records = batch();
        for lang in ["en", "fr"] {
            let req = request(&records, lang);
            let (s1, a1) = push_json(&as_json, &t1, &req).await;
            let (s2, a2) = push_packed(&as_packed, &t2, packed::encode(&req)).await;
            assert_eq!((s1, s2), (200, 200), "{b:?}: {a1} / {a2}");
            assert_eq!(a1, a2, "{b:?} {lang}");
            let results = a2["results"].as_array().expect("results");
            let statuses: Vec<&str> = results
                .iter()
                .map(|r| r["status"].as_str().expect("status"))
                .collect();
            let first = if lang == "en" {
                "accepted"
            } else {
                "already_had"
            };
            assert_eq!(&statuses[..3], &[first; 3], "{b:?}: {a2}");
            let refused = statuses.iter().filter(|s| **s == "rejected").count();
            assert!(refused >= 9, "{b:?}: {refused} refused: {a2}");
        }
        let (j, p) = (stored(&as_json).await, stored(&as_packed).await);
        assert_eq!(
            j.len(),
            4,
            "{b:?}: the header and the three good records: {j:?}"
        );
        assert_eq!(j, p, "{b:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packed_body_that_cannot_be_read_is_a_400_and_stores_nothing() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let good = packed::encode(&request(&batch()[..3], "en"));
        // "SLP1", protocol 3, "en", then the record count: say 127 in a few hundred bytes.
        assert_eq!(good[8], 3);
        let mut lying = good.clone();
        lying[8] = 0x7f;
        // The table's first string's length: past the end of the body.
        let mut long_string = good.clone();
        long_string[10] = 0x7f;
        let mut not_json = good.clone();
        let last = good.len() - 1;
        not_json[last] = b'!';
        let mut bad_bodies = vec![
            ("cut short", good[..good.len() - 3].to_vec()),
            ("trailing bytes", [good.clone(), vec![0]].concat()),
            (
                "not packed at all",
                br#"{"protocol": 3, "records": []}"#.to_vec(),
            ),
            ("a lying count", lying),
            ("a string longer than the body", long_string),
            ("a body that is not JSON", not_json),
            ("empty", vec![]),
        ];
        // An endless varint where the count goes.
        let mut endless = packed::MAGIC.to_vec();
        endless.extend([3, 0]);
        endless.extend([0xff; 12]);
        bad_bodies.push(("an endless number", endless));
        for (what, body) in bad_bodies {
            let (s, answer) = push_packed(&r, &token, body).await;
            assert_eq!(s, 400, "{b:?} {what}: {answer}");
            assert_eq!(answer["code"], "bad_request", "{b:?} {what}");
            let message = answer["message"].as_str().expect("message");
            assert!(
                message.starts_with("The packed batch cannot be read: "),
                "{b:?} {what}: {message}"
            );
        }
        assert_eq!(stored(&r).await.len(), 1, "{b:?}: only the header");
        // The good one after all that is stored.
        let (s, answer) = push_packed(&r, &token, good).await;
        assert_eq!(s, 200, "{b:?}: {answer}");
        assert_eq!(stored(&r).await.len(), 4, "{b:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packed_batch_over_the_limit_is_refused_with_the_limit() {
    let r = start(Backend::Sqlite).await;
    let token = enrolled(&r, "demo").await;
    let one = batch()[0].clone();
    let limit = shiftlog_server::Limits::default().max_batch_records as u32;
    let records: Vec<Value> = (0..=limit)
        .map(|n| {
            let mut rec = one.clone();
            rec["id"] = json!(rid(0x10_0000 + n));
            rec
        })
        .collect();
    let (s, answer) = push_packed(&r, &token, packed::encode(&request(&records, "en"))).await;
    assert_eq!(s, 400, "{answer}");
    let message = answer["message"].as_str().expect("message");
    assert!(message.contains(&format!("at most {limit}")), "{message}");
    assert_eq!(stored(&r).await.len(), 1);
}
