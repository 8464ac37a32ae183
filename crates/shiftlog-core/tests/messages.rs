//! Messages from an organization: fetched with each sync from a stand-in server, kept,
//! listed unread and alerts first, marked read, dropped when withdrawn or expired, reported
//! back as received, and kept apart per organization. A failing message list never fails the
//! sync of records. And a profile at schema 6 upgrades with nothing lost.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use shiftlog_core::{Core, RecordQuery, Urgency};
use shiftlog_wire::paths;
use uuid::Uuid;

#[derive(Default)]
struct Fake {
    org: (String, String),
    /// What `GET /api/v1/messages` lists.
    messages: Vec<Value>,
    /// Answer the list with this status instead (500, or 200 with a body too large).
    fail: Option<StatusCode>,
    /// Every list of ids reported received.
    received: Vec<Vec<String>>,
}

type Shared = Arc<Mutex<Fake>>;

async fn info() -> Json<Value> {
    Json(json!({
        "protocol_versions": [1, 2], "max_batch_records": 100,
        "max_body_bytes": 1_000_000, "server_time": Utc::now(),
    }))
}

async fn enroll(State(s): State<Shared>) -> Json<Value> {
    let (id, name) = s.lock().expect("lock").org.clone();
    Json(json!({
        "device_id": Uuid::now_v7(), "token": format!("token-{}", Uuid::now_v7()),
        "organization": {"id": id, "name": name},
    }))
}

async fn list(State(s): State<Shared>) -> Response {
    let fake = s.lock().expect("lock");
    match fake.fail {
        Some(StatusCode::OK) => {
            let huge = "x".repeat(600 * 1024);
            Json(json!({"messages": [], "padding": huge})).into_response()
        }
        Some(status) => (
            status,
            Json(json!({"code": "internal", "message": "Something broke."})),
        )
            .into_response(),
        None => Json(json!({"messages": fake.messages})).into_response(),
    }
}

async fn received(State(s): State<Shared>, Json(body): Json<Value>) -> StatusCode {
    let ids = body["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i.as_str().map(String::from))
        .collect();
    s.lock().expect("lock").received.push(ids);
    StatusCode::NO_CONTENT
}

async fn serve(org: &str, with_messages: bool) -> (SocketAddr, Shared) {
    let state: Shared = Arc::new(Mutex::new(Fake {
        org: (org.into(), format!("Org {org}")),
        ..Fake::default()
    }));
    let mut app = Router::new()
        .route(paths::INFO, get(info))
        .route(paths::ENROLL, post(enroll));
    if with_messages {
        app = app
            .route(paths::MESSAGES, get(list))
            .route(paths::MESSAGES_RECEIVED, post(received));
    }
    let app = app.with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, state)
}

fn message(id: &str, urgency: &str, text: &str, expires_in: Duration) -> Value {
    json!({
        "id": id, "urgency": urgency, "text": text,
        "posted_at": (Utc::now() - Duration::minutes(5)).to_rfc3339(),
        "expires_at": (Utc::now() + expires_in).to_rfc3339(),
        "role": null,
    })
}

