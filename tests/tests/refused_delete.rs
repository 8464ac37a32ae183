//! A delete the server refuses did not happen: the record comes back on the device, with the
//! server's reason, in Needs attention, instead of vanishing from the worker's lists while
//! the organization keeps it (the convergence test found this with a clock two days ahead).

use std::sync::Arc;
use std::time::Duration;

use shiftlog_core::{Core, NewActivity, OpenOptions, RecordQuery, RecordSync, Unlock};
use shiftlog_system_tests::{test_options, TestServer};

const DAY_MS: i64 = 24 * 3_600_000;

fn open(dir: &std::path::Path, skew: i64) -> Arc<Core> {
    let opts = OpenOptions {
        clock_skew_ms: skew,
        request_timeout: Duration::from_secs(5),
        ..test_options()
    };
    Core::open(dir, Unlock::Pin("246813".into()), &opts).expect("open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delete_brings_the_record_back_with_the_reason() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("peers", "Peers");
    let id = {
        let core = open(ddir.path(), 0);
        core.enroll(&server.url(), &code, "phone")
            .await
            .expect("enroll");
        let r = core
            .log_activity(NewActivity {
                org_id: None,
                occurred_at: None,
                kind: "outreach_contact".into(),
                body: serde_json::json!({"people_reached": 3}),
            })
            .expect("log");
        core.sync_now().await.expect("sync");
        assert_eq!(server.exported_ids("peers"), vec![r.id.to_string()]);
        r.id
    };
    // The same device, its clock now two days ahead: the server refuses its stamps.
    let core = open(ddir.path(), 2 * DAY_MS);
    core.delete_record(id).expect("delete");
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.rejected, 1, "{report:?}");
    assert_eq!(
        server.exported_ids("peers"),
        vec![id.to_string()],
        "the server keeps the record"
    );
    let list = core.list_records(&RecordQuery::default()).expect("list");
    assert_eq!(list.len(), 1, "the record is back on the device: {list:?}");
    assert_eq!(list[0].id, id);
    assert_eq!(list[0].body["people_reached"], 3);
    let RecordSync::NeedsAttention { reason } = &list[0].sync else {
        panic!("not in Needs attention: {:?}", list[0].sync);
    };
    assert!(!reason.is_empty());
    // Purging keeps it: it is neither confirmed nor gone from the server.
    core.purge_expired().expect("purge");
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        1
    );
}
