//! Group commit: pushes that arrive while the writer is busy are stored in one transaction,
//! one fsync for all of them, and each is answered only after the commit.
//!
//! Every push joins the queue. If no one is writing, its thread becomes the leader: it takes
//! the queue, stores it and commits, then hands the lead to the first push that queued
//! meanwhile, so no thread writes for others for long. The other threads wait on their own
//! channel, and answer the leader's questions there: a record whose id is stored is decided
//! by the `decide` of the push it came with, on that push's thread, inside the leader's
//! transaction. (Not a savepoint per push: SQLite's savepoint bookkeeping cost more than the
//! inserts themselves; when a group fails, each push is stored again on its own.)
//!
//! A push joins the queue with its rows already made ([`Prepared`]: the record's text, its
//! body as JSON, its facts), on its own thread, so the one writer only runs statements; the
//! records themselves stay with their push, which answers the leader's questions about them.
//!
//! The group's transaction is `IMMEDIATE` and reads, for each push, its device first: a push
//! from a device revoked meanwhile stores nothing and is answered
//! [`StorageError::DeviceRevoked`]; the group's other pushes are stored as usual.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use chrono::Utc;
use rusqlite::{Connection, TransactionBehavior};
use shiftlog_server_db::{Decide, DeviceAuth, IngestDecision, IngestRecord, StorageError};
use shiftlog_wire::RecordResult;
use uuid::Uuid;

use crate::devices::still_enrolled;
use crate::ingest::{ingest_one, Prepared};
use crate::{db, SqliteStorage};

/// The push whose thread leads: its records and decision, which the leader answers for
/// itself.
struct Own<'a> {
    ticket: u64,
    records: &'a [IngestRecord],
    decide: Decide<'a>,
}

/// The writer's queue.
#[derive(Default)]
pub(crate) struct Queue {
    pending: Vec<Pending>,
    /// True while a leader is storing a group.
    writing: bool,
    next_ticket: u64,
}

/// A push waiting for the writer.
struct Pending {
    ticket: u64,
    /// The device that pushes.
    device_id: Uuid,
    /// Each record's row, with `decide(record, None)`, made on the push's own thread.
    rows: Vec<Prepared>,
    to_push: mpsc::Sender<ToPush>,
}

/// What the leader tells a waiting push.
enum ToPush {
    /// Decide record `index` against what is stored, and answer on `answer`.
    Decide {
        index: usize,
        head: shiftlog_server_db::StoredHead,
        answer: mpsc::SyncSender<IngestDecision>,
    },
    /// Lead the next group.
    Lead,
    /// The push's answers, after the commit (or `DeviceRevoked`, nothing stored).
    Done(Result<Vec<RecordResult>, StorageError>),
}

