//! The device-facing API over real HTTP on loopback, on SQLite and on PostgreSQL.

mod common;

use common::*;
use serde_json::{json, Value};

async fn post_raw(r: &Running, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = client()
        .post(format!("{}/api/v1/push", r.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("every answer is JSON");
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_400_with_a_json_reason_and_change_nothing() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let (status, _) = push(&r, &token, vec![record(&rid(1))]).await;
        assert_eq!(status, 200);
        let before = export(&r, "demo").await;

        let cases: &[(&str, &str)] = &[
            (r#"{"protocol": 1, "records": ["#, "not valid JSON"),
            ("", "not valid JSON"),
            (r#"{"protocol": 1}"#, "missing field `records`"),
            (r#"{"protocol": "one", "records": []}"#, "invalid type"),
            (r#"[1, 2, 3]"#, "does not match"),
        ];
        for (body, says) in cases {
            let (status, err) = post_raw(&r, Some(&token), body).await;
            assert_eq!(status, 400, "{b:?} {body}");
            assert_eq!(err["code"], "bad_request", "{body}");
            let msg = err["message"].as_str().expect("message");
            assert!(msg.contains(says), "{body}: {msg}");
        }
        // A record that cannot be read is refused alone, with a reason; the push is answered.
        let (status, err) = post_raw(
            &r,
            Some(&token),
            r#"{"protocol": 1, "records": [{"id": "not-a-uuid", "version": 1}]}"#,
        )
        .await;
        assert_eq!(status, 200, "{b:?}: {err}");
        assert_eq!(err["results"][0]["status"], "rejected", "{b:?}: {err}");
        assert_eq!(
            err["results"][0]["reason_code"], "malformed",
            "{b:?}: {err}"
        );
        assert_eq!(
            export(&r, "demo").await,
            before,
            "{b:?}: nothing stored changed"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_valid_token_get_401() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let body = json!({"protocol": 1, "records": [record(&rid(2))]}).to_string();
        for t in [None, Some("sld_wrong"), Some("")] {
            let (status, err) = post_raw(&r, t, &body).await;
            assert_eq!(status, 401, "{b:?} {t:?}");
            assert_eq!(err["code"], "unauthorized");
        }
        // A staff token is not a device token, and a device token cannot export.
        let staff = call(&r.service, |s| {
            s.new_staff_token("demo", "t").expect("staff")
        })
        .await;
        let (status, _) = post_raw(&r, Some(&staff), &body).await;
        assert_eq!(status, 401);
        let resp = client()
            .get(format!("{}/api/v1/export/activities.csv", r.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 401);
        assert!(!export(&r, "demo").await.contains(&rid(2)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_device_is_told_in_plain_words() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let t = token.clone();
        call(&r.service, move |s| {
            let dev = s.authenticate_device(&t).expect("device");
            s.store()
                .revoke_device("demo", dev.device_id)
                .expect("revoke");
        })
        .await;
        let (status, err) = push(&r, &token, vec![record(&rid(3))]).await;
        assert_eq!(status, 401, "{b:?}");
        assert_eq!(err["code"], "device_revoked");
        assert!(err["message"]
            .as_str()
            .expect("msg")
            .contains("Ask your coordinator"));
        assert!(!export(&r, "demo").await.contains(&rid(3)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_codes_work_once() {
    for b in BACKENDS {
        let r = start(b).await;
        let code = call(&r.service, |s| {
            s.ensure_organization("demo", "Demo").expect("org");
            s.new_enrollment_code("demo").expect("code")
        })
        .await;
        let mut statuses = Vec::new();
        for c in [code.to_lowercase(), code.clone()] {
            let resp = client()
                .post(format!("{}/api/v1/enroll", r.base))
                .json(&json!({"code": c, "device_name": "x"}))
                .send()
                .await
                .expect("send");
            statuses.push(resp.status().as_u16());
        }
        assert_eq!(statuses, vec![200, 400], "{b:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_over_http_is_per_organization() {
    for b in BACKENDS {
        let r = start(b).await;
        let a = enrolled(&r, "org-a").await;
        let bt = enrolled(&r, "org-b").await;
        push(&r, &a, vec![record(&rid(21))]).await;
        push(&r, &bt, vec![record(&rid(22))]).await;
        let staff_a = call(&r.service, |s| {
            s.new_staff_token("org-a", "t").expect("staff")
        })
        .await;
        let resp = client()
            .get(format!("{}/api/v1/export/activities.csv", r.base))
            .bearer_auth(&staff_a)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/csv"));
        let text = resp.text().await.expect("text");
        assert!(text.starts_with("id,kind,occurred_at"));
        assert!(text.contains("\r\n"), "RFC 4180 line ends");
        assert!(text.contains(&rid(21)));
        assert!(text.contains("naloxone_kit x2"));
        assert!(
            !text.contains(&rid(22)),
            "{b:?}: another organization's record leaked"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_push_answers_in_request_order_and_keeps_every_record_type() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let mut bad = record(&rid(31));
        bad["record_type"] = json!("client_profile");
        let shift = json!({
            "id": rid(32), "version": 1, "record_type": "shift", "kind": "shift",
            "occurred_at": "2026-11-20T09:00:00-08:00", "recorded_at": "2026-11-20T17:00:00-08:00",
            "body": {"started_at": "2026-11-20T09:00:00-08:00", "ended_at": "2026-11-20T17:00:00-08:00", "pay_type": "paid", "role": "outreach"}
        });
        let debrief_request = |id: &str| {
            json!({
                "id": id, "version": 1, "record_type": "debrief_request", "kind": "debrief_request",
                "occurred_at": "2026-11-20T18:00:00-08:00", "recorded_at": "2026-11-20T18:00:00-08:00",
                "body": {"feeling": "private words"}, "checkin": "more private words"
            })
        };
        let debrief = debrief_request(&rid(33));
        let (status, resp) = push(&r, &token, vec![record(&rid(30)), bad, shift, debrief]).await;
        assert_eq!(status, 200);
        let statuses: Vec<&str> = resp["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| x["status"].as_str().expect("status"))
            .collect();
        // A debrief request that carries content is refused: only the fact leaves a device.
        assert_eq!(
            statuses,
            ["accepted", "rejected", "accepted", "rejected"],
            "{b:?}"
        );
        assert_eq!(resp["results"][1]["id"], json!(rid(31)));
        assert_eq!(resp["results"][3]["reason_code"], "unknown_field");
        let mut fact = debrief_request(&rid(34));
        fact["body"] = json!({});
        fact.as_object_mut().expect("object").remove("checkin");
        let (_, resp) = push(&r, &token, vec![fact]).await;
        assert_eq!(resp["results"][0]["status"], "accepted", "{b:?}: {resp}");
        let text = export(&r, "demo").await;
        assert!(text.contains(&rid(32)) && !text.contains(&rid(31)));
        assert!(text.contains(&rid(34)), "the debrief request is counted");
        assert!(
            !text.contains("private"),
            "a debrief's content never reaches the server"
        );
        // The device's worker appears as a pseudonym, never a name.
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        for row in rows.records() {
            let row = row.expect("csv row");
            let worker = &row[9];
            assert!(worker.starts_with("W-") && worker.len() == 6, "{worker}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_answer_json_404_and_openapi_is_served() {
    for b in BACKENDS {
        let r = start(b).await;
        let resp = reqwest::get(format!("{}/nope", r.base))
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 404);
        let v: Value = resp.json().await.expect("json");
        assert_eq!(v["code"], "not_found");
        let resp = client()
            .delete(format!("{}/api/v1/info", r.base))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 405);
        let v: Value = resp.json().await.expect("a 405 is JSON too");
        assert_eq!(v["code"], "method_not_allowed");
        let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", r.base))
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
        // What is served is the generated document, and `shiftlog-server openapi` prints it.
        let built: Value =
            serde_json::from_str(shiftlog_server::openapi::document()).expect("document");
        assert_eq!(doc, built);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiftlog-server"))
            .arg("openapi")
            .output()
            .expect("run shiftlog-server openapi");
        assert!(out.status.success());
        let printed: Value = serde_json::from_slice(&out.stdout).expect("printed JSON");
        assert_eq!(printed, doc);
        assert!(doc["paths"].as_object().expect("paths").len() >= 40);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_record_twice_in_one_push_is_stored_once_at_its_newest_version() {
    for b in BACKENDS {
        let r = start(b).await;
        let token = enrolled(&r, "demo").await;
        let mut v2 = record(&rid(40));
        v2["version"] = json!(2);
        v2["body"]["items"][0]["quantity"] = json!(5);
        let (status, resp) = push(&r, &token, vec![record(&rid(40)), v2, record(&rid(40))]).await;
        assert_eq!(status, 200, "{b:?}: {resp}");
        let statuses: Vec<&str> = resp["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| x["status"].as_str().expect("status"))
            .collect();
        // The older version after the newer one lost: a protocol-1 device is told it was
        // refused (superseded), never that it was stored.
        assert_eq!(statuses, ["accepted", "accepted", "rejected"], "{b:?}");
        assert_eq!(resp["results"][2]["reason_code"], "superseded", "{b:?}");
        let text = export(&r, "demo").await;
        assert_eq!(text.lines().count(), 2, "{b:?}: {text}");
        assert!(text.contains("naloxone_kit x5"), "{b:?}: {text}");
    }
}

/// Many devices pushing at once (SQLite commits them in groups; PostgreSQL in parallel
/// transactions): every record is stored exactly once and every push gets its own answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_from_many_devices_are_each_answered_and_stored_once() {
    for b in BACKENDS {
        let r = start(b).await;
        let mut tokens = Vec::new();
        for _ in 0..20 {
            tokens.push(enrolled(&r, "demo").await);
        }
        let mut tasks = Vec::new();
        for (d, token) in tokens.iter().enumerate() {
            let records: Vec<Value> = (0..20).map(|n| record(&rid(d as u32 * 100 + n))).collect();
            for _ in 0..2 {
                let (url, token, records) = (r.base.clone(), token.clone(), records.clone());
                tasks.push(tokio::spawn(async move {
                    let resp: Value = client()
                        .post(format!("{url}/api/v1/push"))
                        .bearer_auth(token)
                        .json(&json!({"protocol": 1, "records": records}))
                        .send()
                        .await
                        .expect("send")
                        .json()
                        .await
                        .expect("json");
                    resp
                }));
            }
        }
        let mut accepted = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            let resp = t.await.expect("task");
            let results = resp["results"].as_array().expect("results");
            assert_eq!(results.len(), 20, "{b:?}");
            let d = i / 2;
            assert_eq!(
                results[0]["id"],
                json!(rid(d as u32 * 100)),
                "answers belong to the push"
            );
            accepted += results.iter().filter(|x| x["status"] == "accepted").count();
        }
        assert_eq!(accepted, 400, "{b:?}");
        assert_eq!(export(&r, "demo").await.lines().count(), 401, "{b:?}");
    }
}
