//! Telling the worker, when they save, that a record dated further back than their
//! organization keeps records on devices will be removed from this device right after it is
//! sent (`records::purge`). The record is not lost (the organization has it), but it would
//! vanish from the worker's list without a word; so the app says it in plain words instead.

use chrono::{DateTime, FixedOffset, Utc};

use crate::{Core, Result};

/// True when a record that happened at `occurred` is already older than `retention_days` at
/// `now`: the purge removes it as soon as the server confirms it. The same cut-off as
/// `Core::purge_expired`.
pub fn past_retention(
    occurred: DateTime<FixedOffset>,
    now: DateTime<Utc>,
    retention_days: u32,
) -> bool {
    occurred.with_timezone(&Utc) < now - chrono::Duration::days(i64::from(retention_days))
}

impl Core {
    /// The organization's retention in days when a record of `org_id` that happened at
    /// `occurred_at` will be removed from this device right after it is sent; `None` when it
    /// stays (within the window, or an organization kept on this device only, never purged).
    pub fn retention_notice(
        &self,
        org_id: &str,
        occurred_at: DateTime<FixedOffset>,
    ) -> Result<Option<u32>> {
        let syncs = self
            .organizations()?
            .iter()
            .any(|o| o.id == org_id && o.server_url.is_some());
        if !syncs {
            return Ok(None);
        }
        let days = self.catalogue(Some(org_id))?.retention_days;
        Ok(past_retention(occurred_at, Utc::now(), days).then_some(days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    #[test]
    fn the_cut_off_is_the_purge_s() {
        let now = at("2026-12-02T12:00:00Z").with_timezone(&Utc);
        assert!(
            !past_retention(at("2026-11-02T12:00:00Z"), now, 30),
            "exactly 30 days: kept"
        );
        assert!(past_retention(at("2026-11-02T11:59:59Z"), now, 30));
        // The worker's offset counts: 04:00 at -08:00 is 12:00 UTC.
        assert!(!past_retention(at("2026-11-02T04:00:00-08:00"), now, 30));
        assert!(past_retention(at("2026-11-02T03:59:00-08:00"), now, 30));
        assert!(!past_retention(at("2026-12-01T12:00:00Z"), now, 1));
    }
}
