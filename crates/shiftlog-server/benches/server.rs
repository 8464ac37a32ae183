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
//! - P6: summaries over 1,000,000 activities, on SQLite and on PostgreSQL (the same rows
//!   loaded by `COPY`): one month and a year by month, by kind and by worker pseudonym.
//! - P7: record-level CSV export of those 1,000,000 activities by the release
//!   `shiftlog-server export` command, against `sqlite3 -csv` (SQLite) and `psql \copy`
//!   (PostgreSQL) of the same rows; peak memory of the export process from
//!   `/proc/<pid>/status` (VmHWM); and the same as XLSX against the CSV.
//!
//! Sizes: SHIFTLOG_BENCH_DEVICES, SHIFTLOG_BENCH_RECORDS, SHIFTLOG_BENCH_ACTIVITIES.
//! `SHIFTLOG_BENCH_WITHOUT_WORKER_TOTALS=1` drops the `worker_totals` triggers from every
//! database the bench opens (P5 before and after them, from one build).

#[path = "server/data.rs"]
mod data;
#[path = "server/pg.rs"]
mod pg;
#[path = "server/raw.rs"]
mod raw;
#[path = "server/report.rs"]
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shiftlog_server::summary::{Measure, SummaryRequest};
use shiftlog_server::{http, Limits, OrgService, Role, SqliteStorage, Staff};
use shiftlog_server_db::{Dimension, Period};

