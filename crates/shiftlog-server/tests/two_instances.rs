//! Two server instances on one PostgreSQL serve the same organizations: devices push to both
//! at once, nothing is stored twice, and both export the same thing. Organizations stay sealed.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;
use shiftlog_server::Limits;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_agree_and_store_nothing_twice() {
    let db = Arc::new(TestDb::new(Backend::Postgres));
    let a = start_on(db.clone(), Limits::default()).await;
    let b = start_on(db.clone(), Limits::default()).await;

    // Devices of two organizations enroll, half through each instance.
    let mut devices = Vec::new();
    for (i, org) in ["north", "north", "south", "south"].iter().enumerate() {
        let o = org.to_string();
        let code = call(&a.service, move |s| {
            s.ensure_organization(&o, &o).expect("org");
            s.new_enrollment_code(&o).expect("code")
        })
        .await;
        let via = if i % 2 == 0 { &a } else { &b };
        devices.push((org.to_string(), enroll_with(via, &code).await));
    }

    // Each device sends the same 50 records to both instances at the same time, twice.
    let mut tasks = Vec::new();
    for (d, (_, token)) in devices.iter().enumerate() {
        let records: Vec<_> = (0..50).map(|n| record(&rid(d as u32 * 1000 + n))).collect();
        for server in [&a.base, &b.base, &a.base, &b.base] {
            let (url, token, records) = (server.clone(), token.clone(), records.clone());
            tasks.push(tokio::spawn(async move {
                let resp = client()
                    .post(format!("{url}/api/v1/push"))
                    .bearer_auth(token)
                    .json(&json!({"protocol": 1, "records": records}))
                    .send()
                    .await
                    .expect("send");
                let status = resp.status().as_u16();
                let body: serde_json::Value = resp.json().await.expect("json");
                (status, body)
            }));
        }
    }
    let mut accepted = 0;
    for t in tasks {
        let (status, body) = t.await.expect("task");
        assert_eq!(status, 200, "{body}");
        for r in body["results"].as_array().expect("results") {
            match r["status"].as_str() {
                Some("accepted") => accepted += 1,
                Some("already_had") => {}
                other => panic!("unexpected {other:?}: {r}"),
            }
        }
    }
    assert_eq!(
        accepted, 200,
        "each record accepted exactly once across both instances"
    );

    for org in ["north", "south"] {
        let from_a = export(&a, org).await;
        let from_b = export(&b, org).await;
        assert_eq!(from_a, from_b, "{org}: both instances export the same");
        assert_eq!(
            from_a.lines().count(),
            1 + 100,
            "{org}: header and 100 records"
        );
        let other = if org == "north" { 2 } else { 0 };
        assert!(
            !from_a.contains(&rid(other * 1000)),
            "{org} must not see the other organization's records"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_record_id_from_another_organization_is_refused_not_merged() {
    for backend in BACKENDS {
        let r = start(backend).await;
        let north = enrolled(&r, "north").await;
        let south = enrolled(&r, "south").await;
        let (_, first) = push(&r, &north, vec![record(&rid(7))]).await;
        assert_eq!(first["results"][0]["status"], "accepted");
        let mut stolen = record(&rid(7));
        stolen["version"] = json!(9);
        let (_, second) = push(&r, &south, vec![stolen]).await;
        assert_eq!(second["results"][0]["status"], "rejected", "{backend:?}");
        assert!(!export(&r, "south").await.contains(&rid(7)));
        let north_csv = export(&r, "north").await;
        assert!(north_csv.contains(&format!("{},supplies_distributed", rid(7))));
        assert!(north_csv.contains(",1,"), "north's version 1 is untouched");
    }
}
