//! Convergence: 2 to 5 devices of one worker make random records, edits and deletes — often
//! of the same record at the same version, so bodies conflict — with random partial syncs
//! through faulty links, on devices whose clocks are right, hours or days behind, or hours or
//! days ahead; on a server over SQLite and over PostgreSQL. After everyone syncs:
//!
//! - every device holds exactly the server's version of every record, except the ones it
//!   shows the worker in Needs attention (refused with a reason, e.g. a clock days ahead);
//! - no write was lost without the worker being told: each device's last write of a record
//!   was stored on the server at some point, or is set aside on that device (superseded or in
//!   conflict), or is in its Needs attention.
//!
//! `PROPTEST_CASES` sets the number of runs (default 12, each on both backends).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use shiftlog_core::{Core, KdfParams, NewActivity, OpenOptions, RecordQuery, RecordSync, Unlock};
use shiftlog_server::staff::Staff;
use shiftlog_server::{Role, SqliteStorage, Storage};
use shiftlog_system_tests::proxy::{FaultProxy, Faults};
use shiftlog_system_tests::{PgSchema, TestServer};
use uuid::Uuid;

const HOUR: i64 = 3_600_000;
/// Device clocks: right, hours or days behind, hours ahead (within the server's day of
/// allowance), or days ahead (every write refused with a reason the worker sees).
const SKEWS: [i64; 6] = [
    0,
    -3 * 24 * HOUR,
    -5 * HOUR,
    5 * HOUR,
    20 * HOUR,
    2 * 24 * HOUR,
];

#[derive(Debug, Clone)]
enum Op {
    Log {
        dev: usize,
        people: u8,
    },
    Edit {
        dev: usize,
        pick: usize,
        people: u8,
    },
    /// Two devices change the same record before either syncs: the same version, two bodies.
    Twin {
        a: usize,
        b: usize,
        pick: usize,
        people: u8,
    },
    Delete {
        dev: usize,
        pick: usize,
    },
    Sync {
        dev: usize,
        faulty: bool,
    },
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..devices, 0u8..50).prop_map(|(dev, people)| Op::Log { dev, people }),
        3 => (0..devices, any::<usize>(), 0u8..50).prop_map(|(dev, pick, people)| Op::Edit { dev, pick, people }),
        2 => (0..devices, 0..devices, any::<usize>(), 0u8..50).prop_map(|(a, b, pick, people)| Op::Twin { a, b, pick, people }),
        1 => (0..devices, any::<usize>()).prop_map(|(dev, pick)| Op::Delete { dev, pick }),
        4 => (0..devices, any::<bool>()).prop_map(|(dev, faulty)| Op::Sync { dev, faulty }),
    ]
}

type Scenario = (usize, Vec<usize>, Vec<Op>);

fn scenario() -> impl Strategy<Value = Scenario> {
    (2usize..=5).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec(0..SKEWS.len(), n),
            proptest::collection::vec(op(n), 10..50),
        )
    })
}

fn opts(skew: i64) -> OpenOptions {
    OpenOptions {
        kdf: KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
        },
        request_timeout: Duration::from_secs(3),
        clock_skew_ms: skew,
        ..OpenOptions::default()
    }
}

/// What a device holds: id → (version, kind, occurred_at, body).
type State = BTreeMap<String, (u32, String, String, serde_json::Value)>;

fn state(core: &Core, except: &BTreeSet<String>) -> State {
    core.list_records(&RecordQuery::default())
        .expect("list")
        .into_iter()
        .filter(|r| !except.contains(&r.id.to_string()))
        .map(|r| {
            (
                r.id.to_string(),
                (r.version, r.kind, r.occurred_at.to_rfc3339(), r.body),
            )
        })
        .collect()
}

/// The records a device shows in Needs attention.
fn attention(core: &Core) -> BTreeSet<String> {
    core.list_records(&RecordQuery::default())
        .expect("list")
        .into_iter()
        .filter(|r| matches!(r.sync, RecordSync::NeedsAttention { .. }))
        .map(|r| r.id.to_string())
        .collect()
}

/// Every (id, clock) the server holds now, tombstones included.
async fn server_versions(store: Arc<dyn Storage>, worker: Uuid) -> Vec<(Uuid, Option<String>)> {
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = store
                .pull_records("peers", worker, Uuid::nil(), after, 1000)
                .expect("pull");
            out.extend(page.records.into_iter().map(|r| (r.id, r.hlc)));
            if !page.more {
                return out;
            }
            after = page.next;
        }
    })
    .await
    .expect("join")
}

