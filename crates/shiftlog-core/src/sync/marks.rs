//! What to write back for each answer of a push: pure planning (table-tested) and one
//! transaction that applies it. A version that lost is set aside for the worker and the
//! server's version taken.

use std::collections::HashMap;

use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use shiftlog_wire::{RecordResult, RecordStatus};
use uuid::Uuid;

use super::SyncReport;
use crate::conflicts::{set_aside, SetAsideStatus};
use crate::records::apply_envelope;
use crate::{Core, CoreError, Result};

/// A record picked for a push, with the change counter read at the time.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// Record id.
    pub id: Uuid,
    /// Version sent.
    pub version: u32,
    /// `sync_change_counter` when it was read.
    pub counter: i64,
}

/// What to write back for each result of a push: pure, so it is table-tested.
#[derive(Debug, Clone, PartialEq)]
pub enum MarkAction {
    /// Subtract `counter` and stamp as sent.
    Confirmed {
        /// Record id.
        id: Uuid,
        /// Counter to subtract.
        counter: i64,
    },
    /// Subtract `counter` and keep the reason for the worker.
    Rejected {
        /// Record id.
        id: Uuid,
        /// Counter to subtract.
        counter: i64,
        /// Why.
        reason: String,
    },
    /// The version sent lost (superseded or in conflict): unless the worker changed the
    /// record again meanwhile, set it aside for them and take the server's version.
    Lost {
        /// Record id.
        id: Uuid,
        /// Counter to subtract.
        counter: i64,
        /// Superseded or conflict.
        status: SetAsideStatus,
        /// Why, in the server's words.
        reason: String,
        /// The version the server keeps.
        current: Box<shiftlog_wire::RecordEnvelope>,
    },
}

/// Matches server results to what was sent. A result for a record or version that was not
/// sent is ignored; a record with no result stays pending.
pub fn plan_marks(sent: &[Outgoing], results: &[RecordResult]) -> Vec<MarkAction> {
    // The first result for each (id, version), as a search from the start would find it.
    let mut by_key: HashMap<(Uuid, u32), &RecordResult> = HashMap::with_capacity(results.len());
    for r in results {
        by_key.entry((r.id, r.version)).or_insert(r);
    }
    let mut out = Vec::with_capacity(sent.len());
    for o in sent {
        let Some(r) = by_key.get(&(o.id, o.version)).copied() else {
            continue;
        };
        let lost = match r.status {
            RecordStatus::Superseded => Some(SetAsideStatus::Superseded),
            RecordStatus::Conflict => Some(SetAsideStatus::Conflict),
            _ => None,
        };
        if r.status.is_confirmed() {
            out.push(MarkAction::Confirmed {
                id: o.id,
                counter: o.counter,
            });
        } else if let (Some(status), Some(current)) =
            (lost, r.current.as_ref().filter(|c| c.id == o.id))
        {
            // (A "current version" of another record is no answer: refused, kept here.)
            out.push(MarkAction::Lost {
                id: o.id,
                counter: o.counter,
                status,
                reason: r.reason.clone().unwrap_or_else(|| {
                    "Another change to this record was kept. Yours is kept here.".into()
                }),
                current: current.clone(),
            });
        } else {
            out.push(MarkAction::Rejected {
                id: o.id,
                counter: o.counter,
                reason: r
                    .reason
                    .clone()
                    .unwrap_or_else(|| "The server did not accept this record.".into()),
            });
        }
    }
    out
}

pub(super) fn apply_marks(core: &Core, org_id: &str, marks: &[MarkAction]) -> Result<SyncReport> {
    let mut db = core.db();
    // Losing a mark to a power cut only means the record is sent again and answered
    // `already_had`, so this one transaction skips the fsync that saves need.
    db.execute_batch("PRAGMA synchronous = NORMAL")?;
    let result = apply_marks_tx(&mut db, org_id, marks);
    db.execute_batch("PRAGMA synchronous = FULL")?;
    result
}

pub(super) fn apply_marks_tx(
    db: &mut rusqlite::Connection,
    org_id: &str,
    marks: &[MarkAction],
) -> Result<SyncReport> {
    let tx = db.transaction()?;
    let now = Utc::now().to_rfc3339();
    let mut report = SyncReport::default();
    // Every confirmed record of the batch in one statement: its id and the counter read when
    // it was sent, as a JSON array of [id, counter] pairs.
    let confirmed: Vec<(String, i64)> = marks
        .iter()
        .filter_map(|m| match m {
            MarkAction::Confirmed { id, counter } => Some((id.to_string(), *counter)),
            _ => None,
        })
        .collect();
    if !confirmed.is_empty() {
        let pairs = serde_json::to_string(&confirmed).map_err(|e| CoreError::Server {
            status: 0,
            code: "encode".into(),
            message: e.to_string(),
        })?;
        tx.prepare_cached(
            "UPDATE records SET sync_change_counter = MAX(sync_change_counter - m.counter, 0),
                 synced_at = ?2, rejected_reason = NULL
             FROM (SELECT value ->> 0 AS id, value ->> 1 AS counter FROM json_each(?1)) AS m
             WHERE records.id = m.id",
        )?
        .execute(params![pairs, now])?;
    }
    for m in marks {
        match m {
            MarkAction::Confirmed { .. } => {}
            MarkAction::Rejected {
                id,
                counter,
                reason,
            } => {
                report.rejected += 1;
                // A refused delete did not happen on the server: the record comes back,
                // with the reason, in Needs attention (never hidden while the server keeps
                // it). A refused change is kept as the worker made it, with the reason.
                tx.execute(
                    "UPDATE records SET sync_change_counter = MAX(sync_change_counter - ?2, 0),
                         rejected_reason = ?3, deleted = 0 WHERE id = ?1",
                    params![id.to_string(), counter, reason],
                )?;
            }
            MarkAction::Lost {
                id,
                counter,
                status,
                reason,
                current,
            } => {
                let now_counter: Option<i64> = tx
                    .query_row(
                        "SELECT sync_change_counter FROM records WHERE id = ?1",
                        [id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                if now_counter.is_some_and(|c| c > *counter) {
                    // Changed again while the push was on the wire: that newer change is
                    // still to be sent, and is what the worker sees.
                    tx.execute(
                        "UPDATE records SET sync_change_counter = MAX(sync_change_counter - ?2, 0)
                         WHERE id = ?1",
                        params![id.to_string(), counter],
                    )?;
                } else {
                    set_aside(&tx, *id, *status, reason)?;
                    apply_envelope(&tx, org_id, current, &now)?;
                }
            }
        }
    }
    tx.execute(
        "INSERT INTO sync_state (org_id, last_sent_at, last_attempt_at) VALUES (?1, ?2, ?2)
         ON CONFLICT(org_id) DO UPDATE SET last_sent_at = ?2, last_attempt_at = ?2,
             last_error = NULL",
        params![org_id, now],
    )?;
    tx.commit()?;
    Ok(report)
}
