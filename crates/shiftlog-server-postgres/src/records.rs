//! Reading records back: the pull, the export, counts and the grouped sums of summaries.

use postgres::types::ToSql;
use postgres::Client;
use shiftlog_server_db::{
    sql, AggregateQuery, AggregateRow, ExportRow, RecordFilter, StorageError,
};
use uuid::Uuid;

use crate::{db, ph, q};

fn refs(params: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// See [`Storage::pull_records`](shiftlog_server_db::Storage::pull_records).
pub(crate) fn pull_records(
    c: &mut Client,
    org_id: &str,
    worker_id: Uuid,
    exclude_device: Uuid,
    after: u64,
    limit: u32,
) -> Result<shiftlog_wire::PullResponse, StorageError> {
    let sql = q(&sql::PULL);
    let worker = worker_id.to_string();
    let device = exclude_device.to_string();
    let after_i = after as i64;
    let lim = i64::from(limit) + 1;
    let rows = c
        .query(sql, &[&org_id, &worker, &device, &after_i, &lim])
        .map_err(db)?;
    let mut records = Vec::new();
    let mut next = after;
    let mut more = false;
    for r in rows {
        if records.len() == limit as usize {
            more = true;
            break;
        }
        let seq: i64 = r.get(0);
        let id: String = r.get(1);
        let occurred_at: String = r.get(5);
        let recorded_at: String = r.get(6);
        let body: String = r.get(9);
        let unknown: Option<String> = r.get(10);
        records.push(shiftlog_server_db::pulled_envelope(
            &id,
            r.get(2),
            r.get(3),
            r.get(4),
            &occurred_at,
            &recorded_at,
            r.get(7),
            r.get(8),
            &body,
            unknown.as_deref(),
        )?);
        next = seq as u64;
    }
    Ok(shiftlog_wire::PullResponse {
        records,
        next,
        more,
    })
}

/// See [`Storage::export_records`](shiftlog_server_db::Storage::export_records).
pub(crate) fn export_records(
    c: &mut Client,
    org_id: &str,
    filter: &RecordFilter,
    each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    use postgres::fallible_iterator::FallibleIterator;
    let (sql, params) = sql::export(filter, org_id, ph);
    // A portal inside a transaction streams rows; `query` would buffer them all.
    let mut tx = c.transaction().map_err(db)?;
    let stmt = tx.prepare(&sql).map_err(db)?;
    let mut rows = tx.query_raw(&stmt, refs(&params)).map_err(db)?;
    while let Some(r) = rows.next().map_err(db)? {
        each(ExportRow {
            id: r.get(0),
            record_type: r.get(1),
            kind: r.get(2),
            occurred_at: r.get(3),
            recorded_at: r.get(4),
            received_at: r.get(5),
            version: r.get(6),
            device_id: r.get(7),
            pseudonym: r.get(8),
            area: r.get(9),
            role: r.get(10),
            body: r.get(11),
        })?;
    }
    drop(rows);
    tx.commit().map_err(db)
}

/// See [`Storage::count_records`](shiftlog_server_db::Storage::count_records).
pub(crate) fn count_records(conn: &mut Client, org_id: &str) -> Result<u64, StorageError> {
    let n: i64 = conn
        .query_one(q(&sql::COUNT_RECORDS), &[&org_id])
        .map_err(db)?
        .get(0);
    Ok(n as u64)
}

/// See [`Storage::aggregate`](shiftlog_server_db::Storage::aggregate).
pub(crate) fn aggregate(
    conn: &mut Client,
    org_id: &str,
    query: &AggregateQuery,
) -> Result<Vec<AggregateRow>, StorageError> {
    let (sql, params) = sql::aggregate(query, org_id, ph);
    Ok(conn
        .query(&sql, &refs(&params))
        .map_err(db)?
        .iter()
        .map(|r| AggregateRow {
            period: r.get(0),
            key: r.get(1),
            records: r.get(2),
            people_reached: r.get(3),
            naloxone_doses: r.get(4),
            minutes: r.get(5),
            shift_minutes: r.get(6),
            quantity: r.get(7),
            group: r.get(8),
        })
        .collect())
}
