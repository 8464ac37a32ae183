//! The sync client: pushes each organization's waiting records to its server and marks
//! sent only what the server confirmed; then pulls the worker's records from their other
//! devices and the organization's catalogue.
//!
//! Pending work is the `sync_change_counter` column. A push remembers the counter it read and
//! subtracts exactly that after confirmation, so an edit made while the push was in flight
//! stays pending. Retries are harmless because the server is idempotent by (id, version).
//!
//! Rooms: the HTTP client ([`client`]), the outbox and its batches (`outbox`), what to write
//! back for each answer (`marks`), pulls (`pull`), the organization's messages (`messages`),
//! the status the UI polls (`status`), the background task (`background`).

mod background;
mod client;
mod enroll;
mod epoch;
mod marks;
mod messages;
pub(crate) mod outbox;
mod pull;
mod statements;
mod status;
#[cfg(test)]
mod tests;
mod trust;

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use shiftlog_wire::PROTOCOL_VERSIONS;

use crate::{Core, CoreError, Result};

pub(crate) use background::run_background;
pub use client::parse_server_url;
pub(crate) use client::SyncClient;
pub(crate) use enroll::store_enrollment;
pub use marks::{plan_marks, MarkAction, Outgoing};
pub(crate) use statements::request as request_statement;
pub(crate) use status::status;
pub use trust::certificate_fingerprint;

use client::InFlight;
use marks::apply_marks;
use outbox::{count_pending, prepare, targets, Key, Target};
use pull::{pull_catalogue, pull_records};

/// Most records the client puts in one push, whatever the server allows: the server's own
/// default `max_batch_records`. Packed and gzipped, 1000 records are about 16 KB, so a cut on
/// a slow link still costs little to resend; fewer, larger pushes cut the server's per-push
/// cost (batches of 1000 against 200: docs/benchmarks.md, "Sync").
pub const CLIENT_MAX_BATCH: usize = 1000;
/// Most pushes on the wire at once.
const IN_FLIGHT: usize = 2;
const BASE_DELAY: Duration = Duration::from_secs(2);
const MAX_DELAY: Duration = Duration::from_secs(120);

/// What the sync client is doing right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncActivity {
    /// Nothing to do, or waiting for the next try.
    Idle,
    /// A push is under way.
    Sending {
        /// Records confirmed so far in this run.
        done: u32,
        /// Records this run set out to send.
        total: u32,
    },
    /// The last try could not reach the server.
    Offline,
    /// The organization removed this device.
    DeviceRevoked,
    /// The last try failed for another reason.
    Error {
        /// Stable code.
        code: String,
    },
}

/// Sync state for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Records waiting to be sent.
    pub waiting: u32,
    /// Records the server refused, kept here for the worker to fix.
    pub needs_attention: u32,
    /// When the server last confirmed something.
    pub last_sent_at: Option<DateTime<FixedOffset>>,
    /// What the client is doing.
    pub activity: SyncActivity,
    /// True once the device belongs to an organization with a server.
    pub enrolled: bool,
    /// Organizations that removed this device: nothing more is sent to them, their records
    /// stay on the device.
    pub removed_from: Vec<String>,
    /// How far the device clock is from the server's, in minutes, when more than 10 minutes
    /// (positive: the device is behind). Records keep their times either way.
    pub clock_off_by_minutes: Option<i64>,
    /// After the last sync sent everything: why fetching the worker's records from their
    /// other devices failed (a stable code), if it did.
    #[serde(default)]
    pub pull_error: Option<String>,
    /// After the last sync sent everything: why fetching the organization's lists failed.
    #[serde(default)]
    pub catalogue_error: Option<String>,
}

/// Clock differences up to this are normal and not reported.
pub const CLOCK_WARNING_MINUTES: i64 = 10;

/// The minutes to warn about, given the server's clock minus the device's in seconds.
pub fn clock_warning(skew_secs: i64) -> Option<i64> {
    let minutes = skew_secs / 60;
    (minutes.abs() > CLOCK_WARNING_MINUTES).then_some(minutes)
}

