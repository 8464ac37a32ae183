//! Signed work statements (issue 14): the organizations' statement keys, the register of
//! issued statements the public verify page looks codes up in, and the rows of one worker's
//! records a statement is counted from. Which key signs, when one is made, what a statement
//! counts and who may ask are the service's (`shiftlog-server`'s `statements`); storage
//! keeps what it is told.
//!
//! A separate trait that [`Storage`](crate::Storage) requires, so each backend keeps these in
//! a room of its own.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::sql::Statement;
use crate::StorageError;

/// A statement key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStatementKey {
    /// The key id (16 hex digits of the public key's SHA-256).
    pub key_id: String,
    /// Organization.
    pub org_id: String,
    /// The public key, 64 hex digits.
    pub public_key: String,
    /// The 32 secret bytes, 64 hex digits; `None` once the key was retired or revoked (the
    /// secret is then destroyed).
    pub secret: Option<String>,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Replaced by a newer key at.
    pub retired_at: Option<DateTime<Utc>>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A statement the server signed, kept so the verify page can find it by its short code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedStatement {
    /// The short code, `XXXXX-XXXXX`.
    pub code: String,
    /// Organization.
    pub org_id: String,
    /// Whose work.
    pub worker_id: Uuid,
    /// The key that signed it.
    pub key_id: String,
    /// Signed at.
    pub issued_at: DateTime<Utc>,
    /// The signed statement's JSON, as given to the device.
    pub document: String,
}

/// One live record of a worker, as a statement counts it: the facts columns only, and the
/// body of a training record (its topic and status are not columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkRow {
    /// `activity`, `shift`, `training`, …
    pub record_type: String,
    /// The activity kind (or the record type again for other records).
    pub kind: String,
    /// Role, if any.
    pub role: Option<String>,
    /// A shift's pay type.
    pub pay_type: Option<String>,
    /// On shift or not.
    pub on_shift: bool,
    /// Minutes recorded on an activity or a training.
    pub minutes: i64,
    /// A shift's minutes.
    pub shift_minutes: i64,
    /// A training record's body; `None` for every other record.
    pub body: Option<String>,
}

/// What storage keeps for signed work statements.
pub trait WorkStatementStore {
    /// An organization's statement keys, newest first.
    fn statement_keys(&self, org_id: &str) -> Result<Vec<StoredStatementKey>, StorageError>;
    /// Stores a new key and, in the same transaction, retires every other key of its
    /// organization that is neither retired nor revoked, destroying their secrets. Key
    /// changes of one organization are serialized, so one key is in use after each.
    fn add_statement_key(
        &self,
        key: &StoredStatementKey,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// Revokes a key of `org_id` at `at` (kept if it already was) and destroys its secret;
    /// `NotFound` if it is not that organization's.
    fn revoke_statement_key(
        &self,
        org_id: &str,
        key_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// Adds a statement signed for `device_id` to the register (a code already there is kept
    /// as it is), in one transaction with a read of the device: revoked (or gone), nothing is
    /// added and the answer is [`StorageError::DeviceRevoked`].
    fn add_issued_statement(
        &self,
        device_id: Uuid,
        statement: &IssuedStatement,
    ) -> Result<(), StorageError>;
    /// The statement with this short code, from any organization on this server.
    fn issued_statement(&self, code: &str) -> Result<Option<IssuedStatement>, StorageError>;
    /// The live records of one worker of `org_id` whose day is from `from` to `to` (both
    /// `YYYY-MM-DD`, included).
    fn worker_work(
        &self,
        org_id: &str,
        worker_id: Uuid,
        from: &str,
        to: &str,
    ) -> Result<Vec<WorkRow>, StorageError>;
}

/// Times are stored as RFC 3339 UTC with seconds and `Z`, so text order is time order.
pub fn key_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A stored key row: key id, org, public key, secret, created, retired, revoked.
pub type KeyRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// A [`StoredStatementKey`] from its row.
pub fn key_from_row(
    (key_id, org_id, public_key, secret, created, retired, revoked): KeyRow,
) -> Result<StoredStatementKey, StorageError> {
    let time = |s: &str| crate::stored_time(s);
    Ok(StoredStatementKey {
        key_id,
        org_id,
        public_key,
        secret,
        created_at: time(&created)?,
        retired_at: retired.as_deref().map(time).transpose()?,
        revoked_at: revoked.as_deref().map(time).transpose()?,
    })
}

/// A stored register row: code, org, worker, key id, issued, document.
pub type IssuedRow = (String, String, String, String, String, String);

/// An [`IssuedStatement`] from its row.
pub fn issued_from_row(
    (code, org_id, worker, key_id, issued, document): IssuedRow,
) -> Result<IssuedStatement, StorageError> {
    Ok(IssuedStatement {
        code,
        org_id,
        worker_id: Uuid::parse_str(&worker)
            .map_err(|e| StorageError::Corrupt(format!("{worker}: {e}")))?,
        key_id,
        issued_at: crate::stored_time(&issued)?,
        document,
    })
}

/// An organization's keys, newest first (times are whole seconds: of two keys made in the
/// same second, the one in use first): org. Columns as [`KeyRow`].
pub static STATEMENT_KEYS: Statement = Statement::new(
    "SELECT key_id, org_id, public_key, secret, created_at, retired_at, revoked_at
     FROM statement_keys WHERE org_id = $1
     ORDER BY created_at DESC, (retired_at IS NULL AND revoked_at IS NULL) DESC, key_id DESC",
);
/// Holds the organization's row until the key change commits (PostgreSQL: two instances
/// making a first key at once make them one after the other, so one key stays in use): org.
pub static LOCK_ORGANIZATION: Statement =
    Statement::locking("SELECT id FROM organizations WHERE id = $1", " FOR UPDATE");
/// Retires the keys in use and destroys their secrets: org, at.
pub static RETIRE_STATEMENT_KEYS: Statement = Statement::new(
    "UPDATE statement_keys SET retired_at = $2, secret = NULL
     WHERE org_id = $1 AND retired_at IS NULL AND revoked_at IS NULL",
);
/// Stores a key: the columns of [`KeyRow`].
pub static INSERT_STATEMENT_KEY: Statement = Statement::new(
    "INSERT INTO statement_keys (key_id, org_id, public_key, secret, created_at, retired_at,
                                 revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)",
);
/// Revokes a key and destroys its secret: org, key id, at.
pub static REVOKE_STATEMENT_KEY: Statement = Statement::new(
    "UPDATE statement_keys SET revoked_at = coalesce(revoked_at, $3), secret = NULL
     WHERE org_id = $1 AND key_id = $2",
);
/// Adds to the register: the columns of [`IssuedRow`].
pub static INSERT_ISSUED_STATEMENT: Statement = Statement::new(
    "INSERT INTO issued_statements (code, org_id, worker_id, key_id, issued_at, document)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
);
/// A register entry: code. Columns as [`IssuedRow`].
pub static ISSUED_STATEMENT: Statement = Statement::new(
    "SELECT code, org_id, worker_id, key_id, issued_at, document
     FROM issued_statements WHERE code = $1",
);
/// One worker's live records over days: org, worker, from, to. Columns as [`WorkRow`].
pub static WORKER_WORK: Statement = Statement::new(
    "SELECT record_type, kind, role, pay_type, on_shift, minutes, shift_minutes,
            CASE WHEN record_type = 'training' THEN body END
     FROM records
     WHERE org_id = $1 AND worker_id = $2 AND day >= $3 AND day <= $4 AND NOT deleted",
);
