//! Writing records: the columns an ingest fills and the statements that fill them.

use super::Placeholder;

/// Columns of `records` an ingest writes, in the order of their parameters.
pub const RECORD_COLUMNS: [&str; 28] = [
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

/// Inserts `rows` supplies lines in one statement.
pub fn insert_items(rows: usize, ph: Placeholder) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            format!(
                "({}, {}, {}, {})",
                ph(r * 4 + 1),
                ph(r * 4 + 2),
                ph(r * 4 + 3),
                ph(r * 4 + 4)
            )
        })
        .collect();
    format!(
        "INSERT INTO record_items (record_id, org_id, item, quantity) VALUES {}",
        values.join(", ")
    )
}

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
