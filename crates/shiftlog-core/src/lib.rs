//! shiftlog core: the one API that the desktop app, the CLI and the tests call.
//!
//! It owns the record model and its rules ([`model`], [`catalogue`]), the encrypted device
//! database and its key (private: opened only through [`Core::open`]), the worker's own
//! summary ([`summary`]), the organization's messages ([`messages`]) and the sync client
//! ([`sync`]). It knows nothing about Tauri,
//! terminals or HTTP servers.

pub mod catalogue;
pub mod conflicts;
pub mod error;
pub mod hlc;
mod keys;
pub mod kinds;
pub mod messages;
pub mod model;
mod open;
pub mod pay_summary;
mod records;
pub mod retention_notice;
pub mod statements;
mod store;
pub mod summary;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};

pub use catalogue::Catalogue;
pub use error::{CoreError, Lang, ValidationError};
pub use keys::tries::{
    FIRST_WAIT as PIN_FIRST_WAIT, FREE_TRIES as PIN_FREE_TRIES, MAX_WAIT as PIN_MAX_WAIT,
};
pub use keys::{
    derive_pin_key, profile_key_source, KdfParams, NewProfileKey, Unlock, MAX_PIN_DIGITS,
    MIN_NEW_PIN_DIGITS,
};
pub use messages::{Message, Urgency};
pub use model::{
    Activity, ActivityBody, NewActivity, Organization, PayType, Record, RecordSync, RecordType,
    SupplyLine, TrainingStatus,
};
pub use open::OpenOptions;
pub use pay_summary::{PayFigures, PayRow, PaySummary};
pub use records::{Checkin, EndShift, NewCheckin, NewTraining, RecordQuery, Shift, StartShift};
pub use records::{NewPayment, Payment};
pub use records::{Tally, TallyCounter, TallyGroup};
pub use statements::{RequestOutcome, StoredStatement};
pub use store::{export_quarantined, quarantined};
pub use summary::{Summary, SummaryFormat, SummaryQuery};
pub use sync::certificate_fingerprint;
pub use sync::{SyncActivity, SyncReport, SyncStatus};
// Joining links (shiftlog://join?server=…&code=…).
mod join_link;
pub use join_link::{parse_join_link, JoinLink};

/// The OS keystore, as far as a front door or a test needs to know it.
pub mod keystore {
    pub use crate::keys::keystore::{available, SERVICE, TIMEOUT};
}

/// Hooks for tests of this crate and of the crates above it (`test-support` feature).
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

/// Result type of the core API.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Setting holding the language the worker reads (`en`, `fr`): the language the server
/// answers a push in.
pub(crate) const LANG_SETTING: &str = "lang";

/// File name of the device database inside the data directory.
pub const DB_FILE: &str = "shiftlog.db";
/// App identifier; also the folder name under the OS data directory (as Tauri uses it).
pub const APP_ID: &str = "org.shiftlog.app";

/// `$SHIFTLOG_DATA_DIR`, when set: lets tests and scripts point the app and the CLI at one
/// profile.
pub fn data_dir_override() -> Option<PathBuf> {
    std::env::var_os("SHIFTLOG_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// The data directory: `$SHIFTLOG_DATA_DIR` if set, else the OS app-data directory
/// (`~/.local/share/org.shiftlog.app` on Linux), the same one the desktop app uses.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = data_dir_override() {
        return d;
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_ID)
}

/// True when `data_dir` holds a profile (so the app asks for its PIN rather than a new one).
pub fn profile_exists(data_dir: &Path) -> bool {
    keys::profile_exists(data_dir)
}

impl Core {
    /// A new stamp for a local write.
    pub(crate) fn stamp(&self) -> String {
        let wall = self.wall_ms();
        self.clock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tick(wall)
    }

    /// Takes in a stamp from another device.
    pub(crate) fn observe_stamp(&self, remote: &str) {
        let wall = self.wall_ms();
        self.clock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .observe(remote, wall);
    }

    /// The device's wall clock, in milliseconds, as its clock reads it.
    fn wall_ms(&self) -> u64 {
        (Utc::now().timestamp_millis() + self.clock_skew_ms).max(0) as u64
    }
}

