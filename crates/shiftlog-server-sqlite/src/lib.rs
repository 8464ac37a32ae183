//! The SQLite backend, the server's default: one file, `server.db`, in the data directory.
//! Data access only: each module answers queries for one concern; what to store is decided
//! by the service above.

pub mod backup;
mod catalogue;
mod checkpoint;
mod devices;
mod group;
mod ingest;
mod messages;
mod migrate;
mod orgs;
mod readers;
mod ready;
mod records;
mod spikes;
mod staff;
mod tokens;
mod work_statements;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;
use shiftlog_server_db::{
    sql, AggregateQuery, AggregateRow, AuditEntry, CatalogueEntry, CodeCheck, Decide, DeviceAuth,
    DeviceInfo, ExportRow, IngestRecord, NewCode, NewDevice, RecordFilter, Redeemed, Role, Session,
    StaffAccount, StaffToken, Storage, StorageError,
};
use shiftlog_server_db::{AreaCount, SpikeThreshold};
use shiftlog_wire::RecordResult;
use uuid::Uuid;

pub use migrate::MIGRATIONS;

/// Pragmas, in one place: WAL so exports never block ingest; synchronous=FULL so a record
/// the server confirmed survives a crash or power loss; foreign keys on.
pub(crate) const PRAGMAS: &str = "PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA foreign_keys=ON;
PRAGMA busy_timeout=5000;";

/// Pragmas of the read-only connections (`readers`): they may never write, and wait for a
/// checkpoint's brief lock rather than fail.
const READER_PRAGMAS: &str = "PRAGMA query_only=ON;
PRAGMA busy_timeout=5000;";

/// Read-only connections an instance opens at most by default: exports and summaries beyond
/// them wait for one, never for the writer.
pub const DEFAULT_READERS: usize = 4;

/// SQLite storage. One writer connection (SQLite serializes writers anyway); exports,
/// summaries, counts and pulls read on separate read-only connections (`readers`), so a
/// slow download never holds the connection pushes and logins need. Pushes that arrive
/// while the writer is busy are committed together (group commit): one fsync for all of
/// them, each answered only after the commit (see the `group` module).
pub struct SqliteStorage {
    conn: Mutex<Connection>,
    queue: Mutex<group::Queue>,
    readers: readers::Readers,
    /// A read-only connection for devices' token checks, opened when first needed: a push's
    /// check waits neither for the writer (busy committing a group of pushes) nor for a
    /// reader (busy with exports). WAL: it sees every commit made before its query began, so
    /// a revoked device is refused as soon as the revocation is committed.
    auth: Mutex<Option<Connection>>,
    /// WAL checkpoints on a thread of their own, not inside a push's commit (`None`: the
    /// writer's automatic checkpoint, as SQLite does by default).
    checkpoints: Option<checkpoint::Checkpointer>,
}

fn db(e: rusqlite::Error) -> StorageError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation
            && msg.as_deref().unwrap_or("").contains("UNIQUE")
        {
            return StorageError::Conflict(msg.clone().unwrap_or_default());
        }
    }
    StorageError::Backend(e.to_string())
}

fn ph(n: usize) -> String {
    format!("?{n}")
}

