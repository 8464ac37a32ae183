//! Core benchmarks, printed as a table (docs/benchmarks.md has the latest numbers).
//!
//!   cargo bench -p shiftlog-core --bench core
//!
//! P1: one durable save through `Core::log_activity`, against a raw rusqlite insert of the same
//!     row (same pragmas, same SQLCipher key, one transaction each), in the same run.
//! S1: the worker's summary over 100,000 local records. The fixture rows are written with raw
//!     inserts (the database's triggers keep the summary totals, as for saves through the API);
//!     the summary is read through `Core::summary`.

use std::time::{Duration, Instant};

use chrono::{Local, TimeZone};
use rusqlite::params;
use serde_json::json;
use shiftlog_core::{Core, KdfParams, NewActivity, OpenOptions, SummaryQuery, Unlock};

const SAVES: usize = 2000;
const SUMMARY_RECORDS: usize = 100_000;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn stats(mut d: Vec<Duration>) -> (Duration, Duration, Duration) {
    d.sort();
    let mean = d.iter().sum::<Duration>() / d.len() as u32;
    (mean, pct(&d, 0.5), pct(&d, 0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn body() -> serde_json::Value {
    json!({"items": [{"item": "naloxone_kit", "quantity": 2}, {"item": "syringes", "quantity": 10}]})
}

fn main() {
    let kdf = KdfParams::default();
    let pin = Unlock::Pin("246813".into());
    let opts = OpenOptions {
        kdf,
        ..OpenOptions::default()
    };

    // P1, through the core API.
    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open(dir.path(), pin.clone(), &opts).expect("open");
    core.add_local_organization("Bench").expect("org");
    for _ in 0..50 {
        core.log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: "supplies_distributed".into(),
            body: body(),
        })
        .expect("warm");
    }

    // P1 baseline: the same row and supply lines, raw, same pragmas and key.
    let dir2 = tempfile::tempdir().expect("tempdir");
    drop(Core::open(dir2.path(), pin.clone(), &opts).expect("create schema"));
    let mut conn =
        shiftlog_core::test_support::raw_connection(dir2.path(), &pin, kdf).expect("open raw");
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        .expect("pragmas");
    conn.execute(
        "INSERT INTO organizations (id, name, joined_at) VALUES ('o', 'o', 'now')",
        [],
    )
    .expect("org");
    let body_text = body().to_string();
    // Saves alternate between the API and the raw insert, so both see the same machine load.
    let mut api = Vec::with_capacity(SAVES);
    let mut raw = Vec::with_capacity(SAVES);
    for i in 0..(SAVES + 50) {
        let t = Instant::now();
        core.log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: "supplies_distributed".into(),
            body: body(),
        })
        .expect("save");
        let api_time = t.elapsed();
        let id = uuid::Uuid::now_v7().to_string();
        let now = Local::now().fixed_offset();
        let t = Instant::now();
        let tx = conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms, recorded_at,
                 version, body, on_shift, naloxone_doses)
             VALUES (?1, 'o', 'activity', 'supplies_distributed', ?2, ?3, ?2, 1, ?4, 0, 0)",
            params![id, now.to_rfc3339(), now.timestamp_millis(), body_text],
        )
        .expect("insert");
        tx.commit().expect("commit");
        if i >= 50 {
            api.push(api_time);
            raw.push(t.elapsed());
        }
    }
    drop(core);
    let (am, a50, a99) = stats(api);
    let (rm, r50, r99) = stats(raw);

    // S1: summary over 100,000 records (fixture rows written raw, the summary through the API).
    let dir3 = tempfile::tempdir().expect("tempdir");
    drop(Core::open(dir3.path(), pin.clone(), &opts).expect("create"));
    {
        let mut c =
            shiftlog_core::test_support::raw_connection(dir3.path(), &pin, kdf).expect("open");
        c.execute_batch("PRAGMA journal_mode=WAL;").expect("wal");
        let tx = c.transaction().expect("tx");
        let body_text = body().to_string();
        tx.execute("INSERT INTO organizations (id, name, joined_at) VALUES ('a', 'Org A', '1'), ('b', 'Org B', '2')", [])
            .expect("orgs");
        let kinds = [
            "overdose_response",
            "supplies_distributed",
            "outreach_contact",
            "systems_navigation",
            "meal_service",
        ];
        let start = Local
            .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
            .single()
            .expect("t")
            .timestamp_millis();
        for i in 0..SUMMARY_RECORDS {
            let id = uuid::Uuid::now_v7().to_string();
            let org = if i % 3 == 0 { "b" } else { "a" };
            let t = start + (i as i64) * 25_000;
            let (rt, kind) = if i % 20 == 0 {
                ("shift", "shift")
            } else {
                ("activity", kinds[i % kinds.len()])
            };
            let at = chrono::DateTime::from_timestamp_millis(t)
                .expect("t")
                .fixed_offset()
                .to_rfc3339();
            let body = if kind == "supplies_distributed" {
                body_text.as_str()
            } else {
                "{}"
            };
            tx.execute(
                "INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms, recorded_at, body,
                     on_shift, minutes, people_reached, naloxone_doses, outcome, pay_type, ended_utc_ms, sync_change_counter)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?12, ?7, 30, 2, ?8, ?9, ?10, ?11, 0)",
                params![
                    id, org, rt, kind, at, t, i % 7 != 0,
                    if kind == "overdose_response" { 2 } else { 0 },
                    (kind == "systems_navigation").then_some(["completed", "pending", "declined"][i % 3]),
                    (rt == "shift").then_some(["paid", "unpaid", "volunteer"][i % 3]),
                    (rt == "shift").then_some(t + 4 * 3_600_000),
                    body,
                ],
            )
            .expect("row");
        }
        tx.commit().expect("commit");
    }
    let core = Core::open(dir3.path(), pin.clone(), &opts).expect("open");
    let q = SummaryQuery {
        from: Local
            .with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
            .single()
            .expect("t")
            .fixed_offset(),
        to: Local
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
            .single()
            .expect("t")
            .fixed_offset(),
        org_id: None,
    };
    let check = core.summary(&q).expect("summary");
    assert_eq!(
        check.total.activities + check.organizations.iter().map(|_| 0).sum::<u64>(),
        (SUMMARY_RECORDS - SUMMARY_RECORDS / 20) as u64
    );
    let mut sums = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let s = core.summary(&q).expect("summary");
        sums.push(t.elapsed());
        assert!(s.total.activities > 0);
    }
    let (sm, s50, s99) = stats(sums);

    println!("| measure | mean | p50 | p99 | n |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| P1 core API durable save (log_activity) | {} | {} | {} | {SAVES} |",
        ms(am),
        ms(a50),
        ms(a99)
    );
    println!(
        "| P1 baseline raw rusqlite insert, same row, pragmas, key | {} | {} | {} | {SAVES} |",
        ms(rm),
        ms(r50),
        ms(r99)
    );
    println!(
        "| P1 ratio API / raw (mean) | {:.2} | {:.2} | {:.2} | |",
        am.as_secs_f64() / rm.as_secs_f64(),
        a50.as_secs_f64() / r50.as_secs_f64(),
        a99.as_secs_f64() / r99.as_secs_f64()
    );
    println!(
        "| S1 worker summary over {SUMMARY_RECORDS} records | {} | {} | {} | 30 |",
        ms(sm),
        ms(s50),
        ms(s99)
    );
}
