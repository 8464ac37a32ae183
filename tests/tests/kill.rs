//! Processes killed with SIGKILL at random points: the organization server during ingest, and
//! (in crates/shiftlog-cli/tests/kill.rs) the client during sync. Nothing confirmed is lost,
//! nothing is duplicated. `SHIFTLOG_LONG_TESTS=1` runs many more trials.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use shiftlog_core::{Core, KdfParams, NewActivity, OpenOptions, RecordQuery, RecordSync, Unlock};
use shiftlog_server::{Limits, OrgService, SqliteStorage};
use shiftlog_system_tests::Lcg;

fn trials(normal: usize, long: usize) -> usize {
    if std::env::var("SHIFTLOG_LONG_TESTS").as_deref() == Ok("1") {
        long
    } else {
        normal
    }
}

fn start_server(dir: &std::path::Path, addr: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_test-org-server"))
        .arg(dir)
        .arg(addr)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    assert!(line.starts_with("listening"), "server said {line:?}");
    child
}

fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_during_ingest_loses_nothing_it_confirmed() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let code = {
        let svc = OrgService::new(
            Arc::new(SqliteStorage::open(sdir.path()).expect("store")),
            Limits::default(),
        );
        svc.ensure_organization("rural", "Rural").expect("org");
        svc.new_enrollment_code("rural").expect("code")
    };
    let addr = free_addr();
    let mut server = start_server(sdir.path(), &addr);
    let opts = OpenOptions {
        kdf: KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        request_timeout: Duration::from_secs(5),
        ..OpenOptions::default()
    };
    let core = Core::open(ddir.path(), Unlock::Pin("246813".into()), &opts).expect("open");
    core.enroll(&format!("http://{addr}/"), &code, "phone")
        .await
        .expect("enroll");
    let mut rng = Lcg(11);
    let n_trials = trials(20, 200);
    let mut interrupted = 0;
    for trial in 0..n_trials {
        for q in 0..150 {
            core.log_activity(NewActivity {
                org_id: None,
                occurred_at: None,
                kind: "supplies_distributed".into(),
                body: json!({"items": [{"item": "syringes", "quantity": 1 + (q + trial) % 40}]}),
            })
            .expect("log");
        }
        let c = core.clone();
        let sync = tokio::spawn(async move { c.sync_now().await });
        tokio::time::sleep(Duration::from_millis(rng.next(60))).await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reap");
        if sync.await.expect("join").is_err() {
            interrupted += 1;
        }
        // Every record the device believes sent must be on the server after the crash.
        let sent: HashSet<String> = core
            .list_records(&RecordQuery::default())
            .expect("list")
            .into_iter()
            .filter(|r| matches!(r.sync, RecordSync::Sent { .. }))
            .map(|r| r.id.to_string())
            .collect();
        let svc = OrgService::new(
            Arc::new(SqliteStorage::open(sdir.path()).expect("store")),
            Limits::default(),
        );
        let mut buf = Vec::new();
        svc.export_csv("rural", &mut buf).expect("export");
        drop(svc);
        let on_server: HashSet<String> = String::from_utf8(buf)
            .expect("utf8")
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next().map(str::to_string))
            .collect();
        let lost: Vec<_> = sent.difference(&on_server).collect();
        assert!(
            lost.is_empty(),
            "trial {trial}: confirmed but lost: {lost:?}"
        );
        server = start_server(sdir.path(), &addr);
    }
    eprintln!("{interrupted} of {n_trials} syncs were cut by the kill");
    assert!(interrupted > 0, "the kills must land during syncs");
    // Let it finish: everything arrives exactly once.
    for _ in 0..50 {
        if core.sync_now().await.is_ok() && core.sync_status().expect("status").waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill().expect("kill");
    server.wait().expect("reap");
    let svc = OrgService::new(
        Arc::new(SqliteStorage::open(sdir.path()).expect("store")),
        Limits::default(),
    );
    let mut buf = Vec::new();
    svc.export_csv("rural", &mut buf).expect("export");
    let rows: Vec<String> = String::from_utf8(buf)
        .expect("utf8")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_string))
        .collect();
    let unique: HashSet<_> = rows.iter().collect();
    assert_eq!(rows.len(), 150 * n_trials, "0 lost");
    assert_eq!(unique.len(), rows.len(), "0 duplicated");
    assert_eq!(core.sync_status().expect("status").waiting, 0);
}
