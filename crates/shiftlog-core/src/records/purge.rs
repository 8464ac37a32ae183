//! Retention: what the device may forget once the organization has it.

use chrono::Utc;
use rusqlite::params;

use crate::{Core, Result};

/// An organization's records the device may forget: confirmed, not needing attention, not an
/// open shift, older than the cutoff (`?2`, UTC milliseconds). Served by the index
/// `records_purgeable` (migration 12), so it reads only what is old enough.
const PURGE_RECORDS: &str = "DELETE FROM records WHERE org_id = ?1 AND sync_change_counter = 0
       AND synced_at IS NOT NULL AND rejected_reason IS NULL
       AND occurred_utc_ms < ?2
       AND NOT (record_type = 'shift' AND ended_utc_ms IS NULL)";

impl Core {
    /// Removes records the organization no longer needs on this device: synced records older
    /// than its retention window. Tombstones follow the same window (hidden from every list
    /// meanwhile), so a delete can be sent again to a server restored from a backup
    /// (`sync/epoch.rs`) instead of the record coming back. Records not confirmed by the server,
    /// records that need attention, open shifts and local-only organizations' records are
    /// never purged. Check-ins past the worker's own period go too. Returns how many were
    /// removed.
    pub fn purge_expired(&self) -> Result<usize> {
        let orgs: Vec<String> = {
            let db = self.db();
            let mut stmt =
                db.prepare("SELECT id FROM organizations WHERE server_url IS NOT NULL")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut removed = 0;
        for org in orgs {
            let days = self.catalogue(Some(&org))?.retention_days;
            let cutoff = (Utc::now() - chrono::Duration::days(i64::from(days))).timestamp_millis();
            removed += self.db().execute(PURGE_RECORDS, params![org, cutoff])?;
        }
        removed += self.purge_expired_checkins()?;
        Ok(removed)
    }

    /// Removes check-ins older than the period the worker chose
    /// ([`Core::checkin_retention_days`]); none when they keep them until they delete them.
    /// (`secure_delete` overwrites the freed bytes: the notes do not linger in free pages.)
    pub(crate) fn purge_expired_checkins(&self) -> Result<usize> {
        let Some(days) = self.checkin_retention_days()? else {
            return Ok(0);
        };
        let cutoff = (Utc::now() - chrono::Duration::days(i64::from(days))).timestamp_millis();
        Ok(self.db().execute(
            "DELETE FROM checkins WHERE created_utc_ms < ?1",
            params![cutoff],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::PURGE_RECORDS;

    /// The purge after every sync reads an organization's old records through the index, not
    /// every record the device holds.
    #[test]
    fn the_purge_searches_the_index() -> crate::Result<()> {
        let db = rusqlite::Connection::open_in_memory()?;
        for m in crate::store::MIGRATIONS {
            db.execute_batch(m)?;
        }
        let plan = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> crate::Result<String> {
            let mut stmt = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let rows = stmt.query_map(params, |r| r.get::<_, String>(3))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?.join("; "))
        };
        let purge = plan(PURGE_RECORDS, rusqlite::params!["org", 0])?;
        assert!(
            purge.contains("SEARCH records USING INDEX records_purgeable"),
            "{purge}"
        );
        // The outbox's search of what is still to send keeps its own index.
        let outbox = plan(
            &crate::sync::outbox::pending_sql(),
            rusqlite::params!["org", 10, 0, ""],
        )?;
        assert!(outbox.contains("USING INDEX records_pending"), "{outbox}");
        Ok(())
    }
}
