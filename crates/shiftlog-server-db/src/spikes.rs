//! Overdose spike notices: the thresholds an organization sets per area (and a default for
//! every area), and the count of one activity kind by area over a stretch of time. Whether a
//! count reaches a threshold, and how a notice words it, is the service's (`spikes`).

use serde::{Deserialize, Serialize};

use crate::sql::Statement;
use crate::StorageError;

/// The stored area name of the organization's default threshold (area ids are never empty).
pub const DEFAULT_AREA: &str = "";

/// One threshold: `threshold` records of the kind in the trailing `window_hours` make a
/// notice for the area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpikeThreshold {
    /// The area (an id of the organization's catalogue); `None`: every area without its own.
    pub area: Option<String>,
    /// How many make a notice; `None`: notices are off (for this area, or by default).
    pub threshold: Option<u32>,
    /// The trailing window, in hours.
    pub window_hours: u32,
}

/// How many records of one area a count found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCount {
    /// Area id.
    pub area: String,
    /// Records.
    pub records: u64,
}

/// A threshold from its stored row (area, threshold, window hours).
pub fn threshold_from_row(
    area: String,
    threshold: Option<i64>,
    window_hours: i64,
) -> Result<SpikeThreshold, StorageError> {
    let bad = |what: &str| StorageError::Corrupt(format!("spike threshold {what}"));
    Ok(SpikeThreshold {
        area: (area != DEFAULT_AREA).then_some(area),
        threshold: threshold
            .map(u32::try_from)
            .transpose()
            .map_err(|_| bad("count"))?,
        window_hours: u32::try_from(window_hours).map_err(|_| bad("window"))?,
    })
}

/// An organization's thresholds, the default first: org. Columns: area, threshold, window.
pub static SPIKE_THRESHOLDS: Statement = Statement::new(
    "SELECT area, threshold, window_hours FROM spike_thresholds WHERE org_id = $1 ORDER BY area",
);
/// Removes an organization's thresholds: org.
pub static DELETE_SPIKE_THRESHOLDS: Statement =
    Statement::new("DELETE FROM spike_thresholds WHERE org_id = $1");
/// Stores a threshold: org, area, threshold, window hours.
pub static INSERT_SPIKE_THRESHOLD: Statement = Statement::new(
    "INSERT INTO spike_thresholds (org_id, area, threshold, window_hours)
     VALUES ($1, $2, $3, $4)",
);
/// Live activities of one kind by area, by when they happened (UTC ms, both ends included):
/// org, kind, from, to. Columns: area, records.
pub static ACTIVITIES_BY_AREA: Statement = Statement::new(
    "SELECT area, COUNT(*) FROM records
     WHERE org_id = $1 AND record_type = 'activity' AND kind = $2 AND NOT deleted
       AND area IS NOT NULL AND occurred_utc_ms >= $3 AND occurred_utc_ms <= $4
     GROUP BY area ORDER BY area",
);
