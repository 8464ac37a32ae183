//! Two optional markers on an activity: the past period an aggregate entry stands for
//! ("this week: 40 kits, 25 people reached", entered from a paper tally), and that a record
//! came from a shift's tally counters. Neither says anything about the people served.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::limits::MAX_PERIOD_DAYS;

/// The activity kinds a tally counts people reached for (the kinds with no details of their
/// own but a count of people and minutes).
pub const CONTACT_KINDS: &[&str] = &[
    "outreach_contact",
    "peer_education",
    "emotional_support",
    "meal_service",
];

/// The days an aggregate entry stands for, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// Days in the period, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Checks the period against the record's own time: it starts no later than it ends,
    /// lasts at most [`MAX_PERIOD_DAYS`] (a quarter, as Ontario's bulk entry allows), and
    /// ends no later than the day the record says it happened (so never in the future: that
    /// time is itself checked against the clock).
    pub fn check(&self, occurred_at: DateTime<FixedOffset>) -> Result<(), ValidationError> {
        if self.from > self.to {
            return Err(ValidationError::BadPeriod(
                "the first day is after the last".into(),
            ));
        }
        if self.days() > MAX_PERIOD_DAYS {
            return Err(ValidationError::BadPeriod(format!(
                "more than {MAX_PERIOD_DAYS} days"
            )));
        }
        if self.to > occurred_at.date_naive() {
            return Err(ValidationError::BadPeriod("it ends in the future".into()));
        }
        Ok(())
    }
}

/// Where a record's numbers came from, when not from a form filled in at the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The shift's tally counters, rolled up when the shift ended.
    Tally,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    #[test]
    fn periods_are_checked() {
        let now = at("2026-03-31T18:00:00-04:00");
        let p = |f: &str, t: &str| Period {
            from: day(f),
            to: day(t),
        };
        assert!(p("2026-03-30", "2026-03-31").check(now).is_ok());
        assert!(p("2026-03-31", "2026-03-31").check(now).is_ok());
        // A quarter: 1 January to 31 March is 90 days; 92 is the most.
        assert!(p("2026-01-01", "2026-03-31").check(now).is_ok());
        assert!(p("2025-12-30", "2026-03-31").check(now).is_ok());
        for (f, t) in [
            ("2026-03-31", "2026-03-30"),
            ("2025-12-29", "2026-03-31"),
            ("2026-03-30", "2026-04-01"),
        ] {
            let e = p(f, t).check(now).expect_err(t);
            assert_eq!(e.code(), "bad_period");
        }
    }

    /// `check` applies the same rules on the device and on the server.
    #[test]
    fn check_takes_both_markers_on_either_side_and_refuses_a_bad_period() {
        use crate::catalogue::Catalogue;
        use crate::check::{check_record, Context, Side};
        use serde_json::{json, Value};
        let cat = Catalogue::default_catalogue();
        let now = chrono::Utc::now();
        let env = |body: Value| -> shiftlog_wire::RecordEnvelope {
            serde_json::from_value(json!({
                "id": uuid::Uuid::now_v7(), "version": 1, "record_type": "activity",
                "kind": "outreach_contact", "occurred_at": now.to_rfc3339(),
                "recorded_at": now.to_rfc3339(), "deleted": false, "body": body,
            }))
            .expect("envelope")
        };
        let today = now.date_naive();
        let week = json!({"from": today - chrono::Duration::days(6), "to": today});
        for side in [Side::Device, Side::Server] {
            let ctx = Context {
                catalogue: &cat,
                now,
                side,
            };
            for good in [
                json!({"people_reached": 25, "period": week}),
                json!({"people_reached": 12, "source": "tally"}),
            ] {
                assert!(
                    check_record(&env(good.clone()), &ctx).is_ok(),
                    "{side:?} {good}"
                );
            }
            for bad in [
                json!({"people_reached": 2, "period": {"from": today, "to": today + chrono::Duration::days(1)}}),
                json!({"people_reached": 2, "period": {"from": today - chrono::Duration::days(92), "to": today}}),
            ] {
                let e = check_record(&env(bad.clone()), &ctx).expect_err("refused");
                assert_eq!(e.code(), "bad_period", "{side:?} {bad}");
            }
            let named =
                json!({"people_reached": 2, "period": {"from": today, "to": today, "who": "Sam"}});
            assert!(check_record(&env(named), &ctx).is_err(), "{side:?}");
        }
    }

    #[test]
    fn source_reads_only_tally() {
        assert_eq!(
            serde_json::from_str::<Source>("\"tally\"").expect("tally"),
            Source::Tally
        );
        assert!(serde_json::from_str::<Source>("\"form\"").is_err());
    }
}
