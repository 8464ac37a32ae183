//! Supplies as organizations count them and training demand (issue 15, sections 3 and 4), on
//! both backends: what was brought back is never counted as handed out, naloxone kits that
//! replace one are counted by why, and wanted training is counted by topic with small numbers
//! protected, including against a viewer who subtracts two date ranges.

mod common;

use common::*;
use serde_json::{json, Value};
use shiftlog_server::summary::{Measure, SummaryRequest, SummaryTable};
use shiftlog_server::{Role, Staff};
use shiftlog_server_db::{Dimension, Period};

fn at(day: u32) -> String {
    format!("2026-11-{day:02}T10:00:00-08:00")
}

fn supplies(n: u32, day: u32, body: Value) -> Value {
    json!({
        "id": rid(n), "version": 1, "record_type": "activity", "kind": "supplies_distributed",
        "occurred_at": at(day), "recorded_at": at(day), "body": body,
    })
}

fn training(n: u32, day: u32, topic: &str, status: &str) -> Value {
    json!({
        "id": rid(n), "version": 1, "record_type": "training", "kind": "training",
        "occurred_at": at(day), "recorded_at": at(day),
        "body": {"topic": topic, "status": status, "minutes": null},
    })
}

async fn summary(r: &Running, role: Role, req: SummaryRequest) -> SummaryTable {
    call(&r.service, move |s| {
        let staff = Staff {
            org_id: "demo".into(),
            actor: "test".into(),
            role,
        };
        s.summary(&staff, &req).expect("summary")
    })
    .await
}

fn req(measure: Measure, by: Dimension, from: u32, to: u32, unsuppressed: bool) -> SummaryRequest {
    SummaryRequest {
        measure,
        period: Period::Month,
        by,
        from: Some(format!("2026-11-{from:02}")),
        to: Some(format!("2026-11-{to:02}")),
        kind: None,
        area: None,
        unsuppressed,
    }
}

/// The total row as {column: cell}.
fn totals(t: &SummaryTable) -> serde_json::Map<String, Value> {
    let last = t.rows.last().expect("total row");
    t.columns.iter().cloned().zip(last.cells.clone()).collect()
}

