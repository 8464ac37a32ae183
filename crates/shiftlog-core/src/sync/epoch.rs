//! A restored server. Its database keeps a random data epoch for as long as its data lives on
//! and gets a new one when it is brought back from a backup (`ServerInfo::data_epoch`). The
//! backup lacks whatever the server confirmed after it was taken, and this device has long
//! marked those records as sent. So when the epoch changes, every record this device holds
//! for the organization goes back in the outbox (the server answers `already_had` for those
//! it kept), and the worker's records are pulled from the start (the restored change log
//! counts from an earlier point). Records already purged from the device past the retention
//! window cannot be sent again: docs/backups.md says so.

use rusqlite::{params, OptionalExtension};

use crate::{Core, Result};

/// Compares the server's epoch with the one last seen; on a change, queues every record of
/// the organization again and rewinds its pull. Returns how many records were queued.
pub(super) fn check(core: &Core, org_id: &str, epoch: Option<&str>) -> Result<u32> {
    let Some(epoch) = epoch else {
        // An older server: nothing to compare.
        return Ok(0);
    };
    let db = core.db();
    let tx = db.unchecked_transaction()?;
    let known: Option<String> = tx
        .query_row(
            "SELECT server_epoch FROM organizations WHERE id = ?1",
            [org_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let queued = match known {
        Some(k) if k == epoch => return Ok(0),
        // The first epoch this device hears of: remember it.
        None => 0,
        Some(_) => {
            // Confirmed records only: those still pending go anyway, and refused ones wait
            // for the worker. Tombstones go too, or a delete confirmed after the backup would
            // be undone.
            let n = tx.execute(
                "UPDATE records SET sync_change_counter = sync_change_counter + 1
                 WHERE org_id = ?1 AND sync_change_counter = 0 AND rejected_reason IS NULL",
                [org_id],
            )?;
            tx.execute(
                "UPDATE sync_state SET pull_cursor = 0 WHERE org_id = ?1",
                [org_id],
            )?;
            u32::try_from(n).unwrap_or(u32::MAX)
        }
    };
    tx.execute(
        "UPDATE organizations SET server_epoch = ?2 WHERE id = ?1",
        params![org_id, epoch],
    )?;
    tx.commit()?;
    Ok(queued)
}
