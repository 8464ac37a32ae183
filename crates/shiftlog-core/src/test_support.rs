//! Test hooks: reaching under the API, as only a test should (writing rows the core would
//! refuse, building fixtures faster than the API can). Compiled for this crate's unit tests and
//! with the `test-support` feature, which only dev-dependencies enable.

use std::path::Path;

use rusqlite::Connection;

use crate::{keys, KdfParams, Result, Unlock, DB_FILE};

/// A raw connection to the profile's database in `data_dir`, with its key set and no other
/// pragma, as a test needs it to write rows directly. The profile must exist already.
pub fn raw_connection(data_dir: &Path, unlock: &Unlock, kdf: KdfParams) -> Result<Connection> {
    let key = keys::resolve(data_dir, unlock, kdf)?;
    let conn = Connection::open(data_dir.join(DB_FILE))?;
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))?;
    Ok(conn)
}
