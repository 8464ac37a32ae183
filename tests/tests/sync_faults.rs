//! Sync through a fault-injecting proxy between a real client store and a real server:
//! nothing lost, nothing duplicated, edits during a push stay pending, and one bad record
//! never blocks the rest.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use shiftlog_core::{Core, RecordQuery, RecordSync, Unlock};
use shiftlog_system_tests::proxy::{FaultProxy, Faults};
use shiftlog_system_tests::{enrolled_device, supplies, test_options};

/// Writes a record straight into the device database, bypassing the core's validation.
fn insert_raw(dir: &std::path::Path, org: &str, kind: &str, body: serde_json::Value) -> uuid::Uuid {
    let conn = shiftlog_core::test_support::raw_connection(
        dir,
        &Unlock::Pin("246813".into()),
        test_options().kdf,
    )
    .expect("open");
    conn.execute_batch("PRAGMA busy_timeout = 5000;")
        .expect("busy timeout");
    let id = uuid::Uuid::now_v7();
    let now = chrono::Local::now().fixed_offset();
    conn.execute(
        "INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms, recorded_at, body)
         VALUES (?1, ?2, 'activity', ?3, ?4, ?5, ?4, ?6)",
        rusqlite::params![id.to_string(), org, kind, now.to_rfc3339(), now.timestamp_millis(), body.to_string()],
    )
    .expect("insert");
    id
}

async fn sync_until_done(core: &Core, max_tries: usize) -> usize {
    for attempt in 1..=max_tries {
        let _ = core.sync_now().await;
        if core.sync_status().expect("status").waiting == 0 {
            return attempt;
        }
    }
    panic!("still waiting after {max_tries} tries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_records_through_a_faulty_link_arrive_exactly_once() {
    let env = enrolled_device("rural", "Rural Outreach").await;
    let (server, core) = (&env.server, env.core.clone());

    let mut local = HashSet::new();
    for i in 0..10_000 {
        local.insert(
            core.log_activity(supplies("naloxone_kit", 1 + i % 50))
                .expect("log")
                .id
                .to_string(),
        );
    }
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            reset_request: 0.03,
            truncate_response: 0.05,
            drop_response: 0.03,
            ..Faults::default()
        },
        7,
    )
    .await;
    // Point the device at the proxy (as if its Wi-Fi were this bad).
    core.set_server_url("rural", &proxy.url()).expect("repoint");
    let tries = sync_until_done(&core, 400).await;
    let faults = proxy
        .stats
        .faults
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        faults >= 5,
        "the link must actually have failed ({faults} faults, {tries} tries)"
    );

    let on_server = server.exported_ids("rural");
    let unique: HashSet<_> = on_server.iter().cloned().collect();
    assert_eq!(on_server.len(), 10_000, "0 lost, 0 duplicated");
    assert_eq!(unique, local, "exactly the records logged");
    let recs = core.list_records(&RecordQuery::default()).expect("list");
    assert!(recs
        .iter()
        .all(|r| matches!(r.sync, RecordSync::Sent { .. })));
    eprintln!("10,000 records: {tries} sync runs, {faults} injected faults");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_made_while_a_push_is_in_flight_stays_pending() {
    let env = enrolled_device("demo", "Demo").await;
    let (server, core) = (&env.server, env.core.clone());
    let first = core.log_activity(supplies("naloxone_kit", 1)).expect("log");
    for q in 2..50 {
        core.log_activity(supplies("naloxone_kit", q)).expect("log");
    }
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            delay: Duration::from_millis(400),
            ..Faults::default()
        },
        1,
    )
    .await;
    core.set_server_url("demo", &proxy.url()).expect("repoint");
    let c2 = core.clone();
    let push = tokio::spawn(async move { c2.sync_now().await });
    // Wait until the push body is on the wire (the batch has been read), then edit. (Packed,
    // the info request and the push of 49 records are about 1,300 bytes.)
    while proxy
        .stats
        .up_bytes
        .load(std::sync::atomic::Ordering::Relaxed)
        < 1000
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    core.edit_record(
        first.id,
        None,
        json!({"items": [{"item": "naloxone_kit", "quantity": 9}]}),
    )
    .expect("edit during push");
    let report = push.await.expect("join").expect("sync");
    // The confirmation of version 1 did not clear the edit: the same run sent version 2 in a
    // follow-up batch. (Had the counter been zeroed, the server would still hold version 1.)
    assert_eq!(report.accepted, 50, "49 records, then the edit: {report:?}");
    let after = core.get_record(first.id).expect("get");
    assert_eq!(after.version, 2);
    assert!(matches!(after.sync, RecordSync::Sent { .. }));
    assert_eq!(core.sync_status().expect("status").waiting, 0);
    let mut buf = Vec::new();
    server.service.export_csv("demo", &mut buf).expect("export");
    let csv = String::from_utf8(buf).expect("utf8");
    let line = csv
        .lines()
        .find(|l| l.starts_with(&first.id.to_string()))
        .expect("on server");
    assert!(
        line.contains("naloxone_kit x9"),
        "server has the edit: {line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_record_never_blocks_the_rest_and_is_kept_with_the_reason() {
    let env = enrolled_device("demo", "Demo").await;
    let core = env.core.clone();
    for q in 1..=5 {
        core.log_activity(supplies("naloxone_kit", q)).expect("log");
    }
    // A record this app version would refuse, as an older version may have written it.
    let bad = insert_raw(
        core.data_dir(),
        "demo",
        "meal_service",
        json!({"minutes": 99999}),
    );
    for q in 6..=10 {
        core.log_activity(supplies("naloxone_kit", q)).expect("log");
    }
    let report = core.sync_now().await.expect("sync");
    assert_eq!((report.accepted, report.rejected), (10, 1), "{report:?}");
    let status = core.sync_status().expect("status");
    assert_eq!((status.waiting, status.needs_attention), (0, 1));
    let attention = core
        .list_records(&RecordQuery {
            needs_attention: true,
            ..RecordQuery::default()
        })
        .expect("list");
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].id, bad);
    match &attention[0].sync {
        RecordSync::NeedsAttention { reason } => {
            assert!(reason.to_lowercase().contains("minutes"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Fixing it sends it.
    core.edit_record(bad, None, json!({"minutes": 90}))
        .expect("fix");
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.accepted, 1);
    assert_eq!(core.sync_status().expect("status").needs_attention, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_reported_as_n_of_m() {
    let env = enrolled_device("demo", "Demo").await;
    let (server, core) = (&env.server, env.core.clone());
    for q in 0..1000 {
        core.log_activity(supplies("naloxone_kit", 1 + q % 9))
            .expect("log");
    }
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            delay: Duration::from_millis(30),
            ..Faults::default()
        },
        1,
    )
    .await;
    core.set_server_url("demo", &proxy.url()).expect("repoint");
    let mut rx = core.subscribe_sync();
    let seen = tokio::spawn(async move {
        let mut seen = Vec::new();
        while rx.changed().await.is_ok() {
            let v = rx.borrow_and_update().clone();
            let idle = v == shiftlog_core::SyncActivity::Idle;
            seen.push(v);
            if idle {
                break;
            }
        }
        seen
    });
    core.sync_now().await.expect("sync");
    let seen = seen.await.expect("join");
    let partial = seen.iter().any(|a| {
        matches!(a, shiftlog_core::SyncActivity::Sending { done, total: 1000 } if *done > 0 && *done < 1000)
    });
    assert!(partial, "an n-of-m step between start and end: {seen:?}");
    assert_eq!(seen.last(), Some(&shiftlog_core::SyncActivity::Idle));
}
