//! The raw baseline of P5: the same rows, the same INSERT (and the same row-parameter builder
//! as the ingest), one transaction, no service.

use std::time::{Duration, Instant};

use shiftlog_model::{check_record, Catalogue, Context, Side};
use shiftlog_server::{Limits, OrgService};
use shiftlog_server_db::{record_params, sql, DeviceAuth, IngestRecord};

use super::data::{enroll, pg_url, record, Db};

/// The benchmark's records of `devices` × `per`, checked and with their facts, as the ingest
/// would store them, each with its device.
pub(crate) fn records(
    svc: &OrgService,
    devices: usize,
    per: usize,
) -> Vec<(DeviceAuth, IngestRecord)> {
    let tokens = enroll(svc, devices);
    let catalogue = shiftlog_model::catalogue::from_wire(
        &svc.catalogue("bench").expect("catalogue"),
        Catalogue::default_catalogue(),
    );
    let ctx = Context {
        catalogue: &catalogue,
        now: chrono::Utc::now(),
        side: Side::Server,
    };
    tokens
        .iter()
        .enumerate()
        .flat_map(|(d, t)| {
            let a = svc.authenticate_device(t).expect("device");
            let ctx = &ctx;
            (0..per).map(move |n| {
                let envelope = serde_json::from_value(record(d, n)).expect("envelope");
                let checked = check_record(&envelope, ctx).expect("a valid benchmark record");
                let facts = shiftlog_model::facts::facts(&envelope, &checked);
                (a.clone(), IngestRecord { envelope, facts })
            })
        })
        .collect()
}

/// Inserts the benchmark rows for `devices` × `per` with the ingest's own INSERT, in one
/// transaction; returns the time of the inserts and the commit.
pub(crate) fn raw_insert(db: &Db, devices: usize, per: usize) -> Duration {
    let svc = OrgService::new(db.open(), Limits::default());
    let rows = records(&svc, devices, per);
    drop(svc);
    let now = chrono::Utc::now().to_rfc3339();
    match &db.pg_schema {
        None => {
            let conn = rusqlite::Connection::open(db.dir.path().join("server.db")).expect("open");
            conn.execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            )
            .expect("pragmas");
            let ph = sql::Dialect::Sqlite.placeholder();
            let start = Instant::now();
            let tx = conn.unchecked_transaction().expect("tx");
            {
                let mut insert = tx.prepare(&sql::insert_record(ph)).expect("prep");
                let mut item = tx.prepare(&sql::insert_items(1, ph)).expect("prep");
                for (a, r) in &rows {
                    let row = sql::RecordRow::new(a, r, &now);
                    insert
                        .execute(&record_params!(&row, dyn rusqlite::ToSql)[..])
                        .expect("insert");
                    for l in &r.facts.supplies {
                        let reason = l.reason.unwrap_or("");
                        item.execute(rusqlite::params![
                            row.id, a.org_id, l.item, l.quantity, l.returned, reason
                        ])
                        .expect("item");
                    }
                }
            }
            tx.commit().expect("commit");
            start.elapsed()
        }
        Some(schema) => {
            type Param<'a> = &'a (dyn postgres::types::ToSql + Sync);
            let ph = sql::Dialect::Postgres.placeholder();
            let mut config: postgres::Config = pg_url().parse().expect("url");
            config.options(&format!("-c search_path={schema}"));
            let mut c = config.connect(postgres::NoTls).expect("connect");
            // Multi-row INSERTs of 1000 rows (the bulk form on PostgreSQL; one round trip per
            // chunk), the same statement the ingest uses, in one transaction.
            let owned: Vec<sql::RecordRow> = rows
                .iter()
                .map(|(a, r)| sql::RecordRow::new(a, r, &now))
                .collect();
            let start = Instant::now();
            let mut tx = c.transaction().expect("tx");
            for chunk in owned.chunks(1000) {
                let params: Vec<Param> = chunk
                    .iter()
                    .flat_map(|r| record_params!(r, dyn postgres::types::ToSql + Sync))
                    .collect();
                tx.query(&sql::insert_records(chunk.len(), ph), &params)
                    .expect("insert");
            }
            let lines: Vec<(&String, &str, &shiftlog_model::body::SupplyFlow, &str)> = owned
                .iter()
                .zip(&rows)
                .flat_map(|(row, (_, r))| {
                    r.facts
                        .supplies
                        .iter()
                        .map(move |l| (&row.id, row.org_id, l, l.reason.unwrap_or("")))
                })
                .collect();
            for chunk in lines.chunks(1000) {
                let params: Vec<Param> = chunk
                    .iter()
                    .flat_map(|(id, org, l, reason)| {
                        [
                            *id as Param,
                            org as Param,
                            &l.item as Param,
                            &l.quantity as Param,
                            &l.returned as Param,
                            reason as Param,
                        ]
                    })
                    .collect();
                tx.execute(&sql::insert_items(chunk.len(), ph), &params)
                    .expect("items");
            }
            tx.commit().expect("commit");
            start.elapsed()
        }
    }
}
