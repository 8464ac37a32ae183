//! One push's statements, inside the group's transaction: insert first (a new record costs
//! one statement), and only for an id that is stored, read its head, ask for the decision and
//! write what it says. The new records' change-log numbers and supplies lines are written a
//! chunk at a time, in multi-row statements, in the records' order.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use rusqlite::{Connection, OptionalExtension, ToSql};
use shiftlog_server_db::{
    head_row, record_params, sql, write_for, DeviceAuth, HeadRow, IngestDecision, IngestRecord,
    StorageError, StoredHead, Write,
};
use shiftlog_wire::{RecordResult, RecordStatus};
use uuid::Uuid;

use crate::{db, ph, q};

/// Asks for the decision on record `index` of the push, given its stored head.
pub(crate) type Ask<'a> = &'a dyn Fn(usize, StoredHead) -> Result<IngestDecision, StorageError>;

/// Most rows per multi-row statement of change-log numbers and supplies lines (a chunk binds
/// at most 6 × 64 parameters, far under SQLite's limit).
const CHUNK: usize = 64;

/// `rows` cut into chunks of [`CHUNK`], then powers of two: at most seven statement sizes,
/// so the writer's statement cache keeps them all.
fn chunks<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let n = if rows.len() >= CHUNK {
            CHUNK
        } else {
            1 << rows.len().ilog2()
        };
        let (chunk, rest) = rows.split_at(n);
        rows = rest;
        Some(chunk)
    })
}

/// A record ready for the writer, made on its push's own thread: its row's values, and the
/// decision if nothing is stored under its id.
pub(crate) struct Prepared {
    id: Uuid,
    version: u32,
    row: sql::PreparedRow,
    fresh: IngestDecision,
}

impl Prepared {
    /// `record` of `device`'s push received at `received_at`; `fresh` is the decision if
    /// nothing is stored under its id.
    pub(crate) fn new(
        device: &DeviceAuth,
        record: &IngestRecord,
        received_at: &str,
        fresh: IngestDecision,
    ) -> Prepared {
        Prepared {
            id: record.envelope.id,
            version: record.envelope.version,
            row: sql::PreparedRow::new(device, record, received_at),
            fresh,
        }
    }
}

/// Change-log numbers and supplies lines of written records, not yet inserted.
struct Pending<'a> {
    changes: Vec<&'a sql::PreparedRow>,
    /// A row and the index of one of its supplies lines.
    items: Vec<(&'a sql::PreparedRow, usize)>,
}

impl<'a> Pending<'a> {
    fn add(&mut self, row: &'a sql::PreparedRow) {
        self.changes.push(row);
        self.items
            .extend((0..row.facts.supplies.len()).map(|l| (row, l)));
    }

    /// Inserts what is pending, in order.
    fn flush(&mut self, conn: &Connection) -> Result<(), StorageError> {
        for chunk in chunks(&self.changes) {
            let mut st = conn
                .prepare_cached(&chunk_sql(&CHANGES_SQL, chunk.len(), sql::insert_changes))
                .map_err(db)?;
            let params: Vec<&dyn ToSql> = chunk
                .iter()
                .flat_map(|r| [&r.id as &dyn ToSql, &r.org_id, &r.worker_id])
                .collect();
            st.execute(&params[..]).map_err(db)?;
        }
        for chunk in chunks(&self.items) {
            let mut st = conn
                .prepare_cached(&chunk_sql(&ITEMS_SQL, chunk.len(), sql::insert_items))
                .map_err(db)?;
            let lines: Vec<_> = chunk
                .iter()
                .map(|&(r, l)| (r, &r.facts.supplies[l]))
                .collect();
            let reasons: Vec<&str> = lines.iter().map(|(_, l)| l.reason.unwrap_or("")).collect();
            let params: Vec<&dyn ToSql> = lines
                .iter()
                .zip(&reasons)
                .flat_map(|((r, l), reason)| {
                    [
                        &r.id as &dyn ToSql,
                        &r.org_id,
                        &l.item,
                        &l.quantity,
                        &l.returned,
                        reason,
                    ]
                })
                .collect();
            st.execute(&params[..]).map_err(db)?;
        }
        self.changes.clear();
        self.items.clear();
        Ok(())
    }
}

/// Stores one push inside the caller's transaction; `ask` gives the decision for a record
/// whose id is stored.
///
/// New records go in multi-row `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id`
/// statements of up to [`CHUNK`] rows (a run of records that want a row, no id twice): each
/// statement costs SQLite a statement journal and a savepoint, which one statement per record
/// paid a thousand times a push. A record the statement skipped (its id is stored) is then
/// read, decided and written as before, in the records' order: what is pending goes in first,
/// so the change log and supplies lines are as if written one record at a time. The run's
/// other records have other ids, so inserting them first changes nothing it reads.
pub(crate) fn ingest_one(
    conn: &Connection,
    records: &[Prepared],
    ask: Ask<'_>,
) -> Result<Vec<RecordResult>, StorageError> {
    let mut results = Vec::with_capacity(records.len());
    let mut pending = Pending {
        changes: Vec::with_capacity(records.len()),
        items: Vec::new(),
    };
    let mut at = 0;
    while at < records.len() {
        let run = insert_run(&records[at..]);
        if run == 0 {
            // It wants no row of its own: only decided against what is stored.
            stored_one(conn, at, &records[at], ask, &mut pending, &mut results)?;
            at += 1;
            continue;
        }
        let chunk = &records[at..at + run];
        let inserted = insert_rows(conn, chunk)?;
        for (k, p) in chunk.iter().enumerate() {
            if inserted.contains(p.row.id.as_str()) {
                pending.add(&p.row);
                results.push(RecordResult::plain(p.id, p.version, RecordStatus::Accepted));
            } else {
                stored_one(conn, at + k, p, ask, &mut pending, &mut results)?;
            }
        }
        at += run;
    }
    pending.flush(conn)?;
    Ok(results)
}

