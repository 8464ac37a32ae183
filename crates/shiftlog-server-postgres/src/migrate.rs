//! The schema: numbered migrations, applied under an advisory lock so several server
//! instances starting at once migrate once.

use postgres::{Client, Transaction};
use shiftlog_server_db::migrate::{self, Schema};
use shiftlog_server_db::StorageError;

use crate::db;

/// Numbered migrations for the PostgreSQL backend; entry n upgrades version n to n + 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_totals.sql"),
    include_str!("../migrations/0003_changes.sql"),
    include_str!("../migrations/0004_staff_per_org.sql"),
    include_str!("../migrations/0005_session_last_used.sql"),
    include_str!("../migrations/0006_staff_tokens.sql"),
    include_str!("../migrations/0007_staff_disabled.sql"),
    include_str!("../migrations/0008_messages.sql"),
    include_str!("../migrations/0009_supply_training_facts.sql"),
    include_str!("../migrations/0010_spike_thresholds.sql"),
    include_str!("../migrations/0011_statement_keys.sql"),
    include_str!("../migrations/0012_data_epoch.sql"),
    include_str!("../migrations/0013_worker_totals.sql"),
];

/// Any number that identifies shiftlog's migration lock among the database's advisory locks.
const MIGRATION_LOCK: i64 = 0x5348_4946_544c_4f47;

/// PostgreSQL keeps the schema version in `schema_version`, inside the one transaction that
/// holds the migration lock.
struct SchemaVersion<'a, 'c>(&'a mut Transaction<'c>);

impl Schema for SchemaVersion<'_, '_> {
    fn version(&mut self) -> Result<u32, StorageError> {
        let have: Option<i32> = self
            .0
            .query_opt("SELECT max(version) FROM schema_version", &[])
            .map_err(db)?
            .and_then(|r| r.get(0));
        u32::try_from(have.unwrap_or(0))
            .map_err(|_| StorageError::Corrupt("schema_version below 0".into()))
    }

    fn apply(&mut self, version: u32, sql: &str) -> Result<(), StorageError> {
        let v = i32::try_from(version)
            .map_err(|_| StorageError::Backend("schema version too large".into()))?;
        self.0.batch_execute(sql).map_err(db)?;
        self.0
            .execute("INSERT INTO schema_version (version) VALUES ($1)", &[&v])
            .map_err(db)?;
        Ok(())
    }
}

/// Creates schema `name` (checked by the caller: letters, digits, underscores) if missing,
/// under the migration lock: `IF NOT EXISTS` alone fails when two instances race.
pub(crate) fn create_schema(c: &mut Client, name: &str) -> Result<(), StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {name}"))
        .map_err(db)?;
    tx.commit().map_err(db)
}

/// Applies every migration above the recorded version, all in one transaction, under an
/// advisory lock: instances starting together migrate once, the others wait and find it done.
pub(crate) fn migrate(c: &mut Client) -> Result<(), StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(db)?;
    migrate::migrate(&mut SchemaVersion(&mut tx), MIGRATIONS)?;
    tx.commit().map_err(db)
}
