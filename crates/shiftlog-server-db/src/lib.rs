//! What the organization server needs from a database, as a trait, so that the SQLite backend
//! (`shiftlog-server-sqlite`, the default) and the PostgreSQL backend
//! (`shiftlog-server-postgres`) sit behind the same `OrgService`.
//!
//! The trait is synchronous: the server calls it from `spawn_blocking`, and both backends are
//! blocking clients (rusqlite; the `postgres` wrapper around tokio-postgres). Every method that
//! reads or changes an organization's data takes the organization id, so a backend can never be
//! asked for rows across organizations.

mod catalogue;
#[cfg(feature = "test-support")]
pub mod conformance;
mod devices;
mod error;
mod ingest;
pub mod messages;
pub mod migrate;
mod ready;
mod records;
pub mod spikes;
pub mod sql;
mod staff;
mod summary;
mod tokens;
pub mod work_statements;

pub use catalogue::{CatalogueEntry, CATALOGUE_SECTIONS};
pub use devices::{CodeCheck, DeviceAuth, DeviceInfo, NewCode, NewDevice, Redeemed, StoredCode};
pub use error::StorageError;
pub use ingest::{head_row, write_for, Decide, HeadRow, IngestDecision, StoredHead, Write};
pub use messages::{Message, MessageCount};
pub use ready::{fresh_data_epoch, Readiness};
pub use records::{pulled_envelope, ExportRow, Facts, IngestRecord, RecordFilter};
pub use spikes::{AreaCount, SpikeThreshold};
pub use staff::{AuditEntry, Role, Session, StaffAccount};
pub use summary::{AggregateQuery, AggregateRow, Dimension, Groups, Period};
pub use tokens::{stored_time, token_from_row, StaffToken, TokenRow, TokenScope};
pub use work_statements::{IssuedStatement, StoredStatementKey, WorkRow, WorkStatementStore};

use shiftlog_wire::RecordResult;
use uuid::Uuid;

