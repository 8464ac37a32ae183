//! The schema: numbered migrations, applied under an advisory lock so several server
//! instances starting at once migrate once.

use postgres::Client;
use shiftlog_server_db::StorageError;

use crate::db;

/// Numbered migrations for the PostgreSQL backend; entry n upgrades version n to n + 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_totals.sql"),
    include_str!("../migrations/0003_changes.sql"),
];

/// Any number that identifies shiftlog's migration lock among the database's advisory locks.
const MIGRATION_LOCK: i64 = 0x5348_4946_544c_4f47;

/// Applies every migration above the recorded version, all in one transaction.
pub(crate) fn migrate(c: &mut Client) -> Result<(), StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(db)?;
    let have: Option<i32> = tx
        .query_opt("SELECT max(version) FROM schema_version", &[])
        .map_err(db)?
        .and_then(|r| r.get(0));
    let have = have.unwrap_or(0) as usize;
    if have > MIGRATIONS.len() {
        return Err(StorageError::TooNew {
            found: have as u32,
            supported: MIGRATIONS.len() as u32,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(have) {
        tx.batch_execute(sql).map_err(db)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&((i + 1) as i32)],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}
