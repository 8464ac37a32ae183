//! The PostgreSQL backend: for organizations that run more than one server instance, or
//! already run PostgreSQL. Blocking `postgres` clients (tokio-postgres underneath) in an r2d2
//! pool; the server calls it from `spawn_blocking`.
//!
//! Several server instances may share one database: migrations run under an advisory lock, and
//! ingest is `INSERT … ON CONFLICT DO NOTHING` then `SELECT … FOR UPDATE`, so two instances
//! receiving the same record store it once.

//!
//! Data access only: each module answers queries for one concern; what to store is decided
//! by the service above.

mod catalogue;
mod devices;
mod ingest;
mod messages;
mod migrate;
mod orgs;
mod ready;
mod records;
mod spikes;
mod staff;
mod tokens;
mod work_statements;

use postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;
use shiftlog_server_db::{
    sql, AggregateQuery, AggregateRow, AuditEntry, CatalogueEntry, CodeCheck, Decide, DeviceAuth,
    DeviceInfo, ExportRow, IngestRecord, NewCode, NewDevice, RecordFilter, Redeemed, Role, Session,
    StaffAccount, StaffToken, Storage, StorageError,
};
use shiftlog_server_db::{AreaCount, SpikeThreshold};
use shiftlog_wire::RecordResult;
use uuid::Uuid;

pub use migrate::MIGRATIONS;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;
type Conn = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// Connections of the writers' pool: pushes, enrollment, logins, catalogue edits.
pub const WRITERS: u32 = 8;
/// Connections of the readers' pool by default: exports, summaries, counts and pulls. A
/// pool of its own, so slow downloads can take at most these, never a writer's.
pub const DEFAULT_READERS: u32 = 3;

/// PostgreSQL storage. Call it from blocking threads (`spawn_blocking`), never from an async
/// task: the blocking client runs its own small runtime for each call.
pub struct PostgresStorage {
    pool: Option<Pool>,
    /// Read-only sessions (`default_transaction_read_only`), a budget apart from `pool`.
    readers: Option<Pool>,
}

impl Drop for PostgresStorage {
    /// Closing the pool's clients blocks; do it on a plain thread so a server may be dropped
    /// from async code.
    fn drop(&mut self) {
        let pools = (self.pool.take(), self.readers.take());
        let _ = std::thread::spawn(move || drop(pools)).join();
    }
}

fn db(e: postgres::Error) -> StorageError {
    if let Some(code) = e.code() {
        if *code == postgres::error::SqlState::UNIQUE_VIOLATION {
            return StorageError::Conflict(e.to_string());
        }
    }
    StorageError::Backend(e.to_string())
}

fn pool_err(e: r2d2::Error) -> StorageError {
    StorageError::Backend(format!("connection pool: {e}"))
}

fn ph(n: usize) -> String {
    format!("${n}")
}

/// A shared statement's text for this backend.
fn q(s: &'static sql::Statement) -> &'static str {
    s.text(sql::Dialect::Postgres)
}

fn uuid(s: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(s).map_err(|e| StorageError::Corrupt(format!("{s}: {e}")))
}

impl PostgresStorage {
    /// Connects to `url` (e.g. `postgres://root@127.0.0.1:5432/shiftlog`) and migrates. With
    /// `schema`, every connection uses that schema (created if missing), so several
    /// deployments or tests can share one database.
    pub fn connect(url: &str, schema: Option<&str>) -> Result<Self, StorageError> {
        Self::connect_with_readers(url, schema, DEFAULT_READERS)
    }

    /// [`PostgresStorage::connect`] with at most `readers` (at least 1) connections for
    /// exports, summaries, counts and pulls, beside the [`WRITERS`].
    pub fn connect_with_readers(
        url: &str,
        schema: Option<&str>,
        readers: u32,
    ) -> Result<Self, StorageError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StorageError::Backend(format!("database URL: {e}")))?;
        if let Some(s) = schema {
            if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StorageError::Backend(
                    "schema name: use letters, digits and underscores".into(),
                ));
            }
            migrate::create_schema(&mut config.connect(NoTls).map_err(db)?, s)?;
            config.options(&format!("-c search_path={s}"));
        }
        let mut read_config = config.clone();
        let options = read_config.get_options().unwrap_or_default().to_string();
        read_config.options(&format!("{options} -c default_transaction_read_only=on"));
        let pool = r2d2::Pool::builder()
            .max_size(WRITERS)
            .build(PostgresConnectionManager::new(config, NoTls))
            .map_err(pool_err)?;
        // Opened when first needed: a server that never exports holds none.
        let readers = r2d2::Pool::builder()
            .max_size(readers.max(1))
            .min_idle(Some(0))
            .build_unchecked(PostgresConnectionManager::new(read_config, NoTls));
        let storage = PostgresStorage {
            pool: Some(pool),
            readers: Some(readers),
        };
        migrate::migrate(&mut *storage.conn()?)?;
        Ok(storage)
    }

    fn conn(&self) -> Result<Conn, StorageError> {
        self.pool
            .as_ref()
            .ok_or_else(|| StorageError::Backend("closed".into()))?
            .get()
            .map_err(pool_err)
    }

    /// A connection of the readers' pool.
    fn reader(&self) -> Result<Conn, StorageError> {
        self.readers
            .as_ref()
            .ok_or_else(|| StorageError::Backend("closed".into()))?
            .get()
            .map_err(|e| {
                StorageError::Backend(format!(
                    "every read connection is busy (exports or summaries): {e}; try again in a minute"
                ))
            })
    }
}