use data::{enroll, env_usize, fixture, record, Db};
use raw::raw_insert;
use report::{median, run_measured, secs, Row};

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
    // Why pushes failed, by kind (HTTP status and the start of the answer), printed after the
    // run so an error count is never a bare number.
    let failures = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<
        String,
        usize,
    >::new()));
    let start = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .zip(bodies)
        .map(|(token, body)| {
            let (client, url, token) =
                (client.clone(), format!("{base}/api/v1/push"), token.clone());
            let failures = failures.clone();
            tokio::spawn(async move {
                let failed = |why: String| {
                    *failures
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .entry(why)
                        .or_default() += 1;
                };
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
                        let results = v["results"].as_array().cloned().unwrap_or_default();
                        for x in results.iter().filter(|x| x["status"] != "accepted") {
                            failed(format!("200 {} {}", x["status"], x["code"]));
                        }
                        results.iter().filter(|x| x["status"] == "accepted").count()
                    }
                    Ok(r) => {
                        let status = r.status();
                        let text = r.text().await.unwrap_or_default();
                        failed(format!(
                            "{status} {}",
                            text.chars().take(160).collect::<String>()
                        ));
                        0
                    }
                    Err(e) => {
                        failed(format!("request failed: {e}"));
                        0
                    }
                }
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.unwrap_or(0);
    }
    let api = start.elapsed();
    for (why, n) in failures.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        eprintln!("P5 push failures: {n} × {why}");
    }
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
        let parsed: Vec<shiftlog_model::decode::DecodedPush> = bodies
            .iter()
            .map(|b| shiftlog_model::decode::decode_push(b.as_bytes()).expect("parse"))
            .collect();
        let parse = t.elapsed();
        let auth: Vec<_> = tokens
            .iter()
            .map(|t| svc.authenticate_device(t).expect("auth"))
            .collect();
        let t = Instant::now();
        for (a, p) in auth.iter().zip(&parsed) {
            svc.ingest(a, p).expect("ingest");
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

fn p6(store: Arc<dyn shiftlog_server::Storage>, backend: &str, n: usize) -> Vec<Row> {
    let svc = OrgService::new(store, Limits::default());
    let admin = Staff {
        org_id: "bench".into(),
        actor: "bench".into(),
        role: Role::Admin,
    };
    let mut rows = Vec::new();
    // By worker pseudonym is never a protected view: an admin's unprotected one.
    for (label, from, to, by, unsuppressed) in [
        (
            "one month (November) by kind",
            Some("2025-11-01"),
            Some("2025-11-30"),
            Dimension::Kind,
            false,
        ),
        (
            "the whole year, by month and kind",
            None,
            None,
            Dimension::Kind,
            false,
        ),
        (
            "one month (November) by worker pseudonym (unprotected, admin)",
            Some("2025-11-01"),
            Some("2025-11-30"),
            Dimension::Worker,
            true,
        ),
        (
            "the whole year, by month and worker pseudonym (unprotected, admin)",
            None,
            None,
            Dimension::Worker,
            true,
        ),
    ] {
        let req = SummaryRequest {
            measure: Measure::Activities,
            period: Period::Month,
            by,
            from: from.map(String::from),
            to: to.map(String::from),
            kind: None,
            area: None,
            unsuppressed,
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
            name: format!("P6 {backend} summary over {n} activities: {label}"),
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
    let mut xlsx = std::process::Command::new(env!("CARGO_BIN_EXE_shiftlog-server"));
    xlsx.args(["--data-dir"])
        .arg(dir)
        .args(["export", "--org", "bench", "--format", "xlsx"]);
    let xlsx_file = out.path().join("ours.xlsx");
    let (t_xlsx, xlsx_peak) = run_measured(xlsx, &xlsx_file);
    let xlsx_bytes = std::fs::metadata(&xlsx_file).map(|m| m.len()).unwrap_or(0);
    let xlsx_ratio = t_xlsx.as_secs_f64() / t_ours.as_secs_f64();
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
        Row {
            name: format!("P7 XLSX export of {n} activities (`export --format xlsx`)"),
            value: secs(t_xlsx),
            detail: format!(
                "{:.1} MB file; peak memory {:.1} MB",
                xlsx_bytes as f64 / 1e6,
                xlsx_peak as f64 / 1024.0
            ),
            goal: "peak < 64 MB",
            met: if xlsx_peak < 64 * 1024 { "yes" } else { "no" }.into(),
        },
        Row {
            name: "P7 XLSX / CSV export".into(),
            value: format!("{xlsx_ratio:.2}×"),
            detail: String::new(),
            goal: "≤ 3×",
            met: if xlsx_ratio <= 3.0 { "yes" } else { "no" }.into(),
        },
    ]
}

fn p7_postgres(schema: &str, n: usize) -> Vec<Row> {
    let out = tempfile::tempdir().expect("tempdir");
    let export = |format: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shiftlog-server"));
        cmd.args([
            "--database-url",
            &data::pg_url(),
            "--database-schema",
            schema,
        ])
        .args(["export", "--org", "bench"]);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        cmd
    };
    // Three rounds, the export and psql taking turns, median of each: one run of each
    // swung by a second or more with the other helpers' load on the 2 cores.
    let (mut ours, mut theirs, mut peak) = (Vec::new(), Vec::new(), 0);
    for _ in 0..3 {
        let (t, p) = run_measured(export(None), &out.path().join("ours.csv"));
        ours.push(t);
        peak = peak.max(p);
        theirs.push(run_measured(pg::psql_copy(schema), &out.path().join("psql.csv")).0);
    }
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (t_ours, t_psql) = (median(&mut ours), median(&mut theirs));
    eprintln!("P7 PostgreSQL rounds: export {ours:?}, psql {theirs:?}");
    let xlsx_file = out.path().join("ours.xlsx");
    let (t_xlsx, xlsx_peak) = run_measured(export(Some("xlsx")), &xlsx_file);
    let xlsx_bytes = std::fs::metadata(&xlsx_file).map(|m| m.len()).unwrap_or(0);
    let lines = |p: &str| {
        std::fs::read_to_string(out.path().join(p))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    let ratio = t_ours.as_secs_f64() / t_psql.as_secs_f64();
    let xlsx_ratio = t_xlsx.as_secs_f64() / t_ours.as_secs_f64();
    vec![
        Row {
            name: format!(
                "P7 PostgreSQL: CSV export of {n} activities (`shiftlog-server --database-url … export`, median of 3)"
            ),
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
            name: "P7 PostgreSQL: `psql \\copy (SELECT …) TO STDOUT CSV HEADER` of the same rows (median of 3, in turn with the export)"
                .into(),
            value: secs(t_psql),
            detail: format!("{} lines", lines("psql.csv")),
            goal: "",
            met: String::new(),
        },
        Row {
            name: "P7 PostgreSQL: export / psql".into(),
            value: format!("{ratio:.2}×"),
            detail: String::new(),
            goal: "≤ 1.5×",
            met: if ratio <= 1.5 { "yes" } else { "no" }.into(),
        },
        Row {
            name: format!("P7 PostgreSQL: XLSX export of {n} activities"),
            value: secs(t_xlsx),
            detail: format!(
                "{:.1} MB file; peak memory {:.1} MB",
                xlsx_bytes as f64 / 1e6,
                xlsx_peak as f64 / 1024.0
            ),
            goal: "peak < 64 MB",
            met: if xlsx_peak < 64 * 1024 { "yes" } else { "no" }.into(),
        },
        Row {
            name: "P7 PostgreSQL: XLSX / CSV export".into(),
            value: format!("{xlsx_ratio:.2}×"),
            detail: String::new(),
            goal: "≤ 3×",
            met: if xlsx_ratio <= 3.0 { "yes" } else { "no" }.into(),
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
    // SHIFTLOG_BENCH_BACKENDS=sqlite (or postgres) runs P5, P6 and P7 on one backend only
    // (SHIFTLOG_BENCH_P5_BACKENDS, its older name, still works).
    let backends = std::env::var("SHIFTLOG_BENCH_BACKENDS")
        .or_else(|_| std::env::var("SHIFTLOG_BENCH_P5_BACKENDS"))
        .unwrap_or_default();
    let on = |b: &str| backends.is_empty() || backends.split(',').any(|x| x.trim() == b);
    if want("p5") {
        if on("sqlite") {
            rows.extend(rt.block_on(p5(false, devices, per)));
        }
        if on("postgres") {
            rows.extend(rt.block_on(p5(true, devices, per)));
        }
    }
    if (want("p6") || want("p7")) && on("sqlite") {
        let db = fixture(activities);
        if want("p6") {
            let store = Arc::new(SqliteStorage::open(db.dir.path()).expect("open"));
            rows.extend(p6(store, "SQLite", activities));
        }
        if want("p7") {
            rows.extend(p7(db.dir.path(), activities));
        }
    }
    if (want("p6") || want("p7")) && on("postgres") {
        let db = pg::fixture(activities);
        if want("p6") {
            rows.extend(p6(db.open(), "PostgreSQL", activities));
        }
        if want("p7") {
            rows.extend(p7_postgres(
                db.pg_schema.as_deref().expect("schema"),
                activities,
            ));
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
