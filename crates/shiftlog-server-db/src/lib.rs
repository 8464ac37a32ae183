//! What the organization server needs from a database, as a trait, so that the SQLite backend
//! (`shiftlog-server-sqlite`, the default) and the PostgreSQL backend
//! (`shiftlog-server-postgres`) sit behind the same `OrgService`.
//!
//! The trait is synchronous: the server calls it from `spawn_blocking`, and both backends are
//! blocking clients (rusqlite; the `postgres` wrapper around tokio-postgres). Every method that
//! reads or changes an organization's data takes the organization id, so a backend can never be
//! asked for rows across organizations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shiftlog_wire::{RecordEnvelope, RecordResult};
use uuid::Uuid;

/// Errors from a storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database failed (connection, SQL, constraint other than the ones below).
    #[error("database: {0}")]
    Backend(String),
    /// A stored value could not be read back.
    #[error("corrupt value: {0}")]
    Corrupt(String),
    /// The named thing does not exist (in this organization).
    #[error("{0} not found")]
    NotFound(String),
    /// A unique name is taken.
    #[error("{0} exists already")]
    Conflict(String),
    /// Schema in the database is newer than this server.
    #[error("database schema {found} is newer than this server ({supported})")]
    TooNew {
        /// In the database.
        found: u32,
        /// Known here.
        supported: u32,
    },
    /// A file operation failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// Who a device token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceAuth {
    /// Device id.
    pub device_id: Uuid,
    /// Organization.
    pub org_id: String,
    /// The worker this device belongs to.
    pub worker_id: Uuid,
    /// The worker's pseudonym, e.g. `W-7F3K`.
    pub pseudonym: String,
    /// True once revoked.
    pub revoked: bool,
}

/// A one-time enrollment code to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCode {
    /// SHA-256 of the normalized code.
    pub code_hash: String,
    /// Organization.
    pub org_id: String,
    /// Set when the code adds a device to an existing worker.
    pub worker_id: Option<Uuid>,
    /// Staff member who made it, for the audit trail.
    pub created_by: String,
    /// Valid until.
    pub expires_at: DateTime<Utc>,
}

/// What a redeemed code creates.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDevice {
    /// Device id.
    pub device_id: Uuid,
    /// Name the worker gave it.
    pub name: String,
    /// SHA-256 of the bearer token.
    pub token_hash: String,
    /// Used when the code does not name a worker: a new worker with this id and pseudonym.
    pub new_worker: (Uuid, String),
}

/// Outcome of redeeming an enrollment code.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeemed {
    /// Device created.
    Enrolled {
        /// Org id.
        org_id: String,
        /// Org name.
        org_name: String,
        /// Worker pseudonym.
        pseudonym: String,
    },
    /// The proposed new pseudonym is taken in this organization; try another.
    PseudonymTaken,
    /// Unknown, already used or expired.
    Invalid,
}

/// A device as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Device id.
    pub id: Uuid,
    /// Worker pseudonym.
    pub pseudonym: String,
    /// Name the worker gave the device.
    pub name: String,
    /// When it joined.
    pub enrolled_at: String,
    /// When it was removed, if it was.
    pub revoked_at: Option<String>,
}

/// Figures the server reads out of a record's body when it arrives, so summaries are plain
/// `GROUP BY`s. Made by `shiftlog_server::facts`, stored beside the body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Local day the record happened, `YYYY-MM-DD` (the device's offset).
    pub day: String,
    /// Monday of that day's ISO week, `YYYY-MM-DD`.
    pub week: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Area id.
    pub area: Option<String>,
    /// Role title id.
    pub role: Option<String>,
    /// False for work done off shift.
    pub on_shift: bool,
    /// Minutes spent (activities), 0 if unknown.
    pub minutes: i64,
    /// People reached.
    pub people_reached: i64,
    /// Naloxone doses given.
    pub naloxone_doses: i64,
    /// Systems navigation task.
    pub nav_task: Option<String>,
    /// Systems navigation outcome.
    pub nav_outcome: Option<String>,
    /// Shift pay type.
    pub pay_type: Option<String>,
    /// Length of an ended shift in minutes.
    pub shift_minutes: i64,
    /// Supplies handed out: (item, quantity).
    pub items: Vec<(String, i64)>,
}

/// A record with its facts, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestRecord {
    /// As received.
    pub envelope: RecordEnvelope,
    /// As read by the server.
    pub facts: Facts,
}

