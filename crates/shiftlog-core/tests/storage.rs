//! The device database: encryption at rest, wrong PINs, damaged files, migrations from frozen
//! old schemas, retention, and a guard against any field that could identify a client.

mod common;

use std::path::Path;

use chrono::{Duration, Local};
use rusqlite::Connection;
use serde_json::json;
use shiftlog_core::{Core, CoreError, NewActivity, RecordQuery, Unlock};

fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

#[test]
fn file_is_unreadable_without_the_key() {
    let (dir, core) = common::profile();
    core.log_activity(NewActivity {
        org_id: None,
        occurred_at: None,
        kind: "outreach_contact".into(),
        body: json!({"note": "SECRET-MARKER-1234"}),
    })
    .expect("log");
    drop(core);
    let path = dir.path().join(shiftlog_core::DB_FILE);
    let raw = std::fs::read(&path).expect("read");
    assert!(!raw.starts_with(b"SQLite format 3"));
    assert!(!raw.windows(18).any(|w| w == b"SECRET-MARKER-1234"));
    let plain = Connection::open(&path).expect("open");
    let err = plain
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect_err("no key, no data");
    assert!(err.to_string().contains("not a database"), "{err}");
}

#[test]
fn wrong_pin_is_a_clear_error_and_changes_nothing() {
    let (dir, core) = common::profile();
    drop(core);
    let db = dir.path().join(shiftlog_core::DB_FILE);
    let before = sha(&db);
    let files_before: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    for wrong in ["1357", "24680", "0000"] {
        let err = Core::open(dir.path(), Unlock::Pin(wrong.into()), &common::opts())
            .err()
            .expect("wrong pin must fail");
        assert!(matches!(err, CoreError::WrongPin), "{err:?}");
        assert!(err.message(shiftlog_core::Lang::En).contains("PIN"));
    }
    assert_eq!(sha(&db), before, "database untouched");
    let files_after: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(files_before, files_after, "no new or moved files");
    common::open(dir.path()).expect("right PIN still opens");
}

