//! The statements both backends run as they are: one text each, written with PostgreSQL's
//! `$1` placeholders and rendered for SQLite (`?1`) by [`Statement::text`].

use super::Statement;

// Organizations.

/// Creates an organization unless it exists: id, name, created at.
pub static INSERT_ORGANIZATION: Statement = Statement::new(
    "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO NOTHING",
);
/// An organization's name: id.
pub static ORGANIZATION_NAME: Statement =
    Statement::new("SELECT name FROM organizations WHERE id = $1");
/// An organization's retention window: id.
pub static RETENTION_DAYS: Statement =
    Statement::new("SELECT retention_days FROM organizations WHERE id = $1");
/// Sets the retention window: id, days.
pub static SET_RETENTION_DAYS: Statement =
    Statement::new("UPDATE organizations SET retention_days = $2 WHERE id = $1");

// Enrollment, workers, devices.

/// Stores an enrollment code: hash, org, created at, expires at, worker, created by.
pub static INSERT_CODE: Statement = Statement::new(
    "INSERT INTO enrollment_codes (code_hash, org_id, created_at, expires_at, worker_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)",
);
/// A code as redemption reads it, locked on PostgreSQL until the redemption commits (SQLite
/// has one writer): hash. Columns: org, expires at, used at, org name, worker.
pub static CODE_FOR_REDEMPTION: Statement = Statement::locking(
    "SELECT c.org_id, c.expires_at, c.used_at, o.name, c.worker_id
     FROM enrollment_codes c JOIN organizations o ON o.id = c.org_id
     WHERE c.code_hash = $1",
    " FOR UPDATE OF c",
);
/// Marks a code used: hash, at.
pub static MARK_CODE_USED: Statement =
    Statement::new("UPDATE enrollment_codes SET used_at = $2 WHERE code_hash = $1");
/// A worker by pseudonym: org, pseudonym.
pub static WORKER_BY_PSEUDONYM: Statement =
    Statement::new("SELECT id FROM workers WHERE org_id = $1 AND pseudonym = $2");
/// A worker's pseudonym: id.
pub static WORKER_PSEUDONYM: Statement =
    Statement::new("SELECT pseudonym FROM workers WHERE id = $1");
/// Creates a worker unless the pseudonym is taken: id, org, pseudonym, created at.
pub static INSERT_WORKER: Statement = Statement::new(
    "INSERT INTO workers (id, org_id, pseudonym, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id, pseudonym) DO NOTHING",
);
/// Creates a device: id, org, token hash, name, enrolled at, worker.
pub static INSERT_DEVICE: Statement = Statement::new(
    "INSERT INTO devices (id, org_id, token_hash, name, enrolled_at, worker_id)
     VALUES ($1, $2, $3, $4, $5, $6)",
);
/// A device by token hash. Columns: id, org, revoked at, worker, pseudonym.
pub static DEVICE_BY_TOKEN: Statement = Statement::new(
    "SELECT d.id, d.org_id, d.revoked_at, w.id, w.pseudonym
     FROM devices d JOIN workers w ON w.id = d.worker_id WHERE d.token_hash = $1",
);
/// An organization's devices, newest first: org. Columns: id, pseudonym, name, enrolled at,
/// revoked at.
pub static LIST_DEVICES: Statement = Statement::new(
    "SELECT d.id, w.pseudonym, d.name, d.enrolled_at, d.revoked_at
     FROM devices d JOIN workers w ON w.id = d.worker_id
     WHERE d.org_id = $1 ORDER BY d.enrolled_at DESC, d.id",
);
/// Revokes a device of an organization once: id, org, at.
pub static REVOKE_DEVICE: Statement = Statement::new(
    "UPDATE devices SET revoked_at = $3 WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL",
);
/// Whether a device is still enrolled, read inside a transaction that writes for it (a push,
/// message receipts): id. Column: revoked at. PostgreSQL locks the row `FOR SHARE`, which
/// conflicts with [`REVOKE_DEVICE`]'s update: a revocation committed first is seen, one not
/// yet committed is waited for and seen, and one that comes later waits for this commit.
/// (SQLite's writer transaction is `IMMEDIATE`: revocations commit before it or after it.)
pub static DEVICE_STILL_ENROLLED: Statement =
    Statement::locking("SELECT revoked_at FROM devices WHERE id = $1", " FOR SHARE");

// Staff.

/// Creates a staff account: id, org, username, password hash, role, created at.
pub static INSERT_STAFF: Statement = Statement::new(
    "INSERT INTO staff (id, org_id, username, password_hash, role, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)",
);
/// A staff account by login name. Columns: id, org, username, password hash, role, disabled.
pub static STAFF_BY_USERNAME: Statement = Statement::new(
    "SELECT id, org_id, username, password_hash, role, disabled FROM staff WHERE username = $1
     ORDER BY org_id LIMIT 16",
);
/// An organization's staff, by login name: org. Columns as [`STAFF_BY_USERNAME`].
pub static LIST_STAFF: Statement = Statement::new(
    "SELECT id, org_id, username, password_hash, role, disabled FROM staff
     WHERE org_id = $1 ORDER BY username",
);
/// Changes a staff member's role: id, org, role.
pub static SET_STAFF_ROLE: Statement =
    Statement::new("UPDATE staff SET role = $3 WHERE id = $1 AND org_id = $2");
