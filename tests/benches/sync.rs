//! Sync benchmarks, printed as a table (docs/benchmarks.md has the latest numbers).
//!
//!   cargo bench -p shiftlog-system-tests --bench sync
//!
//! P2: sync 10,000 pending records over loopback, against a raw bulk POST of the same
//!     packed (and compressed) batches to a fresh server of the same build, and against
//!     PouchDB replicating the same records as JSON documents to express-pouchdb (leveldb),
//!     same run (`benches/pouchdb/`, installed with `npm ci` on first use).
//! P3: bytes on the wire per record, over a realistic mix of kinds (through a counting proxy).
//! P4: 1,000 records through a link throttled to 64 kbit/s each way; then a cut half way
//!     and a resume that must not resend confirmed records.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::json;
use shiftlog_core::{Core, KdfParams, NewActivity, OpenOptions, RecordQuery, Unlock};
use shiftlog_system_tests::proxy::{FaultProxy, Faults};
use shiftlog_system_tests::TestServer;

fn opts() -> OpenOptions {
    OpenOptions {
        kdf: KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        request_timeout: Duration::from_secs(60),
        ..OpenOptions::default()
    }
}

/// A realistic day's mix: supplies most often, then outreach, navigation, overdoses, meals.
fn mixed(i: usize) -> NewActivity {
    let (kind, body) = match i % 10 {
        0..=3 => (
            "supplies_distributed",
            json!({"items": [{"item": "naloxone_kit", "quantity": 1 + i % 3}, {"item": "syringes", "quantity": 10 * (1 + i % 5)}], "area": "downtown"}),
        ),
        4 | 5 => (
            "outreach_contact",
            json!({"people_reached": 1 + i % 6, "minutes": 15 + i % 30, "area": "east_side"}),
        ),
        6 | 7 => (
            "systems_navigation",
            json!({"task": "housing", "contact_type": "accompaniment", "minutes": 60, "travel_minutes": 20, "outcome": "pending"}),
        ),
        8 => (
            "overdose_response",
            json!({"called_911": "yes", "ems_arrived": true, "naloxone": {"doses": 2, "route": "intranasal"}, "outcome": "survived", "kit_replaced": true}),
        ),
        _ => (
            "meal_service",
            json!({"people_reached": 30 + i % 20, "minutes": 120}),
        ),
    };
    NewActivity {
        org_id: None,
        occurred_at: None,
        kind: kind.into(),
        body,
    }
}

async fn device_with(
    n: usize,
    server: &TestServer,
    org: &str,
) -> (tempfile::TempDir, std::sync::Arc<Core>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open(dir.path(), Unlock::Pin("246813".into()), &opts()).expect("open");
    let code = server.org_with_code(org, org);
    core.enroll(&server.url(), &code, "bench")
        .await
        .expect("enroll");
    for i in 0..n {
        core.log_activity(mixed(i)).expect("log");
    }
    (dir, core)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("write");
    e.finish().expect("finish")
}

/// What PouchDB's replication of the same records measured.
struct Pouch {
    ms: f64,
    docs: u64,
    up_bytes: u64,
    down_bytes: u64,
    requests: u64,
}

fn pouchdb_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pouchdb")
}

