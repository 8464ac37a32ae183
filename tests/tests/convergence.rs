//! Convergence: 2 to 5 devices of one worker make random records, edits and deletes, with
//! random partial syncs through faulty links; after everyone syncs, every device holds exactly
//! what the server holds. `PROPTEST_CASES` sets the number of runs (default 24).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use shiftlog_core::{Core, KdfParams, NewActivity, OpenOptions, RecordQuery, Unlock};
use shiftlog_server::staff::Staff;
use shiftlog_server::Role;
use shiftlog_system_tests::proxy::{FaultProxy, Faults};
use shiftlog_system_tests::TestServer;

#[derive(Debug, Clone)]
enum Op {
    Log { dev: usize, people: u8 },
    Edit { dev: usize, pick: usize, people: u8 },
    Delete { dev: usize, pick: usize },
    Sync { dev: usize, faulty: bool },
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        // Few records, many edits and syncs: the same record is often edited on two devices.
        1 => (0..devices, 0u8..50).prop_map(|(dev, people)| Op::Log { dev, people }),
        4 => (0..devices, any::<usize>(), 0u8..50).prop_map(|(dev, pick, people)| Op::Edit { dev, pick, people }),
        1 => (0..devices, any::<usize>()).prop_map(|(dev, pick)| Op::Delete { dev, pick }),
        4 => (0..devices, any::<bool>()).prop_map(|(dev, faulty)| Op::Sync { dev, faulty }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (2usize..=5).prop_flat_map(|n| (Just(n), proptest::collection::vec(op(n), 10..60)))
}

fn opts() -> OpenOptions {
    OpenOptions {
        kdf: KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
        },
        request_timeout: Duration::from_secs(3),
        ..OpenOptions::default()
    }
}

/// What a device holds: id → (kind, occurred_at, body).
fn state(core: &Core) -> BTreeMap<String, (String, String, serde_json::Value)> {
    core.list_records(&RecordQuery::default())
        .expect("list")
        .into_iter()
        .map(|r| {
            (
                r.id.to_string(),
                (r.kind, r.occurred_at.to_rfc3339(), r.body),
            )
        })
        .collect()
}

async fn run(n: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let sdir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let admin = Staff {
        org_id: "peers".into(),
        actor: "test".into(),
        role: Role::Admin,
    };
    let first_code = server.org_with_code("peers", "Peers");
    let mut dirs = Vec::new();
    let mut devices: Vec<Arc<Core>> = Vec::new();
    let mut proxies = Vec::new();
    for i in 0..=n {
        let dir = tempfile::tempdir().expect("tempdir");
        let core = Core::open(dir.path(), Unlock::Pin("2468".into()), &opts()).expect("open");
        let code = if i == 0 {
            first_code.clone()
        } else {
            let pseudonym = server.service.devices(&admin).expect("devices")[0]
                .pseudonym
                .clone();
            server
                .service
                .enrollment_code(&admin, Some(&pseudonym))
                .expect("code")
                .0
        };
        core.enroll(&server.url(), &code, &format!("device {i}"))
            .await
            .expect("enroll");
        let proxy = FaultProxy::start(server.addr, Faults::default(), 1 + i as u64).await;
        core.set_server_url("peers", &proxy.url()).expect("repoint");
        proxies.push(proxy);
        devices.push(core);
        dirs.push(dir);
    }
    // Device n is the observer: it only pulls at the end, to see what the server holds.
    let observer = devices.pop().expect("observer");
    for op in ops {
        match op {
            Op::Log { dev, people } => {
                devices[dev]
                    .log_activity(NewActivity {
                        org_id: None,
                        occurred_at: None,
                        kind: "outreach_contact".into(),
                        body: json!({"people_reached": people}),
                    })
                    .expect("log");
            }
            Op::Edit { dev, pick, people } => {
                let list = devices[dev]
                    .list_records(&RecordQuery::default())
                    .expect("list");
                if !list.is_empty() {
                    let r = &list[pick % list.len()];
                    devices[dev]
                        .edit_record(
                            r.id,
                            None,
                            json!({"people_reached": people, "minutes": people}),
                        )
                        .expect("edit");
                }
            }
            Op::Delete { dev, pick } => {
                let list = devices[dev]
                    .list_records(&RecordQuery::default())
                    .expect("list");
                if !list.is_empty() {
                    devices[dev]
                        .delete_record(list[pick % list.len()].id)
                        .expect("delete");
                }
            }
            Op::Sync { dev, faulty } => {
                proxies[dev].set(if faulty {
                    Faults {
                        reset_request: 0.4,
                        truncate_response: 0.4,
                        ..Faults::default()
                    }
                } else {
                    Faults::default()
                });
                let _ = devices[dev].sync_now().await;
                proxies[dev].set(Faults::default());
            }
        }
    }
    // Everyone syncs cleanly, twice round, so every push is pulled by every other device.
    for _ in 0..2 {
        for d in &devices {
            d.sync_now()
                .await
                .map_err(|e| TestCaseError::fail(format!("final sync: {e:?}")))?;
        }
    }
    observer
        .sync_now()
        .await
        .map_err(|e| TestCaseError::fail(format!("observer: {e:?}")))?;
    let server_state = state(&observer);
    for (i, d) in devices.iter().enumerate() {
        prop_assert_eq!(d.sync_status().expect("status").waiting, 0);
        prop_assert_eq!(
            &state(d),
            &server_state,
            "device {} differs from the server",
            i
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn devices_of_one_worker_converge_on_the_server_state((n, ops) in scenario()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        rt.block_on(run(n, ops))?;
    }
}
