//! What a worker was paid is theirs (docs/pay.md): a worker notes payments on a device
//! enrolled at a real server on loopback (SQLite, then PostgreSQL) and syncs. No amount
//! appears in the server's stored bytes (the SQLite files, every PostgreSQL row) or in any
//! answer staff can get (summaries of every measure and dimension, protected and not,
//! summary and record exports as CSV, JSON and XLSX, the dashboard's data, the audit log,
//! the old CSV export, metrics). After the worker shares one line, that line, and only it,
//! shows in the record exports; still in no summary.

use std::path::Path;

use chrono::{Duration, Local, NaiveDate};
use shiftlog_core::model::PayMethod;
use shiftlog_core::{EndShift, NewPayment, PayType, StartShift};
use shiftlog_server::staff::Staff;
use shiftlog_server::Role;
use shiftlog_system_tests::{supplies, test_device, PgSchema, TestServer};

/// (cents, the ways the amount could be written down).
const KEPT: [(i64, [&str; 4]); 2] = [
    (4_821_793, ["4821793", "48217.93", "48217,93", "48 217,93"]),
    (3_906_157, ["3906157", "39061.57", "39061,57", "39 061,57"]),
];
const SHARED: (i64, [&str; 4]) = (2_750_389, ["2750389", "27503.89", "27503,89", "27 503,89"]);

const MEASURES: [&str; 8] = [
    "activities",
    "people_reached",
    "naloxone_doses",
    "supplies",
    "navigation_tasks",
    "hours",
    "debriefs",
    "training_wanted",
];
const DIMENSIONS: [&str; 13] = [
    "none",
    "kind",
    "area",
    "role",
    "worker",
    "item",
    "returned",
    "reason",
    "topic",
    "nav_task",
    "nav_outcome",
    "pay_type",
    "on_shift",
];

fn found<'a>(hay: &[u8], amounts: &[(i64, [&'a str; 4])]) -> Vec<&'a str> {
    amounts
        .iter()
        .flat_map(|(_, words)| words.iter())
        .filter(|w| hay.windows(w.len()).any(|x| x == w.as_bytes()))
        .copied()
        .collect()
}

