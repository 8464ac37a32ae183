//! Ingest: a push in one transaction, new records in multi-row INSERTs.

use chrono::Utc;
use postgres::types::ToSql;
use postgres::Client;
use shiftlog_server_db::{sql, DeviceAuth, IngestRecord, StorageError};
use shiftlog_wire::{RecordResult, RecordStatus};

use crate::{db, ph, q};

/// Rows per multi-row INSERT: 27 parameters each stays far below PostgreSQL's 65,535.
const INSERT_CHUNK: usize = 1000;

/// One record's column values, owned, in `sql::RECORD_COLUMNS` order.
struct RecordRow<'a> {
    id: String,
    org_id: &'a str,
    device_id: String,
    version: i64,
    kind: &'a str,
    occurred_at: String,
    occurred_ms: i64,
    recorded_at: String,
    received_at: &'a str,
    deleted: bool,
    body: String,
    unknown: Option<String>,
    record_type: &'a str,
    worker_id: String,
    hlc: Option<&'a str>,
    f: &'a shiftlog_server_db::Facts,
}

impl<'a> RecordRow<'a> {
    fn new(device: &'a DeviceAuth, r: &'a IngestRecord, now: &'a str) -> Self {
        let rec = &r.envelope;
        RecordRow {
            id: rec.id.to_string(),
            org_id: &device.org_id,
            device_id: device.device_id.to_string(),
            version: rec.version as i64,
            kind: &rec.kind,
            occurred_at: rec.occurred_at.to_rfc3339(),
            occurred_ms: rec.occurred_at.timestamp_millis(),
            recorded_at: rec.recorded_at.to_rfc3339(),
            received_at: now,
            deleted: rec.deleted,
            body: rec.body.to_string(),
            unknown: (!rec.unknown.is_empty())
                .then(|| serde_json::Value::Object(rec.unknown.clone()).to_string()),
            record_type: &rec.record_type,
            worker_id: device.worker_id.to_string(),
            hlc: rec.hlc.as_deref(),
            f: &r.facts,
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 28] {
        let f = self.f;
        [
            &self.id,
            &self.org_id,
            &self.device_id,
            &self.version,
            &self.kind,
            &self.occurred_at,
            &self.occurred_ms,
            &self.recorded_at,
            &self.received_at,
            &self.deleted,
            &self.body,
            &self.unknown,
            &self.record_type,
            &self.worker_id,
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
            &self.hlc,
        ]
    }
}

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
) -> Result<Vec<RecordResult>, StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    let now = Utc::now().to_rfc3339();
    // Lock order: records in the order of their totals key, then all supplies lines in
    // the order of theirs, so concurrent pushes (even through two server instances) take
    // the triggers' row locks in one order and cannot deadlock.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| totals_key(&records[a]).cmp(&totals_key(&records[b])));
    let rows: Vec<RecordRow> = order
        .iter()
        .map(|&i| RecordRow::new(device, &records[i], &now))
        .collect();

    // New records, the common case: one statement per chunk.
    let mut inserted = std::collections::HashSet::new();
    for chunk in rows.chunks(INSERT_CHUNK) {
        let params: Vec<&(dyn ToSql + Sync)> = chunk.iter().flat_map(|r| r.params()).collect();
        let stmt = tx
            .prepare(&sql::insert_records(chunk.len(), ph))
            .map_err(db)?;
        for row in tx.query(&stmt, &params).map_err(db)? {
            inserted.insert(row.get::<_, String>(0));
        }
    }

    // The rest exist already: the same record again, a newer version, or another
    // organization's id.
    let update = tx.prepare(&sql::update_record(ph)).map_err(db)?;
    let existing = tx
        .prepare("SELECT org_id, version, worker_id, hlc FROM records WHERE id = $1 FOR UPDATE")
        .map_err(db)?;
    let clear_items = tx.prepare(q(&sql::DELETE_ITEMS)).map_err(db)?;
    let mut results: Vec<Option<RecordResult>> = vec![None; records.len()];
    let mut changed: Vec<String> = Vec::new();
    let mut items: Vec<(&str, &str, &str, &str, i64)> = Vec::new();
    for (&i, row) in order.iter().zip(&rows) {
        let IngestRecord {
            envelope: rec,
            facts: f,
        } = &records[i];
        let status = if inserted.remove(&row.id) {
            RecordStatus::Accepted
        } else {
            let found = tx.query_one(&existing, &[&row.id]).map_err(db)?;
            let (org, have): (String, i64) = (found.get(0), found.get(1));
            let (worker, have_hlc): (Option<String>, Option<String>) = (found.get(2), found.get(3));
            // Only the worker who made a record may change it, from any of their devices.
            if org != device.org_id || worker.as_deref().is_some_and(|w| w != row.worker_id) {
                results[i] = Some(RecordResult::rejected(
                    rec.id,
                    rec.version,
                    "id_taken",
                    "This record id is already used. Edit the record and send it again.".into(),
                ));
                continue;
            }
            if !shiftlog_server_db::supersedes(
                rec.hlc.as_deref(),
                row.version,
                have_hlc.as_deref(),
                have,
            ) {
                RecordStatus::AlreadyHad
            } else {
                // Old items first, while the record still has its old day and area.
                tx.execute(&clear_items, &[&row.id]).map_err(db)?;
                tx.execute(&update, &row.params()).map_err(db)?;
                RecordStatus::Accepted
            }
        };
        if status == RecordStatus::Accepted {
            changed.push(row.id.clone());
        }
        if status == RecordStatus::Accepted && !rec.deleted {
            for (item, q) in &f.items {
                let area = f.area.as_deref().unwrap_or("");
                items.push((f.day.as_str(), area, row.id.as_str(), item.as_str(), *q));
            }
        }
        results[i] = Some(RecordResult::plain(rec.id, rec.version, status));
    }
    items.sort_by(|a, b| (a.0, a.1, a.3, a.2).cmp(&(b.0, b.1, b.3, b.2)));
    for chunk in items.chunks(INSERT_CHUNK) {
        let params: Vec<&(dyn ToSql + Sync)> = chunk
            .iter()
            .flat_map(|(_, _, id, item, q)| {
                [
                    id as &(dyn ToSql + Sync),
                    &device.org_id,
                    item as &(dyn ToSql + Sync),
                    q as &(dyn ToSql + Sync),
                ]
            })
            .collect();
        tx.execute(&sql::insert_items(chunk.len(), ph), &params)
            .map_err(db)?;
    }
    // The same record twice in one push is numbered once.
    changed.sort();
    changed.dedup();
    if !changed.is_empty() {
        // Number the changes last, under the organization's lock held until commit, so
        // numbers commit in order across concurrent pushes and server instances.
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
    }
    tx.commit().map_err(db)?;
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| StorageError::Corrupt("a record without an answer".into())))
        .collect()
}