/// Which records an export or summary covers. Days are the records' local days, inclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordFilter {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Record type, e.g. `activity`.
    pub record_type: Option<String>,
    /// Activity kind.
    pub kind: Option<String>,
    /// Area id.
    pub area: Option<String>,
}

/// One exported record.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// Record id.
    pub id: String,
    /// `activity`, `shift`, `debrief_request`, `training`.
    pub record_type: String,
    /// Kind.
    pub kind: String,
    /// Occurred at (device offset).
    pub occurred_at: String,
    /// Recorded at on the device.
    pub recorded_at: String,
    /// Received at by the server.
    pub received_at: String,
    /// Version.
    pub version: i64,
    /// Device id.
    pub device_id: String,
    /// Worker pseudonym (never a person's name).
    pub pseudonym: String,
    /// Area id.
    pub area: Option<String>,
    /// Role id.
    pub role: Option<String>,
    /// Details JSON.
    pub body: String,
}

/// The time buckets of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Local day.
    Day,
    /// ISO week, named by its Monday.
    Week,
    /// Calendar month.
    Month,
}

/// What a summary's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Nothing: one column.
    None,
    /// Activity kind.
    Kind,
    /// Area.
    Area,
    /// Role title.
    Role,
    /// Worker pseudonym.
    Worker,
    /// Supply item (sums quantities of supplies lines).
    Item,
    /// Systems navigation task.
    NavTask,
    /// Systems navigation outcome.
    NavOutcome,
    /// Shift pay type.
    PayType,
    /// On or off shift.
    OnShift,
}

/// A grouped query over stored records: the only aggregation a backend must do.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateQuery {
    /// Which records.
    pub filter: RecordFilter,
    /// Row buckets.
    pub period: Period,
    /// Column key.
    pub dimension: Dimension,
}

/// One group of an [`AggregateQuery`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateRow {
    /// Period key (`YYYY-MM-DD` or `YYYY-MM`).
    pub period: String,
    /// Dimension value; empty when not set on the record.
    pub key: String,
    /// Number of records (for `Item`: number of lines).
    pub records: i64,
    /// Sum of people reached.
    pub people_reached: i64,
    /// Sum of naloxone doses.
    pub naloxone_doses: i64,
    /// Sum of activity minutes.
    pub minutes: i64,
    /// Sum of shift minutes.
    pub shift_minutes: i64,
    /// Sum of supplies quantities (only for `Item`).
    pub quantity: i64,
}

/// Staff roles, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including unsuppressed summaries and staff accounts.
    Admin,
    /// Enrollment, devices, catalogue, suppressed summaries and record exports.
    Coordinator,
    /// Suppressed summaries only.
    Viewer,
}

impl Role {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffAccount {
    /// Id.
    pub id: Uuid,
    /// Organization.
    pub org_id: String,
    /// Login name, unique on the server.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
}

/// A dashboard session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the cookie value.
    pub token_hash: String,
    /// SHA-256 of the CSRF token.
    pub csrf_hash: String,
    /// Staff member.
    pub staff_id: Uuid,
    /// Ends at.
    pub expires_at: DateTime<Utc>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: String,
    /// Who: a staff username, `cli`, or `token:<label>`.
    pub actor: String,
    /// What, e.g. `export`, `enrollment_code`, `revoke_device`, `role_change`.
    pub action: String,
    /// Details (filters, ids), JSON.
    pub detail: serde_json::Value,
}

/// One entry of an organization's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    /// Stable id, e.g. `naloxone_kit`.
    pub id: String,
    /// Label shown to workers.
    pub label: String,
    /// For role titles: what the role is expected to do. Optional elsewhere.
    #[serde(default)]
    pub description: String,
}

/// True when an incoming version replaces the stored one: a later hybrid logical clock wins
/// (last writer wins across a worker's devices); between versions without clocks (older
/// clients), the higher version number wins. Anything else is `already_had`.
pub fn supersedes(
    incoming_hlc: Option<&str>,
    incoming_version: i64,
    have_hlc: Option<&str>,
    have_version: i64,
) -> bool {
    if incoming_hlc.is_some() || have_hlc.is_some() {
        shiftlog_wire::hlc::newer(incoming_hlc, have_hlc)
    } else {
        incoming_version > have_version
    }
}

