//! The schema: numbered migrations checked against `PRAGMA user_version`.

use rusqlite::Connection;
use shiftlog_server_db::migrate::{self, Schema};
use shiftlog_server_db::StorageError;

use crate::db;

/// Numbered migrations for the SQLite backend; entry n upgrades user_version n to n + 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_workers_staff_summaries.sql"),
    include_str!("../migrations/0003_totals.sql"),
    include_str!("../migrations/0004_changes.sql"),
    include_str!("../migrations/0005_staff_per_org.sql"),
    include_str!("../migrations/0006_session_last_used.sql"),
    include_str!("../migrations/0007_staff_tokens.sql"),
    include_str!("../migrations/0008_staff_disabled.sql"),
    include_str!("../migrations/0009_messages.sql"),
    include_str!("../migrations/0010_supply_training_facts.sql"),
    include_str!("../migrations/0011_spike_thresholds.sql"),
    include_str!("../migrations/0012_statement_keys.sql"),
    include_str!("../migrations/0013_data_epoch.sql"),
    include_str!("../migrations/0014_worker_totals.sql"),
];

/// SQLite keeps the schema version in `PRAGMA user_version`; each migration commits on its
/// own, with the version it reaches.
struct UserVersion<'a>(&'a Connection);

impl Schema for UserVersion<'_> {
    fn version(&mut self) -> Result<u32, StorageError> {
        self.0
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)
    }

    fn apply(&mut self, version: u32, sql: &str) -> Result<(), StorageError> {
        let tx = self.0.unchecked_transaction().map_err(db)?;
        tx.execute_batch(sql).map_err(db)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(db)?;
        tx.commit().map_err(db)
    }
}

/// Applies every migration above the file's `user_version`, each in its own transaction.
pub(crate) fn migrate(conn: &Connection) -> Result<(), StorageError> {
    migrate::migrate(&mut UserVersion(conn), MIGRATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStorage;
    use shiftlog_server_db::{AggregateQuery, RecordFilter, Storage};

    /// A database made by schema 1 (the walking skeleton) opens, migrates, and keeps its data:
    /// the device becomes a worker with a pseudonym, the activity gets its facts and items.
    #[test]
    fn schema_1_database_migrates_with_its_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
            conn.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO organizations VALUES ('demo', 'Demo', '2026-11-01T00:00:00Z');
                 INSERT INTO devices VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', 'demo', 'h', 'phone', '2026-11-01T00:00:00Z', NULL);
                 INSERT INTO activities VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c99', 'demo',
                   '01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', 1, 'supplies_distributed',
                   '2026-11-20T23:42:00-08:00', 0, '2026-11-20T23:42:05-08:00', '2026-11-21T08:00:00Z', 0,
                   '{\"area\":\"downtown\",\"items\":[{\"item\":\"naloxone_kit\",\"quantity\":2}]}', NULL);",
            )
            .expect("old rows");
        }
        let s = SqliteStorage::open_file(&path).expect("migrate");
        let dev = s.device_by_token("h").expect("query").expect("device");
        assert_eq!(dev.pseudonym, "W-0F9B2C11");
        let rows = s
            .aggregate(
                "demo",
                &AggregateQuery {
                    filter: RecordFilter::default(),
                    period: shiftlog_server_db::Period::Week,
                    dimension: shiftlog_server_db::Dimension::Item,
                    groups: Default::default(),
                },
            )
            .expect("aggregate");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].period, "2026-11-16",
            "Monday of the local day's week"
        );
        assert_eq!(
            (rows[0].key.as_str(), rows[0].quantity),
            ("naloxone_kit", 2)
        );
    }
}