/// How many of `records`, from the first, go in one multi-row insert: a run that wants a row
/// each, no id twice (a second version of a record in the same push is decided against the
/// first, after it), cut to one of the sizes [`chunks`] uses. 0 if the first wants no row.
fn insert_run(records: &[Prepared]) -> usize {
    let mut ids = HashSet::with_capacity(CHUNK);
    let run = records
        .iter()
        .take(CHUNK)
        .take_while(|p| {
            matches!(p.fresh, IngestDecision::Insert | IngestDecision::Replace)
                && ids.insert(p.row.id.as_str())
        })
        .count();
    match run {
        0 => 0,
        n if n >= CHUNK => CHUNK,
        n => 1 << n.ilog2(),
    }
}

/// A multi-row statement's text for each of [`chunks`]'s sizes (1, 2, 4, … [`CHUNK`]), made
/// once: the writer neither formats nor hashes a new string for every chunk.
type Texts = [OnceLock<String>; 7];
static RECORDS_SQL: Texts = [const { OnceLock::new() }; 7];
static CHANGES_SQL: Texts = [const { OnceLock::new() }; 7];
static ITEMS_SQL: Texts = [const { OnceLock::new() }; 7];

/// `make(rows, ph)`, from `texts` for a size [`chunks`] uses.
fn chunk_sql(
    texts: &'static Texts,
    rows: usize,
    make: fn(usize, sql::Placeholder) -> String,
) -> Cow<'static, str> {
    match texts.get(rows.ilog2() as usize) {
        Some(t) if rows.is_power_of_two() => Cow::Borrowed(t.get_or_init(|| make(rows, ph))),
        _ => Cow::Owned(make(rows, ph)),
    }
}

/// Inserts `chunk`'s rows in one statement, skipping ids that are stored; the ids inserted.
fn insert_rows(conn: &Connection, chunk: &[Prepared]) -> Result<HashSet<String>, StorageError> {
    let mut st = conn
        .prepare_cached(&chunk_sql(&RECORDS_SQL, chunk.len(), sql::insert_records))
        .map_err(db)?;
    let params: Vec<&dyn ToSql> = chunk
        .iter()
        .flat_map(|p| record_params!(&p.row, dyn ToSql))
        .collect();
    let mut inserted = HashSet::with_capacity(chunk.len());
    let mut rows = st.query(&params[..]).map_err(db)?;
    while let Some(r) = rows.next().map_err(db)? {
        inserted.insert(r.get::<_, String>(0).map_err(db)?);
    }
    Ok(inserted)
}

/// Record `index` of the push, whose id is stored (or which wants no row): its head read, the
/// decision asked for and written, its answer pushed to `results`.
fn stored_one<'a>(
    conn: &Connection,
    index: usize,
    p: &'a Prepared,
    ask: Ask<'_>,
    pending: &mut Pending<'a>,
    results: &mut Vec<RecordResult>,
) -> Result<(), StorageError> {
    let row = &p.row;
    let values = record_params!(row, dyn ToSql);
    // Its id is stored (maybe by an earlier record of this very push): what is pending goes
    // in first, so the change log and supplies lines are as if written one record at a time.
    pending.flush(conn)?;
    let stored = conn
        .prepare_cached(q(&sql::RECORD_HEAD))
        .map_err(db)?
        .query_row([&row.id], read_head)
        .optional()
        .map_err(db)?
        .transpose()?;
    let decision = match &stored {
        None => p.fresh.clone(),
        Some(h) => ask(index, h.head.clone())?,
    };
    match write_for(decision, stored.as_ref())? {
        Write::Insert => {
            let inserted = conn
                .prepare_cached(&sql::insert_record(ph))
                .map_err(db)?
                .execute(&values[..])
                .map_err(db)?;
            if inserted != 1 {
                return Err(StorageError::Backend(format!(
                    "record {} appeared during its own insert",
                    row.id
                )));
            }
            // A record just inserted has no change-log number yet (the change log's
            // foreign key to `records` guarantees it).
        }
        Write::Replace => {
            // Old items first, while the record still has its old day and area.
            conn.prepare_cached(q(&sql::DELETE_ITEMS))
                .map_err(db)?
                .execute([&row.id])
                .map_err(db)?;
            conn.prepare_cached(&sql::update_record(ph))
                .map_err(db)?
                .execute(&values[..])
                .map_err(db)?;
            // A new number in the change log (delete and insert: AUTOINCREMENT only ever
            // hands out higher numbers).
            conn.prepare_cached(q(&sql::DELETE_CHANGE))
                .map_err(db)?
                .execute([&row.id])
                .map_err(db)?;
        }
        Write::Answer(answer) => {
            results.push(answer);
            return Ok(());
        }
    }
    pending.add(row);
    results.push(RecordResult::plain(p.id, p.version, RecordStatus::Accepted));
    Ok(())
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

#[cfg(test)]
mod tests {
    #[test]
    fn chunks_keep_order_and_take_few_sizes() {
        let rows: Vec<usize> = (0..203).collect();
        let sizes: Vec<usize> = super::chunks(&rows).map(<[usize]>::len).collect();
        assert_eq!(sizes, [64, 64, 64, 8, 2, 1]);
        let again: Vec<usize> = super::chunks(&rows).flatten().copied().collect();
        assert_eq!(again, rows);
        assert_eq!(super::chunks::<usize>(&[]).count(), 0);
    }
}