impl SqliteStorage {
    /// See [`Storage::ingest`](shiftlog_server_db::Storage::ingest).
    pub(crate) fn ingest_grouped(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
        decide: Decide<'_>,
    ) -> Result<Vec<RecordResult>, StorageError> {
        let received_at = Utc::now().to_rfc3339();
        let rows = records
            .iter()
            .map(|r| Prepared::new(device, r, &received_at, decide(r, None)))
            .collect();
        let (to_push, inbox) = mpsc::channel();
        let (ticket, lead) = {
            let mut q = self.queue();
            let ticket = q.next_ticket;
            q.next_ticket += 1;
            q.pending.push(Pending {
                ticket,
                device_id: device.device_id,
                rows,
                to_push,
            });
            let lead = !q.writing;
            q.writing = true;
            (ticket, lead)
        };
        let own = Own {
            ticket,
            records,
            decide,
        };
        if lead {
            self.lead(&own);
        }
        loop {
            match inbox.recv() {
                Ok(ToPush::Decide {
                    index,
                    head,
                    answer,
                }) => {
                    let decision = records
                        .get(index)
                        .map(|r| decide(r, Some(&head)))
                        .ok_or_else(|| StorageError::Backend("no such record".into()))?;
                    // The leader gone means the group failed; its answer says so.
                    let _ = answer.send(decision);
                }
                Ok(ToPush::Lead) => self.lead(&own),
                Ok(ToPush::Done(result)) => return result,
                Err(_) => return Err(StorageError::Backend("the writer stopped".into())),
            }
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores and commits everything queued (the push `own` among it), answers each push,
    /// then hands the lead on.
    fn lead(&self, own: &Own<'_>) {
        let batch = std::mem::take(&mut self.queue().pending);
        let stored = catch_unwind(AssertUnwindSafe(|| {
            commit_group(&mut self.conn(), &batch, own)
        }));
        let panicked = match stored {
            Ok(results) => {
                for (p, r) in batch.iter().zip(results) {
                    let _ = p.to_push.send(ToPush::Done(r));
                }
                None
            }
            Err(panic) => {
                for p in &batch {
                    let _ = p.to_push.send(ToPush::Done(Err(StorageError::Backend(
                        "the writer failed".into(),
                    ))));
                }
                Some(panic)
            }
        };
        {
            let mut q = self.queue();
            // The first push still waiting leads next; one whose thread is gone is dropped.
            while let Some(next) = q.pending.first() {
                if next.to_push.send(ToPush::Lead).is_ok() {
                    break;
                }
                q.pending.remove(0);
            }
            q.writing = !q.pending.is_empty();
        }
        if let Some(panic) = panicked {
            resume_unwind(panic);
        }
    }
}

/// Stores `batch` in one transaction; if that fails, each push on its own, so one bad push
/// cannot affect another. Answers in `batch` order.
fn commit_group(
    conn: &mut Connection,
    batch: &[Pending],
    own: &Own<'_>,
) -> Vec<Result<Vec<RecordResult>, StorageError>> {
    let together = (|| -> Result<Vec<Result<Vec<RecordResult>, StorageError>>, StorageError> {
        // IMMEDIATE: the write lock from the start, so the devices read below are the ones
        // the writes commit over (no revocation commits in between, from any connection).
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let mut out = Vec::with_capacity(batch.len());
        for p in batch {
            out.push(store_push(&tx, p, own)?);
        }
        tx.commit().map_err(db)?;
        Ok(out)
    })();
    match together {
        Ok(results) => results,
        Err(_) if batch.len() > 1 => batch
            .iter()
            .flat_map(|p| commit_group(conn, std::slice::from_ref(p), own))
            .collect(),
        Err(e) => vec![Err(StorageError::Backend(e.to_string()))],
    }
}

/// Stores push `p` inside the group's transaction, if its device is still enrolled: else
/// nothing of it, answered `DeviceRevoked` (an `Ok` of the group: its other pushes go on).
fn store_push(
    tx: &Connection,
    p: &Pending,
    own: &Own<'_>,
) -> Result<Result<Vec<RecordResult>, StorageError>, StorageError> {
    match still_enrolled(tx, p.device_id) {
        Ok(()) => {}
        Err(StorageError::DeviceRevoked) => return Ok(Err(StorageError::DeviceRevoked)),
        Err(e) => return Err(e),
    }
    let ask = |index: usize, head| ask(p, own, index, head);
    ingest_one(tx, &p.rows, &ask).map(Ok)
}

/// The decision for record `index` of push `p`: made here for the leader's own push, else on
/// the push's thread.
fn ask(
    p: &Pending,
    own: &Own<'_>,
    index: usize,
    head: shiftlog_server_db::StoredHead,
) -> Result<IngestDecision, StorageError> {
    if p.ticket == own.ticket {
        let record = own
            .records
            .get(index)
            .ok_or_else(|| StorageError::Backend("no such record".into()))?;
        return Ok((own.decide)(record, Some(&head)));
    }
    let (answer, decision) = mpsc::sync_channel(1);
    p.to_push
        .send(ToPush::Decide {
            index,
            head,
            answer,
        })
        .map_err(|_| StorageError::Backend("the push is gone".into()))?;
    decision
        .recv()
        .map_err(|_| StorageError::Backend("the push did not decide".into()))
}