#[test]
fn damaged_database_is_moved_aside_and_kept() {
    let (dir, core) = common::profile();
    drop(core);
    let db = dir.path().join(shiftlog_core::DB_FILE);
    let _ = std::fs::remove_file(dir.path().join("shiftlog.db-wal"));
    let mut bytes = std::fs::read(&db).expect("read");
    for b in bytes.iter_mut().take(4096) {
        *b ^= 0x5a;
    }
    std::fs::write(&db, &bytes).expect("damage");
    let err = common::open(dir.path()).err().expect("must fail");
    match err {
        CoreError::DatabaseUnreadable { moved_to, .. } => {
            assert_eq!(
                std::fs::read(&moved_to).expect("kept"),
                bytes,
                "every byte kept"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Builds a database exactly as schema version 1 (the walking skeleton, unencrypted) left it.
fn frozen_v1(dir: &Path) {
    let conn = Connection::open(dir.join(shiftlog_core::DB_FILE)).expect("open");
    conn.execute_batch(include_str!("schemas/v1.sql"))
        .expect("schema");
    conn.execute_batch(
        "PRAGMA user_version = 1;
         INSERT INTO organizations (id, name, server_url, device_id, device_token, joined_at)
           VALUES ('demo', 'Demo', 'http://127.0.0.1:9/', 'd', 't', '2026-11-01T00:00:00Z');
         INSERT INTO activities (id, org_id, kind, occurred_at, occurred_utc_ms, recorded_at, version, body, sync_change_counter, synced_at)
           VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', 'demo', 'supplies_distributed',
                   '2026-11-20T10:42:00-08:00', 1795200120000, '2026-11-20T10:42:05-08:00', 1,
                   '{\"items\":[{\"item\":\"naloxone_kit\",\"quantity\":2}]}', 1, NULL),
                  ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c12', 'demo', 'supplies_distributed',
                   '2026-11-20T11:00:00-08:00', 1795201200000, '2026-11-20T11:00:05-08:00', 1,
                   '{\"items\":[{\"item\":\"syringes\",\"quantity\":10},{\"item\":\"pipes\",\"quantity\":3}]}', 0, '2026-11-20T19:01:00+00:00');",
    )
    .expect("rows");
}

#[test]
fn schema_1_upgrades_and_gets_encrypted_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    frozen_v1(dir.path());
    let core = common::open(dir.path()).expect("upgrade");
    let recs = core.list_records(&RecordQuery::default()).expect("list");
    assert_eq!(recs.len(), 2);
    let pending = recs
        .iter()
        .find(|r| r.id.to_string().ends_with("c11"))
        .expect("c11");
    assert_eq!(pending.sync, shiftlog_core::RecordSync::Waiting);
    assert_eq!(pending.body["items"][0]["quantity"], json!(2));
    assert_eq!(
        core.sync_status().expect("status").waiting,
        1,
        "still waiting to send"
    );
    let from = chrono::DateTime::parse_from_rfc3339("2026-11-20T00:00:00-08:00").expect("t");
    let s = core
        .summary(&shiftlog_core::SummaryQuery {
            from,
            to: from + Duration::days(1),
            org_id: None,
        })
        .expect("summary");
    assert_eq!(s.total.supplies_by_item["syringes"], 10);
    assert_eq!(s.total.supplies_by_item["pipes"], 3);
    drop(core);
    let raw = std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("read");
    assert!(!raw.starts_with(b"SQLite format 3"), "now encrypted");
}

#[test]
fn retention_purges_synced_old_records_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    frozen_v1(dir.path());
    // Make the synced record old and add an old unsynced one.
    {
        let conn = Connection::open(dir.path().join(shiftlog_core::DB_FILE)).expect("open");
        conn.execute_batch(
            "UPDATE activities SET occurred_utc_ms = 1000 WHERE id LIKE '%c12';
             INSERT INTO activities (id, org_id, kind, occurred_at, occurred_utc_ms, recorded_at, version, body, sync_change_counter)
               VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c13', 'demo', 'supplies_distributed',
                       '1970-01-01T00:00:01Z', 1000, '1970-01-01T00:00:01Z', 1,
                       '{\"items\":[{\"item\":\"syringes\",\"quantity\":1}]}', 1);",
        )
        .expect("age");
    }
    let core = common::open(dir.path()).expect("open");
    let ids: Vec<String> = core
        .list_records(&RecordQuery::default())
        .expect("list")
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert!(
        !ids.iter().any(|i| i.ends_with("c12")),
        "old synced record purged on open"
    );
    assert!(
        ids.iter().any(|i| i.ends_with("c13")),
        "old unsynced record kept"
    );
    assert!(
        ids.iter().any(|i| i.ends_with("c11")),
        "recent unsynced record kept"
    );
    let _ = Local::now();
}

/// Names that could hold a client's identity. A column or serialized field whose name
/// contains one of these fails the test.
const IDENTIFYING: &[&str] = &[
    "name",
    "birth",
    "dob",
    "health",
    "phn",
    "phone",
    "address",
    "street",
    "postal_code",
    "lat",
    "lon",
    "gps",
    "coord",
    "email",
    "sin",
    "client",
];
/// Fields that match a pattern above but hold no client identity, with the reason.
const ALLOWED: &[&str] = &[
    "organizations.name", // the organization's name
    "org_name",           // the organization's name in summaries
    "device_name",        // the worker's label for their own device
];

fn check_name(context: &str, field: &str) {
    let f = field.to_lowercase();
    if ALLOWED.contains(&format!("{context}.{f}").as_str()) || ALLOWED.contains(&f.as_str()) {
        return;
    }
    for bad in IDENTIFYING {
        assert!(
            !f.contains(bad),
            "{context}.{field} could hold a client's identity ({bad})"
        );
    }
}

