//! What a device learns from its organization when it syncs: the catalogue, and that it was
//! removed (it stops syncing that organization and keeps every record).

use shiftlog_core::{CoreError, NewActivity, RecordQuery, SyncActivity};
use shiftlog_server::staff::Staff;
use shiftlog_server::{CatalogueEdit, CatalogueEntry, Role};
use shiftlog_system_tests::{supplies, test_device, TestServer};

fn admin(org: &str) -> Staff {
    Staff {
        org_id: org.into(),
        actor: "test".into(),
        role: Role::Admin,
    }
}

fn entry(id: &str, label: &str, description: &str) -> CatalogueEntry {
    CatalogueEntry {
        id: id.into(),
        label: label.into(),
        description: description.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizations_catalogue_reaches_the_device() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("north", "North Peers");
    server
        .service
        .set_catalogue(
            &admin("north"),
            &CatalogueEdit {
                activity_kinds: vec![
                    entry("supplies_distributed", "Supplies", ""),
                    entry("overdose_response", "Overdose", ""),
                ],
                supply_items: vec![
                    entry("naloxone_kit", "Naloxone kit", ""),
                    entry("hygiene_kit", "Hygiene kit", ""),
                ],
                areas: vec![entry("north_end", "North End", "")],
                roles: vec![entry(
                    "peer_support",
                    "Peer support worker",
                    "Check in with people at the drop-in and hand out supplies.",
                )],
                retention_days: 30,
            },
        )
        .expect("catalogue");
    let core = test_device(ddir.path());
    core.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll");
    assert!(
        core.log_activity(supplies("hygiene_kit", 1)).is_err(),
        "not known before the pull"
    );
    core.sync_now().await.expect("sync");
    let cat = core.catalogue(Some("north")).expect("catalogue");
    assert!(cat.has_item("hygiene_kit") && !cat.has_item("syringes"));
    assert!(cat.has_area("north_end"));
    assert_eq!(cat.retention_days, 30);
    assert_eq!(
        cat.roles[0].expectations.en,
        "Check in with people at the drop-in and hand out supplies."
    );
    assert_eq!(cat.kinds, vec!["supplies_distributed", "overdose_response"]);
    core.log_activity(supplies("hygiene_kit", 1))
        .expect("now known");
    let e = core
        .log_activity(supplies("syringes", 1))
        .expect_err("no longer on the list");
    assert_eq!(e.code(), "invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_device_stops_syncing_that_organization_and_keeps_its_records() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("demo", "Demo Society");
    let core = test_device(ddir.path());
    core.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll");
    core.log_activity(supplies("naloxone_kit", 1)).expect("log");
    core.sync_now().await.expect("sync");
    let devices = server.service.devices(&admin("demo")).expect("devices");
    server
        .service
        .revoke_device(&admin("demo"), devices[0].id)
        .expect("revoke");

    core.log_activity(supplies("naloxone_kit", 1))
        .expect("still logs offline");
    let err = core.sync_now().await.expect_err("removed");
    assert!(matches!(err, CoreError::DeviceRevoked), "{err:?}");
    assert!(err
        .message(shiftlog_core::Lang::En)
        .contains("Ask your coordinator for a new code"));
    let status = core.sync_status().expect("status");
    assert_eq!(status.removed_from, vec!["Demo Society".to_string()]);
    assert_eq!(status.activity, SyncActivity::DeviceRevoked);
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        2,
        "kept"
    );
    // Nothing more is sent to that organization.
    assert!(matches!(core.sync_now().await, Err(CoreError::NotEnrolled)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_organization_gets_only_its_own_records_through_its_own_endpoint() {
    let s1 = tempfile::tempdir().expect("tempdir");
    let s2 = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let one = TestServer::start(s1.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let two = TestServer::start(s2.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code1 = one.org_with_code("site", "Overdose Prevention Site");
    let code2 = two.org_with_code("peers", "Peer Network");
    let core = test_device(ddir.path());
    core.enroll(&one.url(), &code1, "phone")
        .await
        .expect("enroll 1");
    core.enroll(&two.url(), &code2, "phone")
        .await
        .expect("enroll 2");
    let mut mine = std::collections::HashMap::new();
    for (org, n) in [("site", 3), ("peers", 2)] {
        for _ in 0..n {
            let r = core
                .log_activity(NewActivity {
                    org_id: Some(org.into()),
                    ..supplies("naloxone_kit", 1)
                })
                .expect("log");
            mine.insert(r.id.to_string(), org);
        }
    }
    // One server down: the other organization's records still go.
    two.stop().await;
    let _ = core.sync_now().await;
    assert_eq!(
        core.sync_status().expect("status").waiting,
        2,
        "only the peers' records wait"
    );
    let on_one = one.exported_ids("site");
    assert_eq!(on_one.len(), 3);
    assert!(
        on_one.iter().all(|id| mine[id] == "site"),
        "only the site's records on its server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_an_organization_keeps_every_record_and_asks_before_stranding_unsent_ones() {
    let env = shiftlog_system_tests::enrolled_device("demo", "Demo Society").await;
    let core = env.core.clone();
    core.log_activity(supplies("naloxone_kit", 1)).expect("log");
    core.sync_now().await.expect("sync");
    core.log_activity(supplies("naloxone_kit", 2))
        .expect("log, not sent");
    let err = core
        .leave_organization("demo", false)
        .expect_err("one unsent");
    assert_eq!(err.code(), "invalid");
    assert!(err
        .message(shiftlog_core::Lang::En)
        .contains("1 record(s) have not been sent"));
    assert!(
        core.sync_status().expect("status").enrolled,
        "nothing changed"
    );
    core.leave_organization("demo", true).expect("leave anyway");
    let status = core.sync_status().expect("status");
    assert!(!status.enrolled);
    assert_eq!(status.waiting, 0);
    let recs = core.list_records(&RecordQuery::default()).expect("list");
    assert_eq!(recs.len(), 2, "every record stays");
    assert!(recs
        .iter()
        .all(|r| r.sync == shiftlog_core::RecordSync::Local));
    assert!(matches!(core.sync_now().await, Err(CoreError::NotEnrolled)));
    assert_eq!(
        env.server.exported_ids("demo").len(),
        1,
        "the server kept what it had"
    );
}
