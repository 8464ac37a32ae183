//! Which server gets the records: a server names its organization, but it never chooses which
//! organization on this device that is. A hostile server on loopback answers enrollment with
//! the id of an organization the worker already has (one kept on this device only, or one
//! joined at another server) and hands out, in its pulls, records with the ids of that
//! organization's records. Nothing of that organization is sent to it or changed by it.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shiftlog_core::{Core, NewActivity, RecordQuery, RecordSync};
use shiftlog_wire::paths;
use uuid::Uuid;

/// A stand-in organization server that says whatever the test tells it to.
#[derive(Default)]
struct Fake {
    /// The organization id and name its enrollment answers with.
    org: (String, String),
    /// Records its pull hands out once, after cursor 0.
    pulled: Vec<Value>,
    /// The ids of every record pushed to it.
    pushed: Vec<String>,
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

async fn enroll(State(s): State<Shared>) -> Json<Value> {
    let (id, name) = s.lock().expect("lock").org.clone();
    Json(json!({
        "device_id": Uuid::now_v7(),
        "token": format!("token-{}", Uuid::now_v7()),
        "organization": {"id": id, "name": name},
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
    let mut results = Vec::new();
    let mut fake = s.lock().expect("lock");
    for r in body["records"].as_array().into_iter().flatten() {
        fake.pushed
            .push(r["id"].as_str().unwrap_or_default().to_string());
        results.push(json!({"id": r["id"], "version": r["version"], "status": "accepted"}));
    }
    Json(json!({ "results": results }))
}

async fn catalogue(State(s): State<Shared>) -> Json<Value> {
    let (id, name) = s.lock().expect("lock").org.clone();
    // An organization that renames every area: applied to its own row only.
    Json(json!({
        "organization": {"id": id, "name": name},
        "activity_kinds": [], "supply_items": [], "roles": [],
        "areas": [{"id": "hostile_area", "label": "Hostile"}],
        "retention_days": 30,
    }))
}

async fn serve(org_id: &str) -> (SocketAddr, Shared) {
    let state: Shared = Arc::new(Mutex::new(Fake {
        org: (org_id.into(), format!("Server calling itself {org_id}")),
        ..Fake::default()
    }));
    let app = Router::new()
        .route(paths::INFO, get(info))
        .route(paths::ENROLL, post(enroll))
        .route(paths::PULL, get(pull))
        .route(paths::PUSH, post(push))
        .route(paths::CATALOGUE, get(catalogue))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, state)
}

fn outreach(org: &str, people: i64) -> NewActivity {
    NewActivity {
        org_id: Some(org.into()),
        occurred_at: None,
        kind: "outreach_contact".into(),
        body: json!({"people_reached": people, "on_shift": false}),
    }
}

/// A pulled version of `id` that would win over the local one (a later clock).
fn forged(id: Uuid, people: i64) -> Value {
    let occurred = chrono::Local::now().fixed_offset() - chrono::Duration::minutes(5);
    json!({
        "id": id, "version": 7, "record_type": "activity", "kind": "outreach_contact",
        "occurred_at": occurred, "recorded_at": occurred, "deleted": false,
        "hlc": shiftlog_model::hlc::format(chrono::Utc::now().timestamp_millis() as u64 + 60_000, 0, 0xbad),
        "body": {"people_reached": people, "on_shift": false},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_naming_a_local_organization_gets_none_of_its_records() {
    let (_dir, core) = common::profile();
    let local = core.organizations().expect("orgs")[0].clone();
    assert!(local.id.starts_with("local-") && local.server_url.is_none());
    let before = core.log_activity(outreach(&local.id, 3)).expect("log");

    let (addr, fake) = serve(&local.id).await;
    fake.lock().expect("lock").pulled = vec![forged(before.id, 99)];
    let joined = core
        .enroll(&format!("http://{addr}/"), "code", "phone")
        .await
        .expect("enroll");
    assert_ne!(
        joined.id, local.id,
        "the server's id does not name the local organization"
    );
    assert!(!joined.id.starts_with("local-"), "{}", joined.id);

    // The local organization is still kept on this device only.
    let orgs = core.organizations().expect("orgs");
    assert_eq!(orgs.len(), 2);
    let still = orgs.iter().find(|o| o.id == local.id).expect("still there");
    assert_eq!(still.server_url, None);

    // Records of the local organization logged before and after joining stay here.
    let after = core.log_activity(outreach(&local.id, 4)).expect("log");
    let own = core.log_activity(outreach(&joined.id, 1)).expect("log");
    let report = core.sync_now().await.expect("sync");
    assert_eq!(
        report.pull_refused, 1,
        "the forged version is refused and counted"
    );
    let pushed = fake.lock().expect("lock").pushed.clone();
    assert_eq!(
        pushed,
        vec![own.id.to_string()],
        "only the server's own organization's record"
    );
    for (rec, people) in [(before, 3), (after, 4)] {
        let now = core.get_record(rec.id).expect("kept");
        assert_eq!(now.org_id, local.id);
        assert_eq!(
            now.body["people_reached"],
            json!(people),
            "not overwritten by the pull"
        );
        assert_eq!(now.version, 1);
        assert_eq!(now.sync, RecordSync::Local);
    }
    // The server's catalogue went to its own row only.
    let local_areas = core.catalogue(Some(&local.id)).expect("catalogue").areas;
    assert!(local_areas.iter().all(|a| a.id != "hostile_area"));
    assert!(core
        .catalogue(Some(&joined.id))
        .expect("catalogue")
        .areas
        .iter()
        .any(|a| a.id == "hostile_area"));

    // A second sync sends nothing more.
    core.sync_now().await.expect("sync again");
    assert_eq!(fake.lock().expect("lock").pushed.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_reusing_an_id_gets_its_own_organization() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    let (a_addr, a) = serve("demo").await;
    let (b_addr, b) = serve("demo").await;
    let org_a = core
        .enroll(&format!("http://{a_addr}/"), "code", "phone")
        .await
        .expect("enroll a");
    assert_eq!(org_a.id, "demo", "a free id is kept as the server gave it");
    let rec_a = core.log_activity(outreach(&org_a.id, 2)).expect("log");

    b.lock().expect("lock").pulled = vec![forged(rec_a.id, 50)];
    let org_b = core
        .enroll(&format!("http://{b_addr}/"), "code", "phone")
        .await
        .expect("enroll b");
    assert_ne!(org_b.id, org_a.id);
    let urls: Vec<_> = core
        .organizations()
        .expect("orgs")
        .into_iter()
        .map(|o| (o.id, o.server_url))
        .collect();
    assert_eq!(
        urls,
        vec![
            (org_a.id.clone(), Some(format!("http://{a_addr}/"))),
            (org_b.id.clone(), Some(format!("http://{b_addr}/"))),
        ],
        "A still points at A"
    );

    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.pull_refused, 1);
    assert_eq!(a.lock().expect("lock").pushed, vec![rec_a.id.to_string()]);
    assert!(
        b.lock().expect("lock").pushed.is_empty(),
        "B received nothing of A's"
    );
    let kept = core.get_record(rec_a.id).expect("kept");
    assert_eq!(kept.org_id, org_a.id);
    assert_eq!(kept.body["people_reached"], json!(2));
    assert!(matches!(kept.sync, RecordSync::Sent { .. }));

    // Joining A again (a new code) renews A's organization: no third row, records stay.
    core.enroll(&format!("http://{a_addr}/"), "code 2", "phone")
        .await
        .expect("enroll a again");
    assert_eq!(core.organizations().expect("orgs").len(), 2);
    let listed = core
        .list_records(&RecordQuery {
            org_id: Some(org_a.id.clone()),
            ..RecordQuery::default()
        })
        .expect("list");
    assert_eq!(listed.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_cannot_answer_with_an_unusable_organization() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core: Arc<Core> = common::open(dir.path()).expect("open");
    for bad in ["", "   ", "new\nline", &"x".repeat(65)] {
        let (addr, _fake) = serve(bad).await;
        let err = core
            .enroll(&format!("http://{addr}/"), "code", "phone")
            .await
            .expect_err("refused");
        assert_eq!(err.code(), "bad_response", "{bad:?}: {err}");
    }
    assert!(core.organizations().expect("orgs").is_empty());
}

/// A database as schema 5 left it (plaintext, from the frozen copy of the schema): an
/// organization joined at a server, one kept on this device only, records and a check-in.
fn frozen_v5(dir: &std::path::Path) {
    let conn = rusqlite::Connection::open(dir.join(shiftlog_core::DB_FILE)).expect("open");
    conn.execute_batch(include_str!("schemas/v5.sql"))
        .expect("schema");
    conn.execute_batch(
        "PRAGMA user_version = 5;
         INSERT INTO organizations (id, name, server_url, device_id, device_token, joined_at)
           VALUES ('demo', 'Demo', 'http://127.0.0.1:9/', 'd', 't', '2026-11-01T00:00:00Z'),
                  ('local-mine', 'Mine', NULL, NULL, NULL, '2026-11-02T00:00:00Z');
         INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms,
                recorded_at, version, body, on_shift, people_reached, sync_change_counter,
                synced_at, hlc)
           VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c31', 'demo', 'activity', 'outreach_contact',
                   '2026-11-20T10:42:00-08:00', 1795200120000, '2026-11-20T10:42:05-08:00', 1,
                   '{\"people_reached\":3,\"on_shift\":false}', 0, 3, 1, NULL, NULL),
                  ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c32', 'local-mine', 'activity', 'outreach_contact',
                   '2026-11-20T11:00:00-08:00', 1795201200000, '2026-11-20T11:00:05-08:00', 1,
                   '{\"people_reached\":2,\"on_shift\":false}', 0, 2, 1, NULL, NULL);
         INSERT INTO checkins (id, org_id, created_at, created_utc_ms, debrief_requested, private_note)
           VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c33', 'demo', '2025-01-20T10:50:00-08:00',
                   1737399000000, 1, 'kept private');",
    )
    .expect("rows");
}

/// Schema 5 upgrades to 6 with nothing lost, and the organization joined before knows its
/// server's id: joining that server again renews it; the local one stays local.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_5_upgrades_and_keeps_which_server_each_organization_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    frozen_v5(dir.path());
    let core = common::open(dir.path()).expect("upgrade");
    let recs = core.list_records(&RecordQuery::default()).expect("list");
    assert_eq!(recs.len(), 2);
    assert_eq!(core.sync_status().expect("status").waiting, 1);
    assert_eq!(
        core.list_checkins().expect("checkins")[0]
            .private_note
            .as_deref(),
        Some("kept private"),
        "a check-in far older than the 30-day default survives the upgrade"
    );
    assert_eq!(
        core.checkin_retention_days().expect("retention"),
        None,
        "a profile that held check-ins keeps them until the worker chooses a period"
    );
    let raw = shiftlog_core::test_support::raw_connection(
        dir.path(),
        &shiftlog_core::Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    let version: u32 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(
        version,
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .expect("migrations")
            .count() as u32,
        "and on to the current schema"
    );
    let ids: Vec<(String, Option<String>)> = raw
        .prepare("SELECT id, server_org_id FROM organizations ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        ids,
        vec![
            ("demo".into(), Some("demo".into())),
            ("local-mine".into(), None)
        ]
    );
    drop(raw);

    // The organization moved to a new address; joining it there again renews the same row.
    let (addr, fake) = serve("demo").await;
    core.set_server_url("demo", &format!("http://{addr}/"))
        .expect("move");
    let again = core
        .enroll(&format!("http://{addr}/"), "code", "phone")
        .await
        .expect("enroll");
    assert_eq!(again.id, "demo");
    assert_eq!(core.organizations().expect("orgs").len(), 2);
    core.sync_now().await.expect("sync");
    assert_eq!(
        fake.lock().expect("lock").pushed,
        vec!["01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c31".to_string()],
        "the waiting record of demo went; the local one did not"
    );
}