/// A worker's shiftlog on this device.
pub struct Core {
    db: Mutex<Connection>,
    data_dir: PathBuf,
    sync: sync::SyncClient,
    /// Parsed catalogues by organization, so a save does not parse JSON each time.
    catalogues: Mutex<std::collections::HashMap<String, Arc<Catalogue>>>,
    /// The hybrid logical clock stamping every local write.
    clock: Mutex<hlc::Clock>,
    /// How far the device's wall clock is off (0 but in tests of wrong clocks).
    clock_skew_ms: i64,
    /// Argon2 costs for a changed PIN or a new app lock.
    kdf: KdfParams,
    /// Opened with a PIN shorter than new PINs may be ([`Core::pin_change_needed`]).
    pin_change_needed: std::sync::atomic::AtomicBool,
}

impl Core {
    /// Where this profile's files live.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back),
        // so a poisoned lock is safe to keep using.
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The organizations the worker belongs to, oldest first.
    pub fn organizations(&self) -> Result<Vec<Organization>> {
        let db = self.db();
        let mut stmt =
            db.prepare("SELECT id, name, server_url FROM organizations ORDER BY joined_at, id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Organization {
                id: r.get(0)?,
                name: r.get(1)?,
                server_url: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds an organization kept on this device only (no server), e.g. for a worker whose
    /// organization does not run shiftlog yet. Returns it; an existing one is returned as is.
    pub fn add_local_organization(&self, name: &str) -> Result<Organization> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(ValidationError::Required("name".into()).into());
        }
        let id = format!(
            "local-{}",
            name.to_lowercase()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '-' })
                .collect::<String>()
        );
        self.db().execute(
            "INSERT INTO organizations (id, name, joined_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO NOTHING",
            params![id, name, Utc::now().to_rfc3339()],
        )?;
        Ok(Organization {
            id,
            name: name.into(),
            server_url: None,
        })
    }

    /// The catalogue in force for `org_id` (the worker's first organization when `None`):
    /// the organization's own once pulled, else the default one.
    pub fn catalogue(&self, org_id: Option<&str>) -> Result<Catalogue> {
        let org = match org_id {
            Some(o) => o.to_string(),
            None => match self.resolve_org(None) {
                Ok(o) => o,
                Err(_) => return Ok(Catalogue::default_catalogue()),
            },
        };
        Ok((*self.catalogue_arc(&org)?).clone())
    }

    pub(crate) fn catalogue_arc(&self, org_id: &str) -> Result<Arc<Catalogue>> {
        let mut cache = self.catalogues.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(org_id) {
            return Ok(c.clone());
        }
        let c = Arc::new(self.load_catalogue(Some(org_id))?);
        cache.insert(org_id.to_string(), c.clone());
        Ok(c)
    }

    fn load_catalogue(&self, org_id: Option<&str>) -> Result<Catalogue> {
        let db = self.db();
        let stored: Option<Option<String>> = match org_id {
            Some(id) => db
                .query_row(
                    "SELECT catalogue FROM organizations WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?,
            None => db
                .query_row(
                    "SELECT catalogue FROM organizations ORDER BY joined_at, id LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?,
        };
        match stored.flatten() {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                CoreError::Storage(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            }),
            None => Ok(Catalogue::default_catalogue()),
        }
    }

    /// Replaces an organization's catalogue (from a pull).
    pub(crate) fn set_catalogue(&self, org_id: &str, catalogue: &Catalogue) -> Result<()> {
        let json = serde_json::to_string(catalogue).map_err(|e| {
            CoreError::Storage(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
        })?;
        let n = self.db().execute(
            "UPDATE organizations SET catalogue = ?2 WHERE id = ?1",
            params![org_id, json],
        )?;
        self.catalogues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(org_id);
        if n == 0 {
            return Err(ValidationError::UnknownOrganization(org_id.into()).into());
        }
        Ok(())
    }

    /// A setting of the worker's (language, lock delay, …), if set.
    /// Remembers the language the worker reads, so the server's reasons come in it.
    pub fn set_language(&self, lang: Lang) -> Result<()> {
        let code = match lang {
            Lang::En => "en",
            Lang::Fr => "fr",
        };
        if self.setting(LANG_SETTING)?.as_deref() != Some(code) {
            self.set_setting(LANG_SETTING, code)?;
        }
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Joins an organization: exchanges a one-time code for this device's token.
    pub async fn enroll(
        &self,
        server_url: &str,
        code: &str,
        device_name: &str,
    ) -> Result<Organization> {
        let base = sync::parse_server_url(server_url)?;
        let resp = self.sync.enroll(&base, code, device_name).await?;
        // Keyed by (server, the server's id): a server never takes over another organization.
        sync::store_enrollment(self, base.as_str(), &resp)
    }

    /// Leaves an organization: this device stops syncing with it and forgets its token. Every
    /// record stays on the device, kept as the worker's own (their summary still counts it).
    /// Records not yet sent make this an error unless `even_if_unsent`, so nothing is lost by
    /// a tap.
    pub fn leave_organization(&self, org_id: &str, even_if_unsent: bool) -> Result<()> {
        let db = self.db();
        let exists: bool = db.query_row(
            "SELECT EXISTS(SELECT 1 FROM organizations WHERE id = ?1)",
            [org_id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(ValidationError::UnknownOrganization(org_id.into()).into());
        }
        let unsent: u32 = db.query_row(
            "SELECT COUNT(*) FROM records r JOIN organizations o ON o.id = r.org_id
             WHERE r.org_id = ?1 AND r.sync_change_counter > 0 AND o.server_url IS NOT NULL
               AND o.removed_at IS NULL",
            [org_id],
            |r| r.get(0),
        )?;
        if unsent > 0 && !even_if_unsent {
            return Err(ValidationError::UnsentRecords(unsent).into());
        }
        db.execute(
            "UPDATE organizations SET server_url = NULL, device_id = NULL, device_token = NULL
             WHERE id = ?1",
            [org_id],
        )?;
        drop(db);
        // Its own certificate, if the worker gave one, is trusted no more (sync/trust.rs).
        self.forget_certificate(org_id)?;
        Ok(())
    }

    /// Changes the server address of an organization (when it moved, or to go through a
    /// different network path). The device keeps its token.
    pub fn set_server_url(&self, org_id: &str, server_url: &str) -> Result<()> {
        let base = sync::parse_server_url(server_url)?;
        let n = self.db().execute(
            "UPDATE organizations SET server_url = ?2 WHERE id = ?1 AND server_url IS NOT NULL",
            params![org_id, base.to_string()],
        )?;
        if n == 0 {
            return Err(ValidationError::UnknownOrganization(org_id.into()).into());
        }
        // The organization's own certificate, if any, goes with it to the new address.
        self.refresh_trust()?;
        Ok(())
    }

    /// Where syncing stands: waiting count, last sent time, and what the client is doing.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        sync::status(self)
    }

    /// Progress of sync as it happens (idle, sending n of m, offline, removed), for a UI that
    /// shows it live. Each change replaces the last; a slow reader sees the newest.
    pub fn subscribe_sync(&self) -> tokio::sync::watch::Receiver<SyncActivity> {
        self.sync.subscribe()
    }

    /// Sends everything waiting, now. Returns what happened per organization.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        sync::sync_now(self).await
    }

    /// Asks `org` (every organization with a server when `None`) to sign a statement of the
    /// worker's work from `from` to `to` (both included), checks each with the
    /// organization's published keys and keeps those that pass (`statements/`).
    pub async fn request_statement(
        &self,
        org: Option<&str>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<RequestOutcome>> {
        statements::check_period(from, to, chrono::Local::now().date_naive())?;
        let request = shiftlog_statement::api::StatementRequest { from, to };
        sync::request_statement(self, org, request).await
    }

    /// One printable page (HTML with print styles) of the kept statements `ids` (every kept
    /// one when empty), each with its short code and a QR code of its verify page.
    pub fn work_record_html(&self, ids: &[String], lang: Lang) -> Result<String> {
        Ok(statements::page::work_record_html(
            &self.statements_by_id(ids)?,
            lang,
        ))
    }

    /// Syncs in the background for as long as the returned future runs: when a record is
    /// logged, and periodically with exponential backoff and jitter while offline.
    pub async fn run_background_sync(self: Arc<Self>) {
        sync::run_background(self).await
    }
}
