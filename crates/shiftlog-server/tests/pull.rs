//! Pulling a worker's own records from their other devices, on both backends: only that
//! worker's, never the asking device's own, in change order with a cursor; the later hybrid
//! logical clock wins; another worker cannot overwrite a record.

mod common;

use common::*;
use serde_json::{json, Value};
use shiftlog_server::staff::Staff;
use shiftlog_server::Role;

fn with_hlc(id: &str, version: u32, hlc: &str, quantity: i64) -> Value {
    let mut r = record(id);
    r["version"] = json!(version);
    r["hlc"] = json!(hlc);
    r["body"]["items"][0]["quantity"] = json!(quantity);
    r
}

async fn pull(r: &Running, token: &str, after: u64, limit: u32) -> Value {
    let resp = client()
        .get(format!(
            "{}/api/v1/records?after={after}&limit={limit}",
            r.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.expect("json")
}

fn ids(page: &Value) -> Vec<String> {
    page["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_other_devices_pull_their_records_and_the_later_clock_wins() {
    for b in BACKENDS {
        let r = start(b).await;
        let a = enrolled(&r, "demo").await;
        let admin = Staff {
            org_id: "demo".into(),
            actor: "t".into(),
            role: Role::Admin,
        };
        let code = call(&r.service, move |s| {
            let pseudonym = s.devices(&admin).expect("devices")[0].pseudonym.clone();
            s.enrollment_code(&admin, Some(&pseudonym)).expect("code").0
        })
        .await;
        let b_dev = enroll_with(&r, &code).await;
        let other = enrolled(&r, "demo").await; // a different worker

        // Real clocks, an hour ago and after: the server refuses stamps before 2000.
        let base = chrono::Utc::now().timestamp_millis() as u64 - 3_600_000;
        let h = |ms: u64| shiftlog_model::hlc::format(base + ms, 0, 1);
        push(
            &r,
            &a,
            vec![
                with_hlc(&rid(1), 1, &h(1_000), 1),
                with_hlc(&rid(2), 1, &h(1_001), 2),
            ],
        )
        .await;
        push(&r, &other, vec![with_hlc(&rid(3), 1, &h(1_002), 3)]).await;

        let page = pull(&r, &b_dev, 0, 100).await;
        assert_eq!(
            ids(&page),
            vec![rid(1), rid(2)],
            "{b:?}: the worker's records, not another worker's"
        );
        assert_eq!(page["more"], json!(false));
        let cursor = page["next"].as_u64().expect("next");
        assert!(
            ids(&pull(&r, &a, 0, 100).await).is_empty(),
            "{b:?}: never the device's own"
        );

        // A later edit on device A reaches device B after its cursor, and only it.
        push(&r, &a, vec![with_hlc(&rid(1), 2, &h(2_000), 7)]).await;
        let page = pull(&r, &b_dev, cursor, 100).await;
        assert_eq!(ids(&page), vec![rid(1)], "{b:?}");
        assert_eq!(page["records"][0]["hlc"], json!(h(2_000)));

        // B's concurrent edit of the same version with another body is a conflict (told to
        // a protocol-1 device as refused, never as stored); with a later clock it wins.
        let (_, resp) = push(&r, &b_dev, vec![with_hlc(&rid(1), 2, &h(1_500), 9)]).await;
        assert_eq!(resp["results"][0]["status"], "rejected", "{b:?}");
        assert_eq!(resp["results"][0]["reason_code"], "conflict", "{b:?}");
        assert!(
            export(&r, "demo").await.contains("naloxone_kit x7"),
            "{b:?}"
        );
        let (_, resp) = push(&r, &b_dev, vec![with_hlc(&rid(1), 3, &h(3_000), 4)]).await;
        assert_eq!(resp["results"][0]["status"], "accepted", "{b:?}");
        assert!(
            export(&r, "demo").await.contains("naloxone_kit x4"),
            "{b:?}"
        );

        // Another worker cannot overwrite the record, whatever its clock.
        let (_, resp) = push(&r, &other, vec![with_hlc(&rid(1), 9, &h(9_000), 99)]).await;
        assert_eq!(resp["results"][0]["status"], "rejected", "{b:?}");
        assert!(!export(&r, "demo").await.contains("x99"), "{b:?}");

        // Paging (rid 1 was last written by B itself, so B sees rid 2 and rid 4).
        push(&r, &a, vec![with_hlc(&rid(4), 1, &h(4_000), 1)]).await;
        let first = pull(&r, &b_dev, 0, 1).await;
        assert_eq!(first["more"], json!(true), "{b:?}");
        assert_eq!(ids(&first).len(), 1);
        let resp = client()
            .get(format!("{}/api/v1/records?after=-1", r.base))
            .bearer_auth(&b_dev)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 400, "{b:?}");
        let v: Value = resp.json().await.expect("json error");
        assert_eq!(v["code"], "bad_request");
    }
}