fn walk(context: &str, v: &serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                check_name(context, k);
                walk(context, v);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| walk(context, v)),
        _ => {}
    }
}

#[test]
fn no_column_or_field_can_hold_a_client_identity() {
    let (dir, core) = common::profile();
    // Columns of every table.
    let conn = core_conn(dir.path());
    let tables: Vec<String> = {
        let mut s = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .expect("tables");
        let rows = s.query_map([], |r| r.get(0)).expect("rows");
        rows.collect::<Result<_, _>>().expect("collect")
    };
    assert!(tables.len() >= 6, "{tables:?}");
    for t in &tables {
        let mut s = conn
            .prepare(&format!("PRAGMA table_info({t})"))
            .expect("info");
        let cols: Vec<String> = s
            .query_map([], |r| r.get(1))
            .expect("cols")
            .collect::<Result<_, _>>()
            .expect("collect");
        for c in cols {
            check_name(t, &c);
        }
    }
    // Every serialized field of every record type, a check-in, a summary and the catalogue.
    let now = Local::now().fixed_offset();
    core.start_shift(shiftlog_core::StartShift::default())
        .expect("shift");
    for (kind, body) in [
        (
            "overdose_response",
            json!({"called_911": "yes", "naloxone": {"doses": 1, "route": "intramuscular"}, "outcome": "transported"}),
        ),
        (
            "supplies_distributed",
            json!({"items": [{"item": "pipes", "quantity": 1}]}),
        ),
        (
            "systems_navigation",
            json!({"task": "id", "contact_type": "phone", "outcome": "completed",
            "referral": {"destination": "ID office", "type": "active"}, "barriers": ["cost"],
            "follow_up_date": "2026-12-01", "out_of_pocket_cents": 100, "travel_minutes": 5}),
        ),
        (
            "meal_service",
            json!({"people_reached": 30, "minutes": 60, "note": "soup"}),
        ),
    ] {
        core.log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: kind.into(),
            body,
        })
        .expect("log");
    }
    core.end_shift(shiftlog_core::EndShift::default())
        .expect("end");
    core.log_training(shiftlog_core::NewTraining {
        org_id: None,
        topic: "x".into(),
        status: shiftlog_core::TrainingStatus::Wanted,
        minutes: None,
        occurred_at: None,
    })
    .expect("training");
    core.record_checkin(shiftlog_core::NewCheckin {
        debrief_requested: true,
        wellbeing: Some(3),
        private_note: Some("n".into()),
        share_debrief_request: true,
        ..Default::default()
    })
    .expect("checkin");
    for r in core.list_records(&RecordQuery::default()).expect("list") {
        walk("record", &serde_json::to_value(&r).expect("json"));
        walk(
            "envelope",
            &serde_json::to_value(r.to_envelope(false)).expect("json"),
        );
    }
    walk(
        "checkin",
        &serde_json::to_value(core.list_checkins().expect("c")).expect("json"),
    );
    walk(
        "summary",
        &serde_json::to_value(
            core.summary(&shiftlog_core::SummaryQuery {
                from: now - Duration::days(1),
                to: now + Duration::days(1),
                org_id: None,
            })
            .expect("s"),
        )
        .expect("json"),
    );
    walk(
        "catalogue",
        &serde_json::to_value(shiftlog_core::Catalogue::default_catalogue()).expect("json"),
    );
    // The test itself must be able to fail.
    let caught = std::panic::catch_unwind(|| check_name("x", "client_name"));
    assert!(caught.is_err());
}