/// Disables or re-enables a staff account: id, org, disabled.
pub static SET_STAFF_DISABLED: Statement =
    Statement::new("UPDATE staff SET disabled = $3 WHERE id = $1 AND org_id = $2");
/// Replaces a staff member's password hash: id, org, hash.
pub static SET_STAFF_PASSWORD: Statement =
    Statement::new("UPDATE staff SET password_hash = $3 WHERE id = $1 AND org_id = $2");
/// Removes a staff account (its sessions first): id, org.
pub static DELETE_STAFF: Statement =
    Statement::new("DELETE FROM staff WHERE id = $1 AND org_id = $2");
/// Ends every session of a staff member of an organization: id, org.
pub static DELETE_ORG_STAFF_SESSIONS: Statement = Statement::new(
    "DELETE FROM sessions WHERE staff_id IN (SELECT id FROM staff WHERE id = $1 AND org_id = $2)",
);
/// Ends a staff member's sessions but one (`''` keeps none): staff id, kept token hash.
pub static DELETE_STAFF_SESSIONS: Statement =
    Statement::new("DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2");
/// Stores a session: token hash, CSRF hash, staff id, created at, expires at.
pub static INSERT_SESSION: Statement = Statement::new(
    "INSERT INTO sessions (token_hash, csrf_hash, staff_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)",
);
/// A session and its account: token hash. Columns: CSRF hash, expires at, the account as
/// [`STAFF_BY_USERNAME`].
pub static SESSION: Statement = Statement::new(
    "SELECT s.csrf_hash, s.expires_at, st.id, st.org_id, st.username, st.password_hash, st.role,
            st.disabled, COALESCE(s.last_used_at, s.created_at)
     FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1",
);
/// Notes a session's use: token hash, at.
pub static TOUCH_SESSION: Statement =
    Statement::new("UPDATE sessions SET last_used_at = $2 WHERE token_hash = $1");
/// Ends a session: token hash.
pub static DELETE_SESSION: Statement = Statement::new("DELETE FROM sessions WHERE token_hash = $1");
/// Appends to the audit log: org, at, actor, action, detail.
pub static INSERT_AUDIT: Statement = Statement::new(
    "INSERT INTO audit_log (org_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)",
);
/// The newest audit entries: org, limit. Columns: at, actor, action, detail.
pub static AUDIT_LOG: Statement = Statement::new(
    "SELECT at, actor, action, detail FROM audit_log WHERE org_id = $1
     ORDER BY seq DESC LIMIT $2",
);

// Catalogue.

/// A catalogue section in order: org, section. Columns: id, label, description.
pub static CATALOGUE_SECTION: Statement = Statement::new(
    "SELECT id, label, description FROM catalogue WHERE org_id = $1 AND section = $2
     ORDER BY position",
);
/// Empties a catalogue section: org, section.
pub static DELETE_CATALOGUE_SECTION: Statement =
    Statement::new("DELETE FROM catalogue WHERE org_id = $1 AND section = $2");
/// Adds a catalogue entry: org, section, id, label, description, position.
pub static INSERT_CATALOGUE_ENTRY: Statement = Statement::new(
    "INSERT INTO catalogue (org_id, section, id, label, description, position)
     VALUES ($1, $2, $3, $4, $5, $6)",
);

// Records.

/// The worker's changes after a cursor, oldest first, written last by another device: org,
/// worker, excluded device, after, limit. Columns: seq, then [`RECORD_HEAD`]'s from `id`.
pub static PULL: Statement = Statement::new(
    "SELECT c.seq, r.id, r.version, r.record_type, r.kind, r.occurred_at,
        r.recorded_at, r.deleted, r.hlc, r.body, r.unknown
    FROM record_changes c JOIN records r ON r.id = c.record_id
    WHERE c.org_id = $1 AND c.worker_id = $2 AND r.device_id <> $3 AND c.seq > $4
    ORDER BY c.seq LIMIT $5",
);
/// Live records of an organization: org.
pub static COUNT_RECORDS: Statement =
    Statement::new("SELECT COUNT(*) FROM records WHERE org_id = $1 AND NOT deleted");
/// What the server holds for a record id, locked on PostgreSQL until the ingest commits (an
/// instance storing the same id waits): id. Columns: id, version, record type, kind, occurred
/// at, recorded at, deleted, hlc, body, unknown, org, worker.
pub static RECORD_HEAD: Statement = Statement::locking(
    "SELECT id, version, record_type, kind, occurred_at, recorded_at, deleted, hlc, body,
            unknown, org_id, worker_id
     FROM records WHERE id = $1",
    " FOR UPDATE",
);
/// Drops a record's supplies lines (before its row changes, while it still has its old day
/// and area): record id.
pub static DELETE_ITEMS: Statement =
    Statement::new("DELETE FROM record_items WHERE record_id = $1");
/// Drops a record's change-log entry: record id.
pub static DELETE_CHANGE: Statement =
    Statement::new("DELETE FROM record_changes WHERE record_id = $1");
/// Gives a record a new change-log number: record id, org, worker.
pub static INSERT_CHANGE: Statement =
    Statement::new("INSERT INTO record_changes (record_id, org_id, worker_id) VALUES ($1, $2, $3)");
