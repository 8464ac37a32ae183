//! An organization's catalogue sections.

use rusqlite::{params, Connection};
use shiftlog_server_db::{sql, CatalogueEntry, StorageError};

use crate::{db, q};

/// See [`Storage::catalogue_section`](shiftlog_server_db::Storage::catalogue_section).
pub(crate) fn catalogue_section(
    conn: &Connection,
    org_id: &str,
    section: &str,
) -> Result<Vec<CatalogueEntry>, StorageError> {
    let mut stmt = conn.prepare(q(&sql::CATALOGUE_SECTION)).map_err(db)?;
    let rows = stmt
        .query_map([org_id, section], |r| {
            Ok(CatalogueEntry {
                id: r.get(0)?,
                label: r.get(1)?,
                description: r.get(2)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

/// See [`Storage::replace_catalogue_section`](shiftlog_server_db::Storage::replace_catalogue_section).
pub(crate) fn replace_catalogue_section(
    conn: &mut Connection,
    org_id: &str,
    section: &str,
    entries: &[CatalogueEntry],
) -> Result<(), StorageError> {
    let tx = conn.transaction().map_err(db)?;
    tx.execute(q(&sql::DELETE_CATALOGUE_SECTION), [org_id, section])
        .map_err(db)?;
    for (i, e) in entries.iter().enumerate() {
        tx.execute(
            q(&sql::INSERT_CATALOGUE_ENTRY),
            params![org_id, section, e.id, e.label, e.description, i as i64],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(())
}
