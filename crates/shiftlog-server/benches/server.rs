//! Server benchmarks P5–P7 (issue 5). Prints a Markdown table; run in release:
//!
//! ```text
//! cargo bench -p shiftlog-server --bench server            # all
//! cargo bench -p shiftlog-server --bench server -- p5      # one
//! ```
//!
//! - P5: 200 devices push 500 records each, all at once, over real HTTP on loopback, on SQLite
//!   and on PostgreSQL; against a raw bulk insert of the same rows (same INSERT, one
//!   transaction, no HTTP, JSON or checks) into a fresh database of the same schema.
//! - P6: summaries over 1,000,000 activities (SQLite): one month by kind, and a year by month.
//! - P7: record-level CSV export of those 1,000,000 activities by the release
//!   `shiftlog-server export` command, against `sqlite3 -csv` of the same rows; peak memory of
//!   the export process from `/proc/<pid>/status` (VmHWM).
//!
//! Sizes: SHIFTLOG_BENCH_DEVICES, SHIFTLOG_BENCH_RECORDS, SHIFTLOG_BENCH_ACTIVITIES.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shiftlog_server::summary::{Measure, SummaryRequest};
use shiftlog_server::{
    http, Limits, OrgService, PostgresStorage, Role, SqliteStorage, Staff, Storage,
};
use shiftlog_server_db::{sql, Dimension, Period};
use shiftlog_wire::RecordEnvelope;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pg_url() -> String {
    std::env::var("SHIFTLOG_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

const KINDS: [&str; 5] = [
    "outreach_contact",
    "supplies_distributed",
    "overdose_response",
    "systems_navigation",
    "peer_education",
];

/// The n-th benchmark record of device `d`: a realistic mix of kinds, areas and days.
fn record(d: usize, n: usize) -> Value {
    let id = format!(
        "01936d5e-{:04x}-7cc0-8a5e-{:012x}",
        d % 0xffff,
        d * 1_000_000 + n
    );
    let kind = KINDS[(d + n) % KINDS.len()];
    let month = 1 + (n % 12);
    let day = 1 + (n % 28);
    let at = format!(
        "2026-{month:02}-{day:02}T{:02}:{:02}:00-08:00",
        8 + n % 10,
        n % 60
    );
    let area = format!("area{}", (d + n) % 20);
    let body = match kind {
        "supplies_distributed" => json!({"area": area, "on_shift": true,
            "items": [{"item": "naloxone_kit", "quantity": 1 + n % 3}, {"item": "syringes", "quantity": 10}]}),
        "overdose_response" => json!({"area": area, "called_911": "yes", "ems_arrived": true,
            "naloxone": {"doses": 1 + n % 3, "route": "intranasal"}, "outcome": "survived"}),
        "systems_navigation" => {
            json!({"area": area, "task": "housing", "contact_type": "accompaniment",
            "minutes": 45, "travel_minutes": 20, "outcome": "pending"})
        }
        _ => {
            json!({"area": area, "minutes": 15, "people_reached": 1 + n % 5, "role": "peer_outreach"})
        }
    };
    json!({"id": id, "version": 1, "record_type": "activity", "kind": kind,
           "occurred_at": at, "recorded_at": at, "body": body})
}

/// A fresh database: SQLite in a temp dir, or a PostgreSQL schema of its own.
struct Db {
    pg_schema: Option<String>,
    dir: tempfile::TempDir,
}

impl Db {
    fn new(pg: bool) -> Db {
        Db {
            pg_schema: pg.then(|| format!("bench_{}", uuid::Uuid::new_v4().simple())),
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn open(&self) -> Arc<dyn Storage> {
        match &self.pg_schema {
            Some(s) => Arc::new(PostgresStorage::connect(&pg_url(), Some(s)).expect("postgres")),
            None => Arc::new(SqliteStorage::open(self.dir.path()).expect("sqlite")),
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(s) = self.pg_schema.take() {
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = postgres::Client::connect(&pg_url(), postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
                }
            })
            .join();
        }
    }
}

struct Row {
    name: String,
    value: String,
    detail: String,
    goal: &'static str,
    met: String,
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Enrolls `n` devices of org `bench`; returns their tokens.
fn enroll(svc: &OrgService, n: usize) -> Vec<String> {
    svc.ensure_organization("bench", "Bench").expect("org");
    (0..n)
        .map(|i| {
            let code = svc.new_enrollment_code("bench").expect("code");
            svc.enroll(&code, &format!("device {i}"))
                .expect("enroll")
                .token
        })
        .collect()
}

async fn p5(pg: bool, devices: usize, per: usize) -> Vec<Row> {
    let backend = if pg { "PostgreSQL" } else { "SQLite" };
    let total = devices * per;
    let bodies: Vec<String> = (0..devices)
        .map(|d| {
            json!({"protocol": 1, "records": (0..per).map(|n| record(d, n)).collect::<Vec<_>>()})
                .to_string()
        })
        .collect();

    // API: a real server on loopback, every device pushing at once.
    let db = Db::new(pg);
    let store = tokio::task::block_in_place(|| db.open());
    let limits = Limits {
        device_requests_per_minute: 10_000,
        ..Limits::default()
    };
    let svc = OrgService::new(store, limits);
    let tokens = tokio::task::block_in_place(|| enroll(&svc, devices));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server_svc = svc.clone();
    tokio::spawn(async move { http::serve(listener, server_svc, std::future::pending()).await });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(devices)
        .build()
        .expect("client");
    let start = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .zip(bodies)
        .map(|(token, body)| {
            let (client, url, token) =
                (client.clone(), format!("{base}/api/v1/push"), token.clone());
            tokio::spawn(async move {
                let resp = client
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status().is_success() => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        v["results"]
                            .as_array()
                            .map(|a| a.iter().filter(|x| x["status"] == "accepted").count())
                            .unwrap_or(0)
                    }
                    _ => 0,
                }
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.unwrap_or(0);
    }
    let api = start.elapsed();
    let stored = tokio::task::block_in_place(|| svc.store().count_records("bench").expect("count"));

    // Where the time goes: the same pushes parsed (serde) and stored through `OrgService`
    // one after another, without HTTP, into a fresh database.
    let (parse, service) = tokio::task::block_in_place(|| {
        let db = Db::new(pg);
        let svc = OrgService::new(db.open(), Limits::default());
        let tokens = enroll(&svc, devices);
        let bodies: Vec<String> = (0..devices)
            .map(|d| json!({"protocol": 1, "records": (0..per).map(|n| record(d, n)).collect::<Vec<_>>()}).to_string())
            .collect();
        let t = Instant::now();
        let parsed: Vec<shiftlog_wire::PushRequest> = bodies
            .iter()
            .map(|b| serde_json::from_str(b).expect("parse"))
            .collect();
        let parse = t.elapsed();
        let auth: Vec<_> = tokens
            .iter()
            .map(|t| svc.authenticate_device(t).expect("auth"))
            .collect();
        let t = Instant::now();
        for (a, p) in auth.iter().zip(&parsed) {
            svc.ingest(a, &p.records).expect("ingest");
        }
        (parse, t.elapsed())
    });

    // Raw: the same rows, same INSERT, one transaction, into a fresh database.
    let raw_db = Db::new(pg);
    let raw = tokio::task::block_in_place(|| raw_insert(&raw_db, devices, per));

    let api_rate = total as f64 / api.as_secs_f64();
    let raw_rate = total as f64 / raw.as_secs_f64();
    let ratio = api_rate / raw_rate;
    let errors = total - accepted;
    vec![
        Row {
            name: format!("P5 {backend}: {devices} devices × {per} records at once (HTTP push)"),
            value: format!("{api_rate:.0} records/s"),
            detail: format!(
                "{} for {total}; {errors} errors; {stored} stored",
                secs(api)
            ),
            goal: "",
            met: String::new(),
        },
        Row {
            name: format!(
                "P5 {backend}: the same pushes through `OrgService`, one by one, no HTTP"
            ),
            value: format!("{:.0} records/s", total as f64 / service.as_secs_f64()),
            detail: format!(
                "ingest {}; JSON parsing alone {}",
                secs(service),
                secs(parse)
            ),
            goal: "",
            met: String::new(),
        },
        Row {
            name: format!("P5 {backend}: raw bulk insert of the same rows"),
            value: format!("{raw_rate:.0} records/s"),
            detail: secs(raw),
            goal: "",
            met: String::new(),
        },
        Row {
            name: format!("P5 {backend}: API / raw"),
            value: format!("{:.0}%", ratio * 100.0),
            detail: format!("{errors} errors"),
            goal: "≥ 50%, 0 errors",
            met: if ratio >= 0.5 && errors == 0 {
                "yes"
            } else {
                "no"
            }
            .into(),
        },
    ]
}

/// Inserts the benchmark rows for `devices` × `per` with the ingest's own INSERT, in one
/// transaction; returns the time of the inserts and the commit.
fn raw_insert(db: &Db, devices: usize, per: usize) -> Duration {
    let store = db.open();
    let svc = OrgService::new(store, Limits::default());
    let tokens = enroll(&svc, devices);
    let auth: Vec<_> = tokens
        .iter()
        .map(|t| svc.authenticate_device(t).expect("device"))
        .collect();
    let rows: Vec<(shiftlog_server::DeviceAuth, RecordEnvelope)> = (0..devices)
        .flat_map(|d| {
            let a = auth[d].clone();
            (0..per).map(move |n| {
                (
                    a.clone(),
                    serde_json::from_value(record(d, n)).expect("envelope"),
                )
            })
        })
        .collect();
    let now = chrono::Utc::now().to_rfc3339();
    match &db.pg_schema {
        None => {
            drop(svc);
            let conn = rusqlite::Connection::open(db.dir.path().join("server.db")).expect("open");
            conn.execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            )
            .expect("pragmas");
            let start = Instant::now();
            let tx = conn.unchecked_transaction().expect("tx");
            {
                let mut insert = tx
                    .prepare(&sql::insert_record(|n| format!("?{n}")))
                    .expect("prep");
                let mut item = tx
                    .prepare("INSERT INTO record_items (record_id, org_id, item, quantity) VALUES (?1, ?2, ?3, ?4)")
                    .expect("prep");
                for (a, r) in &rows {
                    let f = shiftlog_server::facts::facts(r);
                    let id = r.id.to_string();
                    insert
                        .execute(rusqlite::params![
                            id,
                            a.org_id,
                            a.device_id.to_string(),
                            r.version,
                            r.kind,
                            r.occurred_at.to_rfc3339(),
                            r.occurred_at.timestamp_millis(),
                            r.recorded_at.to_rfc3339(),
                            now,
                            r.deleted,
                            r.body.to_string(),
                            None::<String>,
                            r.record_type,
                            a.worker_id.to_string(),
                            f.day,
                            f.week,
                            f.month,
                            f.area,
                            f.role,
                            f.on_shift,
                            f.minutes,
                            f.people_reached,
                            f.naloxone_doses,
                            f.nav_task,
                            f.nav_outcome,
                            f.pay_type,
                            f.shift_minutes,
                            r.hlc,
                        ])
                        .expect("insert");
                    for (i, q) in &f.items {
                        item.execute(rusqlite::params![id, a.org_id, i, q])
                            .expect("item");
                    }
                }
            }
            tx.commit().expect("commit");
            start.elapsed()
        }
        Some(schema) => {
            drop(svc);
            let mut config: postgres::Config = pg_url().parse().expect("url");
            config.options(&format!("-c search_path={schema}"));
            let mut c = config.connect(postgres::NoTls).expect("connect");
            // Multi-row INSERTs of 1000 rows (the bulk form on PostgreSQL; one round trip per
            // chunk), the same statement the ingest uses, in one transaction.
            type Owned = (
                String,
                String,
                String,
                i64,
                String,
                i64,
                String,
                String,
                String,
            );
            let owned: Vec<(
                &shiftlog_server::DeviceAuth,
                &RecordEnvelope,
                shiftlog_server_db::Facts,
                Owned,
            )> = rows
                .iter()
                .map(|(a, r)| {
                    (
                        a,
                        r,
                        shiftlog_server::facts::facts(r),
                        (
                            r.id.to_string(),
                            a.device_id.to_string(),
                            a.worker_id.to_string(),
                            r.version as i64,
                            r.occurred_at.to_rfc3339(),
                            r.occurred_at.timestamp_millis(),
                            r.recorded_at.to_rfc3339(),
                            r.body.to_string(),
                            now.clone(),
                        ),
                    )
                })
                .collect();
            let none: Option<String> = None;
            let start = Instant::now();
            let mut tx = c.transaction().expect("tx");
            for chunk in owned.chunks(1000) {
                let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
                for (a, r, f, o) in chunk {
                    params.extend([
                        &o.0 as &(dyn postgres::types::ToSql + Sync),
                        &a.org_id,
                        &o.1,
                        &o.3,
                        &r.kind,
                        &o.4,
                        &o.5,
                        &o.6,
                        &o.8,
                        &r.deleted,
                        &o.7,
                        &none,
                        &r.record_type,
                        &o.2,
                        &f.day,
                        &f.week,
                        &f.month,
                        &f.area,
                        &f.role,
                        &f.on_shift,
                        &f.minutes,
                        &f.people_reached,
                        &f.naloxone_doses,
                        &f.nav_task,
                        &f.nav_outcome,
                        &f.pay_type,
                        &f.shift_minutes,
                        &r.hlc,
                    ]);
                }
                tx.query(
                    &sql::insert_records(chunk.len(), |n| format!("${n}")),
                    &params,
                )
                .expect("insert");
            }
            let lines: Vec<(&String, &String, &String, &i64)> = owned
                .iter()
                .flat_map(|(a, _, f, o)| f.items.iter().map(move |(i, q)| (&o.0, &a.org_id, i, q)))
                .collect();
            for chunk in lines.chunks(1000) {
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> = chunk
                    .iter()
                    .flat_map(|(id, org, i, q)| {
                        [
                            *id as &(dyn postgres::types::ToSql + Sync),
                            *org as &(dyn postgres::types::ToSql + Sync),
                            *i as &(dyn postgres::types::ToSql + Sync),
                            *q as &(dyn postgres::types::ToSql + Sync),
                        ]
                    })
                    .collect();
                tx.execute(
                    &sql::insert_items(chunk.len(), |n| format!("${n}")),
                    &params,
                )
                .expect("items");
            }
            tx.commit().expect("commit");
            start.elapsed()
        }
    }
}

/// A SQLite data directory holding `n` activities of org `bench` (raw inserts, the same
/// rows the server would store), for P6 and P7.
fn fixture(n: usize) -> Db {
    let devices = 50;
    let per = n / devices;
    let db = Db::new(false);
    let t = raw_insert(&db, devices, per);
    eprintln!("fixture: {} activities in {}", devices * per, secs(t));
    db
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p6(dir: &std::path::Path, n: usize) -> Vec<Row> {
    let svc = OrgService::new(
        Arc::new(SqliteStorage::open(dir).expect("open")),
        Limits::default(),
    );
    let admin = Staff {
        org_id: "bench".into(),
        actor: "bench".into(),
        role: Role::Admin,
    };
    let mut rows = Vec::new();
    for (label, from, to) in [
        (
            "one month (November) by kind",
            Some("2026-11-01"),
            Some("2026-11-30"),
        ),
        ("the whole year, by month and kind", None, None),
    ] {
        let req = SummaryRequest {
            measure: Measure::Activities,
            period: Period::Month,
            by: Dimension::Kind,
            from: from.map(String::from),
            to: to.map(String::from),
            kind: None,
            area: None,
            unsuppressed: false,
        };
        let warm = svc.summary(&admin, &req).expect("warm");
        let total = warm
            .rows
            .last()
            .and_then(|r| r.cells.last())
            .cloned()
            .unwrap_or_default();
        let times: Vec<Duration> = (0..15)
            .map(|_| {
                let t = Instant::now();
                let table = svc.summary(&admin, &req).expect("summary");
                std::hint::black_box(table);
                t.elapsed()
            })
            .collect();
        let m = median(times);
        rows.push(Row {
            name: format!("P6 SQLite summary over {n} activities: {label}"),
            value: format!("{:.1} ms", m.as_secs_f64() * 1000.0),
            detail: format!(
                "median of 15; {} rows, grand total {total} activities",
                warm.rows.len() - 1
            ),
            goal: "< 50 ms",
            met: if m < Duration::from_millis(50) {
                "yes"
            } else {
                "no"
            }
            .into(),
        });
    }
    rows
}

/// Runs `cmd`, writing its standard output to `out`; returns its time and peak RSS in KiB.
fn run_measured(mut cmd: std::process::Command, out: &std::path::Path) -> (Duration, u64) {
    let file = std::fs::File::create(out).expect("out file");
    let start = Instant::now();
    let mut child = cmd.stdout(file).spawn().expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "{cmd:?} failed");
            return (start.elapsed(), peak);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn p7(dir: &std::path::Path, n: usize) -> Vec<Row> {
    let out = tempfile::tempdir().expect("tempdir");
    let mut ours = std::process::Command::new(env!("CARGO_BIN_EXE_shiftlog-server"));
    ours.args(["--data-dir"])
        .arg(dir)
        .args(["export", "--org", "bench"]);
    let (t_ours, peak) = run_measured(ours, &out.path().join("ours.csv"));
    let mut theirs = std::process::Command::new("sqlite3");
    theirs.args(["-csv", "-header"]).arg(dir.join("server.db")).arg(
        "SELECT r.id, r.kind, r.occurred_at, r.recorded_at, r.received_at, r.version, r.device_id, \
         r.body, r.record_type, coalesce(w.pseudonym, ''), r.area, r.role \
         FROM records r LEFT JOIN workers w ON w.id = r.worker_id \
         WHERE r.org_id = 'bench' AND NOT r.deleted ORDER BY r.occurred_utc_ms, r.id",
    );
    let (t_sqlite, _) = run_measured(theirs, &out.path().join("sqlite3.csv"));
    let lines = |p: &str| {
        std::fs::read_to_string(out.path().join(p))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    let ratio = t_ours.as_secs_f64() / t_sqlite.as_secs_f64();
    vec![
        Row {
            name: format!("P7 CSV export of {n} activities (`shiftlog-server export`)"),
            value: secs(t_ours),
            detail: format!(
                "{} lines; peak memory {:.1} MB",
                lines("ours.csv"),
                peak as f64 / 1024.0
            ),
            goal: "peak < 64 MB",
            met: if peak < 64 * 1024 { "yes" } else { "no" }.into(),
        },
        Row {
            name: "P7 `sqlite3 -csv` of the same rows".into(),
            value: secs(t_sqlite),
            detail: format!("{} lines", lines("sqlite3.csv")),
            goal: "",
            met: String::new(),
        },
        Row {
            name: "P7 export / sqlite3".into(),
            value: format!("{ratio:.2}×"),
            detail: String::new(),
            goal: "≤ 2×",
            met: if ratio <= 2.0 { "yes" } else { "no" }.into(),
        },
    ]
}

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let devices = env_usize("SHIFTLOG_BENCH_DEVICES", 200);
    let per = env_usize("SHIFTLOG_BENCH_RECORDS", 500);
    let activities = env_usize("SHIFTLOG_BENCH_ACTIVITIES", 1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    if want("p5") {
        rows.extend(rt.block_on(p5(false, devices, per)));
        rows.extend(rt.block_on(p5(true, devices, per)));
    }
    if want("p6") || want("p7") {
        let db = fixture(activities);
        if want("p6") {
            rows.extend(p6(db.dir.path(), activities));
        }
        if want("p7") {
            rows.extend(p7(db.dir.path(), activities));
        }
    }
    println!("| measure | result | detail | goal | met |");
    println!("| --- | --- | --- | --- | --- |");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.name, r.value, r.detail, r.goal, r.met
        );
    }
}