/// A shared statement's text for this backend.
fn q(s: &'static sql::Statement) -> &'static str {
    s.text(sql::Dialect::Sqlite)
}

fn uuid(s: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(s).map_err(|e| StorageError::Corrupt(format!("{s}: {e}")))
}

impl SqliteStorage {
    /// Opens or creates `server.db` in `data_dir`, migrating it.
    pub fn open(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir)?;
        Self::open_file(&data_dir.join("server.db"))
    }

    /// Opens or creates the database file at `path`, migrating it.
    pub fn open_file(path: &Path) -> Result<Self, StorageError> {
        Self::open_file_with_readers(path, DEFAULT_READERS)
    }

    /// Opens `server.db` in `data_dir` with at most `readers` read-only connections.
    pub fn open_with_readers(data_dir: &Path, readers: usize) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir)?;
        Self::open_file_with_readers(&data_dir.join("server.db"), readers)
    }

    /// Opens the database file at `path` with at most `readers` read-only connections.
    pub fn open_file_with_readers(path: &Path, readers: usize) -> Result<Self, StorageError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.execute_batch(PRAGMAS).map_err(db)?;
        // The ingest's statements (insert, head, update, and the multi-row change-log and
        // supplies inserts in up to seven sizes each) stay prepared beside the others.
        conn.set_prepared_statement_cache_capacity(64);
        migrate::migrate(&conn)?;
        let checkpoints = checkpoint::Checkpointer::start(path);
        if checkpoints.is_some() {
            // The writer checkpoints only if the checkpoint thread falls far behind.
            conn.pragma_update(
                None,
                "wal_autocheckpoint",
                checkpoint::WRITER_FALLBACK_PAGES,
            )
            .map_err(db)?;
        }
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            queue: Mutex::new(group::Queue::default()),
            readers: readers::Readers::new(path, readers),
            auth: Mutex::new(None),
            checkpoints,
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Storage for SqliteStorage {
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError> {
        orgs::ensure_organization(&self.conn(), id, name)
    }

    fn organization_name(&self, id: &str) -> Result<Option<String>, StorageError> {
        orgs::organization_name(&self.conn(), id)
    }

    fn add_enrollment_code(&self, code: &NewCode) -> Result<(), StorageError> {
        devices::add_enrollment_code(&self.conn(), code)
    }

    fn worker_by_pseudonym(
        &self,
        org_id: &str,
        pseudonym: &str,
    ) -> Result<Option<Uuid>, StorageError> {
        devices::worker_by_pseudonym(&self.conn(), org_id, pseudonym)
    }

    fn redeem_code(
        &self,
        code_hash: &str,
        device: &NewDevice,
        usable: CodeCheck<'_>,
    ) -> Result<Redeemed, StorageError> {
        devices::redeem_code(&mut self.conn(), code_hash, device, usable)
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError> {
        let mut auth = self.auth.lock().unwrap_or_else(|p| p.into_inner());
        if auth.is_none() {
            *auth = Connection::open_with_flags(
                self.readers.path(),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| c.execute_batch(READER_PRAGMAS).map(|()| c))
            .ok();
        }
        match auth.as_ref() {
            Some(conn) => devices::device_by_token(conn, token_hash),
            // It could not be opened: the writer answers, as it always can.
            None => {
                drop(auth);
                devices::device_by_token(&self.conn(), token_hash)
            }
        }
    }

    fn list_devices(&self, org_id: &str) -> Result<Vec<DeviceInfo>, StorageError> {
        devices::list_devices(&self.conn(), org_id)
    }

    fn revoke_device(&self, org_id: &str, device_id: Uuid) -> Result<(), StorageError> {
        devices::revoke_device(&self.conn(), org_id, device_id)
    }

    fn add_staff_token(&self, token: &StaffToken, token_hash: &str) -> Result<(), StorageError> {
        tokens::add_staff_token(&self.conn(), token, token_hash)
    }

    fn staff_token(&self, token_hash: &str) -> Result<Option<StaffToken>, StorageError> {
        tokens::staff_token(&self.conn(), token_hash)
    }

    fn staff_tokens(&self, org_id: &str) -> Result<Vec<StaffToken>, StorageError> {
        tokens::staff_tokens(&self.conn(), org_id)
    }

    fn delete_staff_token(&self, org_id: &str, id: Uuid) -> Result<(), StorageError> {
        tokens::delete_staff_token(&self.conn(), org_id, id)
    }

    fn touch_staff_token(
        &self,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        tokens::touch_staff_token(&self.conn(), id, at)
    }

    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
        decide: Decide<'_>,
    ) -> Result<Vec<RecordResult>, StorageError> {
        let results = self.ingest_grouped(device, records, decide)?;
        if let Some(c) = &self.checkpoints {
            c.stored(records.len());
        }
        Ok(results)
    }

    fn pull_records(
        &self,
        org_id: &str,
        worker_id: Uuid,
        exclude_device: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, StorageError> {
        records::pull_records(
            &*self.readers.get()?,
            org_id,
            worker_id,
            exclude_device,
            after,
            limit,
        )
    }

    fn export_records(
        &self,
        org_id: &str,
        filter: &RecordFilter,
        each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        records::export_records(&*self.readers.get()?, org_id, filter, each)
    }

    fn count_records(&self, org_id: &str) -> Result<u64, StorageError> {
        records::count_records(&*self.readers.get()?, org_id)
    }

    fn aggregate(
        &self,
        org_id: &str,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StorageError> {
        records::aggregate(&*self.readers.get()?, org_id, query)
    }

    fn create_staff(&self, a: &StaffAccount) -> Result<(), StorageError> {
        staff::create_staff(&self.conn(), a)
    }

    fn staff_by_username(&self, username: &str) -> Result<Vec<StaffAccount>, StorageError> {
        staff::staff_by_username(&self.conn(), username)
    }

    fn list_staff(&self, org_id: &str) -> Result<Vec<StaffAccount>, StorageError> {
        staff::list_staff(&self.conn(), org_id)
    }

    fn set_staff_role(&self, org_id: &str, staff_id: Uuid, role: Role) -> Result<(), StorageError> {
        staff::set_staff_role(&self.conn(), org_id, staff_id, role)
    }

    fn set_staff_disabled(
        &self,
        org_id: &str,
        staff_id: Uuid,
        disabled: bool,
    ) -> Result<(), StorageError> {
        staff::set_staff_disabled(&self.conn(), org_id, staff_id, disabled)
    }

    fn set_staff_password(
        &self,
        org_id: &str,
        staff_id: Uuid,
        password_hash: &str,
    ) -> Result<(), StorageError> {
        staff::set_staff_password(&self.conn(), org_id, staff_id, password_hash)
    }

    fn remove_staff(&self, org_id: &str, staff_id: Uuid) -> Result<(), StorageError> {
        staff::remove_staff(&self.conn(), org_id, staff_id)
    }

    fn end_staff_sessions(&self, staff_id: Uuid, keep: Option<&str>) -> Result<u64, StorageError> {
        staff::end_staff_sessions(&self.conn(), staff_id, keep)
    }

    fn create_session(&self, s: &Session) -> Result<(), StorageError> {
        staff::create_session(&self.conn(), s)
    }

    fn session(&self, token_hash: &str) -> Result<Option<(Session, StaffAccount)>, StorageError> {
        staff::session(&self.conn(), token_hash)
    }

    fn touch_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        staff::touch_session(&self.conn(), token_hash, at)
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        staff::delete_session(&self.conn(), token_hash)
    }

    fn audit(&self, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
        staff::audit(&self.conn(), org_id, e)
    }

    fn audit_log(&self, org_id: &str, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        staff::audit_log(&self.conn(), org_id, limit)
    }

    fn catalogue_section(
        &self,
        org_id: &str,
        section: &str,
    ) -> Result<Vec<CatalogueEntry>, StorageError> {
        catalogue::catalogue_section(&self.conn(), org_id, section)
    }

    fn replace_catalogue_section(
        &self,
        org_id: &str,
        section: &str,
        entries: &[CatalogueEntry],
    ) -> Result<(), StorageError> {
        catalogue::replace_catalogue_section(&mut self.conn(), org_id, section, entries)
    }

    fn retention_days(&self, org_id: &str) -> Result<u32, StorageError> {
        orgs::retention_days(&self.conn(), org_id)
    }

    fn set_retention_days(&self, org_id: &str, days: u32) -> Result<(), StorageError> {
        orgs::set_retention_days(&self.conn(), org_id, days)
    }

    fn spike_thresholds(&self, org_id: &str) -> Result<Vec<SpikeThreshold>, StorageError> {
        spikes::spike_thresholds(&self.conn(), org_id)
    }

    fn replace_spike_thresholds(
        &self,
        org_id: &str,
        thresholds: &[SpikeThreshold],
    ) -> Result<(), StorageError> {
        spikes::replace_spike_thresholds(&mut self.conn(), org_id, thresholds)
    }

    fn activities_by_area(
        &self,
        org_id: &str,
        kind: &str,
        from_utc_ms: i64,
        to_utc_ms: i64,
    ) -> Result<Vec<AreaCount>, StorageError> {
        spikes::activities_by_area(&*self.readers.get()?, org_id, kind, from_utc_ms, to_utc_ms)
    }

    fn add_message(&self, m: &shiftlog_server_db::Message) -> Result<(), StorageError> {
        messages::add_message(&self.conn(), m)
    }

    fn messages(
        &self,
        org_id: &str,
        limit: u32,
    ) -> Result<Vec<shiftlog_server_db::MessageCount>, StorageError> {
        messages::list(&self.conn(), org_id, limit)
    }

    fn withdraw_message(
        &self,
        org_id: &str,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        messages::withdraw(&self.conn(), org_id, id, at)
    }

    fn messages_for_device(
        &self,
        device: &DeviceAuth,
        now: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<shiftlog_server_db::Message>, StorageError> {
        messages::for_device(&*self.readers.get()?, device, now, limit)
    }

    fn add_message_receipts(
        &self,
        device_id: Uuid,
        ids: &[Uuid],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        messages::add_receipts(&mut self.conn(), device_id, ids, at)
    }

    fn ready(&self) -> Result<shiftlog_server_db::Readiness, StorageError> {
        ready::ready(self.readers.path())
    }

    fn data_epoch(&self) -> Result<String, StorageError> {
        if let Some(e) = ready::data_epoch(&*self.readers.get()?)? {
            return Ok(e);
        }
        ready::make_data_epoch(&self.conn())
    }

    fn renew_data_epoch(&self) -> Result<String, StorageError> {
        let conn = self.conn();
        ready::clear_data_epoch(&conn)?;
        ready::make_data_epoch(&conn)
    }
}
