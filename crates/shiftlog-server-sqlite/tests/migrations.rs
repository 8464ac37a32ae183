//! The migration runner on SQLite: `PRAGMA user_version` says what is applied.

use shiftlog_server_db::StorageError;
use shiftlog_server_sqlite::{SqliteStorage, MIGRATIONS};

fn user_version(path: &std::path::Path) -> u32 {
    rusqlite::Connection::open(path)
        .expect("open")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

#[test]
fn a_new_file_gets_every_migration_once_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.db");
    drop(SqliteStorage::open_file(&path).expect("create"));
    assert_eq!(user_version(&path) as usize, MIGRATIONS.len());
    drop(SqliteStorage::open_file(&path).expect("reopen: nothing to apply"));
    assert_eq!(user_version(&path) as usize, MIGRATIONS.len());

    let newer = MIGRATIONS.len() as u32 + 1;
    rusqlite::Connection::open(&path)
        .expect("open")
        .pragma_update(None, "user_version", newer)
        .expect("set");
    match SqliteStorage::open_file(&path) {
        Err(StorageError::TooNew { found, supported }) => {
            assert_eq!((found, supported as usize), (newer, MIGRATIONS.len()))
        }
        other => panic!("expected TooNew, got {:?}", other.err()),
    }
    assert_eq!(user_version(&path), newer, "left alone");
}
