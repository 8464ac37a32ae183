//! Writing records: the columns an ingest fills and the statements that fill them.

use super::Placeholder;
use crate::{DeviceAuth, Facts, IngestRecord};

/// One record's column values in [`RECORD_COLUMNS`] order, as both backends and the benchmarks
/// bind them: [`record_params!`](crate::record_params) makes the parameter array for a driver.
#[derive(Debug)]
pub struct RecordRow<'a> {
    /// `id`.
    pub id: String,
    /// `org_id`.
    pub org_id: &'a str,
    /// `device_id`.
    pub device_id: String,
    /// `version`.
    pub version: i64,
    /// `kind`.
    pub kind: &'a str,
    /// `occurred_at` (RFC 3339, the device's offset).
    pub occurred_at: String,
    /// `occurred_utc_ms`.
    pub occurred_ms: i64,
    /// `recorded_at`.
    pub recorded_at: String,
    /// `received_at`.
    pub received_at: &'a str,
    /// `deleted`.
    pub deleted: bool,
    /// `body` (JSON text).
    pub body: String,
    /// `unknown` (JSON text), when the device sent fields this server does not know.
    pub unknown: Option<String>,
    /// `record_type`.
    pub record_type: &'a str,
    /// `worker_id`.
    pub worker_id: String,
    /// `hlc`.
    pub hlc: Option<&'a str>,
    /// `day` … `shift_minutes`.
    pub facts: &'a Facts,
}

impl<'a> RecordRow<'a> {
    /// The row `device` stores for `record`, received at `received_at`.
    pub fn new(device: &'a DeviceAuth, record: &'a IngestRecord, received_at: &'a str) -> Self {
        let rec = &record.envelope;
        RecordRow {
            id: rec.id.to_string(),
            org_id: &device.org_id,
            device_id: device.device_id.to_string(),
            version: i64::from(rec.version),
            kind: &rec.kind,
            occurred_at: rec.occurred_at.to_rfc3339(),
            occurred_ms: rec.occurred_at.timestamp_millis(),
            recorded_at: rec.recorded_at.to_rfc3339(),
            received_at,
            deleted: rec.deleted,
            body: rec.body.to_string(),
            unknown: (!rec.unknown.is_empty())
                .then(|| serde_json::Value::Object(rec.unknown.clone()).to_string()),
            record_type: &rec.record_type,
            worker_id: device.worker_id.to_string(),
            hlc: rec.hlc.as_deref(),
            facts: &record.facts,
        }
    }
}

/// A [`RecordRow`] that owns its values: made on the thread of the push it belongs to, so the
/// one SQLite writer only binds and runs statements (the group commit carries these from the
/// pushes' threads to the writer).
#[derive(Debug)]
pub struct PreparedRow {
    /// `id`.
    pub id: String,
    /// `org_id`.
    pub org_id: String,
    /// `device_id`.
    pub device_id: String,
    /// `version`.
    pub version: i64,
    /// `kind`.
    pub kind: String,
    /// `occurred_at`.
    pub occurred_at: String,
    /// `occurred_utc_ms`.
    pub occurred_ms: i64,
    /// `recorded_at`.
    pub recorded_at: String,
    /// `received_at`.
    pub received_at: String,
    /// `deleted`.
    pub deleted: bool,
    /// `body` (JSON text).
    pub body: String,
    /// `unknown` (JSON text).
    pub unknown: Option<String>,
    /// `record_type`.
    pub record_type: String,
    /// `worker_id`.
    pub worker_id: String,
    /// `hlc`.
    pub hlc: Option<String>,
    /// `day` … `shift_minutes`, and the supplies lines.
    pub facts: Facts,
}

impl PreparedRow {
    /// The row `device` stores for `record`, received at `received_at`: the same values as
    /// [`RecordRow::new`].
    pub fn new(device: &DeviceAuth, record: &IngestRecord, received_at: &str) -> Self {
        let r = RecordRow::new(device, record, received_at);
        PreparedRow {
            id: r.id,
            org_id: r.org_id.to_owned(),
            device_id: r.device_id,
            version: r.version,
            kind: r.kind.to_owned(),
            occurred_at: r.occurred_at,
            occurred_ms: r.occurred_ms,
            recorded_at: r.recorded_at,
            received_at: r.received_at.to_owned(),
            deleted: r.deleted,
            body: r.body,
            unknown: r.unknown,
            record_type: r.record_type.to_owned(),
            worker_id: r.worker_id,
            hlc: r.hlc.map(str::to_owned),
            facts: r.facts.clone(),
        }
    }
}