/// The server's storage.
pub trait Storage: Send + Sync + 'static + WorkStatementStore {
    /// Creates an organization if missing; returns true if it was created.
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError>;
    /// The organization's name, if it exists.
    fn organization_name(&self, id: &str) -> Result<Option<String>, StorageError>;
    /// Stores a new enrollment code.
    fn add_enrollment_code(&self, code: &NewCode) -> Result<(), StorageError>;
    /// The worker with `pseudonym` in `org_id`.
    fn worker_by_pseudonym(
        &self,
        org_id: &str,
        pseudonym: &str,
    ) -> Result<Option<Uuid>, StorageError>;
    /// Redeems a code, creating the device (and the worker, if the code names none), if
    /// `usable` accepts the stored code; atomically, so a code is redeemed at most once.
    fn redeem_code(
        &self,
        code_hash: &str,
        device: &NewDevice,
        usable: CodeCheck<'_>,
    ) -> Result<Redeemed, StorageError>;
    /// Looks up a device by token hash.
    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError>;
    /// Devices of an organization, newest first.
    fn list_devices(&self, org_id: &str) -> Result<Vec<DeviceInfo>, StorageError>;
    /// Marks a device of `org_id` revoked; `NotFound` if it is not that organization's.
    fn revoke_device(&self, org_id: &str, device_id: Uuid) -> Result<(), StorageError>;
    /// Stores a staff token (its organization is `token.org_id`) with the hash of its secret.
    fn add_staff_token(&self, token: &StaffToken, token_hash: &str) -> Result<(), StorageError>;
    /// The staff token with this secret hash, expired or not.
    fn staff_token(&self, token_hash: &str) -> Result<Option<StaffToken>, StorageError>;
    /// An organization's staff tokens, newest first, expired ones too.
    fn staff_tokens(&self, org_id: &str) -> Result<Vec<StaffToken>, StorageError>;
    /// Removes a staff token of `org_id`; `NotFound` if it is not that organization's.
    fn delete_staff_token(&self, org_id: &str, id: Uuid) -> Result<(), StorageError>;
    /// Writes down when a staff token was last used.
    fn touch_staff_token(
        &self,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError>;
    /// The worker's records, changed after `after`, written last by a device other than
    /// `exclude_device`, oldest change first.
    fn pull_records(
        &self,
        org_id: &str,
        worker_id: Uuid,
        exclude_device: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, StorageError>;
    /// Stores records from one device in one transaction, answering each in order. For every
    /// record, storage reads what it holds for the id (locked against other instances until
    /// the commit) and does what `decide` says; a record with no stored row costs one INSERT.
    /// `decide(record, None)` is asked for every record, `decide(record, Some(head))` when the
    /// id is stored. The same transaction first reads the device: revoked (or gone), nothing
    /// is stored and the answer is [`StorageError::DeviceRevoked`] (a revocation committed
    /// before is seen; one committed during the push orders after it).
    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
        decide: Decide<'_>,
    ) -> Result<Vec<RecordResult>, StorageError>;
    /// Calls `each` for every live record of `org_id` matching `filter`, oldest first,
    /// without holding them all in memory.
    fn export_records(
        &self,
        org_id: &str,
        filter: &RecordFilter,
        each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
    ) -> Result<(), StorageError>;
    /// Number of live records stored for `org_id` (all types).
    fn count_records(&self, org_id: &str) -> Result<u64, StorageError>;
    /// Grouped sums over the live records of `org_id`.
    fn aggregate(
        &self,
        org_id: &str,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StorageError>;
    /// Creates a staff account; `Conflict` if the username is taken.
    fn create_staff(&self, account: &StaffAccount) -> Result<(), StorageError>;
    /// The staff accounts with this login name, one per organization at most (at most 16,
    /// by organization id).
    fn staff_by_username(&self, username: &str) -> Result<Vec<StaffAccount>, StorageError>;
    /// Staff of an organization.
    fn list_staff(&self, org_id: &str) -> Result<Vec<StaffAccount>, StorageError>;
    /// Changes the role of a staff member of `org_id`.
    fn set_staff_role(&self, org_id: &str, staff_id: Uuid, role: Role) -> Result<(), StorageError>;
    /// Disables or re-enables a staff member of `org_id`; `NotFound` if not that
    /// organization's. Sessions are left as they are (see [`Storage::end_staff_sessions`]).
    fn set_staff_disabled(
        &self,
        org_id: &str,
        staff_id: Uuid,
        disabled: bool,
    ) -> Result<(), StorageError>;
    /// Replaces the password hash of a staff member of `org_id`; `NotFound` if not theirs.
    fn set_staff_password(
        &self,
        org_id: &str,
        staff_id: Uuid,
        password_hash: &str,
    ) -> Result<(), StorageError>;
    /// Removes a staff member of `org_id` and their sessions, in one transaction; `NotFound`
    /// if not that organization's. Audit lines keep the username as text.
    fn remove_staff(&self, org_id: &str, staff_id: Uuid) -> Result<(), StorageError>;
    /// Ends every session of a staff member except the one whose token hash is `keep`;
    /// returns how many ended.
    fn end_staff_sessions(&self, staff_id: Uuid, keep: Option<&str>) -> Result<u64, StorageError>;
    /// Stores a session.
    fn create_session(&self, session: &Session) -> Result<(), StorageError>;
    /// A live session and its account.
    fn session(&self, token_hash: &str) -> Result<Option<(Session, StaffAccount)>, StorageError>;
    /// Notes that a session was used at `at`.
    fn touch_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError>;
    /// Ends a session.
    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError>;
    /// Appends to the audit log.
    fn audit(&self, org_id: &str, entry: &AuditEntry) -> Result<(), StorageError>;
    /// The newest `limit` audit entries, newest first.
    fn audit_log(&self, org_id: &str, limit: u32) -> Result<Vec<AuditEntry>, StorageError>;
    /// The catalogue section (`kinds`, `items`, `areas`, `roles`) of an organization.
    fn catalogue_section(
        &self,
        org_id: &str,
        section: &str,
    ) -> Result<Vec<CatalogueEntry>, StorageError>;
    /// Replaces a catalogue section, in one transaction.
    fn replace_catalogue_section(
        &self,
        org_id: &str,
        section: &str,
        entries: &[CatalogueEntry],
    ) -> Result<(), StorageError>;
    /// Days synced records stay on devices.
    fn retention_days(&self, org_id: &str) -> Result<u32, StorageError>;
    /// Sets the retention window.
    fn set_retention_days(&self, org_id: &str, days: u32) -> Result<(), StorageError>;
    /// An organization's spike thresholds, the default (area `None`) first.
    fn spike_thresholds(&self, org_id: &str) -> Result<Vec<SpikeThreshold>, StorageError>;
    /// Replaces an organization's spike thresholds, in one transaction.
    fn replace_spike_thresholds(
        &self,
        org_id: &str,
        thresholds: &[SpikeThreshold],
    ) -> Result<(), StorageError>;
    /// Live activities of `kind` of `org_id` that happened from `from_utc_ms` to `to_utc_ms`
    /// (both included), counted by area; records without an area are left out.
    fn activities_by_area(
        &self,
        org_id: &str,
        kind: &str,
        from_utc_ms: i64,
        to_utc_ms: i64,
    ) -> Result<Vec<AreaCount>, StorageError>;
    /// Stores a new message (its organization is `message.org_id`).
    fn add_message(&self, message: &Message) -> Result<(), StorageError>;
    /// An organization's newest `limit` messages, withdrawn and expired ones too, each with
    /// the number of devices, not revoked, that stored it.
    fn messages(&self, org_id: &str, limit: u32) -> Result<Vec<MessageCount>, StorageError>;
    /// Marks a message of `org_id` withdrawn at `at` (kept if it already was); `NotFound` if
    /// it is not that organization's.
    fn withdraw_message(
        &self,
        org_id: &str,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError>;
    /// The newest `limit` messages of the device's organization neither withdrawn nor expired
    /// at `now`: to everyone, or to a role the device's worker has a live shift record in.
    fn messages_for_device(
        &self,
        device: &DeviceAuth,
        now: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Message>, StorageError>;
    /// Notes that `device_id` stored each of `ids` at `at`; a repeat changes nothing. A device
    /// revoked (or gone) when the transaction reads it: nothing written,
    /// [`StorageError::DeviceRevoked`].
    fn add_message_receipts(
        &self,
        device_id: Uuid,
        ids: &[Uuid],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StorageError>;
    /// Asks the database, in a fresh round trip, for its schema version (the readiness
    /// probe): an error when it cannot be reached or read.
    fn ready(&self) -> Result<Readiness, StorageError>;
    /// The database's data epoch ([`fresh_data_epoch`], made on first use): the same for as
    /// long as the data lives on, a new one once it was restored from a backup.
    fn data_epoch(&self) -> Result<String, StorageError>;
    /// Forgets the data epoch and makes a new one, after the data was restored from a backup
    /// (`shiftlog-server new-epoch`; the SQLite restore does it itself). Devices that see
    /// the change send their records again.
    fn renew_data_epoch(&self) -> Result<String, StorageError>;
}