async fn run(
    store: Arc<dyn Storage>,
    n: usize,
    skews: Vec<usize>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let sdir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_on(
        store.clone(),
        sdir.path(),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await;
    let admin = Staff {
        org_id: "peers".into(),
        actor: "test".into(),
        role: Role::Admin,
    };
    // The PostgreSQL driver is a blocking client: call the service off the async threads.
    let svc = server.service.clone();
    let blocking = |f: Box<dyn FnOnce(&shiftlog_server::OrgService) -> String + Send>| {
        let svc = svc.clone();
        async move {
            tokio::task::spawn_blocking(move || f(&svc))
                .await
                .expect("join")
        }
    };
    let first_code = blocking(Box::new(|s| {
        s.ensure_organization("peers", "Peers").expect("org");
        s.new_enrollment_code("peers").expect("code")
    }))
    .await;
    let mut dirs = Vec::new();
    let mut devices: Vec<Arc<Core>> = Vec::new();
    let mut proxies = Vec::new();
    for i in 0..=n {
        let dir = tempfile::tempdir().expect("tempdir");
        // The observer (the last one) keeps the right time.
        let skew = if i < n { SKEWS[skews[i]] } else { 0 };
        let core = Core::open(dir.path(), Unlock::Pin("246813".into()), &opts(skew)).expect("open");
        let code = if i == 0 {
            first_code.clone()
        } else {
            let admin = admin.clone();
            blocking(Box::new(move |s| {
                let pseudonym = s.devices(&admin).expect("devices")[0].pseudonym.clone();
                s.enrollment_code(&admin, Some(&pseudonym)).expect("code").0
            }))
            .await
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
    let pseudonym = {
        let admin = admin.clone();
        blocking(Box::new(move |s| {
            s.devices(&admin).expect("devices")[0].pseudonym.clone()
        }))
        .await
    };
    let worker = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || store.worker_by_pseudonym("peers", &pseudonym))
            .await
            .expect("join")
            .expect("worker")
            .expect("a worker")
    };
    // Device n is the observer: it only pulls at the end, to see what the server holds.
    let observer = devices.pop().expect("observer");
    // Each device's last write of each record: (version, clock); and what it deleted.
    let mut last_write: Vec<HashMap<Uuid, (u32, Option<String>)>> = vec![HashMap::new(); n];
    let mut deleted: Vec<BTreeSet<Uuid>> = vec![BTreeSet::new(); n];
    // Every (id, clock) the server ever held, looked at after each sync.
    let mut ever: BTreeSet<(Uuid, Option<String>)> = BTreeSet::new();
    let edit = |d: usize,
                pick: usize,
                people: u8,
                devices: &[Arc<Core>],
                last: &mut Vec<HashMap<Uuid, (u32, Option<String>)>>| {
        let list = devices[d]
            .list_records(&RecordQuery::default())
            .expect("list");
        if let Some(r) = (!list.is_empty()).then(|| &list[pick % list.len()]) {
            // A device with a wrong clock may refuse a time it sees as ahead; that is told
            // to the worker at once, so it is not a lost write.
            if let Ok(e) = devices[d].edit_record(
                r.id,
                None,
                json!({"people_reached": people, "minutes": people}),
            ) {
                last[d].insert(e.id, (e.version, e.hlc));
            }
            Some(r.id)
        } else {
            None
        }
    };
    for op in ops {
        match op {
            Op::Log { dev, people } => {
                if let Ok(r) = devices[dev].log_activity(NewActivity {
                    org_id: None,
                    occurred_at: None,
                    kind: "outreach_contact".into(),
                    body: json!({"people_reached": people}),
                }) {
                    last_write[dev].insert(r.id, (r.version, r.hlc));
                }
            }
            Op::Edit { dev, pick, people } => {
                edit(dev, pick, people, &devices, &mut last_write);
            }
            Op::Twin { a, b, pick, people } => {
                if let Some(id) = edit(a, pick, people, &devices, &mut last_write) {
                    if a != b {
                        if let Ok(e) = devices[b].edit_record(
                            id,
                            None,
                            json!({"people_reached": people / 2 + 1}),
                        ) {
                            last_write[b].insert(e.id, (e.version, e.hlc));
                        }
                    }
                }
            }
            Op::Delete { dev, pick } => {
                let list = devices[dev]
                    .list_records(&RecordQuery::default())
                    .expect("list");
                if !list.is_empty() {
                    let id = list[pick % list.len()].id;
                    devices[dev].delete_record(id).expect("delete");
                    deleted[dev].insert(id);
                    last_write[dev].remove(&id);
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
                ever.extend(server_versions(store.clone(), worker).await);
            }
        }
    }
    // Everyone syncs cleanly, twice round, so every push is pulled by every other device.
    for _ in 0..2 {
        for d in &devices {
            d.sync_now()
                .await
                .map_err(|e| TestCaseError::fail(format!("final sync: {e:?}")))?;
            ever.extend(server_versions(store.clone(), worker).await);
        }
    }
    observer
        .sync_now()
        .await
        .map_err(|e| TestCaseError::fail(format!("observer: {e:?}")))?;
    for (i, d) in devices.iter().enumerate() {
        prop_assert_eq!(d.sync_status().expect("status").waiting, 0);
        let told = attention(d);
        prop_assert_eq!(
            &state(d, &told),
            &state(&observer, &told),
            "device {} (clock {} ms off) differs from the server",
            i,
            SKEWS[skews[i]]
        );
        let aside: BTreeSet<(Uuid, u32)> = d
            .set_aside_versions()
            .expect("set aside")
            .into_iter()
            .map(|s| (s.record_id, s.version))
            .collect();
        for (id, (version, hlc)) in &last_write[i] {
            let accounted = ever.contains(&(*id, hlc.clone()))
                || aside.contains(&(*id, *version))
                || told.contains(&id.to_string())
                || deleted[i].contains(id);
            prop_assert!(
                accounted,
                "device {}: its write {} v{} ({:?}) was lost without a word",
                i,
                id,
                version,
                hlc
            );
        }
    }
    let aside: usize = devices
        .iter()
        .map(|d| d.set_aside_versions().expect("aside").len())
        .sum();
    let told: usize = devices.iter().map(|d| attention(d).len()).sum();
    eprintln!(
        "{n} devices, {} records on the server, {aside} versions set aside, {told} in Needs attention",
        state(&observer, &BTreeSet::new()).len()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    #[test]
    fn devices_of_one_worker_converge_on_the_server_state((n, skews, ops) in scenario()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let sqlite: Arc<dyn Storage> = Arc::new(SqliteStorage::open(dir.path()).expect("sqlite"));
        rt.block_on(run(sqlite, n, skews.clone(), ops.clone()))?;
        let schema = PgSchema::new();
        let pg = std::thread::scope(|s| s.spawn(|| schema.open()).join().expect("thread"));
        rt.block_on(run(pg, n, skews, ops))?;
    }
}
