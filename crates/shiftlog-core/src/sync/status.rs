//! Where sync stands, as the app's header shows it.

use chrono::DateTime;
use rusqlite::OptionalExtension;

use super::{clock_warning, SyncActivity, SyncStatus};
use crate::{Core, Result};

pub(crate) fn status(core: &Core) -> Result<SyncStatus> {
    let db = core.db();
    let (waiting, needs_attention): (u32, u32) = db.query_row(
        "SELECT COALESCE(SUM(r.sync_change_counter > 0), 0),
                COALESCE(SUM(r.rejected_reason IS NOT NULL AND r.sync_change_counter = 0), 0)
         FROM records r JOIN organizations o ON o.id = r.org_id
         WHERE o.server_url IS NOT NULL AND o.removed_at IS NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let last: Option<String> =
        db.query_row("SELECT MAX(last_sent_at) FROM sync_state", [], |r| r.get(0))?;
    let enrolled: bool = db.query_row(
        "SELECT EXISTS(SELECT 1 FROM organizations WHERE device_token IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    let removed_from: Vec<String> = {
        let mut stmt = db.prepare_cached(
            "SELECT name FROM organizations WHERE removed_at IS NOT NULL ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let skew: Option<i64> = db
        .query_row(
            "SELECT clock_skew_secs FROM sync_state WHERE clock_skew_secs IS NOT NULL
         ORDER BY last_attempt_at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let activity = match core.sync.get() {
        SyncActivity::DeviceRevoked if removed_from.is_empty() => SyncActivity::Idle,
        a => a,
    };
    let (pull_error, catalogue_error) = core
        .sync
        .last_fetch_errors
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(SyncStatus {
        waiting,
        needs_attention,
        last_sent_at: last.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()),
        activity,
        enrolled,
        removed_from,
        clock_off_by_minutes: skew.and_then(clock_warning),
        pull_error,
        catalogue_error,
    })
}
