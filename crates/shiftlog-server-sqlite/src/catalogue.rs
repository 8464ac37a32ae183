//! An organization's catalogue sections.

use rusqlite::{params, Connection};
use shiftlog_server_db::{CatalogueEntry, StorageError};

use crate::db;

/// See [`Storage::catalogue_section`](shiftlog_server_db::Storage::catalogue_section).
pub(crate) fn catalogue_section(
    conn: &Connection,
    org_id: &str,
    section: &str,
) -> Result<Vec<CatalogueEntry>, StorageError> {
    let mut stmt = conn
        .prepare(
            "SELECT id, label, description FROM catalogue WHERE org_id = ?1 AND section = ?2
         ORDER BY position",
        )
        .map_err(db)?;
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
    tx.execute(
        "DELETE FROM catalogue WHERE org_id = ?1 AND section = ?2",
        [org_id, section],
    )
    .map_err(db)?;
    for (i, e) in entries.iter().enumerate() {
        tx.execute(
            "INSERT INTO catalogue (org_id, section, id, label, description, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![org_id, section, e.id, e.label, e.description, i as i64],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(())
}