impl Storage for PostgresStorage {
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError> {
        orgs::ensure_organization(&mut *self.conn()?, id, name)
    }

    fn organization_name(&self, id: &str) -> Result<Option<String>, StorageError> {
        orgs::organization_name(&mut *self.conn()?, id)
    }

    fn add_enrollment_code(&self, code: &NewCode) -> Result<(), StorageError> {
        devices::add_enrollment_code(&mut *self.conn()?, code)
    }

    fn worker_by_pseudonym(
        &self,
        org_id: &str,
        pseudonym: &str,
    ) -> Result<Option<Uuid>, StorageError> {
        devices::worker_by_pseudonym(&mut *self.conn()?, org_id, pseudonym)
    }

    fn redeem_code(
        &self,
        code_hash: &str,
        device: &NewDevice,
        usable: CodeCheck<'_>,
    ) -> Result<Redeemed, StorageError> {
        devices::redeem_code(&mut *self.conn()?, code_hash, device, usable)
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError> {
        devices::device_by_token(&mut *self.conn()?, token_hash)
    }

    fn list_devices(&self, org_id: &str) -> Result<Vec<DeviceInfo>, StorageError> {
        devices::list_devices(&mut *self.conn()?, org_id)
    }

    fn revoke_device(&self, org_id: &str, device_id: Uuid) -> Result<(), StorageError> {
        devices::revoke_device(&mut *self.conn()?, org_id, device_id)
    }

    fn add_staff_token(&self, token: &StaffToken, token_hash: &str) -> Result<(), StorageError> {
        tokens::add_staff_token(&mut *self.conn()?, token, token_hash)
    }

    fn staff_token(&self, token_hash: &str) -> Result<Option<StaffToken>, StorageError> {
        tokens::staff_token(&mut *self.conn()?, token_hash)
    }

    fn staff_tokens(&self, org_id: &str) -> Result<Vec<StaffToken>, StorageError> {
        tokens::staff_tokens(&mut *self.conn()?, org_id)
    }

    fn delete_staff_token(&self, org_id: &str, id: Uuid) -> Result<(), StorageError> {
        tokens::delete_staff_token(&mut *self.conn()?, org_id, id)
    }

    fn touch_staff_token(
        &self,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        tokens::touch_staff_token(&mut *self.conn()?, id, at)
    }

    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
        decide: Decide<'_>,
    ) -> Result<Vec<RecordResult>, StorageError> {
        ingest::ingest(&mut *self.conn()?, device, records, decide)
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
            &mut *self.reader()?,
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
        records::export_records(&mut *self.reader()?, org_id, filter, each)
    }

    fn count_records(&self, org_id: &str) -> Result<u64, StorageError> {
        records::count_records(&mut *self.reader()?, org_id)
    }

