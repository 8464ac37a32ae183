//! The sync client: pushes each organization's waiting records to its server and marks
//! sent only what the server confirmed.
//!
//! Pending work is the `sync_change_counter` column. A push remembers the counter it read and
//! subtracts exactly that after confirmation, so an edit made while the push was in flight
//! stays pending. Retries are harmless because the server is idempotent by (id, version).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use reqwest::Url;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use shiftlog_wire::{
    paths, ErrorBody, PushRequest, PushResponse, RecordResult, RecordStatus, ServerInfo,
    PROTOCOL_VERSIONS,
};
use uuid::Uuid;

use crate::conflicts::{set_aside, SetAsideStatus};
use crate::records::{apply_envelope, row_to_record, RECORD_COLS};
use crate::{Core, CoreError, Result};

/// Most records the client puts in one push, whatever the server allows.
/// Small enough that a cut on a slow link costs little to resend; large enough that gzip
/// finds the repetition between records.
pub const CLIENT_MAX_BATCH: usize = 200;
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

pub(crate) struct SyncClient {
    pub(crate) http: reqwest::Client,
    activity: Mutex<SyncActivity>,
    progress: tokio::sync::watch::Sender<SyncActivity>,
    wake: tokio::sync::Notify,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl SyncClient {
    pub(crate) fn new(opts: &crate::OpenOptions) -> Result<SyncClient> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(opts.request_timeout))
            .timeout(opts.request_timeout)
            .user_agent(concat!("shiftlog/", env!("CARGO_PKG_VERSION")));
        for pem in &opts.extra_roots_pem {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
                CoreError::BadServerUrl(format!("the certificate to trust is not valid PEM: {e}"))
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| CoreError::Network(e.to_string()))?;
        Ok(SyncClient {
            http,
            activity: Mutex::new(SyncActivity::Idle),
            progress: tokio::sync::watch::Sender::new(SyncActivity::Idle),
            wake: tokio::sync::Notify::new(),
            one_at_a_time: tokio::sync::Mutex::new(()),
        })
    }

    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    fn set(&self, a: SyncActivity) {
        *self.activity.lock().unwrap_or_else(|p| p.into_inner()) = a.clone();
        self.progress.send_replace(a);
    }

    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<SyncActivity> {
        self.progress.subscribe()
    }

    fn get(&self) -> SyncActivity {
        self.activity
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) async fn enroll(
        &self,
        base: &Url,
        code: &str,
        device_name: &str,
    ) -> Result<shiftlog_wire::EnrollResponse> {
        let url = join(base, paths::ENROLL)?;
        let resp = self
            .http
            .post(url)
            .json(&shiftlog_wire::EnrollRequest {
                code: code.trim().to_string(),
                device_name: device_name.to_string(),
            })
            .send()
            .await?;
        parse(resp).await
    }

    async fn info(&self, base: &Url) -> Result<ServerInfo> {
        parse(self.http.get(join(base, paths::INFO)?).send().await?).await
    }

    async fn push(
        &self,
        base: &Url,
        token: &str,
        body: Vec<u8>,
        gzip: bool,
    ) -> Result<PushResponse> {
        let mut req = self
            .http
            .post(join(base, paths::PUSH)?)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if gzip {
            req = req.header(reqwest::header::CONTENT_ENCODING, "gzip");
        }
        parse(req.body(body).send().await?).await
    }
}

/// Checks a server address: http(s) only, and plain http only to this machine unless
/// `SHIFTLOG_ALLOW_INSECURE_HTTP=1` (records must not cross a network unencrypted).
pub fn parse_server_url(s: &str) -> Result<Url> {
    let url = Url::parse(s.trim()).map_err(|e| CoreError::BadServerUrl(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
            let allowed = std::env::var("SHIFTLOG_ALLOW_INSECURE_HTTP").as_deref() == Ok("1");
            if !loopback && !allowed {
                return Err(CoreError::BadServerUrl(
                    "use an https:// address; plain http:// is only for this computer".into(),
                ));
            }
        }
        other => {
            return Err(CoreError::BadServerUrl(format!(
                "{other}:// is not a web address; it should start with https://"
            )))
        }
    }
    Ok(url)
}

fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path)
        .map_err(|e| CoreError::BadServerUrl(e.to_string()))
}

async fn parse<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    let bytes = resp.bytes().await?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| CoreError::Server {
            status: status.as_u16(),
            code: "bad_response".into(),
            message: format!("The server sent an answer this app cannot read ({e})."),
        });
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    match body {
        Some(b) if b.code == shiftlog_wire::codes::DEVICE_REVOKED => Err(CoreError::DeviceRevoked),
        Some(b) if b.code == shiftlog_wire::codes::UNSUPPORTED_PROTOCOL => {
            Err(CoreError::UnsupportedProtocol)
        }
        Some(b) => Err(CoreError::Server {
            status: status.as_u16(),
            code: b.code,
            message: b.message,
        }),
        None => Err(CoreError::Server {
            status: status.as_u16(),
            code: "http".into(),
            message: format!("The server answered {status}."),
        }),
    }
}

struct Target {
    org_id: String,
    base: Url,
    token: String,
}

fn targets(core: &Core) -> Result<Vec<Target>> {
    let db = core.db();
    let mut stmt = db.prepare(
        "SELECT id, server_url, device_token FROM organizations
         WHERE server_url IS NOT NULL AND device_token IS NOT NULL AND removed_at IS NULL
         ORDER BY joined_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (org_id, url, token) = row?;
        out.push(Target {
            org_id,
            base: parse_server_url(&url)?,
            token,
        });
    }
    Ok(out)
}

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
    let mut out = Vec::new();
    for o in sent {
        let Some(r) = results
            .iter()
            .find(|r| r.id == o.id && r.version == o.version)
        else {
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
        } else if let (Some(status), Some(current)) = (lost, &r.current) {
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

/// Where a pass over the outbox has got to: the (occurred_utc_ms, id) of the last record read.
type Key = (i64, String);

fn pending_batch(
    core: &Core,
    org_id: &str,
    limit: usize,
    after: Option<&Key>,
) -> Result<(
    Vec<Outgoing>,
    Vec<shiftlog_wire::RecordEnvelope>,
    Option<Key>,
)> {
    let db = core.db();
    let mut stmt = db.prepare_cached(&format!(
        "SELECT {RECORD_COLS}, r.deleted, r.occurred_utc_ms FROM records r
         WHERE r.org_id = ?1 AND r.sync_change_counter > 0
           AND (r.occurred_utc_ms, r.id) > (?3, ?4)
         ORDER BY r.occurred_utc_ms, r.id LIMIT ?2"
    ))?;
    let (after_ms, after_id) = after.cloned().unwrap_or((i64::MIN, String::new()));
    let mut rows = stmt.query(params![org_id, limit as i64, after_ms, after_id])?;
    let mut sent = Vec::new();
    let mut envs = Vec::new();
    let mut last = None;
    while let Some(row) = rows.next()? {
        let rec = row_to_record(row)?;
        let counter: i64 = row.get(8)?;
        let deleted: bool = row.get(14)?;
        last = Some((row.get::<_, i64>(15)?, rec.id.to_string()));
        sent.push(Outgoing {
            id: rec.id,
            version: rec.version,
            counter,
        });
        envs.push(rec.to_envelope(deleted));
    }
    Ok((sent, envs, last))
}

/// A push body ready to go, and what it holds.
struct Prepared {
    sent: Vec<Outgoing>,
    body: Vec<u8>,
    last: Key,
}

/// Reads, encodes and compresses the next batch after `after`; `None` when the pass is done.
/// A batch whose JSON would pass the server's body limit is halved until it fits.
fn prepare(
    core: &Core,
    org_id: &str,
    mut batch: usize,
    after: Option<&Key>,
    protocol: u32,
    gzip: bool,
    max_body: usize,
) -> Result<Option<Prepared>> {
    loop {
        let (sent, records, last) = pending_batch(core, org_id, batch, after)?;
        let Some(last) = last else {
            return Ok(None);
        };
        let lang = core.setting(crate::LANG_SETTING)?;
        let json = serde_json::to_vec(&PushRequest {
            protocol,
            records,
            lang,
        })
        .map_err(|e| CoreError::Server {
            status: 0,
            code: "encode".into(),
            message: e.to_string(),
        })?;
        if json.len() > max_body && batch > 1 {
            batch = (batch / 2).max(1);
            continue;
        }
        let body = if gzip { gzip_bytes(&json)? } else { json };
        return Ok(Some(Prepared { sent, body, last }));
    }
}

fn apply_marks(core: &Core, org_id: &str, marks: &[MarkAction]) -> Result<SyncReport> {
    let mut db = core.db();
    // Losing a mark to a power cut only means the record is sent again and answered
    // `already_had`, so this one transaction skips the fsync that saves need.
    db.execute_batch("PRAGMA synchronous = NORMAL")?;
    let result = apply_marks_tx(&mut db, org_id, marks);
    db.execute_batch("PRAGMA synchronous = FULL")?;
    result
}

fn apply_marks_tx(
    db: &mut rusqlite::Connection,
    org_id: &str,
    marks: &[MarkAction],
) -> Result<SyncReport> {
    let tx = db.transaction()?;
    let now = Utc::now().to_rfc3339();
    let mut report = SyncReport::default();
    for m in marks {
        match m {
            MarkAction::Confirmed { id, counter } => {
                tx.prepare_cached(
                    "UPDATE records SET sync_change_counter = MAX(sync_change_counter - ?2, 0),
                         synced_at = ?3, rejected_reason = NULL WHERE id = ?1",
                )?
                .execute(params![id.to_string(), counter, now])?;
            }
            MarkAction::Rejected {
                id,
                counter,
                reason,
            } => {
                report.rejected += 1;
                tx.execute(
                    "UPDATE records SET sync_change_counter = MAX(sync_change_counter - ?2, 0),
                         rejected_reason = ?3 WHERE id = ?1",
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

fn count_pending(core: &Core) -> Result<u32> {
    Ok(core.db().query_row(
        "SELECT COUNT(*) FROM records r JOIN organizations o ON o.id = r.org_id
         WHERE r.sync_change_counter > 0 AND o.server_url IS NOT NULL",
        [],
        |r| r.get(0),
    )?)
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
            core.sync.set(SyncActivity::Idle);
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
    let batch = info.max_batch_records.clamp(1, CLIENT_MAX_BATCH);
    let gzip = info.request_encodings.iter().any(|e| e == "gzip");
    // Leave room for headers and the size estimate being a little off.
    let max_body = info.max_body_bytes.saturating_mul(9) / 10;
    // Passes over the outbox in (time, id) order. While one batch is on the wire the next
    // is read and compressed. A later pass picks up what was edited or back-dated meanwhile.
    loop {
        let mut sent_this_pass = 0;
        let mut next = prepare(core, &t.org_id, batch, None, protocol, gzip, max_body)?;
        while let Some(p) = next.take() {
            let after = p.last.clone();
            let (resp, following) =
                tokio::join!(core.sync.push(&t.base, &t.token, p.body, gzip), async {
                    prepare(
                        core,
                        &t.org_id,
                        batch,
                        Some(&after),
                        protocol,
                        gzip,
                        max_body,
                    )
                });
            let resp = resp?;
            for current in resp.results.iter().filter_map(|r| r.current.as_ref()) {
                if let Some(h) = &current.hlc {
                    core.observe_stamp(h);
                }
            }
            let marks = plan_marks(&p.sent, &resp.results);
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
            *done += marks.len() as u32;
            sent_this_pass += marks.len();
            core.sync.set(SyncActivity::Sending {
                done: (*done).min(total),
                total,
            });
            next = following?;
        }
        if sent_this_pass == 0 {
            break;
        }
    }
    after_push(pull_records(core, t).await, &mut report.pull_error)?;
    after_push(pull_catalogue(core, t).await, &mut report.catalogue_error)
}

/// Most records asked for in one pull.
const PULL_PAGE: u32 = 500;

/// Pulls the worker's records written from their other devices, page by page from the
/// cursor this device keeps. An older server without the endpoint is skipped.
async fn pull_records(core: &Core, t: &Target) -> Result<()> {
    loop {
        let after = core.pull_cursor(&t.org_id)?;
        let mut url = join(&t.base, paths::PULL)?;
        url.query_pairs_mut()
            .append_pair("after", &after.to_string())
            .append_pair("limit", &PULL_PAGE.to_string());
        let resp = core.sync.http.get(url).bearer_auth(&t.token).send().await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        let page: shiftlog_wire::PullResponse = parse(resp).await?;
        core.apply_pulled(&t.org_id, &page.records, page.next)?;
        if !page.more || page.next <= after {
            return Ok(());
        }
    }
}

/// Pulls the organization's catalogue and keeps it, section by section: a section the
/// organization left empty keeps the device's default.
async fn pull_catalogue(core: &Core, t: &Target) -> Result<()> {
    let resp = core
        .sync
        .http
        .get(join(&t.base, paths::CATALOGUE)?)
        .bearer_auth(&t.token)
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(()); // an older server without catalogues
    }
    let wire: shiftlog_wire::CatalogueResponse = parse(resp).await?;
    let current = core.catalogue(Some(&t.org_id))?;
    let merged = crate::catalogue::from_wire(&wire, current);
    if merged != core.catalogue(Some(&t.org_id))? {
        core.set_catalogue(&t.org_id, &merged)?;
    }
    Ok(())
}

pub(crate) fn status(core: &Core) -> Result<SyncStatus> {
    let db = core.db();
    let (waiting, needs_attention): (u32, u32) = db.query_row(
        "SELECT COALESCE(SUM(r.sync_change_counter > 0), 0),
                COALESCE(SUM(r.rejected_reason IS NOT NULL AND r.sync_change_counter = 0), 0)
         FROM records r JOIN organizations o ON o.id = r.org_id
         WHERE o.server_url IS NOT NULL AND o.removed_at IS NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let last: Option<String> =
        db.query_row("SELECT MAX(last_sent_at) FROM sync_state", [], |r| r.get(0))?;
    let enrolled: bool = db.query_row(
        "SELECT EXISTS(SELECT 1 FROM organizations WHERE device_token IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    let removed_from: Vec<String> = {
        let mut stmt = db.prepare_cached(
            "SELECT name FROM organizations WHERE removed_at IS NOT NULL ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let skew: Option<i64> = db
        .query_row(
            "SELECT clock_skew_secs FROM sync_state WHERE clock_skew_secs IS NOT NULL
         ORDER BY last_attempt_at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let activity = match core.sync.get() {
        SyncActivity::DeviceRevoked if removed_from.is_empty() => SyncActivity::Idle,
        a => a,
    };
    Ok(SyncStatus {
        waiting,
        needs_attention,
        last_sent_at: last.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()),
        activity,
        enrolled,
        removed_from,
        clock_off_by_minutes: skew.and_then(clock_warning),
    })
}

/// Compresses a push body. Records in a batch repeat their field names and much of their
/// values, so gzip cuts the bytes on a slow rural link several times over.
fn gzip_bytes(data: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data)
        .and_then(|_| enc.finish())
        .map_err(|e| CoreError::Io {
            what: "compressing a push".into(),
            source: e,
        })
}

fn jitter(d: Duration) -> Duration {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    let frac = u16::from_le_bytes(b) as f64 / u16::MAX as f64; // 0..1
    d.mul_f64(0.75 + frac * 0.5)
}

/// How often the background task checks in with servers when nothing is waiting (catalogue
/// updates, a removed device, the clock).
const PULL_INTERVAL: Duration = Duration::from_secs(300);

pub(crate) async fn run_background(core: Arc<Core>) {
    let mut delay = BASE_DELAY;
    let mut last_contact: Option<std::time::Instant> = None;
    loop {
        let pending = count_pending(&core).unwrap_or(0);
        let due = last_contact.is_none_or(|t| t.elapsed() >= PULL_INTERVAL);
        if pending > 0 || due {
            last_contact = Some(std::time::Instant::now());
            delay = match core.sync_now().await {
                Ok(_) => BASE_DELAY,
                Err(CoreError::NotEnrolled) => MAX_DELAY,
                Err(e) if e.is_permanent() => MAX_DELAY,
                Err(_) => (delay * 2).min(MAX_DELAY),
            };
        } else {
            delay = BASE_DELAY;
        }
        tokio::select! {
            _ = tokio::time::sleep(jitter(delay)) => {}
            _ = core.sync.wake.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shiftlog_wire::RecordStatus;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn res(n: u128, version: u32, status: RecordStatus) -> RecordResult {
        RecordResult {
            id: id(n),
            version,
            status,
            reason: (status == RecordStatus::Rejected).then(|| "bad".to_string()),
            reason_code: None,
            current: None,
        }
    }

    #[test]
    fn plan_marks_table() {
        let sent = vec![
            Outgoing {
                id: id(1),
                version: 1,
                counter: 1,
            },
            Outgoing {
                id: id(2),
                version: 3,
                counter: 2,
            },
            Outgoing {
                id: id(3),
                version: 1,
                counter: 1,
            },
            Outgoing {
                id: id(4),
                version: 1,
                counter: 1,
            },
        ];
        let results = vec![
            res(1, 1, RecordStatus::Accepted),
            res(2, 3, RecordStatus::AlreadyHad),
            res(3, 1, RecordStatus::Rejected),
            // Answer for a version we did not send: ignored, record 4 stays pending.
            res(4, 2, RecordStatus::Accepted),
            // Answer for a record we did not send: ignored.
            res(9, 1, RecordStatus::Accepted),
        ];
        assert_eq!(
            plan_marks(&sent, &results),
            vec![
                MarkAction::Confirmed {
                    id: id(1),
                    counter: 1
                },
                MarkAction::Confirmed {
                    id: id(2),
                    counter: 2
                },
                MarkAction::Rejected {
                    id: id(3),
                    counter: 1,
                    reason: "bad".into()
                },
            ]
        );
    }

    #[test]
    fn clock_warning_table() {
        for (skew, want) in [
            (0, None),
            (599, None),
            (-600, None),
            (11 * 60, Some(11)),
            (-11 * 60, Some(-11)),
            (3 * 24 * 3600, Some(3 * 24 * 60)),
        ] {
            assert_eq!(clock_warning(skew), want, "{skew}");
        }
    }

    #[test]
    fn server_url_rules() {
        assert!(parse_server_url("https://org.example").is_ok());
        assert!(parse_server_url("http://127.0.0.1:8787").is_ok());
        assert!(parse_server_url("http://localhost:8787").is_ok());
        assert!(parse_server_url("http://[::1]:8787").is_ok());
        assert!(matches!(
            parse_server_url("http://org.example"),
            Err(CoreError::BadServerUrl(_))
        ));
        assert!(matches!(
            parse_server_url("ftp://org.example"),
            Err(CoreError::BadServerUrl(_))
        ));
        assert!(matches!(
            parse_server_url("not a url"),
            Err(CoreError::BadServerUrl(_))
        ));
    }
}
