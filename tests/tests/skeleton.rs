//! The walking skeleton's promises, across a real core store and a real server.

use shiftlog_core::{Core, NewActivity, RecordSync, Unlock};
use shiftlog_system_tests::TestServer;

fn supplies(item: &str, quantity: i64) -> NewActivity {
    NewActivity {
        org_id: None,
        occurred_at: None,
        kind: "supplies_distributed".into(),
        body: serde_json::json!({"items": [{"item": item, "quantity": quantity}]}),
    }
}

fn open_device(dir: &std::path::Path) -> std::sync::Arc<Core> {
    Core::open(
        dir,
        Unlock::Pin("246813".into()),
        &shiftlog_system_tests::test_options(),
    )
    .expect("open core")
}

fn csv_rows(server: &TestServer, org: &str) -> Vec<String> {
    let mut buf = Vec::new();
    server.service.export_csv(org, &mut buf).expect("export");
    String::from_utf8(buf)
        .expect("utf8")
        .lines()
        .skip(1)
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_logged_while_server_is_down_arrive_exactly_once() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    let device_dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(server_dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("rural", "Rural Outreach");
    let core = open_device(device_dir.path());
    core.enroll(&server.url(), &code, "test phone")
        .await
        .expect("enroll");
    let addr = server.addr;
    let url = server.url();
    server.stop().await;

    // Server down: log three records; a sync attempt fails as offline and loses nothing.
    let mut ids = Vec::new();
    for q in 1..=3 {
        ids.push(
            core.log_activity(supplies("naloxone_kit", q))
                .expect("log")
                .id,
        );
    }
    let err = core.sync_now().await.expect_err("server is down");
    assert_eq!(err.code(), "offline", "{err:?}");
    assert!(!err.is_permanent());
    assert_eq!(core.sync_status().expect("status").waiting, 3);

    // Server back on the same address and data: everything arrives.
    let server = TestServer::start(server_dir.path(), addr).await;
    assert_eq!(server.url(), url);
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.accepted, 3);
    assert_eq!(core.sync_status().expect("status").waiting, 0);

    // Syncing again, and a forced resend of every record, create nothing new.
    let again = core.sync_now().await.expect("sync again");
    assert_eq!(again.accepted + again.already_had, 0, "nothing was pending");
    let rows = csv_rows(&server, "rural");
    assert_eq!(rows.len(), 3, "{rows:#?}");
    for id in &ids {
        assert_eq!(
            rows.iter()
                .filter(|r| r.starts_with(&id.to_string()))
                .count(),
            1,
            "record {id} exactly once"
        );
    }
    for a in core.list_records(&Default::default()).expect("list") {
        assert!(matches!(a.sync, RecordSync::Sent { .. }), "{a:?}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushing_the_same_records_twice_creates_no_duplicate() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(server_dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("demo", "Demo");
    let http = reqwest::Client::new();
    let enrolled: shiftlog_wire::EnrollResponse = http
        .post(format!("{}api/v1/enroll", server.url()))
        .json(&serde_json::json!({"code": code, "device_name": "t"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    let body = serde_json::json!({
        "protocol": 1,
        "records": [{
            "id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11", "version": 1,
            "record_type": "activity", "kind": "supplies_distributed",
            "occurred_at": "2026-11-20T10:42:00-08:00", "recorded_at": "2026-11-20T10:42:05-08:00",
            "body": {"items": [{"item": "naloxone_kit", "quantity": 2}]}
        }]
    });
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let r: shiftlog_wire::PushResponse = http
            .post(format!("{}api/v1/push", server.url()))
            .bearer_auth(&enrolled.token)
            .json(&body)
            .send()
            .await
            .expect("push")
            .json()
            .await
            .expect("json");
        statuses.push(r.results[0].status);
    }
    assert_eq!(
        statuses,
        vec![
            shiftlog_wire::RecordStatus::Accepted,
            shiftlog_wire::RecordStatus::AlreadyHad
        ]
    );
    assert_eq!(csv_rows(&server, "demo").len(), 1);
    server.stop().await;
}