fn core_conn(dir: &Path) -> Connection {
    // Open the file like the core does, with the key derived from the PIN.
    drop(common::open(dir).expect("open"));
    shiftlog_core::test_support::raw_connection(
        dir,
        &Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw connection")
}

#[test]
fn without_a_keystore_the_app_derives_the_key_from_the_pin() {
    // This test binary never starts a Secret Service, so none answers.
    std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
    let dir = tempfile::tempdir().expect("tempdir");
    drop(
        Core::open(
            dir.path(),
            Unlock::Pin("246813".into()),
            &common::app_opts(),
        )
        .expect("first start"),
    );
    assert_eq!(
        shiftlog_core::profile_key_source(dir.path()).as_deref(),
        Some("pin")
    );
    let err = Core::open(dir.path(), Unlock::Pin("0000".into()), &common::app_opts())
        .err()
        .expect("wrong");
    assert!(matches!(err, CoreError::WrongPin));
}

/// Builds a plaintext database exactly as schema `version` left it (a frozen copy of its
/// schema), with records in the states that matter: synced, waiting, and a check-in.
fn frozen(dir: &Path, version: u32, schema: &str) {
    let conn = Connection::open(dir.join(shiftlog_core::DB_FILE)).expect("open");
    conn.execute_batch(schema).expect("schema");
    conn.execute_batch(&format!(
        "PRAGMA user_version = {version};
         INSERT INTO organizations (id, name, server_url, device_id, device_token, joined_at)
           VALUES ('demo', 'Demo', 'http://127.0.0.1:9/', 'd', 't', '2026-11-01T00:00:00Z');
         INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms,
                recorded_at, version, body, on_shift, naloxone_doses, sync_change_counter, synced_at)
           VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c21', 'demo', 'activity', 'overdose_response',
                   '2026-11-20T10:42:00-08:00', 1795200120000, '2026-11-20T10:42:05-08:00', 1,
                   '{{\"called_911\":\"yes\",\"naloxone\":{{\"doses\":2,\"route\":\"intranasal\"}},\"outcome\":\"survived\",\"on_shift\":false}}',
                   0, 2, 0, '2026-11-20T19:00:00+00:00'),
                  ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c22', 'demo', 'activity', 'supplies_distributed',
                   '2026-11-20T11:00:00-08:00', 1795201200000, '2026-11-20T11:00:05-08:00', 1,
                   '{{\"items\":[{{\"item\":\"pipes\",\"quantity\":4}}],\"on_shift\":false}}', 0, 0, 1, NULL);
         INSERT INTO checkins (id, org_id, created_at, created_utc_ms, debrief_requested, private_note)
           VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c23', 'demo', '2026-11-20T10:50:00-08:00',
                   1795200600000, 1, 'kept private');"
    ))
    .expect("rows");
}

#[test]
fn schemas_2_and_3_upgrade_with_nothing_lost() {
    for (version, schema) in [
        (2, include_str!("schemas/v2.sql")),
        (3, include_str!("schemas/v3.sql")),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        frozen(dir.path(), version, schema);
        let core = common::open(dir.path()).expect("upgrade");
        let recs = core.list_records(&RecordQuery::default()).expect("list");
        assert_eq!(recs.len(), 2, "v{version}");
        assert_eq!(
            core.sync_status().expect("status").waiting,
            1,
            "v{version}: still waiting"
        );
        let from = chrono::DateTime::parse_from_rfc3339("2026-11-20T00:00:00-08:00").expect("t");
        let s = core
            .summary(&shiftlog_core::SummaryQuery {
                from,
                to: from + Duration::days(1),
                org_id: None,
            })
            .expect("summary");
        assert_eq!(s.total.naloxone_doses, 2, "v{version}");
        assert_eq!(s.total.supplies_by_item["pipes"], 4, "v{version}");
        assert_eq!(s.total.debriefs_requested, 1, "v{version}");
        assert_eq!(
            core.list_checkins().expect("c")[0].private_note.as_deref(),
            Some("kept private")
        );
        // Records from before clocks can be edited, and get one.
        let id = recs[0].id;
        let edited = core
            .edit_record(id, None, recs[0].body.clone())
            .expect("edit");
        assert!(edited.hlc.is_some(), "v{version}");
    }
}
