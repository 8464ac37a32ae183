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

/// The server's count of pushed records answered accepted and already_had (`/metrics`, which
/// it serves to callers on this machine).
async fn pushed_records(server: &shiftlog_system_tests::TestServer) -> (u64, u64) {
    let text = reqwest::get(format!("{}metrics", server.url()))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let count = |result: &str| {
        let key = format!("shiftlog_records_total{{result=\"{result}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(key.as_str()))
            .map_or(0, |n| n.trim().parse::<u64>().expect("a count"))
    };
    (count("accepted"), count("already_had"))
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
    // The client pushes 1000 records at a time (`CLIENT_MAX_BATCH`, the server's
    // `max_batch_records`): 10 pushes of one or two 16 KiB chunks each way. The odds are per
    // chunk, mostly on answers (the server stored the batch, the device never heard), and high
    // enough that many faults land on pushes, not only on the requests around them.
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            reset_request: 0.05,
            truncate_response: 0.30,
            drop_response: 0.20,
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
        faults >= 5 && tries >= 2,
        "the link must actually have failed ({faults} faults, {tries} tries)"
    );
    // Answers lost after the server stored a batch: those records went again and were
    // recognised, not stored twice (the attack on "exactly once" landed on pushes).
    let (accepted, already_had) = pushed_records(server).await;
    assert!(
        already_had > 0,
        "some stored records must have been sent again ({faults} faults, {tries} tries)"
    );
    assert_eq!(accepted, 10_000, "the server stored each record once");

    let on_server = server.exported_ids("rural");
    let unique: HashSet<_> = on_server.iter().cloned().collect();
    assert_eq!(on_server.len(), 10_000, "0 lost, 0 duplicated");
    assert_eq!(unique, local, "exactly the records logged");
    let recs = core.list_records(&RecordQuery::default()).expect("list");
    assert!(recs
        .iter()
        .all(|r| matches!(r.sync, RecordSync::Sent { .. })));
    eprintln!(
        "10,000 records: {tries} sync runs, {faults} injected faults, {already_had} sent again"
    );
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
    // Two and a half of the client's batches (1000 records, `CLIENT_MAX_BATCH`): the run must
    // report the records confirmed after each push, not only at the start and the end.
    let total = 2 * shiftlog_core::sync::CLIENT_MAX_BATCH as u32 + 500;
    for q in 0..total {
        core.log_activity(supplies("naloxone_kit", 1 + i64::from(q % 9)))
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
    let steps: Vec<u32> = seen
        .iter()
        .filter_map(|a| match a {
            shiftlog_core::SyncActivity::Sending { done, total: t } if *t == total => Some(*done),
            _ => None,
        })
        .collect();
    // (A watch channel keeps only the latest value: two answers applied back to back may show
    // as one step, so one step between start and end is what is certain.)
    assert!(
        steps.iter().any(|d| *d > 0 && *d < total),
        "an n-of-m step between start and end: {seen:?}"
    );
    assert!(
        steps.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {steps:?}"
    );
    assert_eq!(seen.last(), Some(&shiftlog_core::SyncActivity::Idle));
}
