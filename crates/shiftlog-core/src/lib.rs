//! shiftlog core: the one API that the desktop app, the CLI and the tests call.
//!
//! It owns the record model and its rules ([`model`]), the device database ([`store`]) and
//! the sync client ([`sync`]). It knows nothing about Tauri, terminals or HTTP servers.

pub mod catalogue;
pub mod error;
pub mod model;
pub mod store;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset, Local, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use catalogue::Catalogue;
pub use error::{CoreError, Lang, ValidationError};
pub use model::{Activity, ActivityDetails, NewActivity, Organization, RecordSync, SupplyLine};
pub use sync::{SyncActivity, SyncReport, SyncStatus};

/// Result type of the core API.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// File name of the device database inside the data directory.
pub const DB_FILE: &str = "shiftlog.db";
/// App identifier; also the folder name under the OS data directory (as Tauri uses it).
pub const APP_ID: &str = "org.shiftlog.app";

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

/// `$SHIFTLOG_DATA_DIR`, when set: lets tests and scripts point the app and the CLI at one
/// profile.
pub fn data_dir_override() -> Option<PathBuf> {
    std::env::var_os("SHIFTLOG_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// A worker's shiftlog on this device.
pub struct Core {
    db: Mutex<Connection>,
    data_dir: PathBuf,
    sync: sync::SyncClient,
}

impl Core {
    /// Opens the worker's data in `data_dir`, creating it on first use.
    pub fn open(data_dir: &Path) -> Result<Arc<Core>> {
        std::fs::create_dir_all(data_dir).map_err(|e| CoreError::Io {
            what: format!("creating {}", data_dir.display()),
            source: e,
        })?;
        let conn = store::open(&data_dir.join(DB_FILE))?;
        Ok(Arc::new(Core {
            db: Mutex::new(conn),
            data_dir: data_dir.to_path_buf(),
            sync: sync::SyncClient::new()?,
        }))
    }

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

    /// The catalogue in force for `org_id`.
    pub fn catalogue(&self, _org_id: Option<&str>) -> Result<Catalogue> {
        Ok(Catalogue::default_catalogue())
    }

    /// Validates and saves a new activity durably, and queues it for sync.
    /// Invalid input returns [`CoreError::Invalid`] and stores nothing.
    pub fn log_activity(&self, new: NewActivity) -> Result<Activity> {
        let org_id = self.resolve_org(new.org_id.as_deref())?;
        new.details.validate(&self.catalogue(Some(&org_id))?)?;
        let now = Local::now().fixed_offset();
        let occurred_at = new.occurred_at.unwrap_or(now);
        if occurred_at.with_timezone(&Utc)
            > Utc::now() + chrono::Duration::minutes(model::FUTURE_TOLERANCE_MINUTES)
        {
            return Err(ValidationError::InFuture.into());
        }
        let activity = Activity {
            id: Uuid::now_v7(),
            org_id,
            occurred_at,
            recorded_at: now,
            version: 1,
            details: new.details,
            sync: RecordSync::Waiting,
        };
        self.db().execute(
            "INSERT INTO activities (id, org_id, kind, occurred_at, occurred_utc_ms, recorded_at,
                                     version, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                activity.id.to_string(),
                activity.org_id,
                activity.details.kind(),
                activity.occurred_at.to_rfc3339(),
                activity.occurred_at.timestamp_millis(),
                activity.recorded_at.to_rfc3339(),
                activity.version,
                activity.details.body().to_string(),
            ],
        )?;
        self.sync.wake();
        Ok(activity)
    }

    fn resolve_org(&self, wanted: Option<&str>) -> Result<String> {
        let db = self.db();
        let found: Option<String> = match wanted {
            Some(id) => db
                .query_row("SELECT id FROM organizations WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?,
            None => db
                .query_row(
                    "SELECT id FROM organizations ORDER BY joined_at, id LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?,
        };
        found.ok_or_else(|| {
            ValidationError::UnknownOrganization(wanted.unwrap_or("").to_string()).into()
        })
    }

    /// Activities, newest first, optionally only those that happened at or after `since`.
    pub fn list_activities(&self, query: &ActivityQuery) -> Result<Vec<Activity>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT id, org_id, kind, occurred_at, recorded_at, version, body,
                    sync_change_counter, synced_at, rejected_reason
             FROM activities
             WHERE deleted = 0 AND occurred_utc_ms >= ?1
             ORDER BY occurred_utc_ms DESC, id DESC
             LIMIT ?2",
        )?;
        let since = query
            .since
            .map(|t| t.timestamp_millis())
            .unwrap_or(i64::MIN);
        let limit = query.limit.unwrap_or(u32::MAX) as i64;
        let rows = stmt.query_map(params![since, limit], row_to_activity)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Activities that happened today, in the device's time zone, newest first.
    pub fn todays_activities(&self) -> Result<Vec<Activity>> {
        let midnight = Local::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(Local).earliest())
            .map(|t| t.fixed_offset());
        self.list_activities(&ActivityQuery {
            since: midnight,
            limit: None,
        })
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
        let org = Organization {
            id: resp.organization.id.clone(),
            name: resp.organization.name.clone(),
            server_url: Some(base.to_string()),
        };
        self.db().execute(
            "INSERT INTO organizations (id, name, server_url, device_id, device_token, joined_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, server_url = excluded.server_url,
                 device_id = excluded.device_id, device_token = excluded.device_token",
            params![
                org.id,
                org.name,
                org.server_url,
                resp.device_id.to_string(),
                resp.token,
                Utc::now().to_rfc3339(),
            ],
        )?;
        Ok(org)
    }

    /// Where syncing stands: waiting count, last sent time, and what the client is doing.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        sync::status(self)
    }

    /// Sends everything waiting, now. Returns what happened per organization.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        sync::sync_now(self).await
    }

    /// Syncs in the background for as long as the returned future runs: when a record is
    /// logged, and periodically with exponential backoff and jitter while offline.
    pub async fn run_background_sync(self: Arc<Self>) {
        sync::run_background(self).await
    }
}

/// Which activities to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActivityQuery {
    /// Only those that happened at or after this time.
    pub since: Option<DateTime<FixedOffset>>,
    /// At most this many.
    pub limit: Option<u32>,
}

fn parse_time(s: String, col: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn row_to_activity(r: &rusqlite::Row<'_>) -> rusqlite::Result<Activity> {
    let id: String = r.get(0)?;
    let id = Uuid::parse_str(&id).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let kind: String = r.get(2)?;
    let body: String = r.get(6)?;
    let details = serde_json::from_str(&body)
        .and_then(|b| ActivityDetails::from_parts(&kind, b))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
        })?;
    let counter: i64 = r.get(7)?;
    let synced_at: Option<String> = r.get(8)?;
    let rejected: Option<String> = r.get(9)?;
    let sync = match (rejected, counter, synced_at) {
        (Some(reason), _, _) => RecordSync::NeedsAttention { reason },
        (None, 0, Some(at)) => RecordSync::Sent {
            at: parse_time(at, 8)?,
        },
        _ => RecordSync::Waiting,
    };
    Ok(Activity {
        id,
        org_id: r.get(1)?,
        occurred_at: parse_time(r.get(3)?, 3)?,
        recorded_at: parse_time(r.get(4)?, 4)?,
        version: r.get(5)?,
        details,
        sync,
    })
}
