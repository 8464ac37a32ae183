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

/// Rows an export's reader hands over at a time.
const EXPORT_BATCH: usize = 256;

/// See [`Storage::export_records`](shiftlog_server_db::Storage::export_records). The rows are
/// read on a thread of their own and handed over in batches through a short queue, so that
/// PostgreSQL sending them and the driver decoding them overlap the caller's writing
/// (benchmark P7); if the caller stops, the reader stops at its next batch.
pub(crate) fn export_records(
    c: &mut Client,
    org_id: &str,
    filter: &RecordFilter,
    each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let (sql, params) = sql::export(filter, org_id, ph);
    let (out, batches) = std::sync::mpsc::sync_channel::<Vec<ExportRow>>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_export(c, &sql, &params, out));
        let mut written = Ok(());
        'batches: for batch in batches.iter() {
            for row in batch {
                written = each(row);
                if written.is_err() {
                    break 'batches;
                }
            }
        }
        drop(batches);
        let read = reader
            .join()
            .map_err(|_| StorageError::Backend("the export's reader panicked".into()))?;
        written.and(read)
    })
}

/// Streams the export's rows to `out` in batches, in one read transaction; stops without an
/// error when `out`'s receiver is gone (the caller's own error is the one it returns).
fn read_export(
    c: &mut Client,
    sql: &str,
    params: &[String],
    out: std::sync::mpsc::SyncSender<Vec<ExportRow>>,
) -> Result<(), StorageError> {
    use postgres::fallible_iterator::FallibleIterator;
    // A portal inside a transaction streams rows; `query` would buffer them all.
    let mut tx = c.transaction().map_err(db)?;
    let stmt = tx.prepare(sql).map_err(db)?;
    let mut rows = tx.query_raw(&stmt, refs(params)).map_err(db)?;
    let mut batch = Vec::with_capacity(EXPORT_BATCH);
    while let Some(r) = rows.next().map_err(db)? {
        batch.push(ExportRow {
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
        });
        if batch.len() == EXPORT_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(EXPORT_BATCH));
            if out.send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() && out.send(batch).is_err() {
        return Ok(());
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
