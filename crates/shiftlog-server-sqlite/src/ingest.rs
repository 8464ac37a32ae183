//! One push's statements, inside the group's transaction: insert first (a new record costs
//! one statement), and only for an id that is stored, read its head, ask for the decision and
//! write what it says.

use rusqlite::{params, Connection, OptionalExtension, ToSql};
use shiftlog_server_db::{
    head_row, record_params, sql, write_for, DeviceAuth, HeadRow, IngestDecision, IngestRecord,
    StorageError, StoredHead, Write,
};
use shiftlog_wire::{RecordResult, RecordStatus};

use crate::{db, ph, q};

/// Asks for the decision on record `index` of the push, given its stored head.
pub(crate) type Ask<'a> = &'a dyn Fn(usize, StoredHead) -> Result<IngestDecision, StorageError>;

/// Stores one push inside the caller's transaction. `fresh[i]` is the decision for record `i`
/// if nothing is stored under its id; `ask` gives the decision when something is.
pub(crate) fn ingest_one(
    conn: &Connection,
    device: &DeviceAuth,
    records: &[IngestRecord],
    fresh: &[IngestDecision],
    now: &str,
    ask: Ask<'_>,
) -> Result<Vec<RecordResult>, StorageError> {
    let mut insert = conn.prepare_cached(&sql::insert_record(ph)).map_err(db)?;
    let mut update = conn.prepare_cached(&sql::update_record(ph)).map_err(db)?;
    let mut head = conn.prepare_cached(q(&sql::RECORD_HEAD)).map_err(db)?;
    let mut change = conn.prepare_cached(q(&sql::INSERT_CHANGE)).map_err(db)?;
    let mut unchange = conn.prepare_cached(q(&sql::DELETE_CHANGE)).map_err(db)?;
    let mut clear_items = conn.prepare_cached(q(&sql::DELETE_ITEMS)).map_err(db)?;
    let mut add_item = conn.prepare_cached(&sql::insert_items(1, ph)).map_err(db)?;
    let mut results = Vec::with_capacity(records.len());
    for (i, (record, fresh)) in records.iter().zip(fresh).enumerate() {
        let rec = &record.envelope;
        let row = sql::RecordRow::new(device, record, now);
        let values = record_params!(&row, dyn ToSql);
        let wants_row = matches!(fresh, IngestDecision::Insert | IngestDecision::Replace);
        // Insert first: a new record (the common case) costs one statement. `written` is
        // `Some(replaced)` when the row was written.
        let written = if wants_row && insert.execute(&values[..]).map_err(db)? == 1 {
            Some(false)
        } else {
            let stored = head
                .query_row([&row.id], read_head)
                .optional()
                .map_err(db)?
                .transpose()?;
            let decision = match &stored {
                None => fresh.clone(),
                Some(h) => ask(i, h.head.clone())?,
            };
            match write_for(decision, stored.as_ref())? {
                Write::Insert => {
                    if insert.execute(&values[..]).map_err(db)? != 1 {
                        return Err(StorageError::Backend(format!(
                            "record {} appeared during its own insert",
                            row.id
                        )));
                    }
                    Some(false)
                }
                Write::Replace => {
                    // Old items first, while the record still has its old day and area.
                    clear_items.execute([&row.id]).map_err(db)?;
                    update.execute(&values[..]).map_err(db)?;
                    Some(true)
                }
                Write::Answer(answer) => {
                    results.push(answer);
                    None
                }
            }
        };
        if let Some(replaced) = written {
            // A new number in the change log (delete and insert: AUTOINCREMENT only ever
            // hands out higher numbers). A record just inserted has no number yet (the change
            // log's foreign key to `records` guarantees it), so it skips the delete.
            if replaced {
                unchange.execute([&row.id]).map_err(db)?;
            }
            change
                .execute(params![row.id, device.org_id, row.worker_id])
                .map_err(db)?;
            for l in &record.facts.supplies {
                add_item
                    .execute(params![
                        row.id,
                        device.org_id,
                        l.item,
                        l.quantity,
                        l.returned,
                        l.reason.unwrap_or("")
                    ])
                    .map_err(db)?;
            }
            results.push(RecordResult::plain(
                rec.id,
                rec.version,
                RecordStatus::Accepted,
            ));
        }
    }
    Ok(results)
}

/// A row of [`sql::RECORD_HEAD`].
fn read_head(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<HeadRow, StorageError>> {
    Ok(head_row(
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}
