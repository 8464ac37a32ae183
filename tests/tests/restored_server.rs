//! A server brought back from a backup lacks what it confirmed after the backup, while its
//! devices have long marked those records as sent. Its new data epoch makes them send every
//! record again and pull from the start: nothing confirmed is lost, nothing is doubled, and a
//! delete confirmed after the backup stays deleted.

use std::net::SocketAddr;

use shiftlog_core::{NewActivity, RecordQuery};
use shiftlog_server::staff::Staff;
use shiftlog_server::Role;
use shiftlog_system_tests::{supplies, test_device, TestServer};

fn admin() -> Staff {
    Staff {
        org_id: "peers".into(),
        actor: "test".into(),
        role: Role::Admin,
    }
}

fn outreach(people: i64) -> NewActivity {
    NewActivity {
        org_id: None,
        occurred_at: None,
        kind: "outreach_contact".into(),
        body: serde_json::json!({ "people_reached": people }),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_confirmed_after_the_backup_are_sent_again_to_the_restored_server() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let adir = tempfile::tempdir().expect("tempdir");
    let bdir = tempfile::tempdir().expect("tempdir");
    let backups = tempfile::tempdir().expect("tempdir");
    let backup = backups.path().join("server-backup.db");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let addr: SocketAddr = server.addr;
    let code = server.org_with_code("peers", "Peers");

    // Phone A and the same worker's laptop B.
    let a = test_device(adir.path());
    a.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll a");
    let pseudonym = server.service.devices(&admin()).expect("devices")[0]
        .pseudonym
        .clone();
    let second = server
        .service
        .enrollment_code(&admin(), Some(&pseudonym))
        .expect("code")
        .0;
    let b = test_device(bdir.path());
    b.enroll(&server.url(), &second, "laptop")
        .await
        .expect("enroll b");

    let mut before = Vec::new();
    for n in 1..=3 {
        before.push(a.log_activity(outreach(n)).expect("log").id.to_string());
    }
    a.sync_now().await.expect("sync");
    b.sync_now().await.expect("sync b");
    shiftlog_server_sqlite::backup::backup(sdir.path(), &backup).expect("backup");

    // After the backup: two more records, and one of the first three deleted, all confirmed.
    let mut after = Vec::new();
    for n in 4..=5 {
        after.push(a.log_activity(outreach(n)).expect("log").id.to_string());
    }
    a.delete_record(before[0].parse().expect("uuid"))
        .expect("delete");
    let r = a.sync_now().await.expect("sync");
    assert_eq!(r.accepted, 3, "{r:?}");
    let confirmed = sorted(vec![
        before[1].clone(),
        before[2].clone(),
        after[0].clone(),
        after[1].clone(),
    ]);
    assert_eq!(sorted(server.exported_ids("peers")), confirmed);

    // The disk dies; the organization restores last night's backup.
    server.stop().await;
    let (info, _aside) =
        shiftlog_server_sqlite::backup::restore(&backup, sdir.path()).expect("restore");
    assert_eq!(info.records, 3, "the backup holds the first three");
    let server = TestServer::start(sdir.path(), addr).await;
    assert_eq!(
        sorted(server.exported_ids("peers")),
        sorted(before.clone()),
        "the restored server lacks what came after the backup"
    );

    // The laptop writes first, on the restored server, so the restored change log hands out
    // positions the phone had already pulled past.
    let from_b = b.log_activity(supplies("naloxone_kit", 1)).expect("log b");
    b.sync_now().await.expect("sync b");

    let r = a.sync_now().await.expect("sync after the restore");
    assert_eq!(
        r.resent_after_restore, 5,
        "every record the phone holds for the organization goes again, the tombstone too: {r:?}"
    );
    assert_eq!(
        r.accepted, 3,
        "the two later records and the delete were missing; the rest already there: {r:?}"
    );
    let mut want = confirmed.clone();
    want.push(from_b.id.to_string());
    assert_eq!(
        sorted(server.exported_ids("peers")),
        sorted(want.clone()),
        "nothing confirmed is lost, the delete stays, nothing is doubled"
    );
    let on_a: Vec<String> = a
        .list_records(&RecordQuery::default())
        .expect("list")
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    assert!(
        on_a.contains(&from_b.id.to_string()),
        "the phone pulls from the start and gets the laptop's record: {on_a:?}"
    );

    // The next sync is quiet again: the epoch is remembered.
    let r = a.sync_now().await.expect("sync again");
    assert_eq!((r.resent_after_restore, r.accepted), (0, 0), "{r:?}");
    assert_eq!(sorted(server.exported_ids("peers")), sorted(want));
    server.stop().await;
}