async fn joined(core: &Core, addr: SocketAddr) -> String {
    core.enroll(&format!("http://{addr}/"), "code", "phone")
        .await
        .expect("enroll")
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_kept_read_withdrawn_and_reported_received() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    let (addr, fake) = serve("org-a", true).await;
    let org = joined(&core, addr).await;
    let day = Duration::days(1);
    fake.lock().expect("lock").messages = vec![
        message("n1", "notice", "Drop-in closes at 3 today", day),
        message("a1", "alert", "Strong batch going around downtown", day),
        message("bad", "alert", "hidden \u{1b}[2J escape", day),
    ];
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.messages_new, 2, "{report:?}");
    assert_eq!(report.messages_error, None);
    let got = core.messages(Utc::now()).expect("messages");
    let ids: Vec<&str> = got.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        ["a1", "n1"],
        "alerts first; the unusable one is not kept"
    );
    assert_eq!(got[0].urgency, Urgency::Alert);
    assert_eq!(got[0].org_name, "Org org-a");
    assert_eq!(got[0].org_id, org);
    let mut reported = fake.lock().expect("lock").received.clone();
    reported[0].sort();
    assert_eq!(reported, vec![vec!["a1".to_string(), "n1".to_string()]]);

    core.mark_message_read(&org, "a1").expect("read");
    let got = core.messages(Utc::now()).expect("messages");
    assert_eq!(got[0].id, "n1", "unread before read");
    assert!(got[1].read_at.is_some());
    let err = core.mark_message_read(&org, "nope").expect_err("unknown");
    assert_eq!(err.code(), "message_not_found");

    // Withdrawn: the server lists it no more. The one still listed keeps its read mark.
    fake.lock().expect("lock").messages.remove(0);
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.messages_new, 0);
    let got = core.messages(Utc::now()).expect("messages");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, "a1");
    assert!(got[0].read_at.is_some(), "read stays read");

    // Expired: not listed once past its time, and gone from the file at the next open.
    assert!(core
        .messages(Utc::now() + Duration::days(2))
        .expect("later")
        .is_empty());
    fake.lock().expect("lock").messages = vec![message(
        "soon",
        "alert",
        "Short-lived",
        Duration::seconds(2),
    )];
    core.sync_now().await.expect("sync");
    assert_eq!(core.messages(Utc::now()).expect("m").len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(core.messages(Utc::now()).expect("m").is_empty());
    drop(core);
    let core = common::open(dir.path()).expect("reopen");
    assert!(core
        .messages(Utc::now() - Duration::days(1))
        .expect("m")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_server_fills_only_its_own_organization() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    let (addr_a, fake_a) = serve("org-a", true).await;
    let (addr_b, fake_b) = serve("org-b", true).await;
    let a = joined(&core, addr_a).await;
    let b = joined(&core, addr_b).await;
    let day = Duration::days(1);
    fake_a.lock().expect("lock").messages = vec![message("same", "alert", "From A", day)];
    fake_b.lock().expect("lock").messages = vec![message("same", "notice", "From B", day)];
    core.sync_now().await.expect("sync");
    let got = core.messages(Utc::now()).expect("messages");
    let seen: Vec<(&str, &str)> = got
        .iter()
        .map(|m| (m.org_id.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(seen, [(a.as_str(), "From A"), (b.as_str(), "From B")]);
    core.mark_message_read(&b, "same").expect("read");
    let got = core.messages(Utc::now()).expect("messages");
    assert!(got.iter().any(|m| m.org_id == a && m.read_at.is_none()));
    // B withdrawing its message leaves A's, with the same id, in place.
    fake_b.lock().expect("lock").messages.clear();
    core.sync_now().await.expect("sync");
    let got = core.messages(Utc::now()).expect("messages");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text, "From A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_message_list_never_fails_the_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    let (addr, fake) = serve("org-a", true).await;
    joined(&core, addr).await;
    fake.lock().expect("lock").messages = vec![message("a1", "alert", "Kept", Duration::days(1))];
    core.sync_now().await.expect("sync");
    for (fail, code) in [
        (StatusCode::INTERNAL_SERVER_ERROR, "server"),
        (StatusCode::OK, "response_too_large"),
    ] {
        fake.lock().expect("lock").fail = Some(fail);
        let report = core.sync_now().await.expect("the sync itself succeeds");
        assert_eq!(report.messages_error.as_deref(), Some(code));
        assert_eq!(
            core.messages(Utc::now()).expect("m").len(),
            1,
            "what was kept stays"
        );
    }
    // An older server without messages at all: nothing to report.
    let (old, _) = serve("org-old", false).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    joined(&core, old).await;
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.messages_error, None);
    assert_eq!(report.messages_new, 0);
}

/// Schema 6 (the frozen copy) upgrades to 7 with its records, and holds no messages yet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_6_upgrades_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let conn =
            rusqlite::Connection::open(dir.path().join(shiftlog_core::DB_FILE)).expect("open");
        conn.execute_batch(include_str!("schemas/v6.sql"))
            .expect("schema");
        conn.execute_batch(
            "PRAGMA user_version = 6;
             INSERT INTO organizations (id, name, server_url, device_id, device_token, joined_at,
                    server_org_id)
               VALUES ('demo', 'Demo', 'http://127.0.0.1:9/', 'd', 't', '2026-11-01T00:00:00Z',
                       'demo');
             INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms,
                    recorded_at, version, body, on_shift, people_reached, sync_change_counter,
                    synced_at, hlc)
               VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c41', 'demo', 'activity',
                       'outreach_contact', '2026-11-20T10:42:00-08:00', 1795200120000,
                       '2026-11-20T10:42:05-08:00', 1, '{\"people_reached\":3,\"on_shift\":false}',
                       0, 3, 1, NULL, NULL);",
        )
        .expect("rows");
    }
    let core = common::open(dir.path()).expect("upgrade");
    assert_eq!(
        core.list_records(&RecordQuery::default()).expect("l").len(),
        1
    );
    assert!(core.messages(Utc::now()).expect("messages").is_empty());
    let raw = shiftlog_core::test_support::raw_connection(
        dir.path(),
        &shiftlog_core::Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    let version: u32 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    // Migration 7 and every later one.
    assert_eq!(
        version,
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .expect("migrations")
            .count() as u32
    );
}
