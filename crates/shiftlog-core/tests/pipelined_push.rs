//! Pushes go two at a time, packed when the server speaks protocol 3, and a record is marked
//! sent only from its own batch's answer: when one batch fails, the batch already on the wire
//! beside it is still answered and marked, nothing more is sent, and the next sync sends
//! exactly the records that were not confirmed.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shiftlog_core::{NewActivity, RecordQuery, RecordSync};
use shiftlog_wire::{packed, paths, PushRequest, PushResponse, RecordResult, RecordStatus};

#[derive(Default)]
struct Seen {
    /// Ids of each push, in the order they arrived.
    pushes: Mutex<Vec<Vec<String>>>,
    content_types: Mutex<HashSet<String>>,
    now: AtomicUsize,
    most: AtomicUsize,
    /// The push (counted from 1) to fail with a 503, or 0.
    fail: AtomicUsize,
}

async fn info() -> Json<Value> {
    Json(json!({
        "protocol_versions": [1, 2, 3],
        "max_batch_records": 10,
        "max_body_bytes": 1_000_000,
        "server_time": chrono::Utc::now(),
    }))
}

async fn enroll() -> Json<Value> {
    Json(json!({
        "device_id": uuid::Uuid::now_v7(),
        "token": "device-token",
        "organization": {"id": "org", "name": "Org"},
    }))
}

async fn push(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: Bytes) -> Response {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let req: PushRequest = if ct == packed::CONTENT_TYPE {
        packed::decode(&body).expect("a packed push")
    } else {
        serde_json::from_slice(&body).expect("a JSON push")
    };
    seen.content_types.lock().expect("lock").insert(ct);
    let n = {
        let mut p = seen.pushes.lock().expect("lock");
        p.push(req.records.iter().map(|r| r.id.to_string()).collect());
        p.len()
    };
    let now = seen.now.fetch_add(1, Ordering::SeqCst) + 1;
    seen.most.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await;
    seen.now.fetch_sub(1, Ordering::SeqCst);
    if seen.fail.load(Ordering::SeqCst) == n {
        // The failure is answered once the next push is on the wire (as when a server falls
        // over between two requests); answered sooner, a loaded machine may have the client
        // see it before it sends the next batch, and the test would not test that case.
        let until = tokio::time::Instant::now() + Duration::from_secs(5);
        while seen.pushes.lock().expect("lock").len() <= n && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
    }
    Json(PushResponse {
        results: req
            .records
            .iter()
            .map(|r| RecordResult::plain(r.id, r.version, RecordStatus::Accepted))
            .collect(),
    })
    .into_response()
}

async fn server(seen: Arc<Seen>) -> std::net::SocketAddr {
    let app = Router::new()
        .route(paths::INFO, get(info))
        .route(paths::ENROLL, post(enroll))
        .route(paths::PUSH, post(push))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_beside_a_good_one_leaves_only_its_own_records_to_send() {
    let seen = Arc::new(Seen::default());
    seen.fail.store(2, Ordering::SeqCst);
    let addr = server(seen.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    core.enroll(&format!("http://{addr}/"), "code", "phone")
        .await
        .expect("enroll");
    for i in 0..45 {
        core.log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: "outreach_contact".into(),
            body: json!({"people_reached": 1 + i % 5, "on_shift": false}),
        })
        .expect("log");
    }
    let err = core.sync_now().await.expect_err("the second push failed");
    assert_eq!(err.code(), "server", "{err}");

    let pushes = seen.pushes.lock().expect("lock").clone();
    // Batch 1 answered, batch 2 failed while batch 3 was on the wire; nothing after.
    assert_eq!(pushes.len(), 3, "{pushes:?}");
    assert!(pushes.iter().all(|p| p.len() == 10));
    assert_eq!(seen.most.load(Ordering::SeqCst), 2, "two pushes at once");
    assert_eq!(
        *seen.content_types.lock().expect("lock"),
        HashSet::from([packed::CONTENT_TYPE.to_string()])
    );
    let synced = |core: &shiftlog_core::Core| -> HashSet<String> {
        core.list_records(&RecordQuery::default())
            .expect("list")
            .into_iter()
            .filter(|r| matches!(r.sync, RecordSync::Sent { .. }))
            .map(|r| r.id.to_string())
            .collect()
    };
    let confirmed: HashSet<String> = pushes[0].iter().chain(&pushes[2]).cloned().collect();
    assert_eq!(synced(&core), confirmed);
    assert_eq!(core.sync_status().expect("status").waiting, 25);

    // The link is good again: only what was not confirmed goes, each record once.
    seen.fail.store(0, Ordering::SeqCst);
    core.sync_now().await.expect("sync");
    let pushes = seen.pushes.lock().expect("lock").clone();
    let again: Vec<&String> = pushes[3..].iter().flatten().collect();
    assert_eq!(again.len(), 25, "{again:?}");
    assert!(again.iter().all(|id| !confirmed.contains(*id)));
    let distinct: HashSet<&String> = again.iter().copied().collect();
    assert_eq!(distinct.len(), 25);
    assert_eq!(synced(&core).len(), 45);
    assert_eq!(core.sync_status().expect("status").waiting, 0);
}
