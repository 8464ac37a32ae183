//! The readiness probe: one round trip on a writer's connection (the ones pushes need) that
//! reads the schema version the migrations recorded; and the data epoch, which says whether
//! this is still the data devices synced with or a restored dump.

use postgres::Client;
use shiftlog_server_db::{sql, Readiness, StorageError};

use crate::{db, q, MIGRATIONS};

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

/// The data epoch if one was made.
pub(crate) fn data_epoch(c: &mut Client) -> Result<Option<String>, StorageError> {
    Ok(c.query_opt(q(&sql::DATA_EPOCH), &[])
        .map_err(db)?
        .map(|r| r.get(0)))
}

/// Makes the data epoch if there is none (another instance may have made it first), and
/// reads it.
pub(crate) fn make_data_epoch(c: &mut Client) -> Result<String, StorageError> {
    c.execute(
        q(&sql::INSERT_DATA_EPOCH),
        &[&shiftlog_server_db::fresh_data_epoch()],
    )
    .map_err(db)?;
    Ok(c.query_one(q(&sql::DATA_EPOCH), &[]).map_err(db)?.get(0))
}

/// Forgets the data epoch and makes a new one, in one transaction.
pub(crate) fn renew_data_epoch(c: &mut Client) -> Result<String, StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    tx.execute(q(&sql::CLEAR_DATA_EPOCH), &[]).map_err(db)?;
    tx.execute(
        q(&sql::INSERT_DATA_EPOCH),
        &[&shiftlog_server_db::fresh_data_epoch()],
    )
    .map_err(db)?;
    let e: String = tx.query_one(q(&sql::DATA_EPOCH), &[]).map_err(db)?.get(0);
    tx.commit().map_err(db)?;
    Ok(e)
}