/// What one sync run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Newly stored on the server.
    pub accepted: u32,
    /// The server already had them.
    pub already_had: u32,
    /// Refused, now in "needs attention".
    pub rejected: u32,
    /// Answered superseded: the server holds a newer version (taken; the worker's set aside).
    #[serde(default)]
    pub superseded: u32,
    /// Answered conflict: the same version with another body (the server's taken; the
    /// worker's set aside).
    #[serde(default)]
    pub conflicts: u32,
    /// Everything sent was answered, but pulling the worker's records from their other
    /// devices failed: the error's stable code (`CoreError::code`), first organization only.
    #[serde(default)]
    pub pull_error: Option<String>,
    /// Everything sent was answered, but updating the organization's catalogue failed: the
    /// error's stable code, first organization only.
    #[serde(default)]
    pub catalogue_error: Option<String>,
    /// Pulled records refused because their id is a record of another organization on this
    /// device (a server may only change its own organization's records).
    #[serde(default)]
    pub pull_refused: u32,
    /// Messages from the organizations that this device had not held before.
    #[serde(default)]
    pub messages_new: u32,
    /// Everything sent was answered, but fetching the organization's messages failed: the
    /// error's stable code, first organization only.
    #[serde(default)]
    pub messages_error: Option<String>,
    /// Records sent again because the organization's server was restored from a backup
    /// (its data epoch changed; `epoch.rs`).
    #[serde(default)]
    pub resent_after_restore: u32,
}

