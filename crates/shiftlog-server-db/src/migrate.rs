//! The migration runner both backends use: numbered migrations, entry n upgrading a database
//! at version n to n + 1, each applied once, in order. How a database records its version
//! (SQLite's `PRAGMA user_version`, PostgreSQL's `schema_version` table under an advisory
//! lock) is the driver's, behind [`Schema`].

use crate::StorageError;

/// A database's schema version, as its driver keeps it.
pub trait Schema {
    /// The version the database is at (0: empty).
    fn version(&mut self) -> Result<u32, StorageError>;
    /// Applies `sql`, which brings the database to `version`, and records that version.
    fn apply(&mut self, version: u32, sql: &str) -> Result<(), StorageError>;
}

/// Brings `schema` up to the last of `migrations`; a database newer than them is refused
/// ([`StorageError::TooNew`]) and left alone.
pub fn migrate(schema: &mut dyn Schema, migrations: &[&str]) -> Result<(), StorageError> {
    let supported = u32::try_from(migrations.len())
        .map_err(|_| StorageError::Backend("too many migrations".into()))?;
    let found = schema.version()?;
    if found > supported {
        return Err(StorageError::TooNew { found, supported });
    }
    for (version, sql) in (found + 1..).zip(&migrations[found as usize..]) {
        schema.apply(version, sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema in memory that keeps what was applied.
    struct Log(u32, Vec<(u32, String)>);

    impl Schema for Log {
        fn version(&mut self) -> Result<u32, StorageError> {
            Ok(self.0)
        }
        fn apply(&mut self, version: u32, sql: &str) -> Result<(), StorageError> {
            self.1.push((version, sql.to_string()));
            self.0 = version;
            Ok(())
        }
    }

    #[test]
    fn applies_what_is_missing_in_order_once() {
        let mut empty = Log(0, Vec::new());
        migrate(&mut empty, &["a", "b", "c"]).expect("migrate");
        assert_eq!(empty.1, [(1, "a".into()), (2, "b".into()), (3, "c".into())]);
        let mut at_2 = Log(2, Vec::new());
        migrate(&mut at_2, &["a", "b", "c"]).expect("migrate");
        assert_eq!(at_2.1, [(3, "c".into())]);
        migrate(&mut at_2, &["a", "b", "c"]).expect("again");
        assert_eq!(at_2.1.len(), 1, "nothing twice");
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let mut newer = Log(4, Vec::new());
        let e = migrate(&mut newer, &["a", "b"]).expect_err("too new");
        assert!(matches!(
            e,
            StorageError::TooNew {
                found: 4,
                supported: 2
            }
        ));
        assert!(newer.1.is_empty());
    }
}
