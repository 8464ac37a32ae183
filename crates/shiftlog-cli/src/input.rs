//! Reading values typed on the command line: times, dates, JSON, supply lines.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, TimeZone};
use serde_json::{Map, Value};
use shiftlog_core::model::SupplyLine;

use crate::exit::Failure;

/// A single-threaded runtime for the few commands that talk to a server.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start: {e}")))
}

/// An optional RFC 3339 time.
pub fn parse_at(at: Option<&str>) -> Result<Option<DateTime<FixedOffset>>, Failure> {
    at.map(|s| {
        DateTime::parse_from_rfc3339(s).map_err(|e| {
            Failure::Usage(format!(
                "{s}: {e}; use a time like 2026-11-22T14:05:00-08:00"
            ))
        })
    })
    .transpose()
}

/// A JSON value.
pub fn parse_json(s: &str) -> Result<Value, Failure> {
    serde_json::from_str(s).map_err(|e| Failure::Usage(format!("not valid JSON: {e}")))
}

/// A JSON object; anything else reads as an empty one.
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// One `ITEM=QUANTITY` supply line.
pub fn parse_line(s: &str) -> Result<SupplyLine, Failure> {
    let (item, qty) = s
        .split_once('=')
        .ok_or_else(|| Failure::Usage(format!("{s}: write ITEM=QUANTITY, e.g. naloxone_kit=2")))?;
    let quantity: i64 = qty
        .trim()
        .parse()
        .map_err(|_| Failure::Usage(format!("{s}: the quantity must be a whole number")))?;
    Ok(SupplyLine {
        item: item.trim().to_string(),
        quantity,
    })
}

/// Midnight at the start of a day, in this computer's time zone.
pub fn local_midnight(d: NaiveDate) -> DateTime<FixedOffset> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| naive.and_utc().fixed_offset())
}