/// After a push every record sent has its answer, so a failed pull or catalogue update is
/// reported beside it instead of hiding it; only a removed device still stops the run.
fn after_push(result: Result<()>, slot: &mut Option<String>) -> Result<()> {
    match result {
        Err(CoreError::DeviceRevoked) => Err(CoreError::DeviceRevoked),
        Err(e) => {
            slot.get_or_insert_with(|| e.code().to_string());
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

pub(crate) async fn sync_now(core: &Core) -> Result<SyncReport> {
    let _guard = core.sync.one_at_a_time.lock().await;
    let targets = targets(core)?;
    if targets.is_empty() {
        return Err(CoreError::NotEnrolled);
    }
    let total = count_pending(core)?;
    let mut report = SyncReport::default();
    let mut done = 0u32;
    if total > 0 {
        core.sync.set(SyncActivity::Sending { done, total });
    }
    let mut first_err = None;
    for t in &targets {
        match push_org(core, t, &mut report, &mut done, total).await {
            Ok(()) => {}
            Err(e) => {
                let _ = core.db().execute(
                    "INSERT INTO sync_state (org_id, last_attempt_at, last_error) VALUES (?1, ?2, ?3)
                     ON CONFLICT(org_id) DO UPDATE SET last_attempt_at = ?2, last_error = ?3",
                    params![t.org_id, Utc::now().to_rfc3339(), e.code()],
                );
                if matches!(e, CoreError::DeviceRevoked) {
                    // Stop syncing this organization; keep every record; tell the worker.
                    core.db().execute(
                        "UPDATE organizations SET removed_at = ?2 WHERE id = ?1",
                        params![t.org_id, Utc::now().to_rfc3339()],
                    )?;
                }
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        None => {
            // What the server now holds past the retention window leaves the device.
            core.purge_expired()?;
            core.purge_expired_messages(Utc::now())?;
            core.sync.set(SyncActivity::Idle);
            *core
                .sync
                .last_fetch_errors
                .lock()
                .unwrap_or_else(|p| p.into_inner()) =
                (report.pull_error.clone(), report.catalogue_error.clone());
            Ok(report)
        }
        Some(e) => {
            core.sync.set(match &e {
                CoreError::Network(_) => SyncActivity::Offline,
                CoreError::DeviceRevoked => SyncActivity::DeviceRevoked,
                other => SyncActivity::Error {
                    code: other.code().into(),
                },
            });
            Err(e)
        }
    }
}

/// Applies one push's answer: the server's clocks observed, each record marked from its own
/// result, the report counted. Returns how many records were answered.
fn apply_answer(
    core: &Core,
    t: &Target,
    sent: &[Outgoing],
    resp: &shiftlog_wire::PushResponse,
    report: &mut SyncReport,
) -> Result<u32> {
    for current in resp.results.iter().filter_map(|r| r.current.as_ref()) {
        if let Some(h) = &current.hlc {
            core.observe_stamp(h);
        }
    }
    let marks = plan_marks(sent, &resp.results);
    if marks.is_empty() {
        // The server answered but confirmed nothing: stop rather than loop forever.
        return Err(CoreError::Server {
            status: 200,
            code: "no_progress".into(),
            message: "The server did not confirm any record. Try again later.".into(),
        });
    }
    let r = apply_marks(core, &t.org_id, &marks)?;
    for res in &resp.results {
        match res.status {
            shiftlog_wire::RecordStatus::Accepted => report.accepted += 1,
            shiftlog_wire::RecordStatus::AlreadyHad => report.already_had += 1,
            shiftlog_wire::RecordStatus::Superseded => report.superseded += 1,
            shiftlog_wire::RecordStatus::Conflict => report.conflicts += 1,
            shiftlog_wire::RecordStatus::Rejected => {}
        }
    }
    report.rejected += r.rejected;
    Ok(marks.len() as u32)
}

async fn push_org(
    core: &Core,
    t: &Target,
    report: &mut SyncReport,
    done: &mut u32,
    total: u32,
) -> Result<()> {
    let info = core.sync.info(&t.base).await?;
    let skew = (info.server_time - Utc::now()).num_seconds();
    core.db().execute(
        "INSERT INTO sync_state (org_id, clock_skew_secs) VALUES (?1, ?2)
         ON CONFLICT(org_id) DO UPDATE SET clock_skew_secs = ?2",
        params![t.org_id, skew],
    )?;
    let protocol = shiftlog_wire::negotiate(PROTOCOL_VERSIONS, &info.protocol_versions)
        .ok_or(CoreError::UnsupportedProtocol)?;
    report.resent_after_restore += epoch::check(core, &t.org_id, info.data_epoch.as_deref())?;
    let batch = info.max_batch_records.clamp(1, CLIENT_MAX_BATCH);
    let gzip = info.request_encodings.iter().any(|e| e == "gzip");
    // Leave room for headers and the size estimate being a little off.
    let max_body = info.max_body_bytes.saturating_mul(9) / 10;
    // Passes over the outbox in (time, id) order, up to IN_FLIGHT batches on the wire at once
    // so the server always has the next one while this device applies an answer and reads
    // and compresses the batch after. Answers are applied in the order the batches went, each
    // marking only its own records; after a failure the batches already on the wire are
    // still awaited and their answers applied, then the failure is returned (nothing more is
    // sent). A later pass picks up what was edited or back-dated meanwhile.
    loop {
        let mut sent_this_pass = 0;
        let mut after: Option<Key> = None;
        let mut read_all = false;
        let mut failed: Option<CoreError> = None;
        let mut flight: VecDeque<(Vec<Outgoing>, InFlight)> = VecDeque::new();
        loop {
            while flight.len() < IN_FLIGHT && !read_all && failed.is_none() {
                let prepared = prepare(
                    core,
                    &t.org_id,
                    batch,
                    after.as_ref(),
                    protocol,
                    gzip,
                    max_body,
                )?;
                let Some(p) = prepared else {
                    read_all = true;
                    break;
                };
                after = Some(p.last);
                let push = core
                    .sync
                    .start_push(&t.base, &t.token, p.body, p.content_type, gzip)?;
                flight.push_back((p.sent, push));
            }
            let Some((sent, mut push)) = flight.pop_front() else {
                break;
            };
            let answer = push.answer().await;
            let answered = match answer {
                Ok(resp) => apply_answer(core, t, &sent, &resp, report),
                Err(e) => Err(e),
            };
            match answered {
                Ok(n) => {
                    *done += n;
                    sent_this_pass += n;
                    core.sync.set(SyncActivity::Sending {
                        done: (*done).min(total),
                        total,
                    });
                }
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        if sent_this_pass == 0 {
            break;
        }
    }
    let pulled = pull_records(core, t).await.map(|refused| {
        report.pull_refused += refused;
    });
    after_push(pulled, &mut report.pull_error)?;
    after_push(pull_catalogue(core, t).await, &mut report.catalogue_error)?;
    let fetched = messages::sync_messages(core, t).await.map(|n| {
        report.messages_new += n;
    });
    after_push(fetched, &mut report.messages_error)
}
