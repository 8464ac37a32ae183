//! Ingest: pushes stored in one transaction, several pushes per commit (group commit).

use chrono::Utc;
use rusqlite::{params, Connection};
use shiftlog_server_db::{sql, DeviceAuth, IngestRecord, StorageError};
use shiftlog_wire::{RecordResult, RecordStatus};

use crate::{db, ph, q, SqliteStorage};

/// A push waiting for the writer.
pub(crate) struct Pending {
    device: DeviceAuth,
    records: Vec<IngestRecord>,
    reply: std::sync::mpsc::SyncSender<Result<Vec<RecordResult>, String>>,
}

/// Stores several pushes in one transaction and answers each after the commit. If any push
/// fails, the whole group is rolled back and each push is stored again on its own, so one bad
/// push cannot affect another. (Not a savepoint per push: SQLite's savepoint bookkeeping cost
/// more than the inserts themselves.)
fn commit_group(conn: &mut Connection, batch: Vec<Pending>) {
    let now = Utc::now().to_rfc3339();
    let together = (|| -> Result<Vec<Vec<RecordResult>>, StorageError> {
        let tx = conn.transaction().map_err(db)?;
        let mut out = Vec::with_capacity(batch.len());
        for p in &batch {
            out.push(ingest_one(&tx, &p.device, &p.records, &now)?);
        }
        tx.commit().map_err(db)?;
        Ok(out)
    })();
    match together {
        Ok(results) => {
            for (p, r) in batch.into_iter().zip(results) {
                let _ = p.reply.send(Ok(r));
            }
        }
        Err(_) if batch.len() > 1 => {
            for p in batch {
                commit_group(conn, vec![p]);
            }
        }
        Err(e) => {
            for p in batch {
                let _ = p.reply.send(Err(e.to_string()));
            }
        }
    }
}

/// One push, inside the caller's transaction.
fn ingest_one(
    conn: &Connection,
    device: &DeviceAuth,
    records: &[IngestRecord],
    now: &str,
) -> Result<Vec<RecordResult>, StorageError> {
    let device_id = device.device_id.to_string();
    let worker_id = device.worker_id.to_string();
    let mut results = Vec::with_capacity(records.len());
    {
        let mut insert = conn.prepare_cached(&sql::insert_record(ph)).map_err(db)?;
        let mut update = conn.prepare_cached(&sql::update_record(ph)).map_err(db)?;
        let mut existing = conn
            .prepare_cached("SELECT org_id, version, worker_id, hlc FROM records WHERE id = ?1")
            .map_err(db)?;
        let mut change = conn.prepare_cached(q(&sql::INSERT_CHANGE)).map_err(db)?;
        let mut unchange = conn.prepare_cached(q(&sql::DELETE_CHANGE)).map_err(db)?;
        let mut clear_items = conn.prepare_cached(q(&sql::DELETE_ITEMS)).map_err(db)?;
        let mut add_item = conn
                .prepare_cached(
                    "INSERT INTO record_items (record_id, org_id, item, quantity) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(db)?;
        for IngestRecord {
            envelope: rec,
            facts: f,
        } in records
        {
            let id = rec.id.to_string();
            let unknown = (!rec.unknown.is_empty())
                .then(|| serde_json::Value::Object(rec.unknown.clone()).to_string());
            let values = params![
                id,
                device.org_id,
                device_id,
                rec.version,
                rec.kind,
                rec.occurred_at.to_rfc3339(),
                rec.occurred_at.timestamp_millis(),
                rec.recorded_at.to_rfc3339(),
                now,
                rec.deleted,
                rec.body.to_string(),
                unknown,
                rec.record_type,
                worker_id,
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
                rec.hlc,
            ];
            // Insert first: a new record (the common case) costs one statement.
            let status = if insert.execute(values).map_err(db)? == 1 {
                RecordStatus::Accepted
            } else {
                let (org, have, worker, have_hlc): (String, i64, Option<String>, Option<String>) =
                    existing
                        .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                        .map_err(db)?;
                // Only the worker who made a record may change it, from any of their devices.
                if org != device.org_id || worker.as_deref().is_some_and(|w| w != worker_id) {
                    results.push(RecordResult::rejected(
                        rec.id,
                        rec.version,
                        "id_taken",
                        "This record id is already used. Edit the record and send it again.".into(),
                    ));
                    continue;
                }
                if !shiftlog_server_db::supersedes(
                    rec.hlc.as_deref(),
                    i64::from(rec.version),
                    have_hlc.as_deref(),
                    have,
                ) {
                    RecordStatus::AlreadyHad
                } else {
                    // Old items first, while the record still has its old day and area.
                    clear_items.execute([&id]).map_err(db)?;
                    update.execute(values).map_err(db)?;
                    RecordStatus::Accepted
                }
            };
            if status == RecordStatus::Accepted {
                // A new number in the change log (delete and insert: AUTOINCREMENT only ever
                // hands out higher numbers).
                unchange.execute([&id]).map_err(db)?;
                change
                    .execute(params![id, device.org_id, worker_id])
                    .map_err(db)?;
                for (item, q) in &f.items {
                    add_item
                        .execute(params![id, device.org_id, item, q])
                        .map_err(db)?;
                }
            }
            results.push(RecordResult::plain(rec.id, rec.version, status));
        }
    }
    Ok(results)
}

impl SqliteStorage {
    /// See [`Storage::ingest`](shiftlog_server_db::Storage::ingest).
    pub(crate) fn ingest_grouped(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
    ) -> Result<Vec<RecordResult>, StorageError> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                device: device.clone(),
                records: records.to_vec(),
                reply,
            });
        {
            let mut conn = self.conn();
            // Whoever holds the writer commits everything queued so far, ours included
            // unless an earlier holder already did.
            let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
            if !batch.is_empty() {
                commit_group(&mut conn, batch);
            }
        }
        match answer.recv() {
            Ok(Ok(results)) => Ok(results),
            Ok(Err(e)) => Err(StorageError::Backend(e)),
            Err(_) => Err(StorageError::Backend("the writer stopped".into())),
        }
    }
}
