//! Ingest: a push in one transaction. New records go in multi-row INSERTs (`ON CONFLICT DO
//! NOTHING`); for an id that is stored, the head is read `FOR UPDATE` (another instance
//! storing the same id waits for this commit), the service decides, and storage writes what
//! it says. The device's row is read first, `FOR SHARE`: a push from a revoked device stores
//! nothing, and a revocation cannot commit while the push is being stored.

use std::collections::HashSet;

use chrono::Utc;
use postgres::types::ToSql;
use postgres::{Client, Transaction};
use shiftlog_server_db::{
    head_row, record_params, sql, write_for, Decide, DeviceAuth, HeadRow, IngestDecision,
    IngestRecord, StorageError, Write,
};
use shiftlog_wire::{RecordResult, RecordStatus};

use crate::devices::still_enrolled;
use crate::{db, ph, q};

/// Rows per multi-row INSERT: 28 parameters each stays far below PostgreSQL's 65,535.
const INSERT_CHUNK: usize = 1000;

/// A parameter of the `postgres` driver.
type Param<'a> = &'a (dyn ToSql + Sync);

/// The key of the `totals` row a record counts in (see migration 0002), then its id.
fn totals_key(r: &IngestRecord) -> impl Ord + '_ {
    let f = &r.facts;
    (
        f.day.as_str(),
        r.envelope.record_type.as_str(),
        r.envelope.kind.as_str(),
        f.area.as_deref().unwrap_or(""),
        f.role.as_deref().unwrap_or(""),
        f.on_shift,
        f.nav_task.as_deref().unwrap_or(""),
        f.nav_outcome.as_deref().unwrap_or(""),
        f.pay_type.as_deref().unwrap_or(""),
        r.envelope.id,
    )
}

/// See [`Storage::ingest`](shiftlog_server_db::Storage::ingest).
pub(crate) fn ingest(
    c: &mut Client,
    device: &DeviceAuth,
    records: &[IngestRecord],
    decide: Decide<'_>,
) -> Result<Vec<RecordResult>, StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    // The device first, locked against a revocation until the commit: revoked, nothing of
    // the push is stored (the transaction rolls back untouched).
    still_enrolled(&mut tx, device.device_id)?;
    let now = Utc::now().to_rfc3339();
    // Lock order: records in the order of their totals key, then all supplies lines in
    // the order of theirs, so concurrent pushes (even through two server instances) take
    // the triggers' row locks in one order and cannot deadlock.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| totals_key(&records[a]).cmp(&totals_key(&records[b])));
    let rows: Vec<sql::RecordRow> = order
        .iter()
        .map(|&i| sql::RecordRow::new(device, &records[i], &now))
        .collect();
    let fresh: Vec<IngestDecision> = order.iter().map(|&i| decide(&records[i], None)).collect();

    // New records, the common case: one statement per chunk.
    let new: Vec<&sql::RecordRow> = rows
        .iter()
        .zip(&fresh)
        .filter(|(_, d)| matches!(d, IngestDecision::Insert | IngestDecision::Replace))
        .map(|(r, _)| r)
        .collect();
    let mut inserted = HashSet::new();
    for chunk in new.chunks(INSERT_CHUNK) {
        let params: Vec<Param> = chunk
            .iter()
            .flat_map(|r| record_params!(r, dyn ToSql + Sync))
            .collect();
        let stmt = tx
            .prepare(&sql::insert_records(chunk.len(), ph))
            .map_err(db)?;
        for row in tx.query(&stmt, &params).map_err(db)? {
            inserted.insert(row.get::<_, String>(0));
        }
    }

    // The rest: the same record again, a newer version, another worker's id, or a record
    // the service refuses.
    let mut results: Vec<Option<RecordResult>> = vec![None; records.len()];
    let mut changed: Vec<&str> = Vec::new();
    let mut items: Vec<ItemRow<'_>> = Vec::new();
    for ((&i, row), fresh) in order.iter().zip(&rows).zip(fresh) {
        let record = &records[i];
        let rec = &record.envelope;
        let written = inserted.remove(&row.id) || {
            match decided_write(&mut tx, record, row, fresh, decide)? {
                Write::Answer(answer) => {
                    results[i] = Some(answer);
                    false
                }
                _ => true,
            }
        };
        if written {
            changed.push(&row.id);
            let f = &record.facts;
            if !rec.deleted {
                for l in &f.supplies {
                    let area = f.area.as_deref().unwrap_or("");
                    items.push(ItemRow {
                        day: &f.day,
                        area,
                        id: &row.id,
                        item: &l.item,
                        quantity: l.quantity,
                        returned: l.returned,
                        reason: l.reason.unwrap_or(""),
                    });
                }
            }
            results[i] = Some(RecordResult::plain(
                rec.id,
                rec.version,
                RecordStatus::Accepted,
            ));
        }
    }
    insert_items(&mut tx, &device.org_id, items)?;
    number_changes(&mut tx, device, changed)?;
    tx.commit().map_err(db)?;
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| StorageError::Corrupt("a record without an answer".into())))
        .collect()
}

