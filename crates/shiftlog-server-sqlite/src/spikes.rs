//! Spike thresholds and the counts spike notices are made of.

use rusqlite::{params, Connection};
use shiftlog_server_db::spikes::{self, threshold_from_row, DEFAULT_AREA};
use shiftlog_server_db::{AreaCount, SpikeThreshold, StorageError};

use crate::{db, q};

/// See [`Storage::spike_thresholds`](shiftlog_server_db::Storage::spike_thresholds).
pub(crate) fn spike_thresholds(
    conn: &Connection,
    org_id: &str,
) -> Result<Vec<SpikeThreshold>, StorageError> {
    let mut stmt = conn.prepare(q(&spikes::SPIKE_THRESHOLDS)).map_err(db)?;
    let rows = stmt
        .query_map([org_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(db)?;
    rows.map(|r| {
        let (area, threshold, window) = r.map_err(db)?;
        threshold_from_row(area, threshold, window)
    })
    .collect()
}

/// See [`Storage::replace_spike_thresholds`](shiftlog_server_db::Storage::replace_spike_thresholds).
pub(crate) fn replace_spike_thresholds(
    conn: &mut Connection,
    org_id: &str,
    thresholds: &[SpikeThreshold],
) -> Result<(), StorageError> {
    let tx = conn.transaction().map_err(db)?;
    tx.execute(q(&spikes::DELETE_SPIKE_THRESHOLDS), [org_id])
        .map_err(db)?;
    for t in thresholds {
        tx.execute(
            q(&spikes::INSERT_SPIKE_THRESHOLD),
            params![
                org_id,
                t.area.as_deref().unwrap_or(DEFAULT_AREA),
                t.threshold,
                t.window_hours
            ],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

/// See [`Storage::activities_by_area`](shiftlog_server_db::Storage::activities_by_area).
pub(crate) fn activities_by_area(
    conn: &Connection,
    org_id: &str,
    kind: &str,
    from_utc_ms: i64,
    to_utc_ms: i64,
) -> Result<Vec<AreaCount>, StorageError> {
    let mut stmt = conn.prepare(q(&spikes::ACTIVITIES_BY_AREA)).map_err(db)?;
    let rows = stmt
        .query_map(params![org_id, kind, from_utc_ms, to_utc_ms], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(db)?;
    rows.map(|r| {
        let (area, n) = r.map_err(db)?;
        Ok(AreaCount {
            area,
            records: u64::try_from(n).map_err(|_| StorageError::Corrupt("count".into()))?,
        })
    })
    .collect()
}