/// A pulled record, from the columns every backend selects for a pull.
#[allow(clippy::too_many_arguments)]
pub fn pulled_envelope(
    id: &str,
    version: i64,
    record_type: String,
    kind: String,
    occurred_at: &str,
    recorded_at: &str,
    deleted: bool,
    hlc: Option<String>,
    body: &str,
    unknown: Option<&str>,
) -> Result<RecordEnvelope, StorageError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| StorageError::Corrupt(format!("{what}: {e}"));
    Ok(RecordEnvelope {
        id: Uuid::parse_str(id).map_err(|e| bad("id", &e))?,
        version: u32::try_from(version).map_err(|e| bad("version", &e))?,
        record_type,
        kind,
        occurred_at: chrono::DateTime::parse_from_rfc3339(occurred_at)
            .map_err(|e| bad("occurred_at", &e))?,
        recorded_at: chrono::DateTime::parse_from_rfc3339(recorded_at)
            .map_err(|e| bad("recorded_at", &e))?,
        deleted,
        hlc,
        body: serde_json::from_str(body).map_err(|e| bad("body", &e))?,
        unknown: unknown
            .and_then(|u| serde_json::from_str(u).ok())
            .unwrap_or_default(),
    })
}

/// The pull query, shared by the backends: the worker's changes after a cursor, oldest first.
pub const PULL_SQL: &str = "SELECT c.seq, r.id, r.version, r.record_type, r.kind, r.occurred_at,
        r.recorded_at, r.deleted, r.hlc, r.body, r.unknown
    FROM record_changes c JOIN records r ON r.id = c.record_id
    WHERE c.org_id = {1} AND c.worker_id = {2} AND r.device_id <> {3} AND c.seq > {4}
    ORDER BY c.seq LIMIT {5}";

/// Catalogue sections, as stored.
pub const CATALOGUE_SECTIONS: &[&str] = &["kinds", "items", "areas", "roles"];

/// The server's storage.
pub trait Storage: Send + Sync + 'static {
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
    /// Redeems a code once, creating the device (and the worker, if the code names none).
    fn redeem_code(&self, code_hash: &str, device: &NewDevice) -> Result<Redeemed, StorageError>;
    /// Looks up a device by token hash.
    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError>;
    /// Devices of an organization, newest first.
    fn list_devices(&self, org_id: &str) -> Result<Vec<DeviceInfo>, StorageError>;
    /// Marks a device of `org_id` revoked; `NotFound` if it is not that organization's.
    fn revoke_device(&self, org_id: &str, device_id: Uuid) -> Result<(), StorageError>;
    /// Stores a staff token hash for `org_id`.
    fn add_staff_token(
        &self,
        org_id: &str,
        token_hash: &str,
        label: &str,
    ) -> Result<(), StorageError>;
    /// The organization and label of a staff token.
    fn staff_token(&self, token_hash: &str) -> Result<Option<(String, String)>, StorageError>;
    /// The worker's records, changed after `after`, written last by a device other than
    /// `exclude_device`, oldest change first (see [`supersedes`] for which version is kept).
    fn pull_records(
        &self,
        org_id: &str,
        worker_id: Uuid,
        exclude_device: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, StorageError>;
    /// Stores records from one device, idempotently by id and clock, in one transaction.
    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
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
    /// A staff account by login name.
    fn staff_by_username(&self, username: &str) -> Result<Option<StaffAccount>, StorageError>;
    /// Staff of an organization.
    fn list_staff(&self, org_id: &str) -> Result<Vec<StaffAccount>, StorageError>;
    /// Changes the role of a staff member of `org_id`.
    fn set_staff_role(&self, org_id: &str, staff_id: Uuid, role: Role) -> Result<(), StorageError>;
    /// Stores a session.
    fn create_session(&self, session: &Session) -> Result<(), StorageError>;
    /// A live session and its account.
    fn session(&self, token_hash: &str) -> Result<Option<(Session, StaffAccount)>, StorageError>;
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
}

/// SQL shared by the backends: both speak this subset, only placeholders differ
/// (`?1` for SQLite, `$1` for PostgreSQL). Column names come from enums, never from input;
/// every value from a request is a bound parameter.
pub mod sql {
    use super::{AggregateQuery, Dimension, Period, RecordFilter};

    /// Placeholder style of a backend.
    pub type Placeholder = fn(usize) -> String;

