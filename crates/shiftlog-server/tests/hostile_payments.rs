//! Shared pay ledger lines (`payment` records) pushed to a real server on SQLite and on
//! PostgreSQL: a valid one is stored and shows in the record export; hostile ones (amounts out
//! of range, bad currencies, a day that is not the record's, shifts that are not device ids,
//! a note or any field the model does not define, a method that does not exist) are refused
//! one by one with a code and a reason, and the valid records of the batch are stored.

mod common;

use common::*;
use serde_json::{json, Value};

fn payment(id: &str, body: Value) -> Value {
    json!({
        "id": id, "version": 1, "record_type": "payment", "kind": "payment",
        "occurred_at": "2026-11-20T00:00:00-08:00", "recorded_at": "2026-11-21T10:42:05-08:00",
        "body": body
    })
}

fn good() -> Value {
    json!({"amount_cents": 4137, "currency": "CAD", "paid_on": "2026-11-20", "method": "cash",
           "shift_ids": ["01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c21"]})
}

fn with(field: &str, v: Value) -> Value {
    let mut b = good();
    b[field] = v;
    b
}

fn corpus() -> Vec<(&'static str, Value)> {
    let mut no_amount = good();
    no_amount
        .as_object_mut()
        .expect("object")
        .remove("amount_cents");
    vec![
        ("amount 0", with("amount_cents", json!(0))),
        ("amount negative", with("amount_cents", json!(-4000))),
        (
            "amount past the limit",
            with("amount_cents", json!(10_000_001)),
        ),
        ("amount a float", with("amount_cents", json!(40.5))),
        ("amount as text", with("amount_cents", json!("4000"))),
        ("amount huge", with("amount_cents", json!(u64::MAX))),
        ("no amount", no_amount),
        ("currency lower case", with("currency", json!("cad"))),
        ("currency too long", with("currency", json!("CADX"))),
        (
            "currency with an escape",
            with("currency", json!("C\u{1b}D")),
        ),
        ("currency empty", with("currency", json!(""))),
        ("method bitcoin", with("method", json!("bitcoin"))),
        ("method with NUL", with("method", json!("cash\0"))),
        ("paid on another day", with("paid_on", json!("2026-11-19"))),
        ("paid on not a date", with("paid_on", json!("yesterday"))),
        (
            "shift not a UUIDv7",
            with("shift_ids", json!(["6b3f3c1e-7d0a-4e8b-9a43-1f2d3c4b5a69"])),
        ),
        (
            "shift twice",
            with(
                "shift_ids",
                json!([
                    "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c21",
                    "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c21"
                ]),
            ),
        ),
        ("shift not an id", with("shift_ids", json!(["Sam's shift"]))),
        (
            "32 shifts",
            with(
                "shift_ids",
                json!((0..32).map(|n| rid(0x9000 + n)).collect::<Vec<_>>()),
            ),
        ),
        ("a note", with("note", json!("paid by Sam"))),
        ("a client's name", with("client_name", json!("Sam"))),
        ("not an object", json!([4137])),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_payments_are_checked_like_every_record() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let corpus = corpus();
        let mut batch = vec![payment(&rid(0x7000), good())];
        for (i, (_, body)) in corpus.iter().enumerate() {
            batch.push(payment(&rid(0x7100 + i as u32), body.clone()));
        }
        batch.push(record(&rid(0x7001)));
        let resp = client()
            .post(format!("{}/api/v1/push", r.base))
            .bearer_auth(&token)
            .json(&json!({"protocol": 2, "lang": "fr", "records": batch}))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200, "{b:?}");
        let answer: Value = resp.json().await.expect("json");
        let results = answer["results"].as_array().expect("results");
        assert_eq!(results[0]["status"], "accepted", "{b:?}: {}", results[0]);
        for (i, (what, _)) in corpus.iter().enumerate() {
            let res = &results[i + 1];
            assert_eq!(res["status"], "rejected", "{b:?}: {what}: {res}");
            assert!(res["reason_code"].is_string(), "{b:?}: {what}: {res}");
            let reason = res["reason"].as_str().unwrap_or_default();
            assert!(reason.len() > 12, "{b:?}: {what}: {reason:?}");
            assert!(!reason.chars().any(|c| c.is_control()), "{b:?}: {what}");
        }
        assert_eq!(results.last().expect("last")["status"], "accepted");
        let csv = export(&r, "demo").await;
        assert!(
            csv.contains(&rid(0x7000)),
            "{b:?}: the shared line is in the export"
        );
        assert!(csv.contains("4137"), "{b:?}: {csv}");
        assert_eq!(
            csv.lines().count(),
            3,
            "{b:?}: only the two valid records: {csv}"
        );
        let by_code = |i: usize| {
            results[i + 1]["reason_code"]
                .as_str()
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(by_code(0), "out_of_range");
        assert_eq!(by_code(7), "bad_currency");
        assert_eq!(by_code(19), "unknown_field", "the server takes no note");
    }
}