/// Reads the stored head of a record the multi-row INSERT skipped, decides, and writes:
/// `Insert` or `Replace` once written, else the answer. An id that appears between the read
/// and the insert (another instance committed it) is read and decided again.
fn decided_write(
    tx: &mut Transaction<'_>,
    record: &IngestRecord,
    row: &sql::RecordRow<'_>,
    fresh: IngestDecision,
    decide: Decide<'_>,
) -> Result<Write, StorageError> {
    let values = record_params!(row, dyn ToSql + Sync);
    for _ in 0..3 {
        let stored = read_head(tx, &row.id)?;
        let decision = match &stored {
            None => fresh.clone(),
            Some(h) => decide(record, Some(&h.head)),
        };
        let write = write_for(decision, stored.as_ref())?;
        match &write {
            Write::Insert => {
                if tx.execute(&sql::insert_record(ph), &values).map_err(db)? == 0 {
                    continue;
                }
            }
            Write::Replace => {
                // Old items first, while the record still has its old day and area.
                tx.execute(q(&sql::DELETE_ITEMS), &[&row.id]).map_err(db)?;
                tx.execute(&sql::update_record(ph), &values).map_err(db)?;
            }
            Write::Answer(_) => {}
        }
        return Ok(write);
    }
    Err(StorageError::Backend(format!(
        "record {} kept changing during its ingest",
        row.id
    )))
}

/// The head of record `id`, locked until the commit.
fn read_head(tx: &mut Transaction<'_>, id: &str) -> Result<Option<HeadRow>, StorageError> {
    tx.query_opt(q(&sql::RECORD_HEAD), &[&id])
        .map_err(db)?
        .map(|r| {
            head_row(
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
                r.get(8),
                r.get(9),
                r.get(10),
                r.get(11),
            )
        })
        .transpose()
}

/// One supplies line to insert, with the totals key it adds to.
struct ItemRow<'a> {
    day: &'a str,
    area: &'a str,
    id: &'a str,
    item: &'a str,
    quantity: i64,
    returned: bool,
    reason: &'a str,
}

/// The supplies lines of the written records, in the order of their totals key (day, area,
/// item, returned, reason, record).
fn insert_items(
    tx: &mut Transaction<'_>,
    org_id: &str,
    mut items: Vec<ItemRow<'_>>,
) -> Result<(), StorageError> {
    items.sort_by(|a, b| {
        (a.day, a.area, a.item, a.returned, a.reason, a.id)
            .cmp(&(b.day, b.area, b.item, b.returned, b.reason, b.id))
    });
    for chunk in items.chunks(INSERT_CHUNK) {
        let params: Vec<Param> = chunk
            .iter()
            .flat_map(|r| {
                [
                    &r.id as Param,
                    &org_id,
                    &r.item as Param,
                    &r.quantity as Param,
                    &r.returned as Param,
                    &r.reason as Param,
                ]
            })
            .collect();
        tx.execute(&sql::insert_items(chunk.len(), ph), &params)
            .map_err(db)?;
    }
    Ok(())
}

/// New change-log numbers for the written records, taken last, under the organization's
/// lock held until commit, so numbers commit in order across concurrent pushes and server
/// instances.
fn number_changes(
    tx: &mut Transaction<'_>,
    device: &DeviceAuth,
    mut changed: Vec<&str>,
) -> Result<(), StorageError> {
    // The same record twice in one push is numbered once.
    changed.sort();
    changed.dedup();
    if changed.is_empty() {
        return Ok(());
    }
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&device.org_id],
    )
    .map_err(db)?;
    tx.execute(
        "DELETE FROM record_changes WHERE record_id = ANY($1)",
        &[&changed],
    )
    .map_err(db)?;
    let worker = device.worker_id.to_string();
    tx.execute(
        "INSERT INTO record_changes (record_id, org_id, worker_id)
         SELECT unnest($1::text[]), $2, $3",
        &[&changed, &device.org_id, &worker],
    )
    .map_err(db)?;
    Ok(())
}
