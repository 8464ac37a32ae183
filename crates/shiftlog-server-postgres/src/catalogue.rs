//! An organization's catalogue sections.

use postgres::Client;
use shiftlog_server_db::{sql, CatalogueEntry, StorageError};

use crate::{db, q};

/// See [`Storage::catalogue_section`](shiftlog_server_db::Storage::catalogue_section).
pub(crate) fn catalogue_section(
    conn: &mut Client,
    org_id: &str,
    section: &str,
) -> Result<Vec<CatalogueEntry>, StorageError> {
    Ok(conn
        .query(q(&sql::CATALOGUE_SECTION), &[&org_id, &section])
        .map_err(db)?
        .iter()
        .map(|r| CatalogueEntry {
            id: r.get(0),
            label: r.get(1),
            description: r.get(2),
        })
        .collect())
}

/// See [`Storage::replace_catalogue_section`](shiftlog_server_db::Storage::replace_catalogue_section).
pub(crate) fn replace_catalogue_section(
    c: &mut Client,
    org_id: &str,
    section: &str,
    entries: &[CatalogueEntry],
) -> Result<(), StorageError> {
    let mut tx = c.transaction().map_err(db)?;
    tx.execute(q(&sql::DELETE_CATALOGUE_SECTION), &[&org_id, &section])
        .map_err(db)?;
    for (i, e) in entries.iter().enumerate() {
        tx.execute(
            q(&sql::INSERT_CATALOGUE_ENTRY),
            &[
                &org_id,
                &section,
                &e.id,
                &e.label,
                &e.description,
                &(i as i64),
            ],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}