/// Installs the PouchDB peer's npm packages from its lock file if they are missing.
fn ensure_pouchdb(dir: &Path) -> Result<(), String> {
    if dir.join("node_modules/.package-lock.json").exists() {
        return Ok(());
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .map_err(|e| format!("npm: {e} (install Node.js 18 or later)"))?;
    if !status.success() {
        return Err(format!("npm ci in {} failed: {status}", dir.display()));
    }
    Ok(())
}

/// Replicates `records` (push envelopes) from a PouchDB client to express-pouchdb.
fn pouchdb(records: &[shiftlog_wire::RecordEnvelope]) -> Result<Pouch, String> {
    let dir = pouchdb_dir();
    ensure_pouchdb(&dir)?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = tmp.path().join("records.json");
    std::fs::write(
        &file,
        serde_json::to_vec(records).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let out = std::process::Command::new("node")
        .arg(dir.join("replicate.mjs"))
        .arg(&file)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "replicate.mjs: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("replicate.mjs printed no JSON: {e}"))?;
    let n = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Ok(Pouch {
        ms: n("ms"),
        docs: n("docs") as u64,
        up_bytes: n("up_bytes") as u64,
        down_bytes: n("down_bytes") as u64,
        requests: n("requests") as u64,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // ---- P2
    let s1 = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(s1.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let (_d, core) = device_with(10_000, &server, "p2").await;
    // The same batches the client sends, built before the sync (records are unchanged by it).
    let mut recs = core.list_records(&RecordQuery::default()).expect("list");
    recs.sort_by_key(|r| (r.occurred_at.timestamp_millis(), r.id));
    // The batch size and encoding the client picks from this server's /info (packed, protocol 3).
    let batch = shiftlog_server::Limits::default()
        .max_batch_records
        .clamp(1, shiftlog_core::sync::CLIENT_MAX_BATCH);
    let bodies: Vec<Vec<u8>> = recs
        .chunks(batch)
        .map(|c| {
            let req = shiftlog_wire::PushRequest {
                protocol: shiftlog_wire::packed::PROTOCOL,
                lang: None,
                records: c.iter().map(|r| r.to_envelope(false)).collect(),
            };
            gzip(&shiftlog_wire::packed::encode(&req))
        })
        .collect();
    let content_type = shiftlog_wire::packed::CONTENT_TYPE;
    let t = Instant::now();
    let report = core.sync_now().await.expect("sync");
    let sync_time = t.elapsed();
    assert_eq!(report.accepted, 10_000);

    let s2 = tempfile::tempdir().expect("tempdir");
    let raw_server = TestServer::start(s2.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = raw_server.org_with_code("p2", "p2");
    let http = reqwest::Client::new();
    let enrolled: serde_json::Value = http
        .post(format!("{}api/v1/enroll", raw_server.url()))
        .json(&json!({"code": code, "device_name": "raw"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    let token = enrolled["token"].as_str().expect("token").to_string();
    let t = Instant::now();
    for b in &bodies {
        let r = http
            .post(format!("{}api/v1/push", raw_server.url()))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .header("content-encoding", "gzip")
            .body(b.clone())
            .send()
            .await
            .expect("post");
        assert!(r.status().is_success());
        let _ = r.bytes().await;
    }
    let raw_time = t.elapsed();

    // ---- P2 against PouchDB: the same records, as JSON documents.
    let envelopes: Vec<_> = recs.iter().map(|r| r.to_envelope(false)).collect();
    let pouch = tokio::task::spawn_blocking(move || pouchdb(&envelopes))
        .await
        .expect("pouchdb");

    // ---- P3
    let s3 = tempfile::tempdir().expect("tempdir");
    let server3 = TestServer::start(s3.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let (_d3, core3) = device_with(2_000, &server3, "p3").await;
    let counter = FaultProxy::start(server3.addr, Faults::default(), 1).await;
    core3.set_server_url("p3", &counter.url()).expect("repoint");
    core3.sync_now().await.expect("sync");
    let up = counter.stats.up_bytes.load(Ordering::Relaxed) as f64 / 2000.0;
    let down = counter.stats.down_bytes.load(Ordering::Relaxed) as f64 / 2000.0;

    // ---- P4
    let s4 = tempfile::tempdir().expect("tempdir");
    let server4 = TestServer::start(s4.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let (_d4, core4) = device_with(1_000, &server4, "p4").await;
    let slow = FaultProxy::start(
        server4.addr,
        Faults {
            throttle_bytes_per_sec: Some(8_000),
            ..Faults::default()
        },
        1,
    )
    .await;
    core4.set_server_url("p4", &slow.url()).expect("repoint");
    let t = Instant::now();
    core4.sync_now().await.expect("sync");
    let p4_time = t.elapsed();

    let s5 = tempfile::tempdir().expect("tempdir");
    let server5 = TestServer::start(s5.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let (_d5, core5) = device_with(1_000, &server5, "p4cut").await;
    let slow5 = FaultProxy::start(
        server5.addr,
        Faults {
            throttle_bytes_per_sec: Some(8_000),
            ..Faults::default()
        },
        1,
    )
    .await;
    core5
        .set_server_url("p4cut", &slow5.url())
        .expect("repoint");
    let c5 = core5.clone();
    let first = tokio::spawn(async move { c5.sync_now().await });
    tokio::time::sleep(p4_time / 2).await;
    slow5.cut.store(true, Ordering::SeqCst);
    let _ = first.await;
    let confirmed_before = 1_000 - core5.sync_status().expect("status").waiting;
    slow5.cut.store(false, Ordering::SeqCst);
    let t = Instant::now();
    let resumed = core5.sync_now().await.expect("resume");
    let resume_time = t.elapsed();
    let mut buf = Vec::new();
    server5
        .service
        .export_csv("p4cut", &mut buf)
        .expect("export");
    let rows = String::from_utf8(buf).expect("utf8").lines().count() - 1;

    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!("| measure | value | goal |");
    println!("| --- | --- | --- |");
    println!(
        "| P2 sync 10,000 records over loopback (client) | {} | |",
        ms(sync_time)
    );
    println!(
        "| P2 baseline raw bulk POST of the same compressed batches | {} | |",
        ms(raw_time)
    );
    println!(
        "| P2 ratio shiftlog / raw POST | {:.2} | ≤ 1.2 |",
        sync_time.as_secs_f64() / raw_time.as_secs_f64()
    );
    match &pouch {
        Ok(p) => {
            println!(
                "| P2 PouchDB replicating the same 10,000 records to express-pouchdb (leveldb) | {:.0} ms | {} docs stored, {} requests |",
                p.ms, p.docs, p.requests
            );
            println!(
                "| P2 PouchDB / shiftlog (times faster) | {:.1} | ≥ 20 |",
                p.ms / (sync_time.as_secs_f64() * 1000.0)
            );
            println!(
                "| P3 PouchDB bytes per record, client → server (the P2 records) | {:.1} | |",
                p.up_bytes as f64 / 10_000.0
            );
            println!(
                "| P3 PouchDB bytes per record, server → client | {:.1} | |",
                p.down_bytes as f64 / 10_000.0
            );
        }
        Err(e) => println!("| P2 PouchDB | not measured: {e} | |"),
    }
    println!(
        "| P3 bytes per record, client → server (mixed kinds, 2,000 records) | {up:.1} | ≤ 25 |"
    );
    println!("| P3 bytes per record, server → client | {down:.1} | |");
    println!(
        "| P4 1,000 records at 64 kbit/s each way | {} | < 10 s |",
        ms(p4_time)
    );
    println!("| P4 cut half way: confirmed before the cut | {confirmed_before} | |");
    let resent =
        (resumed.accepted + resumed.already_had) as i64 - (1_000 - confirmed_before as i64);
    println!("| P4 resume: records sent that were confirmed before the cut | {resent} | 0 |");
    println!(
        "| P4 resume: unconfirmed records sent (stored before the cut, answered already_had / new) | {} / {} in {} | |",
        resumed.already_had, resumed.accepted, ms(resume_time)
    );
    println!("| P4 records on the server after resume | {rows} | 1000 |");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average at the end: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}
