//! The raw baseline of P5: the same rows, the same INSERT, one transaction, no service.

use std::time::{Duration, Instant};

use shiftlog_server::{Limits, OrgService};
use shiftlog_server_db::sql;
use shiftlog_wire::RecordEnvelope;

use super::data::{enroll, pg_url, record, Db};

/// Inserts the benchmark rows for `devices` × `per` with the ingest's own INSERT, in one
/// transaction; returns the time of the inserts and the commit.
pub(crate) fn raw_insert(db: &Db, devices: usize, per: usize) -> Duration {
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
