//! The client process (`shiftlog sync`) killed with SIGKILL at random points during sync:
//! after a restart, every record arrives exactly once. `SHIFTLOG_LONG_TESTS=1` runs 200 trials.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use serde_json::json;
use shiftlog_core::{Core, KdfParams, NewActivity, OpenOptions, RecordQuery, Unlock};
use shiftlog_system_tests::proxy::{FaultProxy, Faults};
use shiftlog_system_tests::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_killed_during_sync_loses_and_duplicates_nothing() {
    let n_trials = if std::env::var("SHIFTLOG_LONG_TESTS").as_deref() == Ok("1") {
        200
    } else {
        20
    };
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("rural", "Rural");
    let opts = OpenOptions {
        kdf: KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        ..OpenOptions::default()
    };
    let core = Core::open(ddir.path(), Unlock::Pin("246813".into()), &opts).expect("open");
    core.enroll(&server.url(), &code, "laptop")
        .await
        .expect("enroll");
    // A slow link, so the kills land in the middle of pushes.
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            delay: Duration::from_millis(15),
            ..Faults::default()
        },
        3,
    )
    .await;
    core.set_server_url("rural", &proxy.url()).expect("repoint");

    let mut state = 99u64;
    let mut cut = 0;
    for trial in 0..n_trials {
        for q in 0..60 {
            core.log_activity(NewActivity {
                org_id: None,
                occurred_at: None,
                kind: "supplies_distributed".into(),
                body: json!({"items": [{"item": "pipes", "quantity": 1 + (q + trial) % 30}]}),
            })
            .expect("log");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_shiftlog"))
            .arg("--data-dir")
            .arg(ddir.path())
            .arg("sync")
            .env("SHIFTLOG_PIN", "246813")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        tokio::time::sleep(Duration::from_millis((state >> 33) % 250)).await;
        if child.try_wait().expect("status").is_none() {
            cut += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().expect("reap");
    }
    eprintln!("{cut} of {n_trials} client runs killed before they finished");
    assert!(cut > n_trials / 2, "most kills must land during a sync");

    let out = Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(ddir.path())
        .arg("sync")
        .env("SHIFTLOG_PIN", "246813")
        .output()
        .expect("final sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(core.sync_status().expect("status").waiting, 0);

    let local: HashSet<String> = core
        .list_records(&RecordQuery::default())
        .expect("list")
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    let mut buf = Vec::new();
    server
        .service
        .export_csv("rural", &mut buf)
        .expect("export");
    let rows: Vec<String> = String::from_utf8(buf)
        .expect("utf8")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_string))
        .collect();
    let on_server: HashSet<String> = rows.iter().cloned().collect();
    assert_eq!(rows.len(), 60 * n_trials, "0 lost, 0 duplicated");
    assert_eq!(on_server, local);
}
