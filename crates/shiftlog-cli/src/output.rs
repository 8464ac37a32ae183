//! Writing results: JSON with `--json`, else a line of plain words.

use serde_json::{json, Value};
use shiftlog_core::{Lang, Record, RecordSync};

/// Where and how results are written.
pub struct Output {
    /// `--json`: one JSON value per result.
    pub json: bool,
    /// The language of messages.
    pub lang: Lang,
}

impl Output {
    /// Prints `v` as JSON, or `text`.
    pub fn print(&self, v: Value, text: String) {
        if self.json {
            println!("{v}");
        } else {
            println!("{text}");
        }
    }

    /// Prints records, one a line.
    pub fn records(&self, list: Vec<Record>) {
        if self.json {
            println!("{}", json!(list));
        } else if list.is_empty() {
            println!("Nothing here.");
        } else {
            for r in &list {
                println!("{}", describe(r));
            }
        }
    }
}

/// One record on one line, with where it stands with the organization.
pub fn describe(r: &Record) -> String {
    let state = match &r.sync {
        RecordSync::Waiting => "waiting".to_string(),
        RecordSync::Sent { .. } => "sent".to_string(),
        RecordSync::Local => "this device only".to_string(),
        RecordSync::NeedsAttention { reason } => format!("needs attention: {reason}"),
    };
    format!(
        "{}  {}  {}  {}  {}  v{}  [{}]",
        r.id,
        r.occurred_at.format("%Y-%m-%d %H:%M"),
        r.org_id,
        r.kind,
        r.body,
        r.version,
        state
    )
}