async fn push_ok(r: &Running, token: &str, records: Vec<Value>) {
    let (status, body) = push(r, token, records).await;
    assert_eq!(status, 200, "{body}");
    for res in body["results"].as_array().expect("results") {
        assert_eq!(res["status"], "accepted", "{res}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_stay_apart_and_replacement_reasons_are_counted() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        // Ten days of the same visit: 3 nasal kits (2 replace a kit used on someone), 10
        // syringes out, 40 used syringes back; and one record of returns alone.
        let mut recs: Vec<Value> = (1..=10)
            .map(|d| {
                supplies(
                    d,
                    d,
                    json!({
                        "items": [{"item": "naloxone_kit_nasal", "quantity": 3},
                                  {"item": "syringes", "quantity": 10}],
                        "replaced": [{"item": "naloxone_kit_nasal", "quantity": 2, "reason": "used"}],
                        "returned": [{"item": "syringes", "quantity": 40}],
                    }),
                )
            })
            .collect();
        // Groups of 5 a day, so the admin's and the viewer's figures agree exactly.
        for d in 1..=10 {
            for k in 0..4 {
                recs.push(supplies(
                    100 + d * 10 + k,
                    d,
                    json!({
                        "items": [{"item": "naloxone_kit_nasal", "quantity": 3},
                                  {"item": "syringes", "quantity": 10}],
                        "replaced": [{"item": "naloxone_kit_nasal", "quantity": 2, "reason": "used"}],
                        "returned": [{"item": "syringes", "quantity": 40}],
                    }),
                ));
            }
        }
        push_ok(&r, &token, recs).await;
        let out = summary(
            &r,
            Role::Viewer,
            req(Measure::Supplies, Dimension::Item, 1, 30, false),
        )
        .await;
        let t = totals(&out);
        assert_eq!(t["syringes"], json!(500), "{b:?}: handed out only: {t:?}");
        assert_eq!(t["naloxone_kit_nasal"], json!(150), "{b:?}: {t:?}");
        let back = summary(
            &r,
            Role::Viewer,
            req(Measure::Supplies, Dimension::Returned, 1, 30, false),
        )
        .await;
        let t = totals(&back);
        assert_eq!(t["syringes"], json!(2000), "{b:?}: brought back: {t:?}");
        assert!(!t.contains_key("naloxone_kit_nasal"), "{b:?}: {t:?}");
        let why = summary(
            &r,
            Role::Viewer,
            req(Measure::Supplies, Dimension::Reason, 1, 30, false),
        )
        .await;
        let t = totals(&why);
        assert_eq!(
            t["used"],
            json!(100),
            "{b:?}: kits replacing one used: {t:?}"
        );
        assert_eq!(t["total"], json!(100), "{b:?}: only replacements: {t:?}");

        // An edit that takes the returns out takes them out of the totals.
        let mut edited = supplies(
            1,
            1,
            json!({"items": [{"item": "syringes", "quantity": 10}]}),
        );
        edited["version"] = json!(2);
        push_ok(&r, &token, vec![edited]).await;
        let back = summary(
            &r,
            Role::Admin,
            req(Measure::Supplies, Dimension::Returned, 1, 30, true),
        )
        .await;
        assert_eq!(totals(&back)["syringes"], json!(1960), "{b:?}");
        let out = summary(
            &r,
            Role::Admin,
            req(Measure::Supplies, Dimension::Item, 1, 30, true),
        )
        .await;
        assert_eq!(totals(&out)["naloxone_kit_nasal"], json!(147), "{b:?}");

        // The record export carries the new lines.
        let csv = export(&r, "demo").await;
        assert!(csv.contains("returned"), "{b:?}: {csv}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_refuses_what_the_model_refuses() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let bad = vec![
            supplies(
                1,
                1,
                json!({"items": [{"item": "syringes", "quantity": 2}],
                "replaced": [{"item": "syringes", "quantity": 1, "reason": "used"}]}),
            ),
            supplies(
                2,
                1,
                json!({"items": [{"item": "naloxone_kit_nasal", "quantity": 1}],
                "replaced": [{"item": "naloxone_kit_nasal", "quantity": 2, "reason": "lost"}]}),
            ),
            supplies(
                3,
                1,
                json!({"items": [], "returned": [{"item": "syringes", "quantity": 1, "reason": "used"}]}),
            ),
            supplies(4, 1, json!({"items": [], "returned": []})),
        ];
        let (status, body) = push(&r, &token, bad).await;
        assert_eq!(status, 200);
        let codes: Vec<&str> = body["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| x["reason_code"].as_str().unwrap_or("accepted"))
            .collect();
        assert_eq!(
            codes,
            [
                "not_a_kit",
                "replaced_more_than_given",
                "malformed",
                "no_items"
            ],
            "{b:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_demand_by_topic_is_protected() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let mut recs = Vec::new();
        let mut n = 0;
        // "Naloxone training", typed five ways, 6 a day on days 1 to 5 (groups of 6).
        let spellings = [
            "Naloxone training",
            " naloxone  TRAINING",
            "naloxone training\t",
        ];
        for d in 1..=5 {
            for k in 0..6 {
                n += 1;
                recs.push(training(n, d, spellings[k % 3], "wanted"));
            }
        }
        // Received training is not demand.
        for d in 1..=5 {
            n += 1;
            recs.push(training(n, d, "Naloxone training", "received"));
        }
        // A small group: 2 asks for de-escalation on day 5 only, beside 5 on day 3.
        for _ in 0..5 {
            n += 1;
            recs.push(training(n, 3, "De-escalation", "wanted"));
        }
        for _ in 0..2 {
            n += 1;
            recs.push(training(n, 5, "de-escalation", "wanted"));
        }
        push_ok(&r, &token, recs).await;

        let open = summary(
            &r,
            Role::Admin,
            req(Measure::TrainingWanted, Dimension::Topic, 1, 30, true),
        )
        .await;
        let t = totals(&open);
        assert_eq!(t["naloxone training"], json!(30), "{b:?}: one topic: {t:?}");
        assert_eq!(t["de-escalation"], json!(7), "{b:?}: {t:?}");
        assert_eq!(
            t["total"],
            json!(37),
            "{b:?}: received is not counted: {t:?}"
        );

        // A viewer sees protected counts; the differencing attacker subtracts the range that
        // leaves out day 5 from the one that holds it. The small group of 2 must not come out.
        let with5 = summary(
            &r,
            Role::Viewer,
            req(Measure::TrainingWanted, Dimension::Topic, 1, 5, false),
        )
        .await;
        let without5 = summary(
            &r,
            Role::Viewer,
            req(Measure::TrainingWanted, Dimension::Topic, 1, 4, false),
        )
        .await;
        assert!(with5.suppressed && with5.protection.is_some(), "{b:?}");
        let (a, z) = (totals(&with5), totals(&without5));
        assert_eq!(
            a["naloxone training"],
            json!(30),
            "{b:?}: large groups exact"
        );
        assert_eq!(z["de-escalation"], json!(5), "{b:?}");
        let diff = a["de-escalation"].as_i64().expect("a number above 4")
            - z["de-escalation"].as_i64().expect("number");
        assert!(
            diff == 1 || diff == 4,
            "{b:?}: the difference is a protected count, not 2: {diff}"
        );
        assert_eq!(
            a["total"].as_i64().expect("total") - z["total"].as_i64().expect("total"),
            6 + diff,
            "{b:?}: totals are sums of the same protected groups"
        );
        // Day 5 alone: the 2 asks show as "<5" or as protected under other topics.
        let day5 = summary(
            &r,
            Role::Viewer,
            req(Measure::TrainingWanted, Dimension::Topic, 5, 5, false),
        )
        .await;
        let d5 = totals(&day5);
        assert!(!d5.values().any(|v| v == &json!(2)), "{b:?}: {d5:?}");
        assert_eq!(d5["naloxone training"], json!(6), "{b:?}: {d5:?}");
        // A rare topic's words are not published.
        assert!(!d5.contains_key("de-escalation"), "{b:?}: {d5:?}");
        assert_eq!(d5[""], json!("<5"), "{b:?}: {d5:?}");
    }
}
