//! The grouped query summaries are made of.

use serde::{Deserialize, Serialize};

use crate::RecordFilter;

/// The time buckets of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// Named apart from the statement's `Period` (a span of days) in the OpenAPI document.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SummaryPeriod))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Local day.
    Day,
    /// ISO week, named by its Monday.
    Week,
    /// Calendar month.
    Month,
}

/// What a summary's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Nothing: one column.
    None,
    /// Activity kind.
    Kind,
    /// Area.
    Area,
    /// Role title.
    Role,
    /// Worker pseudonym.
    Worker,
    /// Supply item (sums quantities of supplies lines).
    Item,
    /// Systems navigation task.
    NavTask,
    /// Systems navigation outcome.
    NavOutcome,
    /// Shift pay type.
    PayType,
    /// On or off shift.
    OnShift,
    /// Supplies brought back, by item (never counted as handed out).
    Returned,
    /// Naloxone kits handed out to replace one, by why (`used`, `lost`, `expired`, `other`).
    Reason,
    /// Training wanted, by topic (words joined by one space, lower case).
    Topic,
}

/// Which stored groups an aggregate reads, by their number of records. A stored group is a
/// row of the running totals: the records of one day that share every value a summary can
/// split or filter by (small-number protection works on them: docs/privacy.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Groups {
    /// Every group, summed by period and key.
    #[default]
    All,
    /// Groups of at least this many records, summed by period and key.
    AtLeast(i64),
    /// Groups of 1 to this many records, one row each, named in [`AggregateRow::group`].
    Each(i64),
}

/// A grouped query over stored records: the only aggregation a backend must do.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateQuery {
    /// Which records.
    pub filter: RecordFilter,
    /// Row buckets.
    pub period: Period,
    /// Column key.
    pub dimension: Dimension,
    /// Which stored groups (by worker: always all, summed from `worker_totals`).
    pub groups: Groups,
}

/// One group of an [`AggregateQuery`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateRow {
    /// Period key (`YYYY-MM-DD` or `YYYY-MM`).
    pub period: String,
    /// Dimension value; empty when not set on the record.
    pub key: String,
    /// Number of records (for `Item`: number of lines).
    pub records: i64,
    /// Sum of people reached.
    pub people_reached: i64,
    /// Sum of naloxone doses.
    pub naloxone_doses: i64,
    /// Sum of activity minutes.
    pub minutes: i64,
    /// Sum of shift minutes.
    pub shift_minutes: i64,
    /// Sum of supplies quantities (only for `Item`).
    pub quantity: i64,
    /// With [`Groups::Each`]: the stored group's values joined by `|`, its kind (or item)
    /// first; empty otherwise.
    pub group: String,
}
