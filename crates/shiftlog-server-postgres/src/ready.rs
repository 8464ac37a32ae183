//! The readiness probe: one round trip on a writer's connection (the ones pushes need) that
//! reads the schema version the migrations recorded.

use postgres::Client;
use shiftlog_server_db::{Readiness, StorageError};

use crate::{db, MIGRATIONS};

/// The schema version recorded in `schema_version` (an error when the schema or the table
/// is gone).
pub(crate) fn ready(c: &mut Client) -> Result<Readiness, StorageError> {
    let have: Option<i32> = c
        .query_one("SELECT max(version) FROM schema_version", &[])
        .map_err(db)?
        .get(0);
    Ok(Readiness {
        schema: u32::try_from(have.unwrap_or(0))
            .map_err(|_| StorageError::Corrupt("schema_version below 0".into()))?,
        expected: u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX),
    })
}
