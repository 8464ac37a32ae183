//! Retention: what the device may forget once the organization has it.

use chrono::Utc;
use rusqlite::params;

use crate::{Core, Result};

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
            removed += self.db().execute(
                "DELETE FROM records WHERE org_id = ?1 AND sync_change_counter = 0
                   AND synced_at IS NOT NULL AND rejected_reason IS NULL
                   AND occurred_utc_ms < ?2
                   AND NOT (record_type = 'shift' AND ended_utc_ms IS NULL)",
                params![org, cutoff],
            )?;
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
