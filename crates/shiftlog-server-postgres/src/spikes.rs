//! Spike thresholds and the counts spike notices are made of.

use postgres::Client;
use shiftlog_server_db::spikes::{self, threshold_from_row, DEFAULT_AREA};
use shiftlog_server_db::{AreaCount, SpikeThreshold, StorageError};

use crate::{db, q};

/// See [`Storage::spike_thresholds`](shiftlog_server_db::Storage::spike_thresholds).
pub(crate) fn spike_thresholds(
    conn: &mut Client,
    org_id: &str,
) -> Result<Vec<SpikeThreshold>, StorageError> {
    conn.query(q(&spikes::SPIKE_THRESHOLDS), &[&org_id])
        .map_err(db)?
        .iter()
        .map(|r| {
            let threshold: Option<i32> = r.get(1);
            let window: i32 = r.get(2);
            threshold_from_row(r.get(0), threshold.map(i64::from), i64::from(window))
        })
        .collect()
}

/// See [`Storage::replace_spike_thresholds`](shiftlog_server_db::Storage::replace_spike_thresholds).
pub(crate) fn replace_spike_thresholds(
    conn: &mut Client,
    org_id: &str,
    thresholds: &[SpikeThreshold],
) -> Result<(), StorageError> {
    let too_large = |_| StorageError::Backend("spike threshold too large".into());
    let mut tx = conn.transaction().map_err(db)?;
    tx.execute(q(&spikes::DELETE_SPIKE_THRESHOLDS), &[&org_id])
        .map_err(db)?;
    for t in thresholds {
        let threshold = t
            .threshold
            .map(i32::try_from)
            .transpose()
            .map_err(too_large)?;
        let window = i32::try_from(t.window_hours).map_err(too_large)?;
        tx.execute(
            q(&spikes::INSERT_SPIKE_THRESHOLD),
            &[
                &org_id,
                &t.area.as_deref().unwrap_or(DEFAULT_AREA),
                &threshold,
                &window,
            ],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

/// See [`Storage::activities_by_area`](shiftlog_server_db::Storage::activities_by_area).
pub(crate) fn activities_by_area(
    conn: &mut Client,
    org_id: &str,
    kind: &str,
    from_utc_ms: i64,
    to_utc_ms: i64,
) -> Result<Vec<AreaCount>, StorageError> {
    conn.query(
        q(&spikes::ACTIVITIES_BY_AREA),
        &[&org_id, &kind, &from_utc_ms, &to_utc_ms],
    )
    .map_err(db)?
    .iter()
    .map(|r| {
        let n: i64 = r.get(1);
        Ok(AreaCount {
            area: r.get(0),
            records: u64::try_from(n).map_err(|_| StorageError::Corrupt("count".into()))?,
        })
    })
    .collect()
}