/// The parameters of a [`RecordRow`] (or a [`PreparedRow`]) in [`RECORD_COLUMNS`] order, as
/// an array of `&$t` for a driver's parameter trait: `record_params!(&row, dyn
/// rusqlite::ToSql)`, `record_params!(&row, dyn postgres::types::ToSql + Sync)`.
#[macro_export]
macro_rules! record_params {
    ($row:expr, $t:ty) => {{
        let r = $row;
        let f: &$crate::Facts = ::std::borrow::Borrow::borrow(&r.facts);
        let p: [&$t; $crate::sql::RECORD_COLUMNS.len()] = [
            &r.id as &$t,
            &r.org_id as &$t,
            &r.device_id as &$t,
            &r.version as &$t,
            &r.kind as &$t,
            &r.occurred_at as &$t,
            &r.occurred_ms as &$t,
            &r.recorded_at as &$t,
            &r.received_at as &$t,
            &r.deleted as &$t,
            &r.body as &$t,
            &r.unknown as &$t,
            &r.record_type as &$t,
            &r.worker_id as &$t,
            &f.day as &$t,
            &f.week as &$t,
            &f.month as &$t,
            &f.area as &$t,
            &f.role as &$t,
            &f.on_shift as &$t,
            &f.minutes as &$t,
            &f.people_reached as &$t,
            &f.naloxone_doses as &$t,
            &f.nav_task as &$t,
            &f.nav_outcome as &$t,
            &f.pay_type as &$t,
            &f.shift_minutes as &$t,
            &r.hlc as &$t,
            &f.wanted_topic as &$t,
        ];
        p
    }};
}

/// Columns of `records` an ingest writes, in the order of their parameters.
pub const RECORD_COLUMNS: [&str; 29] = [
    "id",
    "org_id",
    "device_id",
    "version",
    "kind",
    "occurred_at",
    "occurred_utc_ms",
    "recorded_at",
    "received_at",
    "deleted",
    "body",
    "unknown",
    "record_type",
    "worker_id",
    "day",
    "week",
    "month",
    "area",
    "role",
    "on_shift",
    "minutes",
    "people_reached",
    "naloxone_doses",
    "nav_task",
    "nav_outcome",
    "pay_type",
    "shift_minutes",
    "hlc",
    "wanted_topic",
];

/// Inserts a record unless its id exists (then nothing happens and 0 rows change).
pub fn insert_record(ph: Placeholder) -> String {
    let values: Vec<String> = (1..=RECORD_COLUMNS.len()).map(ph).collect();
    format!(
        "INSERT INTO records ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING",
        RECORD_COLUMNS.join(", "),
        values.join(", ")
    )
}

/// Inserts `rows` records in one statement (PostgreSQL: one round trip), skipping ids that
/// exist, and returns the ids it inserted.
pub fn insert_records(rows: usize, ph: Placeholder) -> String {
    let n = RECORD_COLUMNS.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=n).map(|c| ph(r * n + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO records ({}) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
        RECORD_COLUMNS.join(", "),
        values.join(", ")
    )
}

/// Inserts `rows` supplies lines in one statement: record id, organization, item, quantity,
/// whether it was brought back, and the replacement reason (`''` for none), per line
/// ([`shiftlog_model::body::SupplyFlow`]).
pub fn insert_items(rows: usize, ph: Placeholder) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=ITEM_COLUMNS)
                .map(|c| ph(r * ITEM_COLUMNS + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO record_items (record_id, org_id, item, quantity, returned, reason) VALUES {}",
        values.join(", ")
    )
}

/// Gives `rows` records a new change-log number each, in one statement, in the order of the
/// rows (record id, organization, worker per row): the multi-row form of
/// [`INSERT_CHANGE`](super::INSERT_CHANGE).
pub fn insert_changes(rows: usize, ph: Placeholder) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| format!("({}, {}, {})", ph(r * 3 + 1), ph(r * 3 + 2), ph(r * 3 + 3)))
        .collect();
    format!(
        "INSERT INTO record_changes (record_id, org_id, worker_id) VALUES {}",
        values.join(", ")
    )
}

/// Parameters per supplies line of [`insert_items`].
pub const ITEM_COLUMNS: usize = 6;

/// Replaces every column of the record with parameter 1's id.
pub fn update_record(ph: Placeholder) -> String {
    let set: Vec<String> = RECORD_COLUMNS
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = {}", ph(i + 1)))
        .collect();
    format!("UPDATE records SET {} WHERE id = {}", set.join(", "), ph(1))
}