    /// Appends the filter's conditions on table `t` (`records`, `totals` or `item_totals`,
    /// which have `day` and `area`) to `sql`, pushing their values onto `params` (`params`
    /// already holds the organization id as parameter 1). `item_totals` only holds supplies
    /// lines, so there the type and kind filters compare with that constant.
    fn push_filter(
        filter: &RecordFilter,
        t: &str,
        ph: Placeholder,
        sql: &mut String,
        params: &mut Vec<String>,
    ) {
        let items = t == "i";
        let mut cond = |column: String, op: &str, value: &Option<String>| {
            if let Some(v) = value {
                params.push(v.clone());
                sql.push_str(&format!(" AND {column} {op} {}", ph(params.len())));
            }
        };
        cond(format!("{t}.day"), ">=", &filter.from);
        cond(format!("{t}.day"), "<=", &filter.to);
        let (record_type, kind) = if items {
            (
                "'activity'".to_string(),
                "'supplies_distributed'".to_string(),
            )
        } else {
            (format!("{t}.record_type"), format!("{t}.kind"))
        };
        cond(record_type, "=", &filter.record_type);
        cond(kind, "=", &filter.kind);
        cond(format!("{t}.area"), "=", &filter.area);
    }

    /// The grouped query for `q`, and its parameters after the organization id. Reads the
    /// running totals (`totals`, `item_totals`, kept by triggers) except by worker, which
    /// reads `records`.
    pub fn aggregate(q: &AggregateQuery, org_id: &str, ph: Placeholder) -> (String, Vec<String>) {
        let t = match q.dimension {
            Dimension::Worker => "r",
            Dimension::Item => "i",
            _ => "t",
        };
        let period = match q.period {
            Period::Day => format!("{t}.day"),
            Period::Week => format!("{t}.week"),
            Period::Month => format!("{t}.month"),
        };
        let key = match q.dimension {
            Dimension::None => "''",
            Dimension::Kind => "t.kind",
            Dimension::Area => "t.area",
            Dimension::Role => "t.role",
            Dimension::Worker => "coalesce(w.pseudonym, '')",
            Dimension::Item => "i.item",
            Dimension::NavTask => "t.nav_task",
            Dimension::NavOutcome => "t.nav_outcome",
            Dimension::PayType => "t.pay_type",
            Dimension::OnShift => "CASE WHEN t.on_shift THEN 'on_shift' ELSE 'off_shift' END",
        };
        let from = match t {
            "r" => format!(
                "SELECT {period}, {key}, COUNT(*), CAST(SUM(r.people_reached) AS BIGINT),
                        CAST(SUM(r.naloxone_doses) AS BIGINT), CAST(SUM(r.minutes) AS BIGINT),
                        CAST(SUM(r.shift_minutes) AS BIGINT), CAST(0 AS BIGINT)
                 FROM records r LEFT JOIN workers w ON w.id = r.worker_id
                 WHERE r.org_id = {} AND NOT r.deleted",
                ph(1)
            ),
            "i" => format!(
                "SELECT {period}, {key}, CAST(SUM(i.lines) AS BIGINT), CAST(0 AS BIGINT),
                        CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),
                        CAST(SUM(i.quantity) AS BIGINT)
                 FROM item_totals i WHERE i.org_id = {} AND i.lines > 0",
                ph(1)
            ),
            _ => format!(
                "SELECT {period}, {key}, CAST(SUM(t.n) AS BIGINT), CAST(SUM(t.people_reached) AS BIGINT),
                        CAST(SUM(t.naloxone_doses) AS BIGINT), CAST(SUM(t.minutes) AS BIGINT),
                        CAST(SUM(t.shift_minutes) AS BIGINT), CAST(0 AS BIGINT)
                 FROM totals t WHERE t.org_id = {} AND t.n > 0",
                ph(1)
            ),
        };
        let mut sql = from;
        let mut params = vec![org_id.to_string()];
        push_filter(&q.filter, t, ph, &mut sql, &mut params);
        sql.push_str(" GROUP BY 1, 2 ORDER BY 1, 2");
        (sql, params)
    }

    /// Columns of `records` an ingest writes, in the order of their parameters.
    pub const RECORD_COLUMNS: [&str; 28] = [
        "id",
        "org_id",
        "device_id",
        "version",
        "kind",
        "occurred_at",
        "occurred_utc_ms",
        "recorded_at",
        "received_at",
        "deleted",
        "body",
        "unknown",
        "record_type",
        "worker_id",
        "day",
        "week",
        "month",
        "area",
        "role",
        "on_shift",
        "minutes",
        "people_reached",
        "naloxone_doses",
        "nav_task",
        "nav_outcome",
        "pay_type",
        "shift_minutes",
        "hlc",
    ];

    /// Inserts a record unless its id exists (then nothing happens and 0 rows change).
    pub fn insert_record(ph: Placeholder) -> String {
        let values: Vec<String> = (1..=RECORD_COLUMNS.len()).map(ph).collect();
        format!(
            "INSERT INTO records ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING",
            RECORD_COLUMNS.join(", "),
            values.join(", ")
        )
    }

    /// Inserts `rows` records in one statement (PostgreSQL: one round trip), skipping ids that
    /// exist, and returns the ids it inserted.
    pub fn insert_records(rows: usize, ph: Placeholder) -> String {
        let n = RECORD_COLUMNS.len();
        let values: Vec<String> = (0..rows)
            .map(|r| {
                let row: Vec<String> = (1..=n).map(|c| ph(r * n + c)).collect();
                format!("({})", row.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO records ({}) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
            RECORD_COLUMNS.join(", "),
            values.join(", ")
        )
    }

    /// Inserts `rows` supplies lines in one statement.
    pub fn insert_items(rows: usize, ph: Placeholder) -> String {
        let values: Vec<String> = (0..rows)
            .map(|r| {
                format!(
                    "({}, {}, {}, {})",
                    ph(r * 4 + 1),
                    ph(r * 4 + 2),
                    ph(r * 4 + 3),
                    ph(r * 4 + 4)
                )
            })
            .collect();
        format!(
            "INSERT INTO record_items (record_id, org_id, item, quantity) VALUES {}",
            values.join(", ")
        )
    }

    /// Replaces every column of the record with parameter 1's id.
    pub fn update_record(ph: Placeholder) -> String {
        let set: Vec<String> = RECORD_COLUMNS
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| format!("{c} = {}", ph(i + 1)))
            .collect();
        format!("UPDATE records SET {} WHERE id = {}", set.join(", "), ph(1))
    }

    /// The record-level export query for `filter`.
    pub fn export(filter: &RecordFilter, org_id: &str, ph: Placeholder) -> (String, Vec<String>) {
        let mut sql = format!(
            "SELECT r.id, r.record_type, r.kind, r.occurred_at, r.recorded_at, r.received_at,
                    r.version, r.device_id, coalesce(w.pseudonym, ''), r.area, r.role, r.body
             FROM records r LEFT JOIN workers w ON w.id = r.worker_id
             WHERE r.org_id = {} AND NOT r.deleted",
            ph(1)
        );
        let mut params = vec![org_id.to_string()];
        push_filter(filter, "r", ph, &mut sql, &mut params);
        sql.push_str(" ORDER BY r.occurred_utc_ms, r.id");
        (sql, params)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn supersedes_table() {
            let h = |ms: u64| shiftlog_wire::hlc::format(ms, 0, 1);
            let (a, b) = (h(1_000), h(2_000));
            for (inc, iv, have, hv, want) in [
                (Some(b.as_str()), 2, Some(a.as_str()), 2, true), // later clock, same version
                (Some(a.as_str()), 9, Some(b.as_str()), 2, false), // earlier clock loses
                (Some(a.as_str()), 1, Some(a.as_str()), 1, false), // the same version again
                (Some(a.as_str()), 1, None, 5, true),             // a clock beats none
                (None, 5, Some(a.as_str()), 1, false),            // none never beats a clock
                (None, 2, None, 1, true),                         // old clients: by version
                (None, 1, None, 1, false),
            ] {
                assert_eq!(
                    super::super::supersedes(inc, iv, have, hv),
                    want,
                    "{inc:?} {iv} {have:?} {hv}"
                );
            }
        }

        #[test]
        fn filter_values_are_parameters_never_sql() {
            let evil = "x' OR '1'='1".to_string();
            let f = RecordFilter {
                kind: Some(evil.clone()),
                area: Some(evil.clone()),
                ..Default::default()
            };
            let (sql, params) = export(&f, "org", |n| format!("${n}"));
            assert!(!sql.contains("OR '1'"), "{sql}");
            assert_eq!(params, vec!["org".to_string(), evil.clone(), evil]);
            assert!(sql.contains("r.kind = $2") && sql.contains("r.area = $3"));
        }
    }
}
