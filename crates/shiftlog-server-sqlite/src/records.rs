//! Reading records back: the pull, the export, counts and the grouped sums of summaries.

use rusqlite::{params, params_from_iter, Connection};
use shiftlog_server_db::{
    sql, AggregateQuery, AggregateRow, ExportRow, RecordFilter, StorageError,
};
use uuid::Uuid;

use crate::{db, ph, q};

/// See [`Storage::pull_records`](shiftlog_server_db::Storage::pull_records).
pub(crate) fn pull_records(
    conn: &Connection,
    org_id: &str,
    worker_id: Uuid,
    exclude_device: Uuid,
    after: u64,
    limit: u32,
) -> Result<shiftlog_wire::PullResponse, StorageError> {
    let sql = q(&sql::PULL);
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    let mut rows = stmt
        .query(params![
            org_id,
            worker_id.to_string(),
            exclude_device.to_string(),
            after as i64,
            i64::from(limit) + 1
        ])
        .map_err(db)?;
    let mut records = Vec::new();
    let mut next = after;
    let mut more = false;
    while let Some(r) = rows.next().map_err(db)? {
        if records.len() == limit as usize {
            more = true;
            break;
        }
        let seq: i64 = r.get(0).map_err(db)?;
        let body: String = r.get(9).map_err(db)?;
        let unknown: Option<String> = r.get(10).map_err(db)?;
        let id: String = r.get(1).map_err(db)?;
        let occurred_at: String = r.get(5).map_err(db)?;
        let recorded_at: String = r.get(6).map_err(db)?;
        records.push(shiftlog_server_db::pulled_envelope(
            &id,
            r.get(2).map_err(db)?,
            r.get(3).map_err(db)?,
            r.get(4).map_err(db)?,
            &occurred_at,
            &recorded_at,
            r.get(7).map_err(db)?,
            r.get(8).map_err(db)?,
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
    conn: &Connection,
    org_id: &str,
    filter: &RecordFilter,
    each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let (sql, params) = sql::export(filter, org_id, ph);
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let mut rows = stmt.query(params_from_iter(params.iter())).map_err(db)?;
    while let Some(r) = rows.next().map_err(db)? {
        let row = (|| {
            Ok::<_, rusqlite::Error>(ExportRow {
                id: r.get(0)?,
                record_type: r.get(1)?,
                kind: r.get(2)?,
                occurred_at: r.get(3)?,
                recorded_at: r.get(4)?,
                received_at: r.get(5)?,
                version: r.get(6)?,
                device_id: r.get(7)?,
                pseudonym: r.get(8)?,
                area: r.get(9)?,
                role: r.get(10)?,
                body: r.get(11)?,
            })
        })()
        .map_err(db)?;
        each(row)?;
    }
    Ok(())
}

/// See [`Storage::count_records`](shiftlog_server_db::Storage::count_records).
pub(crate) fn count_records(conn: &Connection, org_id: &str) -> Result<u64, StorageError> {
    conn.query_row(q(&sql::COUNT_RECORDS), [org_id], |r| r.get(0))
        .map_err(db)
}

/// See [`Storage::aggregate`](shiftlog_server_db::Storage::aggregate).
pub(crate) fn aggregate(
    conn: &Connection,
    org_id: &str,
    query: &AggregateQuery,
) -> Result<Vec<AggregateRow>, StorageError> {
    let (sql, params) = sql::aggregate(query, org_id, ph);
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            Ok(AggregateRow {
                period: r.get(0)?,
                key: r.get(1)?,
                records: r.get(2)?,
                people_reached: r.get(3)?,
                naloxone_doses: r.get(4)?,
                minutes: r.get(5)?,
                shift_minutes: r.get(6)?,
                quantity: r.get(7)?,
                group: r.get(8)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}
