//! The benchmark's data: its records, fresh databases, enrolled devices.

use std::sync::Arc;

use serde_json::{json, Value};
use shiftlog_server::{OrgService, PostgresStorage, SqliteStorage, Storage};

use super::raw::raw_insert;
use super::report::secs;

pub(crate) fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub(crate) fn pg_url() -> String {
    std::env::var("SHIFTLOG_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

pub(crate) const KINDS: [&str; 5] = [
    "outreach_contact",
    "supplies_distributed",
    "overdose_response",
    "systems_navigation",
    "peer_education",
];

/// Areas of the benchmark's organization.
const AREAS: usize = 20;

/// The n-th benchmark record of device `d`: a realistic mix of kinds, areas and days, over
/// 2025 (a whole year in the past: the server refuses records from the future).
pub(crate) fn record(d: usize, n: usize) -> Value {
    let id = format!(
        "01936d5e-{:04x}-7cc0-8a5e-{:012x}",
        d % 0xffff,
        d * 1_000_000 + n
    );
    let kind = KINDS[(d + n) % KINDS.len()];
    let month = 1 + (n % 12);
    let day = 1 + (n % 28);
    let at = format!(
        "2025-{month:02}-{day:02}T{:02}:{:02}:00-08:00",
        8 + n % 10,
        n % 60
    );
    let area = format!("area{}", (d + n) % AREAS);
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
            json!({"area": area, "minutes": 15, "people_reached": 1 + n % 5, "role": "outreach"})
        }
    };
    json!({"id": id, "version": 1, "record_type": "activity", "kind": kind,
           "occurred_at": at, "recorded_at": at, "body": body})
}

/// A fresh database: SQLite in a temp dir, or a PostgreSQL schema of its own.
pub(crate) struct Db {
    pub(crate) pg_schema: Option<String>,
    pub(crate) dir: tempfile::TempDir,
}

impl Db {
    pub(crate) fn new(pg: bool) -> Db {
        Db {
            pg_schema: pg.then(|| format!("bench_{}", uuid::Uuid::new_v4().simple())),
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub(crate) fn open(&self) -> Arc<dyn Storage> {
        let store: Arc<dyn Storage> = match &self.pg_schema {
            Some(s) => Arc::new(PostgresStorage::connect(&pg_url(), Some(s)).expect("postgres")),
            None => Arc::new(SqliteStorage::open(self.dir.path()).expect("sqlite")),
        };
        if std::env::var_os("SHIFTLOG_BENCH_WITHOUT_WORKER_TOTALS").is_some() {
            self.drop_worker_totals_triggers();
        }
        store
    }

    /// The schema as it was before `worker_totals` (SQLite 14, PostgreSQL 13) as far as a
    /// write costs: its triggers dropped, so P5 can measure what they add in one build.
    fn drop_worker_totals_triggers(&self) {
        match &self.pg_schema {
            Some(s) => {
                let mut config: postgres::Config = pg_url().parse().expect("url");
                config.options(&format!("-c search_path={s}"));
                let mut c = config.connect(postgres::NoTls).expect("connect");
                c.batch_execute("DROP TRIGGER IF EXISTS records_worker_totals ON records")
                    .expect("drop trigger");
            }
            None => {
                let c =
                    rusqlite::Connection::open(self.dir.path().join("server.db")).expect("open");
                c.busy_timeout(std::time::Duration::from_secs(30))
                    .expect("busy");
                c.execute_batch(
                    "DROP TRIGGER IF EXISTS records_worker_totals_add;
                     DROP TRIGGER IF EXISTS records_worker_totals_remove;
                     DROP TRIGGER IF EXISTS records_worker_totals_readd;
                     DROP TRIGGER IF EXISTS records_worker_totals_purge;",
                )
                .expect("drop triggers");
            }
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

/// Enrolls `n` devices of org `bench`; returns their tokens.
pub(crate) fn enroll(svc: &OrgService, n: usize) -> Vec<String> {
    svc.ensure_organization("bench", "Bench").expect("org");
    // The organization's areas, which the records use (the server refuses unknown ones).
    let areas: Vec<shiftlog_server::CatalogueEntry> = (0..AREAS)
        .map(|a| shiftlog_server::CatalogueEntry {
            id: format!("area{a}"),
            label: format!("Area {a}"),
            description: String::new(),
        })
        .collect();
    svc.store()
        .replace_catalogue_section("bench", "areas", &areas)
        .expect("areas");
    (0..n)
        .map(|i| {
            let code = svc.new_enrollment_code("bench").expect("code");
            svc.enroll(&code, &format!("device {i}"))
                .expect("enroll")
                .token
        })
        .collect()
}

/// A SQLite data directory holding `n` activities of org `bench` (raw inserts, the same
/// rows the server would store), for P6 and P7.
pub(crate) fn fixture(n: usize) -> Db {
    let devices = 50;
    let per = n / devices;
    let db = Db::new(false);
    let t = raw_insert(&db, devices, per);
    eprintln!("fixture: {} activities in {}", devices * per, secs(t));
    db
}
