//! Body fields this version does not know survive the device's own edits: a record written by
//! a newer device arrives by pull with a field this build has never heard of; the worker edits
//! it here; the version pushed back still carries that field, byte for byte.
//!
//! The organization server is a stand-in speaking the wire protocol (a newer server that
//! accepted the newer device's field), so the test sees exactly what the device pushes.

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shiftlog_core::{Core, RecordSync, Unlock};
use shiftlog_wire::paths;

#[derive(Default)]
struct Fake {
    /// Records the pull hands out once, after cursor 0.
    pulled: Vec<Value>,
    /// Every push body received.
    pushes: Vec<Value>,
}

type Shared = Arc<Mutex<Fake>>;

async fn info() -> Json<Value> {
    Json(json!({
        "protocol_versions": [1, 2],
        "max_batch_records": 100,
        "max_body_bytes": 1_000_000,
        "server_time": chrono::Utc::now(),
    }))
}

async fn enroll() -> Json<Value> {
    Json(json!({
        "device_id": uuid::Uuid::now_v7(),
        "token": "device-token",
        "organization": {"id": "newer", "name": "Newer Org"},
    }))
}

async fn pull(
    State(s): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let after: u64 = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let records = if after == 0 {
        s.lock().expect("lock").pulled.clone()
    } else {
        Vec::new()
    };
    Json(json!({"records": records, "next": 1, "more": false}))
}

async fn push(State(s): State<Shared>, Json(body): Json<Value>) -> Json<Value> {
    let results: Vec<Value> = body["records"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({"id": r["id"], "version": r["version"], "status": "accepted"}))
        .collect();
    s.lock().expect("lock").pushes.push(body);
    Json(json!({ "results": results }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_from_a_newer_device_survives_an_edit_here_and_is_sent_back() {
    let id = uuid::Uuid::now_v7();
    let od_id = uuid::Uuid::now_v7();
    let future_field = json!({"scale": "v9", "readings": [1, 2.5, "three", null], "ok": true});
    // Written by a newer device, an hour ago by its clock.
    let hour_ago = chrono::Utc::now().timestamp_millis() as u64 - 3_600_000;
    let occurred = chrono::Local::now().fixed_offset() - chrono::Duration::hours(1);
    let state: Shared = Arc::new(Mutex::new(Fake {
        pulled: vec![
            json!({
                "id": id, "version": 1, "record_type": "activity", "kind": "outreach_contact",
                "occurred_at": occurred, "recorded_at": occurred, "deleted": false,
                "hlc": shiftlog_model::hlc::format(hour_ago, 0, 0xfeed),
                "body": {"people_reached": 3, "on_shift": false, "future_field": future_field},
            }),
            json!({
                // A choice this version does not have yet: the stored body does not parse here.
                "id": od_id, "version": 1, "record_type": "activity", "kind": "overdose_response",
                "occurred_at": occurred, "recorded_at": occurred, "deleted": false,
                "hlc": shiftlog_model::hlc::format(hour_ago, 1, 0xfeed),
                "body": {"called_911": "declined_by_person", "outcome": "survived",
                         "on_shift": false, "future_field": future_field},
            }),
        ],
        pushes: Vec::new(),
    }));
    let app = Router::new()
        .route(paths::INFO, get(info))
        .route(paths::ENROLL, post(enroll))
        .route(paths::PULL, get(pull))
        .route(paths::PUSH, post(push))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open(dir.path(), Unlock::Pin("246813".into()), &common::opts()).expect("open");
    core.enroll(&format!("http://{addr}/"), "code", "older phone")
        .await
        .expect("enroll");
    core.sync_now().await.expect("first sync pulls the record");
    let pulled = core.get_record(id).expect("pulled");
    assert_eq!(pulled.body["future_field"], future_field, "kept as pulled");
    assert!(matches!(pulled.sync, RecordSync::Sent { .. }));

    // The worker edits it here with a body built from the fields this version knows, as
    // the CLI and the app's forms do.
    let edited = core
        .edit_record(id, None, json!({"people_reached": 5, "on_shift": false}))
        .expect("edit");
    assert_eq!(edited.version, 2);
    assert_eq!(edited.body["people_reached"], json!(5));
    assert_eq!(
        edited.body["future_field"], future_field,
        "kept on the device"
    );
    // A second edit that echoes the body back (as the app does) keeps it too, once.
    let mut echoed = edited.body.clone();
    echoed["people_reached"] = json!(6);
    let edited = core.edit_record(id, None, echoed).expect("edit again");
    assert_eq!(edited.body["future_field"], future_field);

    // The worker fixes the record this version cannot read with a body it can: the field the
    // newer device added still comes back, the fields this version defines are the worker's.
    let fixed = core
        .edit_record(
            od_id,
            None,
            json!({"called_911": "yes", "outcome": "survived", "on_shift": false}),
        )
        .expect("edit the unreadable one");
    assert_eq!(fixed.body["future_field"], future_field);
    assert_eq!(fixed.body["called_911"], json!("yes"));

    core.sync_now().await.expect("push the edits");
    let pushes = state.lock().expect("lock").pushes.clone();
    let sent: Vec<&Value> = pushes
        .iter()
        .flat_map(|p| p["records"].as_array().into_iter().flatten())
        .filter(|r| r["id"] == json!(id))
        .collect();
    assert_eq!(sent.len(), 1, "one push of the edited record: {pushes:?}");
    assert_eq!(sent[0]["version"], json!(3));
    assert_eq!(sent[0]["body"]["people_reached"], json!(6));
    assert_eq!(
        sent[0]["body"]["future_field"], future_field,
        "sent back unchanged"
    );
    let od: Vec<&Value> = pushes
        .iter()
        .flat_map(|p| p["records"].as_array().into_iter().flatten())
        .filter(|r| r["id"] == json!(od_id))
        .collect();
    assert_eq!(od.len(), 1);
    assert_eq!(od[0]["body"]["future_field"], future_field);
    assert_eq!(od[0]["body"]["called_911"], json!("yes"));
    assert!(matches!(
        core.get_record(id).expect("get").sync,
        RecordSync::Sent { .. }
    ));
    server.abort();
}