    fn aggregate(
        &self,
        org_id: &str,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StorageError> {
        records::aggregate(&mut *self.reader()?, org_id, query)
    }

    fn create_staff(&self, a: &StaffAccount) -> Result<(), StorageError> {
        staff::create_staff(&mut *self.conn()?, a)
    }

    fn staff_by_username(&self, username: &str) -> Result<Vec<StaffAccount>, StorageError> {
        staff::staff_by_username(&mut *self.conn()?, username)
    }

    fn list_staff(&self, org_id: &str) -> Result<Vec<StaffAccount>, StorageError> {
        staff::list_staff(&mut *self.conn()?, org_id)
    }

    fn set_staff_role(&self, org_id: &str, staff_id: Uuid, role: Role) -> Result<(), StorageError> {
        staff::set_staff_role(&mut *self.conn()?, org_id, staff_id, role)
    }

    fn set_staff_disabled(
        &self,
        org_id: &str,
        staff_id: Uuid,
        disabled: bool,
    ) -> Result<(), StorageError> {
        staff::set_staff_disabled(&mut *self.conn()?, org_id, staff_id, disabled)
    }

    fn set_staff_password(
        &self,
        org_id: &str,
        staff_id: Uuid,
        password_hash: &str,
    ) -> Result<(), StorageError> {
        staff::set_staff_password(&mut *self.conn()?, org_id, staff_id, password_hash)
    }

    fn remove_staff(&self, org_id: &str, staff_id: Uuid) -> Result<(), StorageError> {
        staff::remove_staff(&mut *self.conn()?, org_id, staff_id)
    }

    fn end_staff_sessions(&self, staff_id: Uuid, keep: Option<&str>) -> Result<u64, StorageError> {
        staff::end_staff_sessions(&mut *self.conn()?, staff_id, keep)
    }

    fn create_session(&self, s: &Session) -> Result<(), StorageError> {
        staff::create_session(&mut *self.conn()?, s)
    }

    fn session(&self, token_hash: &str) -> Result<Option<(Session, StaffAccount)>, StorageError> {
        staff::session(&mut *self.conn()?, token_hash)
    }

    fn touch_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        staff::touch_session(&mut *self.conn()?, token_hash, at)
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        staff::delete_session(&mut *self.conn()?, token_hash)
    }

    fn audit(&self, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
        staff::audit(&mut *self.conn()?, org_id, e)
    }

    fn audit_log(&self, org_id: &str, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        staff::audit_log(&mut *self.conn()?, org_id, limit)
    }

    fn catalogue_section(
        &self,
        org_id: &str,
        section: &str,
    ) -> Result<Vec<CatalogueEntry>, StorageError> {
        catalogue::catalogue_section(&mut *self.conn()?, org_id, section)
    }

    fn replace_catalogue_section(
        &self,
        org_id: &str,
        section: &str,
        entries: &[CatalogueEntry],
    ) -> Result<(), StorageError> {
        catalogue::replace_catalogue_section(&mut *self.conn()?, org_id, section, entries)
    }

    fn retention_days(&self, org_id: &str) -> Result<u32, StorageError> {
        orgs::retention_days(&mut *self.conn()?, org_id)
    }

    fn set_retention_days(&self, org_id: &str, days: u32) -> Result<(), StorageError> {
        orgs::set_retention_days(&mut *self.conn()?, org_id, days)
    }

    fn spike_thresholds(&self, org_id: &str) -> Result<Vec<SpikeThreshold>, StorageError> {
        spikes::spike_thresholds(&mut *self.conn()?, org_id)
    }

    fn replace_spike_thresholds(
        &self,
        org_id: &str,
        thresholds: &[SpikeThreshold],
    ) -> Result<(), StorageError> {
        spikes::replace_spike_thresholds(&mut *self.conn()?, org_id, thresholds)
    }

    fn activities_by_area(
        &self,
        org_id: &str,
        kind: &str,
        from_utc_ms: i64,
        to_utc_ms: i64,
    ) -> Result<Vec<AreaCount>, StorageError> {
        spikes::activities_by_area(&mut *self.reader()?, org_id, kind, from_utc_ms, to_utc_ms)
    }

    fn add_message(&self, m: &shiftlog_server_db::Message) -> Result<(), StorageError> {
        messages::add_message(&mut *self.conn()?, m)
    }

    fn messages(
        &self,
        org_id: &str,
        limit: u32,
    ) -> Result<Vec<shiftlog_server_db::MessageCount>, StorageError> {
        messages::list(&mut *self.conn()?, org_id, limit)
    }

    fn withdraw_message(
        &self,
        org_id: &str,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        messages::withdraw(&mut *self.conn()?, org_id, id, at)
    }

    fn messages_for_device(
        &self,
        device: &DeviceAuth,
        now: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<shiftlog_server_db::Message>, StorageError> {
        messages::for_device(&mut *self.reader()?, device, now, limit)
    }

    fn add_message_receipts(
        &self,
        device_id: Uuid,
        ids: &[Uuid],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError> {
        messages::add_receipts(&mut *self.conn()?, device_id, ids, at)
    }

    fn ready(&self) -> Result<shiftlog_server_db::Readiness, StorageError> {
        ready::ready(&mut *self.conn()?)
    }

    fn data_epoch(&self) -> Result<String, StorageError> {
        if let Some(e) = ready::data_epoch(&mut *self.reader()?)? {
            return Ok(e);
        }
        ready::make_data_epoch(&mut *self.conn()?)
    }

    fn renew_data_epoch(&self) -> Result<String, StorageError> {
        ready::renew_data_epoch(&mut *self.conn()?)
    }
}
