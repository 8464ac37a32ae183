//! The readiness probe: a fresh read-only connection to the file the server was opened on,
//! so a file that was moved, deleted or damaged under a running server is seen (connections
//! already open would keep reading a deleted file); and the data epoch, which says whether
//! this is still the data devices synced with or a restored copy.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use shiftlog_server_db::{sql, Readiness, StorageError};

use crate::{db, q, MIGRATIONS};

/// Opens `path` read-only (never creating it) and reads its schema version.
pub(crate) fn ready(path: &Path) -> Result<Readiness, StorageError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db)?;
    conn.busy_timeout(Duration::from_secs(2)).map_err(db)?;
    let schema: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    // Reads the schema itself too: a file that is not a database fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(db)?;
    Ok(Readiness {
        schema,
        expected: u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX),
    })
}

/// The data epoch if one was made (on a reader).
pub(crate) fn data_epoch(conn: &Connection) -> Result<Option<String>, StorageError> {
    conn.query_row(q(&sql::DATA_EPOCH), [], |r| r.get(0))
        .optional()
        .map_err(db)
}

/// Makes the data epoch if there is none, and reads it (on the writer).
pub(crate) fn make_data_epoch(conn: &Connection) -> Result<String, StorageError> {
    conn.execute(
        q(&sql::INSERT_DATA_EPOCH),
        [shiftlog_server_db::fresh_data_epoch()],
    )
    .map_err(db)?;
    conn.query_row(q(&sql::DATA_EPOCH), [], |r| r.get(0))
        .map_err(db)
}

/// Forgets the data epoch (on the writer, or on a restored copy before it goes in place).
pub(crate) fn clear_data_epoch(conn: &Connection) -> Result<(), StorageError> {
    conn.execute(q(&sql::CLEAR_DATA_EPOCH), []).map_err(db)?;
    Ok(())
}
