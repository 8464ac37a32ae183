//! What a record means for a summary: the figures the device's totals and the server's
//! summaries group and add. Read from the checked, typed body, so a summary can only count
//! what passed the rules.

use chrono::{Datelike, Duration, NaiveDate};
use shiftlog_wire::RecordEnvelope;

use crate::body::{topic_key, KindDetails, SupplyFlow, TrainingStatus};
use crate::check::{Checked, CheckedBody};

/// The figures of one record. Days are the device's local days (the offset it sent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// Local day the record happened, `YYYY-MM-DD` (the device's offset).
    pub day: String,
    /// Monday of that day's ISO week, `YYYY-MM-DD`.
    pub week: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Area id.
    pub area: Option<String>,
    /// Role title id.
    pub role: Option<String>,
    /// False for work done off shift.
    pub on_shift: bool,
    /// Minutes spent (activities: their own and travel; training), 0 if unknown.
    pub minutes: i64,
    /// People reached.
    pub people_reached: i64,
    /// Naloxone doses given.
    pub naloxone_doses: i64,
    /// Systems navigation task.
    pub nav_task: Option<String>,
    /// Systems navigation outcome.
    pub nav_outcome: Option<String>,
    /// Shift pay type.
    pub pay_type: Option<String>,
    /// Length of an ended shift in minutes.
    pub shift_minutes: i64,
    /// When an ended shift ended, in UTC milliseconds.
    pub shift_ended_utc_ms: Option<i64>,
    /// Supplies handed out: (item, quantity).
    pub items: Vec<(String, i64)>,
    /// Supplies lines as summaries keep them: handed out (with replacement reasons) and
    /// brought back, apart.
    pub supplies: Vec<SupplyFlow>,
    /// Training wanted: its topic as counted ([`topic_key`]).
    pub wanted_topic: Option<String>,
}

/// Monday of `day`'s ISO week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

/// The figures of a checked record.
pub fn facts(r: &RecordEnvelope, checked: &Checked) -> Facts {
    let day = r.occurred_at.date_naive();
    let mut f = Facts {
        day: day.format("%Y-%m-%d").to_string(),
        week: week_start(day).format("%Y-%m-%d").to_string(),
        month: day.format("%Y-%m").to_string(),
        on_shift: true,
        ..Facts::default()
    };
    match &checked.body {
        CheckedBody::Activity(a) => {
            f.area = a.common.area.clone();
            f.role = a.common.role.clone();
            f.on_shift = a.common.on_shift;
            f.minutes = a.total_minutes();
            f.people_reached = a.common.people_reached.unwrap_or(0);
            f.naloxone_doses = a.naloxone_doses();
            match &a.details {
                KindDetails::SuppliesDistributed(s) => {
                    f.items = s
                        .items
                        .iter()
                        .map(|l| (l.item.clone(), l.quantity))
                        .collect();
                    f.supplies = s.flows();
                }
                KindDetails::SystemsNavigation(n) => {
                    f.nav_task = Some(n.task.as_str().into());
                    f.nav_outcome = Some(n.outcome.as_str().into());
                }
                _ => {}
            }
        }
        CheckedBody::Shift(s) => {
            f.area = s.area.clone();
            f.role = s.role.clone();
            f.pay_type = Some(s.pay_type.as_str().into());
            f.shift_minutes = s.minutes();
            f.shift_ended_utc_ms = s.ended_at.map(|t| t.timestamp_millis());
        }
        CheckedBody::Training(t) => {
            f.minutes = t.minutes.unwrap_or(0);
            if t.status == TrainingStatus::Wanted {
                f.wanted_topic = Some(topic_key(&t.topic));
            }
        }
        // A shared payment is a count for staff, never an amount: no figure is read from it.
        CheckedBody::DebriefRequest | CheckedBody::Payment(_) | CheckedBody::Deleted => {}
    }
    f
}