/// Every answer a coordinator's token and an admin can get, as (what, bytes).
async fn staff_views(server: &TestServer, org: &str) -> Vec<(String, Vec<u8>)> {
    let o = org.to_string();
    let token = off_async(&server.service, move |s| {
        s.new_staff_token(&o, "privacy test").expect("token")
    })
    .await;
    let http = reqwest::Client::new();
    let base = server.url();
    let mut out = Vec::new();
    let mut paths: Vec<String> = [
        "api/v1/staff/me",
        "api/v1/staff/devices",
        "api/v1/staff/audit",
        "api/v1/staff/catalogue",
        "api/v1/staff/spike-notices",
        "api/v1/staff/spike-thresholds",
        "api/v1/staff/messages",
        "api/v1/staff/tokens",
        "api/v1/staff/accounts",
        "api/v1/staff/records/export?format=csv",
        "api/v1/staff/records/export?format=csv&excel=true",
        "api/v1/staff/records/export?format=json",
        "api/v1/staff/records/export?format=xlsx",
        "api/v1/staff/records/export?format=xlsx&lang=fr",
        "api/v1/export/activities.csv",
        "metrics",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    for m in MEASURES {
        for d in DIMENSIONS {
            for period in ["day", "month"] {
                paths.push(format!(
                    "api/v1/staff/summary?measure={m}&by={d}&period={period}"
                ));
            }
            for f in ["csv", "xlsx"] {
                paths.push(format!(
                    "api/v1/staff/summary/export?measure={m}&by={d}&format={f}"
                ));
            }
        }
    }
    let mut ok = 0;
    for p in paths {
        let resp = http
            .get(format!("{base}{p}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        let status = resp.status();
        let bytes = resp.bytes().await.expect("body").to_vec();
        if status.is_success() {
            ok += 1;
        }
        let bytes = if p.contains("xlsx") && status.is_success() {
            unzipped(&bytes)
        } else {
            bytes
        };
        out.push((format!("{p} ({status})"), bytes));
    }
    assert!(ok > 60, "only {ok} staff views answered");
    eprintln!("{} staff answers read, {ok} of them 2xx", out.len());
    // An admin asking for unprotected small numbers, through the service.
    let admin = Staff {
        org_id: org.into(),
        actor: "privacy test".into(),
        role: Role::Admin,
    };
    let svc = server.service.clone();
    let unprotected = tokio::task::spawn_blocking(move || {
        let mut v = Vec::new();
        for m in MEASURES {
            for d in DIMENSIONS {
                let req: Result<shiftlog_server::summary::SummaryRequest, _> =
                    serde_json::from_value(serde_json::json!({
                        "measure": m, "by": d, "unsuppressed": true
                    }));
                if let Ok(t) = req
                    .map_err(|_| ())
                    .and_then(|r| svc.summary(&admin, &r).map_err(|_| ()))
                {
                    v.push((
                        format!("unprotected {m} by {d}"),
                        serde_json::to_vec(&t).expect("json"),
                    ));
                }
            }
        }
        v
    })
    .await
    .expect("join");
    assert!(!unprotected.is_empty());
    out.extend(unprotected);
    out
}

/// The text inside an XLSX (a zip): every member, inflated.
fn unzipped(xlsx: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("x.xlsx");
    std::fs::write(&f, xlsx).expect("write");
    let o = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&f)
        .output()
        .expect("unzip (Debian unzip)");
    assert!(o.status.success(), "not a zip");
    o.stdout
}

/// Every byte the server stored: the SQLite files, or every row of the PostgreSQL schema.
async fn stored_bytes(sdir: &Path, pg: Option<&PgSchema>) -> Vec<u8> {
    match pg {
        None => {
            let mut all = Vec::new();
            for e in std::fs::read_dir(sdir).expect("dir").flatten() {
                if e.path().is_file() {
                    all.extend(std::fs::read(e.path()).expect("read"));
                }
            }
            assert!(all.len() > 4096, "the server's SQLite files");
            all
        }
        Some(schema) => {
            let name = schema.name.clone();
            tokio::task::spawn_blocking(move || {
                let mut c =
                    postgres::Client::connect(&shiftlog_system_tests::pg_url(), postgres::NoTls)
                        .expect("pg");
                let tables: Vec<String> = c
                    .query(
                        "SELECT table_name::text FROM information_schema.tables
                         WHERE table_schema = $1",
                        &[&name],
                    )
                    .expect("tables")
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                assert!(tables.len() > 5, "{tables:?}");
                let mut all = Vec::new();
                for t in tables {
                    let rows = c
                        .query(
                            &format!("SELECT row_to_json(x)::text FROM \"{name}\".\"{t}\" x"),
                            &[],
                        )
                        .expect("rows");
                    for r in rows {
                        all.extend(r.get::<_, String>(0).into_bytes());
                        all.push(b'\n');
                    }
                }
                all
            })
            .await
            .expect("join")
        }
    }
}

/// Runs `f` on the service off the async threads (the PostgreSQL driver blocks).
async fn off_async<T: Send + 'static>(
    svc: &shiftlog_server::OrgService,
    f: impl FnOnce(&shiftlog_server::OrgService) -> T + Send + 'static,
) -> T {
    let svc = svc.clone();
    tokio::task::spawn_blocking(move || f(&svc))
        .await
        .expect("join")
}

/// How many records the organization's CSV export holds.
async fn exported(server: &TestServer) -> usize {
    off_async(&server.service, |s| {
        let mut buf = Vec::new();
        s.export_csv("peers", &mut buf).expect("export");
        String::from_utf8_lossy(&buf).lines().count() - 1
    })
    .await
}

fn pay(cents: i64, on: NaiveDate, method: PayMethod) -> NewPayment {
    NewPayment {
        org_id: None,
        amount_cents: cents,
        currency: None,
        paid_on: on,
        method,
        shift_ids: vec![],
        note: Some("stipend for the week".into()),
    }
}

async fn run(pg: Option<PgSchema>) {
    let what = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let addr = "127.0.0.1:0".parse().expect("addr");
    let server = match &pg {
        None => TestServer::start(sdir.path(), addr).await,
        Some(s) => {
            // The PostgreSQL driver is a blocking client.
            let store = std::thread::scope(|sc| sc.spawn(|| s.open()).join().expect("join"));
            TestServer::start_on(store, sdir.path(), addr).await
        }
    };
    let code = off_async(&server.service, |s| {
        s.ensure_organization("peers", "Peer Network").expect("org");
        s.new_enrollment_code("peers").expect("code")
    })
    .await;
    let core = test_device(ddir.path());
    core.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll");
    let now = Local::now().fixed_offset();
    let shift = core
        .start_shift(StartShift {
            pay_type: Some(PayType::Honorarium),
            started_at: Some(now - Duration::hours(4)),
            ..StartShift::default()
        })
        .expect("start");
    core.log_activity(supplies("naloxone_kit", 2)).expect("log");
    core.end_shift(EndShift {
        ended_at: Some(now - Duration::hours(1)),
        ..EndShift::default()
    })
    .expect("end");
    let today = Local::now().date_naive();
    for (cents, _) in KEPT {
        core.add_payment(NewPayment {
            shift_ids: vec![shift.id],
            ..pay(cents, today, PayMethod::Cash)
        })
        .expect("pay");
    }
    let to_share = core
        .add_payment(pay(
            SHARED.0,
            today - Duration::days(1),
            PayMethod::ETransfer,
        ))
        .expect("pay");
    let report = core.sync_now().await.expect("sync");
    assert_eq!(core.sync_status().expect("status").waiting, 0, "{report:?}");
    assert_eq!(
        exported(&server).await,
        2,
        "{what}: the shift and the activity, no payment"
    );

    let everything = [KEPT[0], KEPT[1], SHARED];
    let stored = stored_bytes(sdir.path(), pg.as_ref()).await;
    assert_eq!(
        found(&stored, &everything),
        Vec::<&str>::new(),
        "{what}: stored"
    );
    for (view, bytes) in staff_views(&server, "peers").await {
        assert_eq!(
            found(&bytes, &everything),
            Vec::<&str>::new(),
            "{what}: {view}"
        );
    }

    // The worker shares one line: it, and only it, reaches the record exports.
    core.share_payment(to_share.id).expect("share");
    core.sync_now().await.expect("sync");
    assert_eq!(core.sync_status().expect("status").waiting, 0);
    assert_eq!(exported(&server).await, 3, "{what}: and the shared line");
    let stored = stored_bytes(sdir.path(), pg.as_ref()).await;
    assert_eq!(found(&stored, &KEPT), Vec::<&str>::new(), "{what}: stored");
    assert!(
        !found(&stored, &[SHARED]).is_empty(),
        "{what}: the shared line is stored"
    );
    assert!(
        !String::from_utf8_lossy(&stored).contains("stipend"),
        "{what}: the note is never sent"
    );
    let mut seen_in = Vec::new();
    for (view, bytes) in staff_views(&server, "peers").await {
        assert_eq!(found(&bytes, &KEPT), Vec::<&str>::new(), "{what}: {view}");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("stipend"),
            "{what}: {view}: the note"
        );
        if !found(&bytes, &[SHARED]).is_empty() {
            seen_in.push(view);
        }
    }
    assert!(
        seen_in
            .iter()
            .all(|v| v.contains("records/export") || v.contains("export/activities")),
        "{what}: a shared amount only in record exports, never a summary: {seen_in:?}"
    );
    assert!(
        seen_in.iter().any(|v| v.contains("format=xlsx")),
        "{what}: the workbook shows the shared line: {seen_in:?}"
    );
    assert!(seen_in.len() >= 4, "{what}: {seen_in:?}");
    server.stop().await;
    drop(pg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_amounts_stay_off_the_sqlite_server_unless_a_line_is_shared() {
    run(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_amounts_stay_off_the_postgres_server_unless_a_line_is_shared() {
    run(Some(PgSchema::new())).await;
}
